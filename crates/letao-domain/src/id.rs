//! Row identifiers taken from untrusted input.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Empty input.
    #[error("is missing")]
    Missing,
    /// Not a decimal integer, or out of range.
    #[error("must be a positive integer")]
    NotPositiveInteger,
}

/// A positive database identifier of the entity `T` (1 ..= i32::MAX, the
/// range of the original `int(11)` columns).
pub struct Id<T> {
    value: i32,
    entity: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    /// Wraps a value read from the database, which is trusted.
    pub const fn from_db(value: i32) -> Self {
        Id {
            value,
            entity: PhantomData,
        }
    }

    /// The raw value.
    pub const fn get(self) -> i32 {
        self.value
    }
}

impl<T> FromStr for Id<T> {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdError::Missing);
        }
        // Only plain ASCII digits: no sign, no exponent, no hex.
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::NotPositiveInteger);
        }
        match s.parse::<i32>() {
            Ok(v) if v > 0 => Ok(Id::from_db(v)),
            _ => Err(IdError::NotPositiveInteger),
        }
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T> Eq for Id<T> {}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.value)
    }
}
impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type AnyId = Id<()>;

    #[test]
    fn accepts_positive_integers() {
        assert_eq!("1".parse::<AnyId>().map(Id::get), Ok(1));
        assert_eq!(" 42 ".parse::<AnyId>().map(Id::get), Ok(42));
        assert_eq!("2147483647".parse::<AnyId>().map(Id::get), Ok(i32::MAX));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "0",
            "-1",
            "+1",
            "abc",
            "1.5",
            "1e3",
            "0x10",
            "2147483648",
            "99999999999999999999",
            "１",
        ] {
            assert_eq!(
                bad.parse::<AnyId>(),
                Err(IdError::NotPositiveInteger),
                "{bad}"
            );
        }
        assert_eq!("".parse::<AnyId>(), Err(IdError::Missing));
    }
}
