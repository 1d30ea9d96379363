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
mod orders;
mod pool;
mod rate_limit;
pub mod schema;
mod seed;
mod sms_codes;
pub mod time;
mod txn;
mod users;

pub use catalogue::ProductPage;
pub use error::DbError;
pub use orders::{Created, NewOrder, OrderLine, OrderRecord, Payment, Recorded, RefundRecord};
pub use pool::{Backend, Db, DbConfig, redact_url};
pub use rate_limit::{RateRule, RetryAfter};
pub use sms_codes::NewCode;
pub use txn::{is_contention, retry_contention};
pub use users::{NewUser, Registration, UserRecord};

#[cfg(feature = "test-utils")]
pub mod testing;
