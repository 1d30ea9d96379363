//! Numbers as WeChat writes them in bills, read exactly.
//!
//! Amounts of money (settlement, order, coupon and refund amounts) are yuan
//! and must be a whole number of fen: they become integer fen. Fees are
//! published with sub-fen precision (`0.06000`, even `6e-05` in WeChat's
//! own sample) and rates as percentages (`0.60%`): both stay decimals.
//! Nothing goes through a float.

pub use rust_decimal::Decimal;

/// The most digits a bill number may have (a `Decimal` holds 28 exactly).
const MAX_DIGITS: usize = 28;

/// Checks the shape `-?D+(.D+)?([eE][+-]?D+)?` and its length.
fn well_formed(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (whole, frac) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        digits(e) && e.len() <= 2
    });
    digits(whole)
        && frac.is_none_or(digits)
        && whole.len() + frac.map_or(0, str::len) <= MAX_DIGITS
        && exponent_ok
}

/// Parses a decimal number as WeChat writes it in a bill (`12`, `0.1`,
/// `0.06000`, `-0.06`, `6e-05`), exactly; `None` for anything else
/// (empty, `+1`, `.5`, `1.`, `1,00`, spaces, more than 28 digits).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if !well_formed(text) {
        return None;
    }
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// Parses yuan into fen, exactly: any form [`parse_decimal`] reads, as long
/// as it is a whole number of fen (`0.01`, `0.1`, `0.0`, `12`, `-0.01`,
/// `0.010`); `None` for sub-fen amounts (`0.001`) and malformed text.
pub fn parse_fen(yuan: &str) -> Option<i64> {
    let fen = parse_decimal(yuan)?.checked_mul(Decimal::ONE_HUNDRED)?;
    if !fen.is_integer() {
        return None;
    }
    i64::try_from(fen).ok()
}

/// Parses a rate as WeChat writes it (`0.60%`) into its percentage
/// (`0.60`), exactly.
pub fn parse_percent(text: &str) -> Option<Decimal> {
    parse_decimal(text.strip_suffix('%')?)
}

/// Parses a count (`45`, or `45.0` as some summaries write it).
pub fn parse_count(text: &str) -> Option<u64> {
    let n = parse_decimal(text)?;
    if !n.is_integer() {
        return None;
    }
    u64::try_from(n).ok()
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

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn yuan_become_exact_fen() {
        assert_eq!(parse_fen("0.01"), Some(1));
        assert_eq!(parse_fen("0.1"), Some(10));
        assert_eq!(parse_fen("12"), Some(1200));
        assert_eq!(parse_fen("1234.56"), Some(123456));
        assert_eq!(parse_fen("-0.01"), Some(-1));
        assert_eq!(parse_fen("0.0"), Some(0));
        assert_eq!(parse_fen("0"), Some(0));
        assert_eq!(parse_fen("0.010"), Some(1));
        assert_eq!(parse_fen("0.00000"), Some(0));
        assert_eq!(parse_fen("1e2"), Some(10000));
        for bad in [
            "",
            "0.001",
            "6e-05",
            "1.",
            ".5",
            "1,00",
            "abc",
            "--1",
            "+1",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "NaN",
            "inf",
            "1e",
            "1e999",
            "99999999999999999999",
            "99999999999999999999999999999",
        ] {
            assert_eq!(parse_fen(bad), None, "{bad}");
        }
        for fen in [0, 1, 10, 99, 100, 123456, -1, -250] {
            assert_eq!(parse_fen(&format_yuan(fen)), Some(fen));
        }
        assert_eq!(format_yuan(1), "0.01");
        assert_eq!(format_yuan(-250), "-2.50");
    }

    #[test]
    fn fees_keep_every_decimal_and_the_exponent_form_reads_exactly() {
        assert_eq!(parse_decimal("0.06000"), Some(dec("0.06")));
        assert_eq!(parse_decimal("-0.06000"), Some(dec("-0.06")));
        assert_eq!(parse_decimal("6e-05"), Some(dec("0.00006")));
        assert_eq!(parse_decimal("6E-05"), Some(dec("0.00006")));
        assert_eq!(parse_decimal("1.5e+2"), Some(dec("150")));
        assert_eq!(parse_decimal("0.00012"), Some(dec("0.00012")));
        assert_eq!(
            parse_decimal("6e-05").unwrap() + parse_decimal("6e-05").unwrap(),
            dec("0.00012")
        );
        // A tenth plus two tenths is three tenths, not 0.30000000000000004.
        assert_eq!(
            parse_decimal("0.1").unwrap() + parse_decimal("0.2").unwrap(),
            dec("0.3")
        );
        for bad in ["", "e-05", "6e", "6e-", "6e-0.5", "0.06%", "six"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn rates_are_percentages_and_counts_may_carry_a_zero_decimal() {
        assert_eq!(parse_percent("0.60%"), Some(dec("0.60")));
        assert_eq!(parse_percent("39.00%"), Some(dec("39")));
        assert_eq!(parse_percent("0.60"), None);
        assert_eq!(parse_percent("%"), None);
        assert_eq!(parse_count("45"), Some(45));
        assert_eq!(parse_count("45.0"), Some(45));
        assert_eq!(parse_count("45.5"), None);
        assert_eq!(parse_count("-1"), None);
    }
}
