//! Letao persistence: one code base on SQLite, MySQL/MariaDB and PostgreSQL.
//!
//! [`Db`] holds a pool of native async connections for the backend chosen by
//! the database URL. Queries are written once with diesel's query builder and
//! compiled once per backend by the `with_conn!` macro; the few statements
//! whose SQL differs between backends have per-backend arms.

#[macro_use]
mod macros;
mod catalogue;
mod error;
mod migrate;
mod pool;
pub mod schema;
mod seed;

pub use catalogue::ProductPage;
pub use error::DbError;
pub use pool::{Backend, Db, DbConfig, redact_url};

#[cfg(feature = "test-utils")]
pub mod testing;
