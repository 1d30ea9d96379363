//! Tests of the server binary: configuration, start-up, shutdown.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod config;
mod http;
mod process;
mod reconcile;
mod startup;
