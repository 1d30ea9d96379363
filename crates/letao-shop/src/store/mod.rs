//! The shop's storage as the use cases need it: one small trait per
//! concern, in the shop's own types. `letao-db` implements every one of
//! them on its `Db`; the binary hands them to the use cases
//! ([`Stores`]). `fake` (feature `test-utils`) has in-memory ones for fast
//! tests of the use cases, and `contract` the tests that every
//! implementation of those traits must pass, the fakes and `Db` on each
//! backend alike.

mod accounts;
mod addresses;
mod audit;
mod cart;
mod catalogue;
mod catalogue_admin;
mod order_book;
mod orders;
mod probe;
mod reconciliation;
mod search;
mod wechat_ids;

#[cfg(feature = "test-utils")]
pub mod contract;
#[cfg(feature = "test-utils")]
pub mod fake;

pub use accounts::{
    AccountStore, NewCode, NewUser, RateRule, Registration, RetryAfter, UserRecord,
};
pub use addresses::{AddressAdded, AddressRecord, AddressStore};
pub use audit::{Actor, AuditEntry, AuditRecord, AuditStore};
pub use cart::{CartEdit, CartLine, CartStore};
pub use catalogue::CatalogueStore;
pub use catalogue_admin::{
    AdminProduct, AuditNote, BrandFields, CatalogueAdminStore, Edit, HomeItemRecord, LowStock,
    NewProduct, ProductChange, ProductFilter, SkuInput,
};
pub use order_book::{
    AddressSet, BuyerRecord, DeliveryRecord, EventRecord, ListedOrder, OrderBook, OrderFilter,
    PageStart, RefundDetail, Shipment, Shipped,
};
pub use orders::{
    Created, NewOrder, Opening, OrderLine, OrderRecord, OrderStore, Payment, Recorded, RefundRecord,
};
pub use probe::{PoolStatus, StoreProbe};
pub use reconciliation::{HeldPayment, ReconciliationStore, ReportRecord, RunResult};
pub use search::{SearchFilter, SearchMatch, SearchStore, SortKey, StoredSort};
pub use wechat_ids::{OAuthStateRecord, WechatIdStore};

use std::sync::Arc;

/// An error a store's implementation gives its cause as.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A store that could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// It cannot serve now (no connection, the connection lost, contention
    /// that outlasted the retries): try again later.
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug, or stored data that cannot be read.
    #[error("storage failed")]
    Failed(#[source] BoxError),
}

/// Every store a shop runs on.
#[derive(Clone)]
pub struct Stores {
    /// The catalogue shoppers see.
    pub catalogue: Arc<dyn CatalogueStore>,
    /// The owner's catalogue.
    pub catalogue_admin: Arc<dyn CatalogueAdminStore>,
    /// Users, codes, counters.
    pub accounts: Arc<dyn AccountStore>,
    /// Buyers' addresses.
    pub addresses: Arc<dyn AddressStore>,
    /// The order lifecycle.
    pub orders: Arc<dyn OrderStore>,
    /// Order lists, details and delivery.
    pub order_book: Arc<dyn OrderBook>,
    /// The audit log.
    pub audit: Arc<dyn AuditStore>,
    /// Buyers' carts.
    pub carts: Arc<dyn CartStore>,
    /// The daily reconciliation.
    pub reconciliation: Arc<dyn ReconciliationStore>,
    /// Buyers' openids and OAuth states.
    pub wechat_ids: Arc<dyn WechatIdStore>,
    /// Readiness and metrics.
    pub probe: Arc<dyn StoreProbe>,
    /// The search index.
    pub search: Arc<dyn SearchStore>,
}

impl Stores {
    /// Every store from one value that is all of them (a `Db`).
    pub fn all<S>(store: S) -> Stores
    where
        S: CatalogueStore
            + CatalogueAdminStore
            + AccountStore
            + AddressStore
            + OrderStore
            + OrderBook
            + AuditStore
            + CartStore
            + ReconciliationStore
            + WechatIdStore
            + StoreProbe
            + SearchStore
            + 'static,
    {
        let store = Arc::new(store);
        Stores {
            catalogue: store.clone(),
            catalogue_admin: store.clone(),
            accounts: store.clone(),
            addresses: store.clone(),
            orders: store.clone(),
            order_book: store.clone(),
            audit: store.clone(),
            carts: store.clone(),
            reconciliation: store.clone(),
            wechat_ids: store.clone(),
            search: store.clone(),
            probe: store,
        }
    }
}
