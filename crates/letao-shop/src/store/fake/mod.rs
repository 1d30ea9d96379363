//! In-memory stores for fast tests of the use cases (feature `test-utils`).
//! Each method runs under one lock, so it is one transaction, as on a
//! database. They keep what their trait's contract (`store::contract`)
//! checks, and nothing more: they are no fourth backend.

// Test support: a poisoned lock is a failed test.
#![allow(clippy::expect_used)]

mod accounts;
mod orders;

pub use accounts::FakeAccounts;
pub use orders::FakeOrders;

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, whatever a panicking test left.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
