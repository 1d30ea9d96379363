//! Integration tests of the HTTP API, run in-process on every backend.

// A test crate: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod helpers;
mod accounts;
mod admin_catalogue;
mod adoption;
mod catalogue;
mod cors;
mod delivery;
mod errors;
mod faults;
mod health;
mod logs;
mod media;
mod openapi;
mod orders;
mod payments_v3;
mod products;
mod reconcile;
mod static_files;
