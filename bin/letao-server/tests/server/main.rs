//! Tests of the server: configuration, start-up and shutdown of the
//! binary, the shop's use cases over the real stores (`shop`), and the HTTP
//! API on the application the binary builds (`api`).

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// Before `api`, whose `each_backend!` (the API tests' own) would shadow
// letao-db's here.
mod shop;
#[macro_use]
mod api;
mod config;
mod http;
mod process;
mod reconcile;
mod startup;
