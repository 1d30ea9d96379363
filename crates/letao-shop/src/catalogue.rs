//! The catalogue lists of the home page and the category screens, cached.
//!
//! These lists change rarely and are read on every app start, so they are
//! loaded together and kept as one snapshot, in whatever form the caller
//! renders them to (the HTTP layer keeps ready JSON bodies). The snapshot
//! is kept while the catalogue's version is unchanged — checked with one
//! indexed row at most once per TTL ([`CatalogueVersion`]) — so an owner's
//! change made through any instance shows everywhere within one TTL; a
//! change made straight in the database (bypassing the server) shows within
//! [`MAX_AGE`]. A TTL of zero turns the cache off: every request reads
//! only what it shows from the database.

use crate::freshness::CatalogueVersion;
use crate::store::{CatalogueStore, StoreError};
use chrono::{DateTime, Utc};
use letao_auth::Clock;
use letao_domain::{Brand, Category, HomeItem, HomeItemKind, Id, Product};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Which list a request wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The home page's icon grid.
    Grid,
    /// The home page's carousel.
    Banners,
    /// Featured products.
    Sports,
    /// First-level categories.
    Categories,
    /// The brands of one category.
    BrandsOf(Id<Category>),
}

/// The catalogue lists as loaded from the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueData {
    /// Grid icons, in display order.
    pub grid: Vec<HomeItem>,
    /// Carousel banners, in display order.
    pub banners: Vec<HomeItem>,
    /// Featured products, in display order.
    pub featured: Vec<Product>,
    /// Categories, by id.
    pub categories: Vec<Category>,
    /// Brands, by id (all of them, or those of the one category asked for).
    pub brands: Vec<Brand>,
}

impl CatalogueData {
    /// Every list.
    pub async fn load(store: &dyn CatalogueStore) -> Result<CatalogueData, StoreError> {
        Ok(CatalogueData {
            grid: store.home_items(HomeItemKind::Grid).await?,
            banners: store.home_items(HomeItemKind::Banner).await?,
            featured: store.featured_products().await?,
            categories: store.categories().await?,
            brands: store.brands().await?,
        })
    }

    /// Only what `listing` shows; the other lists stay empty.
    pub async fn load_only(
        store: &dyn CatalogueStore,
        listing: Listing,
    ) -> Result<CatalogueData, StoreError> {
        let mut data = CatalogueData::default();
        match listing {
            Listing::Grid => data.grid = store.home_items(HomeItemKind::Grid).await?,
            Listing::Banners => data.banners = store.home_items(HomeItemKind::Banner).await?,
            Listing::Sports => data.featured = store.featured_products().await?,
            Listing::Categories => data.categories = store.categories().await?,
            Listing::BrandsOf(id) => data.brands = store.brands_of_category(id).await?,
        }
        Ok(data)
    }
}

/// A snapshot is reloaded at least this often, for changes made straight
/// in the database that no version counts.
pub const MAX_AGE: Duration = Duration::from_secs(300);

struct Snapshot<T> {
    loaded_at: DateTime<Utc>,
    generation: u64,
    value: Arc<T>,
}

/// The cache; one per process, shared by all workers. `T` is the rendered
/// form the caller keeps (made once per reload by `render`).
pub struct CatalogueCache<T> {
    store: Arc<dyn CatalogueStore>,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    version: Arc<CatalogueVersion>,
    render: fn(&CatalogueData) -> T,
    snapshot: RwLock<Option<Snapshot<T>>>,
    reloading: tokio::sync::Mutex<()>,
}

impl<T: Send + Sync> CatalogueCache<T> {
    /// A cache over `store` checking `version` (zero `ttl`: no caching), with
    /// ages counted by `clock`.
    pub fn new(
        store: Arc<dyn CatalogueStore>,
        ttl: Duration,
        clock: Arc<dyn Clock>,
        version: Arc<CatalogueVersion>,
        render: fn(&CatalogueData) -> T,
    ) -> Self {
        CatalogueCache {
            store,
            ttl,
            clock,
            version,
            render,
            snapshot: RwLock::new(None),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The rendered lists, holding at least what `listing` shows.
    pub async fn get(&self, listing: Listing) -> Result<Arc<T>, StoreError> {
        if self.ttl.is_zero() {
            let data = CatalogueData::load_only(self.store.as_ref(), listing).await?;
            return Ok(Arc::new((self.render)(&data)));
        }
        let generation = self.version.generation().await;
        if let Some(s) = self.fresh(generation) {
            metrics::counter!("cache_requests_total", "cache" => "catalogue", "result" => "hit")
                .increment(1);
            return Ok(s);
        }
        metrics::counter!("cache_requests_total", "cache" => "catalogue", "result" => "miss")
            .increment(1);
        // One reload at a time; requests that arrive meanwhile wait for it
        // and then use its result instead of querying again.
        let _reloading = self.reloading.lock().await;
        if let Some(s) = self.fresh(generation) {
            return Ok(s);
        }
        let loaded_at = self.clock.now();
        let value = Arc::new((self.render)(
            &CatalogueData::load(self.store.as_ref()).await?,
        ));
        if let Ok(mut guard) = self.snapshot.write() {
            *guard = Some(Snapshot {
                loaded_at,
                generation,
                value: value.clone(),
            });
        }
        Ok(value)
    }

    /// Forgets the snapshot, so the next request reads the database.
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.snapshot.write() {
            *guard = None;
        }
    }

    /// The snapshot, if it is of this generation and not too old.
    fn fresh(&self, generation: u64) -> Option<Arc<T>> {
        let guard = self.snapshot.read().ok()?;
        let current = guard.as_ref()?;
        let age = (self.clock.now() - current.loaded_at)
            .to_std()
            .unwrap_or_default();
        (current.generation == generation && age < MAX_AGE).then(|| current.value.clone())
    }
}
