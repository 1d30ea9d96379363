//! What every request handler can reach.

use crate::cors::CorsOrigins;
use crate::replies::{CachedJson, RenderedCatalogue};
use letao_auth::{Clock, SystemClock};
use letao_db::Db;
use letao_shop::freshness::CatalogueVersion;
use letao_shop::media::{MediaStore, NoMedia};
use letao_shop::{Accounts, Addresses, CatalogueCache, Orders, Owners, Products};
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) db: Db,
    pub(crate) catalogue: Arc<CatalogueCache<RenderedCatalogue>>,
    pub(crate) static_dir: Arc<PathBuf>,
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) orders: Arc<Orders>,
    pub(crate) addresses: Arc<Addresses>,
    pub(crate) owners: Arc<Owners>,
    pub(crate) products: Arc<Products<CachedJson, CachedJson>>,
    pub(crate) trusted_proxies: Arc<[IpAddr]>,
    pub(crate) cors: CorsOrigins,
    /// Where `/metrics` reads from; `None` keeps it off this listener.
    pub(crate) metrics: Option<PrometheusHandle>,
}

impl AppState {
    /// Starts building the state around a database pool and the shop's
    /// account and order services.
    pub fn builder(db: Db, accounts: Arc<Accounts>, orders: Arc<Orders>) -> AppStateBuilder {
        AppStateBuilder {
            db,
            accounts,
            orders,
            catalogue_ttl: Duration::from_secs(1),
            clock: Arc::new(SystemClock),
            static_dir: PathBuf::from("static"),
            media: Arc::new(NoMedia),
            trusted_proxies: Vec::new(),
            cors: CorsOrigins::None,
            metrics: None,
        }
    }

    /// The order service.
    pub fn orders(&self) -> &Arc<Orders> {
        &self.orders
    }

    /// The account service.
    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.accounts
    }

    /// Forgets the cached catalogue lists (after a change made through
    /// this instance), so the next request reads the database.
    pub fn invalidate_catalogue(&self) {
        self.catalogue.invalidate();
        self.products.changed();
    }

    /// The same state with `/metrics` off (for the public listener when
    /// metrics are served elsewhere).
    pub fn without_metrics(mut self) -> AppState {
        self.metrics = None;
        self
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Builder for [`AppState`]; every setting has a default.
pub struct AppStateBuilder {
    db: Db,
    accounts: Arc<Accounts>,
    orders: Arc<Orders>,
    catalogue_ttl: Duration,
    clock: Arc<dyn Clock>,
    static_dir: PathBuf,
    media: Arc<dyn MediaStore>,
    trusted_proxies: Vec<IpAddr>,
    cors: CorsOrigins,
    metrics: Option<PrometheusHandle>,
}

impl AppStateBuilder {
    /// How long catalogue replies are served from memory (zero: never).
    pub fn catalogue_ttl(mut self, ttl: Duration) -> Self {
        self.catalogue_ttl = ttl;
        self
    }

    /// The clock cache lifetimes are counted on (the system clock by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The folder served under `/` (images, scripts, ...).
    pub fn static_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = dir.into();
        self
    }

    /// The store uploaded images are kept in and served from under
    /// `/media/` (by default none: nothing is served, uploads fail).
    pub fn media(mut self, store: Arc<dyn MediaStore>) -> Self {
        self.media = store;
        self
    }

    /// Serves `/metrics` from `handle` on this listener (off by default).
    pub fn metrics(mut self, handle: Option<PrometheusHandle>) -> Self {
        self.metrics = handle;
        self
    }

    /// Proxies whose `X-Forwarded-For` is believed (none by default).
    pub fn trusted_proxies(mut self, proxies: Vec<IpAddr>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// Origins whose pages may call the API from a browser (none by default).
    pub fn cors_origins(mut self, origins: CorsOrigins) -> Self {
        self.cors = origins;
        self
    }

    /// The state.
    pub fn build(self) -> AppState {
        let totals = letao_shop::TOTALS_TTL;
        let version = Arc::new(CatalogueVersion::new(
            self.db.clone(),
            self.clock.clone(),
            self.catalogue_ttl,
        ));
        AppState {
            catalogue: Arc::new(CatalogueCache::new(
                self.db.clone(),
                self.catalogue_ttl,
                self.clock.clone(),
                version.clone(),
                RenderedCatalogue::render,
            )),
            addresses: Arc::new(Addresses::new(self.db.clone(), self.clock.clone())),
            owners: Arc::new(Owners::new(
                self.db.clone(),
                self.clock.clone(),
                totals,
                self.media,
            )),
            products: Arc::new(Products::new(
                self.db.clone(),
                self.clock,
                self.catalogue_ttl,
                totals,
                version,
                CachedJson::product,
                CachedJson::page,
            )),
            db: self.db,
            static_dir: Arc::new(self.static_dir),
            accounts: self.accounts,
            orders: self.orders,
            trusted_proxies: self.trusted_proxies.into(),
            cors: self.cors,
            metrics: self.metrics,
        }
    }
}
