//! Password hashing: argon2id for everything new; the original server's
//! `md5(password + secret)` rows are accepted once and then replaced.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};
use std::cell::RefCell;
use subtle::ConstantTimeEq;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    /// Memory in KiB (OWASP minimum: 19456 = 19 MiB).
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Argon2Settings {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The cost parameters are out of argon2's range.
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

thread_local! {
    /// argon2's working memory (19 MiB at the default costs), kept by each
    /// thread that hashes: allocating it anew for every hash leaves the
    /// allocator holding many freed copies (hundreds of MiB after a burst
    /// of logins).
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Largest argon2 memory a stored hash may ask for (1 GiB): a corrupt row
/// must not make the server allocate without bound.
const MAX_BLOCKS: usize = 1 << 20;

/// Runs `f` with `count` blocks of this thread's argon2 memory. Argon2
/// overwrites every block before reading it, so old contents do not matter.
fn with_blocks<T>(count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    BLOCKS.with(|cell| {
        let mut blocks = cell.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        f(&mut blocks[..count])
    })
}

/// The raw argon2 output of `password` with `argon2` and `salt`.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    len: usize,
) -> Option<Output> {
    if params.block_count() > MAX_BLOCKS {
        return None;
    }
    Output::init_with(len, |out| {
        with_blocks(params.block_count(), |mem| {
            argon2.hash_password_into_with_memory(password, salt, out, mem)
        })
        .map_err(|_| argon2::password_hash::Error::Password)
    })
    .ok()
}

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// It matches and the stored hash is current.
    Valid,
    /// It matches, but the stored hash is legacy MD5 or argon2 with other
    /// parameters: store a new hash.
    ValidNeedsRehash,
    /// It does not match (or the stored value is unusable).
    Invalid,
}

/// Hashes and verifies passwords. Slow on purpose: call from a blocking thread.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    params: Params,
    legacy_secret: SecretString,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish()
    }
}

