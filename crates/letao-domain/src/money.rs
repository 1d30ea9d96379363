//! Money in integer fen (1 yuan = 100 fen).

use serde::{Serialize, Serializer};
use std::fmt;

/// An amount of money in fen. Never a float inside the shop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(i64);

impl Fen {
    /// Zero fen.
    pub const ZERO: Fen = Fen(0);

    /// An amount in fen; negative amounts are allowed only for arithmetic, not prices.
    pub const fn new(fen: i64) -> Self {
        Fen(fen)
    }

    /// The amount in fen.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Adds two amounts, `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Subtracts, `None` on overflow.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// Multiplies by a quantity, `None` on overflow.
    pub fn checked_mul(self, quantity: i64) -> Option<Fen> {
        self.0.checked_mul(quantity).map(Fen)
    }

    /// The amount formatted in yuan with two decimals, e.g. `888.00`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl From<i64> for Fen {
    fn from(fen: i64) -> Self {
        Fen(fen)
    }
}

/// Why a yuan amount is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum YuanError {
    /// Not a plain decimal like `399`, `0.5` or `12.34`.
    #[error("must be an amount in yuan like 399.00")]
    Format,
    /// Below zero.
    #[error("must not be negative")]
    Negative,
    /// More than two decimals (fen is the smallest unit).
    #[error("must have at most 2 decimals")]
    Precision,
    /// Too large to hold.
    #[error("is too large")]
    TooLarge,
}

impl Fen {
    /// Parses a yuan amount written as decimal text (`"399"`, `"0.1"`,
    /// `"12.34"`) exactly: no floating point is involved, so `0.1` is 10
    /// fen. Refuses signs, exponents, more than two decimals and amounts
    /// over 10^13 yuan.
    pub fn parse_yuan(text: &str) -> Result<Fen, YuanError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(YuanError::Negative);
        }
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || (text.ends_with('.')) {
            return Err(YuanError::Format);
        }
        if frac.len() > 2 {
            return Err(YuanError::Precision);
        }
        if whole.trim_start_matches('0').len() > 13 {
            return Err(YuanError::TooLarge);
        }
        let yuan: i64 = whole.parse().map_err(|_| YuanError::TooLarge)?;
        let cents: i64 = format!("{frac:0<2}")
            .parse()
            .map_err(|_| YuanError::Format)?;
        yuan.checked_mul(100)
            .and_then(|f| f.checked_add(cents))
            .map(Fen)
            .ok_or(YuanError::TooLarge)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} fen", self.0)
    }
}

/// Serializes an amount as a JSON number in yuan with two decimals (`1.00`,
/// `888.00`), the way the original server's clients read prices.
pub fn serialize_as_yuan<S: Serializer>(fen: &Fen, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = serde_json::value::RawValue::from_string(fen.yuan_string())
        .map_err(serde::ser::Error::custom)?;
    raw.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Price {
        #[serde(serialize_with = "serialize_as_yuan")]
        price: Fen,
    }

    #[test]
    fn yuan_string_has_two_decimals() {
        assert_eq!(Fen::new(100).yuan_string(), "1.00");
        assert_eq!(Fen::new(88800).yuan_string(), "888.00");
        assert_eq!(Fen::new(5).yuan_string(), "0.05");
        assert_eq!(Fen::new(-1234).yuan_string(), "-12.34");
        assert_eq!(Fen::new(i64::MIN).yuan_string(), "-92233720368547758.08");
    }

    #[test]
    fn serializes_as_a_json_number_in_yuan() {
        let json = serde_json::to_string(&Price {
            price: Fen::new(19_999),
        })
        .unwrap_or_default();
        assert_eq!(json, r#"{"price":199.99}"#);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back["price"].as_f64(), Some(199.99));
    }

    #[test]
    fn yuan_text_parses_exactly() {
        assert_eq!(Fen::parse_yuan("399"), Ok(Fen::new(39900)));
        assert_eq!(Fen::parse_yuan("0.1"), Ok(Fen::new(10)));
        assert_eq!(Fen::parse_yuan("0.2"), Ok(Fen::new(20)));
        assert_eq!(Fen::parse_yuan("0.30"), Ok(Fen::new(30)));
        assert_eq!(Fen::parse_yuan("12.34"), Ok(Fen::new(1234)));
        assert_eq!(Fen::parse_yuan("007.05"), Ok(Fen::new(705)));
        assert_eq!(Fen::parse_yuan("0"), Ok(Fen::ZERO));
        assert_eq!(
            Fen::parse_yuan("9999999999999.99"),
            Ok(Fen::new(999_999_999_999_999))
        );
    }

    #[test]
    fn bad_yuan_text_is_refused_with_a_reason() {
        for bad in [
            "", ".5", "5.", "1e3", "+1", "1,00", "abc", "1.2.3", " ", "0x10", "١٢",
        ] {
            assert_eq!(Fen::parse_yuan(bad), Err(YuanError::Format), "{bad:?}");
        }
        assert_eq!(Fen::parse_yuan("-1"), Err(YuanError::Negative));
        assert_eq!(Fen::parse_yuan("1.234"), Err(YuanError::Precision));
        assert_eq!(Fen::parse_yuan("0.001"), Err(YuanError::Precision));
        assert_eq!(Fen::parse_yuan("10000000000000"), Err(YuanError::TooLarge));
        assert_eq!(
            Fen::parse_yuan("99999999999999999999999"),
            Err(YuanError::TooLarge)
        );
    }

    #[test]
    fn checked_arithmetic_refuses_overflow() {
        assert_eq!(Fen::new(i64::MIN).checked_sub(Fen::new(1)), None);
        assert_eq!(Fen::new(5).checked_sub(Fen::new(7)), Some(Fen::new(-2)));
        assert_eq!(Fen::new(i64::MAX).checked_add(Fen::new(1)), None);
        assert_eq!(Fen::new(i64::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(Fen::new(250).checked_mul(3), Some(Fen::new(750)));
    }
}
