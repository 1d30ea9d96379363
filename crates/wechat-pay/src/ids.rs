//! Random strings and order numbers.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;

pub(crate) fn random_alnum(len: usize) -> String {
    // ThreadRng is a CSPRNG seeded from the OS.
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A 32-character random `nonce_str`.
pub fn nonce_str() -> String {
    random_alnum(32)
}

/// `yyyyMMddHHmmss` in China time, UTC+8 all year (no daylight saving).
fn china_time(at: DateTime<Utc>) -> String {
    (at.naive_utc() + TimeDelta::hours(8))
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// A new order number: up to two letters of `prefix`, the China-time
/// timestamp (14 digits) and 16 random letters and digits: 32 characters at
/// most, unique with overwhelming probability even across servers.
pub fn out_trade_no(prefix: &str) -> String {
    let prefix: String = prefix
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect();
    format!("{prefix}{}{}", china_time(Utc::now()), random_alnum(16))
}

/// A new refund number, built like [`out_trade_no`].
pub fn out_refund_no(prefix: &str) -> String {
    out_trade_no(prefix)
}

/// `time_expire` for `at`: `yyyyMMddHHmmss` in China time (UTC+8), as
/// WeChat reads it.
pub fn time_expire(at: DateTime<Utc>) -> String {
    china_time(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nonces_are_32_alphanumerics_and_differ() {
        let a = nonce_str();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, nonce_str());
    }

    #[test]
    fn order_numbers_fit_in_32_and_are_unique() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let n = out_trade_no("LT");
            assert!(n.len() <= 32 && n.starts_with("LT"), "{n}");
            assert!(seen.insert(n));
        }
        assert_eq!(out_trade_no("LONG-PREFIX").len(), 32);
        assert!(out_refund_no("RF").starts_with("RF"));
    }

    #[test]
    fn expiry_is_written_in_china_time() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T16:30:05Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(time_expire(at), "20260103003005");
    }
}
