//! How many argon2id hashes (production costs) one core does per second:
//! the ceiling for logins per second is this times the number of cores.
//!     cargo run --release -p letao-auth --example hash_rate
#![allow(clippy::print_stdout, clippy::expect_used)]

use letao_auth::{Argon2Settings, PasswordHasher};
use secrecy::SecretString;
use std::time::Instant;

fn main() {
    let hasher = PasswordHasher::new(Argon2Settings::default(), SecretString::from("letaoSecret"))
        .expect("default costs are valid");
    let password = SecretString::from("bench-password-1");
    let stored = hasher.hash(&password).expect("hash");
    let n = 60;
    let started = Instant::now();
    for _ in 0..n {
        let _ = hasher.verify(&password, &stored);
    }
    let per_sec = f64::from(n) / started.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "argon2id verify: {per_sec:.1}/s on one core; limit with {cores} cores: {:.1}/s",
        per_sec * cores as f64
    );
}
