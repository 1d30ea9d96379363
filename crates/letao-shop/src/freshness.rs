//! How an instance knows its catalogue caches are current without reading
//! the catalogue again: a shared version counter, bumped in the same
//! transaction as every owner write, read (one indexed row) at most once
//! per lifetime. A change made through any instance is thus seen by every
//! instance within that lifetime.

use crate::store::CatalogueStore;
use chrono::{DateTime, TimeDelta, Utc};
use letao_auth::Clock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The catalogue's version as this instance last saw it.
pub struct CatalogueVersion {
    store: Arc<dyn CatalogueStore>,
    clock: Arc<dyn Clock>,
    every: TimeDelta,
    /// When the shared counter was last read, and its value.
    seen: tokio::sync::Mutex<Option<(DateTime<Utc>, i64)>>,
    /// Bumped whenever the catalogue changed: caches compare it.
    generation: AtomicU64,
}

impl CatalogueVersion {
    /// Reads the shared counter at most every `every` (zero: every call).
    pub fn new(
        store: Arc<dyn CatalogueStore>,
        clock: Arc<dyn Clock>,
        every: Duration,
    ) -> CatalogueVersion {
        CatalogueVersion {
            store,
            clock,
            every: TimeDelta::from_std(every).unwrap_or(TimeDelta::seconds(1)),
            seen: tokio::sync::Mutex::new(None),
            generation: AtomicU64::new(0),
        }
    }

    /// The current generation: checks the shared counter when the last
    /// check is older than the lifetime (one task checks; others go on with
    /// what was seen). When the database cannot be read, caches stay as
    /// they are.
    pub async fn generation(&self) -> u64 {
        let now = self.clock.now();
        if let Ok(mut seen) = self.seen.try_lock() {
            let due = seen.is_none_or(|(at, _)| now - at >= self.every);
            if due {
                match self.store.catalogue_version().await {
                    Ok(version) => {
                        if seen.is_some_and(|(_, v)| v != version) {
                            self.generation.fetch_add(1, Ordering::AcqRel);
                        }
                        *seen = Some((now, version));
                    }
                    Err(e) => tracing::warn!(error = %e, "catalogue version not read; caches kept"),
                }
            }
        }
        self.generation.load(Ordering::Acquire)
    }

    /// This instance changed the catalogue: its caches are stale at once.
    pub fn changed_here(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}
