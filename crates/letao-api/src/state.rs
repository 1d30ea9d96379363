//! What every request handler can reach.

use crate::CatalogueCache;
use letao_db::Db;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) db: Db,
    pub(crate) catalogue: Arc<CatalogueCache>,
    pub(crate) static_dir: Arc<PathBuf>,
}

impl AppState {
    /// Starts building the state around a database pool.
    pub fn builder(db: Db) -> AppStateBuilder {
        AppStateBuilder {
            db,
            catalogue_ttl: Duration::from_secs(1),
            static_dir: PathBuf::from("static"),
        }
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The catalogue cache.
    pub fn catalogue(&self) -> &CatalogueCache {
        &self.catalogue
    }
}

/// Builder for [`AppState`]; every setting has a default.
pub struct AppStateBuilder {
    db: Db,
    catalogue_ttl: Duration,
    static_dir: PathBuf,
}

impl AppStateBuilder {
    /// How long catalogue replies are served from memory (zero: never).
    pub fn catalogue_ttl(mut self, ttl: Duration) -> Self {
        self.catalogue_ttl = ttl;
        self
    }

    /// The folder served under `/` (images, scripts, ...).
    pub fn static_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = dir.into();
        self
    }

    /// The state.
    pub fn build(self) -> AppState {
        AppState {
            catalogue: Arc::new(CatalogueCache::new(self.db.clone(), self.catalogue_ttl)),
            db: self.db,
            static_dir: Arc::new(self.static_dir),
        }
    }
}
