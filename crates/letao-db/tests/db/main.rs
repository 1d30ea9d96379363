//! letao-db on its own, on SQLite, MySQL/MariaDB and PostgreSQL: every
//! query and transaction, contention between concurrent writers, and the
//! migration of an original database. (MySQL and PostgreSQL variants are
//! `#[ignore]`d unless run by `bash .ci/run`.)

// Tests fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod admin;
mod adoption;
mod catalogue;
mod catalogue_admin;
mod concurrency;
mod contracts;
mod delivery;
mod faults;
mod listing;
mod orders;
mod pools;
mod skus;
mod support;
