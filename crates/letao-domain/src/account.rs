//! Account identifiers: usernames and passwords as the shop accepts them.

use std::fmt;
use std::str::FromStr;

/// Why a username is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Fewer than 3 or more than 20 characters.
    #[error("must be 3 to 20 characters")]
    Length,
    /// Control characters, or white space at either end.
    #[error("must not contain control characters or start or end with spaces")]
    Characters,
}

/// A username: 3 to 20 characters (any script), no control characters, no
/// white space at either end. Stored and shown exactly as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Username {
    type Err = UsernameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = s.chars().count();
        if !(3..=20).contains(&n) {
            return Err(UsernameError::Length);
        }
        if s.chars().any(char::is_control) || s.trim() != s {
            return Err(UsernameError::Characters);
        }
        Ok(Username(s.to_owned()))
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password's length rule: 6 to 64 characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 6..=64;

/// A 6-digit SMS code as typed by the user.
pub fn is_sms_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_of_any_script_within_the_length() {
        for ok in [
            "abc",
            "乐淘用户",
            "user_01",
            "' OR 1=1 --",
            "😀😀😀",
            "a b",
            "12345678901234567890",
        ] {
            assert_eq!(
                ok.parse::<Username>().map(|u| u.as_str().to_owned()),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn usernames_refused() {
        assert_eq!("ab".parse::<Username>(), Err(UsernameError::Length));
        assert_eq!(
            "123456789012345678901".parse::<Username>(),
            Err(UsernameError::Length)
        );
        assert_eq!(" abc".parse::<Username>(), Err(UsernameError::Characters));
        assert_eq!("abc ".parse::<Username>(), Err(UsernameError::Characters));
        assert_eq!(
            "a\u{0}bc".parse::<Username>(),
            Err(UsernameError::Characters)
        );
        assert_eq!("a\nbc".parse::<Username>(), Err(UsernameError::Characters));
    }

    #[test]
    fn sms_codes_are_six_digits() {
        assert!(is_sms_code("012345"));
        assert!(!is_sms_code("12345"));
        assert!(!is_sms_code("1234567"));
        assert!(!is_sms_code("12345a"));
        assert!(!is_sms_code("１２３４５６"));
    }
}
