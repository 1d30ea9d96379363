//! The ceiling for logins per second: argon2id verifications (production
//! costs) with one thread per core, all at once, as the server runs them.
//!     cargo run --release -p letao-auth --example hash_rate
#![allow(clippy::print_stdout, clippy::expect_used)]

use letao_auth::{Argon2Settings, PasswordHasher};
use secrecy::SecretString;
use std::time::{Duration, Instant};

fn main() {
    let hasher = PasswordHasher::new(Argon2Settings::default(), SecretString::from("letaoSecret"))
        .expect("default costs are valid");
    let password = SecretString::from("bench-password-1");
    let stored = hasher.hash(&password).expect("hash");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let run_for = Duration::from_secs(8);
    let started = Instant::now();
    let counts: Vec<u32> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0;
                    while started.elapsed() < run_for {
                        let _ = hasher.verify(&password, &stored);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let total: u32 = counts.iter().sum();
    let per_sec = f64::from(total) / started.elapsed().as_secs_f64();
    println!("argon2id verify, {cores} threads at once: {per_sec:.1}/s (the login ceiling)");
}
