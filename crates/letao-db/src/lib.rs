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
mod carts;
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
mod search;
mod seed;
mod skus;
mod sms_codes;
mod stores;
mod txn;
mod users;
mod versions;
mod wechat_ids;

pub use error::{DbError, Fault};
pub use pool::{Backend, Db, DbConfig, redact_url};

// The shop's types the queries read and write (`letao_shop::store`).
pub(crate) use letao_shop::store::{
    Actor, AddressAdded, AddressRecord, AddressSet, AdminProduct, AuditEntry, AuditNote,
    AuditRecord, BrandFields, BuyerRecord, Created, DeliveryRecord, Edit, EventRecord, HeldPayment,
    HomeItemRecord, ListedOrder, LowStock, NewCode, NewOrder, NewProduct, NewUser, OrderFilter,
    OrderLine, OrderRecord, PageStart, Payment, PoolStatus, ProductChange, ProductFilter, RateRule,
    Recorded, RefundDetail, RefundRecord, Registration, ReportRecord, RetryAfter, RunResult,
    Shipment, Shipped, SkuInput, UserRecord,
};

#[cfg(feature = "test-utils")]
pub mod testing;
