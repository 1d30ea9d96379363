//! Test support for this crate and the crates that use it (feature
//! `test-utils`): RSA keys generated once and kept, signed v2 documents, a
//! local HTTP/1.1 server, and polling for what happens in the background.

// Test support: failing loudly is the point.
#![allow(clippy::expect_used, clippy::panic)]

pub mod http;
mod keys;

pub use keys::cached_key;

use crate::SignType;
use std::time::{Duration, Instant};

/// A v2 document of `fields` with their `sign` added, as WeChat or a
/// merchant sends it.
pub fn signed_xml(fields: &[(&str, &str)], api_key: &str, sign_type: SignType) -> String {
    let sign = crate::sign(fields.iter().copied(), api_key, sign_type);
    crate::xml::build(fields.iter().copied().chain([("sign", sign.as_str())]))
}

/// Polls `check` every 10 ms until it holds; panics naming `what` after
/// five seconds.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        if started.elapsed() > Duration::from_secs(5) {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
