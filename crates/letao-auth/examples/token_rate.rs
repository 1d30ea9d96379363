//! How many access tokens one core verifies per second.
//!     cargo run --release -p letao-auth --example token_rate
#![allow(clippy::print_stdout)]

use letao_auth::TokenKeys;
use secrecy::SecretString;
use std::time::Instant;

fn main() {
    let keys = TokenKeys::new(
        &SecretString::from("bench-secret-0123456789abcdef"),
        chrono::TimeDelta::hours(36),
    );
    let now = chrono::Utc::now();
    let token = keys.issue(42, now);
    let n = 200_000;
    let started = Instant::now();
    let mut ok = 0;
    for _ in 0..n {
        ok += usize::from(keys.verify(&token, now) == Ok(42));
    }
    let per_sec = f64::from(n) / started.elapsed().as_secs_f64();
    println!("token verify: {per_sec:.0}/s on one core ({ok} ok)");
}
