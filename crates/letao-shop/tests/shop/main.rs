//! The shop's use cases over in-memory stores (fast, no database), and the
//! contracts those stores share with the real ones.

// Tests fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod contracts;
mod media;
mod orders;
mod support;
