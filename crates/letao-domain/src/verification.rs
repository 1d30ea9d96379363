//! Verification-code rules (SPEC §5): lifetime, tries, single use, and the
//! send limits. Pure: the time is passed in.

use chrono::{DateTime, TimeDelta, Utc};
use subtle::ConstantTimeEq;

/// What a code is for; a code sent for one purpose is no good for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsPurpose {
    /// Registering an account (the default: the original's clients send
    /// no purpose).
    Register,
    /// Logging in with a code instead of a password.
    Login,
}

crate::order::state_names!(SmsPurpose, "SMS code purpose", {
    Register => "register",
    Login => "login",
});

/// The limits around codes (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    /// How long a code can be used.
    pub lifetime: TimeDelta,
    /// Wrong tries after which the code is dead.
    pub max_attempts: i32,
    /// Minimum time between two codes sent to one mobile.
    pub cooldown: TimeDelta,
    /// Codes per mobile in 24 hours.
    pub daily_per_mobile: u32,
    /// Codes per client IP in 24 hours.
    pub daily_per_ip: u32,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            lifetime: TimeDelta::minutes(5),
            max_attempts: 5,
            cooldown: TimeDelta::seconds(60),
            daily_per_mobile: 10,
            daily_per_ip: 30,
        }
    }
}

/// A stored code, as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// Keyed hash of the code.
    pub code_hash: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Wrong tries so far.
    pub attempts: i32,
    /// When it was used, if it was.
    pub consumed: bool,
}

/// The verdict on a submitted code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right: consume it.
    Accept,
    /// Wrong: count the try (the code dies at the limit).
    Wrong,
    /// Too old.
    Expired,
    /// Already used, or already dead from wrong tries.
    UsedUp,
}

impl CodePolicy {
    /// Judges `submitted_hash` against the latest stored code at `now`.
    pub fn check(
        &self,
        stored: &StoredCode,
        submitted_hash: &str,
        now: DateTime<Utc>,
    ) -> CodeCheck {
        if stored.consumed || stored.attempts >= self.max_attempts {
            return CodeCheck::UsedUp;
        }
        if now >= stored.created_at + self.lifetime {
            return CodeCheck::Expired;
        }
        let same = stored.code_hash.len() == submitted_hash.len()
            && bool::from(stored.code_hash.as_bytes().ct_eq(submitted_hash.as_bytes()));
        if same {
            CodeCheck::Accept
        } else {
            CodeCheck::Wrong
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    fn stored() -> StoredCode {
        StoredCode {
            code_hash: "right".into(),
            created_at: at(0),
            attempts: 0,
            consumed: false,
        }
    }

    #[test]
    fn lifetime_is_five_minutes() {
        let p = CodePolicy::default();
        assert_eq!(p.check(&stored(), "right", at(299)), CodeCheck::Accept);
        assert_eq!(p.check(&stored(), "right", at(300)), CodeCheck::Expired);
    }

    #[test]
    fn five_wrong_tries_kill_the_code() {
        let p = CodePolicy::default();
        let mut code = stored();
        for _ in 0..5 {
            assert_eq!(p.check(&code, "wrong", at(1)), CodeCheck::Wrong);
            code.attempts += 1;
        }
        assert_eq!(p.check(&code, "right", at(1)), CodeCheck::UsedUp);
    }

    #[test]
    fn a_consumed_code_is_used_up() {
        let mut code = stored();
        code.consumed = true;
        assert_eq!(
            CodePolicy::default().check(&code, "right", at(1)),
            CodeCheck::UsedUp
        );
    }

    #[test]
    fn purposes_parse() {
        assert_eq!(SmsPurpose::parse("register"), Some(SmsPurpose::Register));
        assert_eq!(SmsPurpose::parse("login"), Some(SmsPurpose::Login));
        assert_eq!(SmsPurpose::parse("LOGIN"), None);
    }
}
