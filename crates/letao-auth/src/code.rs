//! SMS verification codes: 6 random digits, stored only as a keyed hash,
//! checked under a lifetime, a try limit and single use.

use hmac::{Hmac, Mac};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// A new 6-digit code from a CSPRNG (rand's thread generator: ChaCha,
/// seeded and periodically reseeded from the operating system).
pub fn generate_code() -> String {
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

/// Keyed hashing of codes: a stolen database does not give the codes away
/// (a million possible codes are trivial to brute-force without the key).
#[derive(Clone)]
pub struct CodeHasher {
    key: SecretString,
}

impl std::fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeHasher { .. }")
    }
}

impl CodeHasher {
    /// A hasher keyed with `key`.
    pub fn new(key: SecretString) -> CodeHasher {
        CodeHasher { key }
    }

    /// A hasher keyed from the access-token secret with a label, so there
    /// is one secret to configure and the two uses never share a key.
    pub fn from_token_secret(token_secret: &SecretString) -> CodeHasher {
        match Hmac::<Sha256>::new_from_slice(token_secret.expose_secret().as_bytes()) {
            Ok(mut mac) => {
                mac.update(b"letao sms code key v1");
                CodeHasher::new(SecretString::from(hex::encode(mac.finalize().into_bytes())))
            }
            // HMAC takes keys of any length; this arm cannot run.
            Err(_) => CodeHasher::new(token_secret.clone()),
        }
    }

    /// HMAC-SHA256 over purpose, mobile and code, hex. Binding the mobile
    /// and purpose means a code is only good for what it was sent for.
    pub fn hash(&self, mobile: &str, purpose: &str, code: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.key.expose_secret().as_bytes())
        else {
            return String::new();
        };
        for part in [purpose, mobile, code] {
            mac.update(&(part.len() as u32).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_code_key_is_derived_not_the_token_secret_itself() {
        let secret = SecretString::from("a-token-secret-of-some-length-000");
        let derived = CodeHasher::from_token_secret(&secret);
        let plain = CodeHasher::new(secret.clone());
        assert_ne!(
            derived.hash("13800138000", "register", "123456"),
            plain.hash("13800138000", "register", "123456")
        );
        assert_eq!(
            derived.hash("13800138000", "register", "123456"),
            CodeHasher::from_token_secret(&secret).hash("13800138000", "register", "123456")
        );
    }

    use super::*;
    use crate::Clock;
    use crate::FakeClock;
    use chrono::{TimeDelta, Utc};
    use letao_domain::verification::{CodeCheck, CodePolicy, StoredCode};
    use std::collections::HashSet;

    fn hasher() -> CodeHasher {
        CodeHasher::new(SecretString::from("code-key"))
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let c = generate_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
            seen.insert(c);
        }
        assert!(seen.len() > 1900, "{} distinct", seen.len());
    }

    #[test]
    fn the_hash_is_keyed_and_bound_to_mobile_and_purpose() {
        let h = hasher();
        let a = h.hash("13800138000", "register", "123456");
        assert_eq!(a.len(), 64);
        assert!(!a.contains("123456"));
        assert_eq!(a, h.hash("13800138000", "register", "123456"));
        assert_ne!(a, h.hash("13800138001", "register", "123456"));
        assert_ne!(a, h.hash("13800138000", "login", "123456"));
        assert_ne!(
            a,
            CodeHasher::new(SecretString::from("other")).hash("13800138000", "register", "123456")
        );
    }

    fn stored(clock: &FakeClock) -> StoredCode {
        StoredCode {
            code_hash: hasher().hash("13800138000", "register", "654321"),
            created_at: clock.now(),
            attempts: 0,
            consumed: false,
        }
    }

    #[test]
    fn a_right_code_within_five_minutes_is_accepted() {
        let clock = FakeClock::new(Utc::now());
        let policy = CodePolicy::default();
        let code = stored(&clock);
        let right = hasher().hash("13800138000", "register", "654321");
        clock.advance(TimeDelta::seconds(299));
        assert_eq!(policy.check(&code, &right, clock.now()), CodeCheck::Accept);
        clock.advance(TimeDelta::seconds(1));
        assert_eq!(policy.check(&code, &right, clock.now()), CodeCheck::Expired);
    }

    #[test]
    fn wrong_tries_count_and_the_sixth_is_refused() {
        let clock = FakeClock::new(Utc::now());
        let policy = CodePolicy::default();
        let mut code = stored(&clock);
        let wrong = hasher().hash("13800138000", "register", "000000");
        let right = hasher().hash("13800138000", "register", "654321");
        for _ in 0..5 {
            assert_eq!(policy.check(&code, &wrong, clock.now()), CodeCheck::Wrong);
            code.attempts += 1;
        }
        // Five wrong tries: even the right code is refused now.
        assert_eq!(policy.check(&code, &right, clock.now()), CodeCheck::UsedUp);
    }

    #[test]
    fn a_used_code_cannot_be_used_again() {
        let clock = FakeClock::new(Utc::now());
        let mut code = stored(&clock);
        code.consumed = true;
        let right = hasher().hash("13800138000", "register", "654321");
        assert_eq!(
            CodePolicy::default().check(&code, &right, clock.now()),
            CodeCheck::UsedUp
        );
    }
}
