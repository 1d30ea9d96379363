//! What every request handler can reach: the shop's services, built by the
//! binary (the one composition root) and handed in, and the web settings.

use crate::cors::CorsOrigins;
use crate::replies::{CachedJson, RenderedCatalogue};
use letao_shop::store::StoreProbe;
use letao_shop::{
    Accounts, Addresses, Carts, CatalogueCache, OrderDesk, Orders, Owners, Products, Reconciler,
    Search, WechatLogin,
};
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The catalogue lists as the HTTP layer caches them (ready JSON bodies).
pub type CatalogueLists = CatalogueCache<RenderedCatalogue>;

/// Products on sale as the HTTP layer caches them (ready JSON bodies).
pub type ProductReads = Products<CachedJson, CachedJson>;

/// The shop's use cases the routes call, built by the binary.
#[derive(Clone)]
pub struct Services {
    /// SMS codes, registration, login, owners.
    pub accounts: Arc<Accounts>,
    /// The payment lifecycle of orders.
    pub orders: Arc<Orders>,
    /// Orders shown and delivered.
    pub desk: Arc<OrderDesk>,
    /// Buyers' addresses.
    pub addresses: Arc<Addresses>,
    /// Buyers' carts.
    pub carts: Arc<Carts>,
    /// The owner's catalogue, images and audit log.
    pub owners: Arc<Owners>,
    /// The reconciliation reports.
    pub reconciler: Arc<Reconciler>,
    /// The home page and category lists.
    pub catalogue: Arc<CatalogueLists>,
    /// Products on sale.
    pub products: Arc<ProductReads>,
    /// Search and suggestions.
    pub search: Arc<Search>,
    /// Whether the store answers, and its connections.
    pub probe: Arc<dyn StoreProbe>,
    /// Buyers' openids (WeChat OAuth), for JSAPI.
    pub wechat: Arc<WechatLogin>,
}

/// How the HTTP layer serves, besides the shop's services.
#[derive(Clone, Default)]
pub struct Web {
    /// The folder served under `/` (images, scripts, pages).
    pub static_dir: PathBuf,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Origins whose pages may call the API from a browser.
    pub cors: CorsOrigins,
    /// Where `/metrics` reads from; `None` keeps it off this listener.
    pub metrics: Option<PrometheusHandle>,
}

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) orders: Arc<Orders>,
    pub(crate) desk: Arc<OrderDesk>,
    pub(crate) addresses: Arc<Addresses>,
    pub(crate) carts: Arc<Carts>,
    pub(crate) owners: Arc<Owners>,
    pub(crate) reconciler: Arc<Reconciler>,
    pub(crate) catalogue: Arc<CatalogueLists>,
    pub(crate) products: Arc<ProductReads>,
    pub(crate) search: Arc<Search>,
    pub(crate) probe: Arc<dyn StoreProbe>,
    pub(crate) wechat: Arc<WechatLogin>,
    pub(crate) static_dir: Arc<PathBuf>,
    pub(crate) trusted_proxies: Arc<[IpAddr]>,
    pub(crate) cors: CorsOrigins,
    pub(crate) metrics: Option<PrometheusHandle>,
}

impl AppState {
    /// The state over the services the binary built.
    pub fn new(services: Services, web: Web) -> AppState {
        AppState {
            accounts: services.accounts,
            orders: services.orders,
            desk: services.desk,
            addresses: services.addresses,
            carts: services.carts,
            owners: services.owners,
            reconciler: services.reconciler,
            catalogue: services.catalogue,
            products: services.products,
            search: services.search,
            probe: services.probe,
            wechat: services.wechat,
            static_dir: Arc::new(web.static_dir),
            trusted_proxies: web.trusted_proxies.into(),
            cors: web.cors,
            metrics: web.metrics,
        }
    }

    /// The services the state was made of.
    pub fn services(&self) -> Services {
        Services {
            accounts: self.accounts.clone(),
            orders: self.orders.clone(),
            desk: self.desk.clone(),
            addresses: self.addresses.clone(),
            carts: self.carts.clone(),
            owners: self.owners.clone(),
            reconciler: self.reconciler.clone(),
            catalogue: self.catalogue.clone(),
            products: self.products.clone(),
            search: self.search.clone(),
            probe: self.probe.clone(),
            wechat: self.wechat.clone(),
        }
    }

    /// Forgets the cached catalogue lists (after a change made through
    /// this instance), so the next request reads the store.
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
}
