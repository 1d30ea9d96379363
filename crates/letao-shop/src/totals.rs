//! List totals, counted at most once per lifetime per filter and kept in a
//! bounded cache, so a list costs the same at any table size. A total may
//! be up to the lifetime stale; the rows themselves never are.

use crate::store::StoreError;
use letao_auth::Clock;
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
    /// Held while a count runs.
    counting: tokio::sync::Mutex<()>,
}

impl<K: Eq + Hash + Clone> Totals<K> {
    /// Counts kept for `ttl`, by `clock`.
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Totals<K> {
        Totals {
            cache: quick_cache::sync::Cache::new(CAPACITY),
            ttl: chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::seconds(5)),
            clock,
            counting: tokio::sync::Mutex::new(()),
        }
    }

    /// The count for `key`: from memory while fresh, else from `count`.
    /// One count runs at a time: while it does, the others are answered
    /// with the count it replaces (so a total may be a little more than
    /// the lifetime stale), or wait for it when there is none, instead of
    /// every request at that moment counting the same large table.
    pub async fn get(
        &self,
        key: &K,
        count: impl AsyncFnOnce() -> Result<i64, StoreError>,
    ) -> Result<i64, StoreError> {
        let cached = self.cache.get(key);
        if let Some((at, n)) = cached
            && self.clock.now() - at < self.ttl
        {
            return Ok(n);
        }
        let _counting = match (cached, self.counting.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some((_, stale)), Err(_)) => return Ok(stale),
            (None, Err(_)) => self.counting.lock().await,
        };
        // Counted by another while this one waited?
        if let Some((at, n)) = self.cache.get(key)
            && self.clock.now() - at < self.ttl
        {
            return Ok(n);
        }
        let n = count().await?;
        self.cache.insert(key.clone(), (self.clock.now(), n));
        Ok(n)
    }

    /// Forgets every count (after a change made through this instance).
    pub fn clear(&self) {
        self.cache.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use letao_auth::FakeClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn requests_at_once_count_once_and_a_stale_total_is_served_while_recounting() {
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let totals: Arc<Totals<u8>> = Arc::new(Totals::new(Duration::from_secs(1), clock.clone()));
        let counted = Arc::new(AtomicUsize::new(0));
        let (release, gate) = tokio::sync::watch::channel(false);
        let slow_count = |value: i64| {
            let counted = counted.clone();
            let mut gate = gate.clone();
            async move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = gate.wait_for(|open| *open).await;
                Ok(value)
            }
        };
        // Nothing cached: sixteen at once, one count, all get its result.
        let waiting: Vec<_> = (0..16)
            .map(|_| {
                let (totals, count) = (totals.clone(), slow_count(7));
                tokio::spawn(async move { totals.get(&1, count).await })
            })
            .collect();
        tokio::task::yield_now().await;
        release.send_replace(true);
        for w in waiting {
            assert_eq!(w.await.unwrap().unwrap(), 7);
        }
        assert_eq!(counted.load(Ordering::SeqCst), 1);
        // Expired: one recount runs (held open); the others get 7 meanwhile.
        clock.advance(chrono::TimeDelta::seconds(2));
        release.send_replace(false);
        let recount = {
            let (totals, count) = (totals.clone(), slow_count(9));
            tokio::spawn(async move { totals.get(&1, count).await })
        };
        while counted.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(totals.get(&1, slow_count(11)).await.unwrap(), 7);
        release.send_replace(true);
        assert_eq!(recount.await.unwrap().unwrap(), 9);
        assert_eq!(totals.get(&1, slow_count(13)).await.unwrap(), 9);
        assert_eq!(counted.load(Ordering::SeqCst), 2);
    }
}
