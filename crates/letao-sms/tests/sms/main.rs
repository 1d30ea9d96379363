//! Tests of the SMS senders; no test reaches the internet.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fake;
mod local_tencent;
mod outbox;
mod tencent;
