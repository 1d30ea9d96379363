//! Letao credentials, with no HTTP and no database: password hashing
//! (argon2id, plus verification of the original server's MD5 rows), JWT
//! access tokens, and SMS verification codes (generation, keyed hashing and
//! the rules for checking them). Time is always passed in, so every rule
//! can be tested with a fake clock.

mod clock;
mod code;
mod password;
mod token;

#[cfg(feature = "test-utils")]
pub use clock::FakeClock;
pub use clock::{Clock, SystemClock};
pub use code::{CodeHasher, generate_code};
pub use password::{Argon2Settings, PasswordCheck, PasswordError, PasswordHasher};
pub use token::{Claims, TokenError, TokenKeys};
