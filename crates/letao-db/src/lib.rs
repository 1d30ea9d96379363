//! Letao persistence: one code base on SQLite, MySQL/MariaDB and PostgreSQL.
//!
//! [`Db`] holds a pool of native async connections for the backend chosen by
//! the database URL. Queries are written once with diesel's query builder and
//! compiled once per backend by the `with_conn!` macro; the few statements
//! whose SQL differs between backends have per-backend arms.

#[macro_use]
mod macros;
mod addresses;
mod audit;
mod catalogue;
mod catalogue_admin;
mod checkout;
pub mod columns;
mod contention;
mod error;
mod migrate;
mod orders;
mod pool;
mod rate_limit;
mod reconciliation;
pub mod schema;
mod seed;
mod sms_codes;
mod txn;
mod users;
mod versions;

pub use addresses::{AddressAdded, AddressRecord};
pub use audit::{Actor, AuditEntry, AuditRecord};
pub use catalogue_admin::{
    AdminProduct, AuditNote, BrandFields, Edit, HomeItemRecord, NewProduct, ProductChange,
    ProductFilter,
};
pub use contention::{is_contention, retry_contention};
pub use error::{DbError, Fault};
pub use orders::{
    AddressSet, BuyerRecord, Created, DeliveryRecord, EventRecord, ListedOrder, NewOrder,
    OrderFilter, OrderLine, OrderRecord, PageStart, Payment, Recorded, RefundDetail, RefundRecord,
    Shipment, Shipped,
};
pub use pool::{Backend, Db, DbConfig, PoolStatus, redact_url};
pub use rate_limit::{RateRule, RetryAfter};
pub use reconciliation::{HeldPayment, ReportRecord, RunResult};
pub use sms_codes::NewCode;
pub use users::{NewUser, Registration, UserRecord};

#[cfg(feature = "test-utils")]
pub mod testing;
