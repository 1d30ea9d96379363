//! Product pages and product lists for shoppers, served from a bounded
//! in-memory cache of their rendered replies. An entry lives for the cache
//! lifetime (so stock shown is at most that old: orders re-check stock in
//! their transaction, so a stale number never oversells) and is dropped
//! at once when the catalogue's version changes (an owner's edit through
//! any instance).

use crate::ShopError;
use crate::freshness::CatalogueVersion;
use crate::owners::{Page, next_cursor};
use crate::store::{CatalogueStore, PageStart};
use crate::totals::Totals;
use chrono::{DateTime, TimeDelta, Utc};
use letao_auth::Clock;
use letao_domain::{Brand, Id, Product};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

/// Memory the rendered product pages may take, in bytes.
const ITEMS_BYTES: u64 = 2 << 20;
/// Memory the rendered lists may take, in bytes.
const PAGES_BYTES: u64 = 4 << 20;

/// What a cached value costs in memory.
pub trait CacheWeight {
    /// Approximate bytes held.
    fn weight(&self) -> u64;
}

/// The key of a cached list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListKey {
    /// One brand's, or all products.
    pub brand: Option<i32>,
    /// Where the page starts.
    pub start: PageStart,
    /// Rows per page.
    pub size: u32,
    /// The page number the client gave (it is in the reply).
    pub page: u32,
}

struct Entry<V> {
    generation: u64,
    loaded_at: DateTime<Utc>,
    value: Arc<V>,
}

impl<V> Clone for Entry<V> {
    fn clone(&self) -> Self {
        Entry {
            generation: self.generation,
            loaded_at: self.loaded_at,
            value: self.value.clone(),
        }
    }
}

#[derive(Clone)]
struct ByWeight;

impl<K, V: CacheWeight> Weighter<K, Entry<V>> for ByWeight {
    fn weight(&self, _: &K, entry: &Entry<V>) -> u64 {
        entry.value.weight().max(1) + 64
    }
}

/// A bounded cache of rendered values whose entries are valid for one
/// generation of the catalogue and at most `ttl` old.
struct Rendered<K, V> {
    cache: Cache<K, Entry<V>, ByWeight>,
}

impl<K: Eq + Hash + Clone, V: CacheWeight> Rendered<K, V> {
    fn new(bytes: u64) -> Self {
        Rendered {
            cache: Cache::with_weighter(
                usize::try_from(bytes / 512).unwrap_or(4096),
                bytes,
                ByWeight,
            ),
        }
    }

    fn fresh(
        &self,
        key: &K,
        generation: u64,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Option<Arc<V>> {
        let entry = self.cache.get(key)?;
        (entry.generation == generation && now - entry.loaded_at < ttl).then_some(entry.value)
    }

    fn put(&self, key: K, generation: u64, now: DateTime<Utc>, value: Arc<V>) {
        self.cache.insert(
            key,
            Entry {
                generation,
                loaded_at: now,
                value,
            },
        );
    }
}

/// Reads of products on sale, cached as rendered by the caller: `P` a
/// product page (or its absence), `L` a list page.
pub struct Products<P, L> {
    store: Arc<dyn CatalogueStore>,
    totals: Totals<Option<i32>>,
    clock: Arc<dyn Clock>,
    ttl: TimeDelta,
    version: Arc<CatalogueVersion>,
    items: Rendered<i32, P>,
    pages: Rendered<ListKey, L>,
    render_item: fn(Option<&Product>) -> P,
    render_page: fn(&Page<Product>, &ListKey) -> L,
}

impl<P: CacheWeight, L: CacheWeight> Products<P, L> {
    /// The service over `store`: entries live `ttl` (zero: no cache) and
    /// while `version` is unchanged; list totals are kept `totals_ttl`.
    pub fn new(
        store: Arc<dyn CatalogueStore>,
        clock: Arc<dyn Clock>,
        ttl: Duration,
        totals_ttl: Duration,
        version: Arc<CatalogueVersion>,
        render_item: fn(Option<&Product>) -> P,
        render_page: fn(&Page<Product>, &ListKey) -> L,
    ) -> Self {
        Products {
            store,
            totals: Totals::new(totals_ttl, clock.clone()),
            clock,
            ttl: TimeDelta::from_std(ttl).unwrap_or(TimeDelta::zero()),
            version,
            items: Rendered::new(ITEMS_BYTES),
            pages: Rendered::new(PAGES_BYTES),
            render_item,
            render_page,
        }
    }

    /// One page of products on sale, optionally of one brand, by id.
    pub async fn list(&self, key: ListKey) -> Result<Arc<L>, ShopError> {
        if self.ttl.is_zero() {
            return Ok(Arc::new((self.render_page)(
                &self.load_page(&key).await?,
                &key,
            )));
        }
        let generation = self.version.generation().await;
        let now = self.clock.now();
        if let Some(hit) = self.pages.fresh(&key, generation, now, self.ttl) {
            metrics::counter!("cache_requests_total", "cache" => "product_lists", "result" => "hit").increment(1);
            return Ok(hit);
        }
        metrics::counter!("cache_requests_total", "cache" => "product_lists", "result" => "miss")
            .increment(1);
        let value = Arc::new((self.render_page)(&self.load_page(&key).await?, &key));
        self.pages.put(key, generation, now, value.clone());
        Ok(value)
    }

    async fn load_page(&self, key: &ListKey) -> Result<Page<Product>, ShopError> {
        let brand: Option<Id<Brand>> = key.brand.map(Id::from_db);
        let size = i64::from(key.size);
        let items = self.store.products(brand, key.start, size).await?;
        let next = next_cursor(&items, size, |p| i64::from(p.id.get()));
        let total = self
            .totals
            .get(&key.brand, async || self.store.count_products(brand).await)
            .await?;
        Ok(Page { items, total, next })
    }

    /// One product on sale, rendered (`None` rendered too: an unknown id
    /// costs the database once per lifetime, not per request).
    pub async fn get(&self, id: Id<Product>) -> Result<Arc<P>, ShopError> {
        if self.ttl.is_zero() {
            let product = self.store.product(id).await?;
            return Ok(Arc::new((self.render_item)(product.as_ref())));
        }
        let generation = self.version.generation().await;
        let now = self.clock.now();
        if let Some(hit) = self.items.fresh(&id.get(), generation, now, self.ttl) {
            metrics::counter!("cache_requests_total", "cache" => "products", "result" => "hit")
                .increment(1);
            return Ok(hit);
        }
        metrics::counter!("cache_requests_total", "cache" => "products", "result" => "miss")
            .increment(1);
        let product = self.store.product(id).await?;
        let value = Arc::new((self.render_item)(product.as_ref()));
        self.items.put(id.get(), generation, now, value.clone());
        Ok(value)
    }

    /// Forgets cached totals (after a change made through this instance;
    /// entries follow the version).
    pub fn changed(&self) {
        self.totals.clear();
        self.version.changed_here();
    }
}
