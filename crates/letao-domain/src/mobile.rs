//! Mainland China mobile numbers.

use std::fmt;
use std::str::FromStr;

/// Why a string is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a mainland mobile number (11 digits starting 13-19)")]
pub struct MobileError;

/// A mainland mobile number: 11 digits matching `1[3-9]\d{9}`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// E.164 form, `+86` and the 11 digits.
    pub fn e164(&self) -> String {
        format!("+86{}", self.0)
    }

    /// The number with its middle four digits hidden (`138****8000`), for logs.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl FromStr for Mobile {
    type Err = MobileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        // Clients sometimes send the international form.
        let digits = s.strip_prefix("+86").unwrap_or(s);
        let b = digits.as_bytes();
        let valid = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Mobile(digits.to_owned()))
        } else {
            Err(MobileError)
        }
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.masked())
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mainland_numbers() {
        for ok in [
            "13800138000",
            "19912345678",
            " 15000000000 ",
            "+8613800138000",
        ] {
            let m: Mobile = ok.parse().unwrap_or_else(|_| panic!("{ok}"));
            assert_eq!(m.as_str().len(), 11);
        }
        let m: Mobile = "13800138000".parse().unwrap_or_else(|_| panic!());
        assert_eq!(m.e164(), "+8613800138000");
        assert_eq!(m.masked(), "138****8000");
        assert_eq!(format!("{m:?}"), "Mobile(138****8000)");
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "12800138000",
            "1380013800",
            "138001380000",
            "2380013800a",
            "1380013800a",
            "+8513800138000",
            "１３８００１３８０００",
            "13800 138000",
        ] {
            assert_eq!(bad.parse::<Mobile>(), Err(MobileError), "{bad}");
        }
    }
}
