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
    fn checked_arithmetic_refuses_overflow() {
        assert_eq!(Fen::new(i64::MAX).checked_add(Fen::new(1)), None);
        assert_eq!(Fen::new(i64::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(Fen::new(250).checked_mul(3), Some(Fen::new(750)));
    }
}
