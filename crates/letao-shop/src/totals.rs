//! List totals, counted at most once per lifetime per filter and kept in a
//! bounded cache, so a list costs the same at any table size. A total may
//! be up to the lifetime stale; the rows themselves never are.

use letao_auth::Clock;
use letao_db::DbError;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

/// Distinct filters remembered (an owner's searches make new ones).
const CAPACITY: usize = 4096;

/// Cached counts by key.
pub struct Totals<K> {
    cache: quick_cache::sync::Cache<K, (chrono::DateTime<chrono::Utc>, i64)>,
    ttl: chrono::TimeDelta,
    clock: Arc<dyn Clock>,
}

impl<K: Eq + Hash + Clone> Totals<K> {
    /// Counts kept for `ttl`, by `clock`.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Totals<K> {
        Totals {
            cache: quick_cache::sync::Cache::new(CAPACITY),
            ttl: chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::seconds(5)),
            clock,
        }
    }

    /// The count for `key`: from memory while fresh, else from `count`.
    pub async fn get(
        &self,
        key: &K,
        count: impl AsyncFnOnce() -> Result<i64, DbError>,
    ) -> Result<i64, DbError> {
        let now = self.clock.now();
        if let Some((at, n)) = self.cache.get(key)
            && now - at < self.ttl
        {
            return Ok(n);
        }
        let n = count().await?;
        self.cache.insert(key.clone(), (now, n));
        Ok(n)
    }

    /// Forgets every count (after a change made through this instance).
    pub fn clear(&self) {
        self.cache.clear();
    }
}