impl PasswordHasher {
    /// A hasher with these costs; `legacy_secret` is the salt the original
    /// server appended before MD5 (`letaoSecret`).
    pub fn new(
        settings: Argon2Settings,
        legacy_secret: SecretString,
    ) -> Result<Self, PasswordError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| PasswordError::Params(e.to_string()))?;
        Ok(PasswordHasher {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
            params,
            legacy_secret,
        })
    }

    /// A PHC string (`$argon2id$v=19$m=...`) with a fresh random salt.
    pub fn hash(&self, password: &SecretString) -> Result<String, PasswordError> {
        let err = |e: argon2::password_hash::Error| PasswordError::Hash(e.to_string());
        let salt_bytes: [u8; 16] = rand::random();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(err)?;
        let output = compute(
            &self.argon2,
            &self.params,
            password.expose_secret().as_bytes(),
            &salt_bytes,
            Params::DEFAULT_OUTPUT_LEN,
        )
        .ok_or_else(|| PasswordError::Hash("argon2 failed".into()))?;
        let phc = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(err)?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    }

    /// Checks `password` against a stored value: an argon2 PHC string, or
    /// the original's lower-case hex `md5(password + legacy secret)`.
    pub fn verify(&self, password: &SecretString, stored: &str) -> PasswordCheck {
        if stored.starts_with("$argon2") {
            let Ok(parsed) = PasswordHash::new(stored) else {
                return PasswordCheck::Invalid;
            };
            if !self.matches(password, &parsed) {
                return PasswordCheck::Invalid;
            }
            let current = parsed.algorithm.as_str() == "argon2id"
                && Params::try_from(&parsed).is_ok_and(|p| {
                    p.m_cost() == self.params.m_cost()
                        && p.t_cost() == self.params.t_cost()
                        && p.p_cost() == self.params.p_cost()
                });
            return if current {
                PasswordCheck::Valid
            } else {
                PasswordCheck::ValidNeedsRehash
            };
        }
        if stored.len() == 32 && stored.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut md5 = Md5::new();
            md5.update(password.expose_secret().as_bytes());
            md5.update(self.legacy_secret.expose_secret().as_bytes());
            let computed = hex::encode(md5.finalize());
            let stored = stored.to_ascii_lowercase();
            if bool::from(computed.as_bytes().ct_eq(stored.as_bytes())) {
                return PasswordCheck::ValidNeedsRehash;
            }
        }
        PasswordCheck::Invalid
    }

    /// Recomputes a PHC hash with its own algorithm, version, costs and
    /// salt, and compares in constant time.
    fn matches(&self, password: &SecretString, parsed: &PasswordHash<'_>) -> bool {
        let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
            Algorithm::try_from(parsed.algorithm),
            Params::try_from(parsed),
            parsed.salt,
            parsed.hash,
        ) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from).transpose() {
            Ok(v) => v.unwrap_or_default(),
            Err(_) => return false,
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let argon2 = Argon2::new(algorithm, version, params.clone());
        compute(
            &argon2,
            &params,
            password.expose_secret().as_bytes(),
            salt_bytes,
            expected.len(),
        )
        // Output's equality is constant-time.
        .is_some_and(|computed| computed == expected)
    }

    /// Spends the time of one verification without a stored hash, so a
    /// login for an unknown user takes as long as one for a known user.
    pub fn waste_time(&self, password: &SecretString) {
        let _ = self.hash(password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHasher {
        // Small costs keep the tests fast; the production defaults are
        // checked separately.
        PasswordHasher::new(
            Argon2Settings {
                memory_kib: 256,
                iterations: 1,
                parallelism: 1,
            },
            SecretString::from("letaoSecret"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn defaults_meet_the_minimum_costs() {
        let d = Argon2Settings::default();
        assert!(d.memory_kib >= 19 * 1024);
        assert!(d.iterations >= 2);
    }

    #[test]
    fn argon2id_hashes_verify_and_are_salted() {
        let h = cheap();
        let a = h.hash(&secret("p@ssw0rd")).unwrap_or_default();
        let b = h.hash(&secret("p@ssw0rd")).unwrap_or_default();
        assert!(a.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert_eq!(h.verify(&secret("p@ssw0rd"), &a), PasswordCheck::Valid);
        assert_eq!(h.verify(&secret("p@ssw0rd "), &a), PasswordCheck::Invalid);
        assert_eq!(h.verify(&secret(""), &a), PasswordCheck::Invalid);
    }

    #[test]
    fn hashes_interoperate_with_the_reference_implementation() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = cheap();
        let ours = h.hash(&secret("interop")).unwrap_or_default();
        let parsed = PasswordHash::new(&ours).unwrap_or_else(|e| panic!("{e}"));
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
        assert!(reference.verify_password(b"interop", &parsed).is_ok());
        assert!(reference.verify_password(b"other", &parsed).is_err());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap_or_else(|e| panic!("{e}"));
        let theirs = reference
            .hash_password(b"interop", &salt)
            .map(|p| p.to_string())
            .unwrap_or_default();
        assert_eq!(
            h.verify(&secret("interop"), &theirs),
            PasswordCheck::ValidNeedsRehash,
            "other costs"
        );
        assert_eq!(h.verify(&secret("nope"), &theirs), PasswordCheck::Invalid);
    }

    #[test]
    fn hashes_with_other_costs_verify_but_ask_for_a_rehash() {
        let old = PasswordHasher::new(
            Argon2Settings {
                memory_kib: 128,
                iterations: 1,
                parallelism: 1,
            },
            secret("letaoSecret"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let stored = old.hash(&secret("123456")).unwrap_or_default();
        assert_eq!(
            cheap().verify(&secret("123456"), &stored),
            PasswordCheck::ValidNeedsRehash
        );
    }

    #[test]
    fn legacy_md5_rows_verify_once_for_a_rehash() {
        // md5("123456" + "letaoSecret"), as the original stored it.
        let stored = hex::encode(Md5::digest(b"123456letaoSecret"));
        let h = cheap();
        assert_eq!(
            h.verify(&secret("123456"), &stored),
            PasswordCheck::ValidNeedsRehash
        );
        assert_eq!(
            h.verify(&secret("123456"), &stored.to_uppercase()),
            PasswordCheck::ValidNeedsRehash
        );
        assert_eq!(
            h.verify(&secret("1234567"), &stored),
            PasswordCheck::Invalid
        );
        // Another salt: no match.
        let other = PasswordHasher::new(
            Argon2Settings {
                memory_kib: 256,
                iterations: 1,
                parallelism: 1,
            },
            secret("x"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            other.verify(&secret("123456"), &stored),
            PasswordCheck::Invalid
        );
    }

    #[test]
    fn unusable_stored_values_never_match() {
        let h = cheap();
        for stored in [
            "",
            "123456",
            "$argon2id$garbage",
            "plain-text-password",
            "zz5b2b5f8b9c3ac3bdd1b2d5a0e2d9f0",
        ] {
            assert_eq!(
                h.verify(&secret("123456"), stored),
                PasswordCheck::Invalid,
                "{stored}"
            );
        }
    }

    #[test]
    fn out_of_range_costs_are_refused() {
        let bad = Argon2Settings {
            memory_kib: 1,
            iterations: 0,
            parallelism: 0,
        };
        assert!(PasswordHasher::new(bad, secret("s")).is_err());
    }
}
