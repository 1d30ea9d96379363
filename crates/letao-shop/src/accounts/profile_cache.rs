//! `/user/me` answers kept for a second: a client polls its profile on every
//! screen, and the profile (id, username, mobile) only changes through
//! registration. Stale for at most the TTL, like the catalogue cache.

use crate::store::{AccountStore, StoreError, UserRecord};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a profile is served from memory.
const TTL: Duration = Duration::from_secs(1);
/// Entries kept at most; past this the cache starts over.
const CAPACITY: usize = 10_000;

pub struct ProfileCache {
    entries: RwLock<HashMap<i32, (Instant, Option<UserRecord>)>>,
}

impl ProfileCache {
    pub fn new() -> ProfileCache {
        ProfileCache {
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The user with `id`, from memory when fresh.
    pub async fn get(
        &self,
        store: &dyn AccountStore,
        id: i32,
    ) -> Result<Option<UserRecord>, StoreError> {
        if let Ok(entries) = self.entries.read()
            && let Some((at, user)) = entries.get(&id)
            && at.elapsed() < TTL
        {
            return Ok(user.clone());
        }
        let user = store.user_by_id(id).await?;
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(id, (Instant::now(), user.clone()));
        }
        Ok(user)
    }
}
