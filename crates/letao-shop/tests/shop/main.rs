//! The shop's use cases on their own: no HTTP, a fake payment gateway that
//! plays WeChat, a fake SMS sender and a clock the tests move, over a real
//! database on every backend.

// Tests fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod catalogue;
mod gateway;
mod media;
mod orders;
mod support;
