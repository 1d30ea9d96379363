//! Amounts: yuan with at most two decimals in the file, integer fen in code.

/// Parses yuan (`12`, `0.1`, `0.01`, `-0.01`) into fen, exactly.
pub fn parse_fen(yuan: &str) -> Option<i64> {
    let (negative, digits) = match yuan.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, yuan),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || frac.len() > 2 || !all_digits(frac) {
        return None;
    }
    if digits.contains('.') && frac.is_empty() {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut cents: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        cents *= 10;
    }
    let fen = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -fen } else { fen })
}

/// Writes fen as yuan with two decimals (`1` → `0.01`, `-1` → `-0.01`).
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_become_exact_fen() {
        assert_eq!(parse_fen("0.01"), Some(1));
        assert_eq!(parse_fen("0.1"), Some(10));
        assert_eq!(parse_fen("12"), Some(1200));
        assert_eq!(parse_fen("1234.56"), Some(123456));
        assert_eq!(parse_fen("-0.01"), Some(-1));
        assert_eq!(parse_fen("0.0"), Some(0));
        for bad in [
            "",
            "0.001",
            "1.",
            ".5",
            "1,00",
            "1e2",
            "abc",
            "--1",
            "+1",
            " 1",
            "99999999999999999999",
        ] {
            assert_eq!(parse_fen(bad), None, "{bad}");
        }
        for fen in [0, 1, 10, 99, 100, 123456, -1, -250] {
            assert_eq!(parse_fen(&format_yuan(fen)), Some(fen));
        }
        assert_eq!(format_yuan(1), "0.01");
        assert_eq!(format_yuan(-250), "-2.50");
    }
}
