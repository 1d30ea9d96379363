//! Buyers as an owner sees them on orders (username and mobile), read
//! apart from the page and kept a while. On MariaDB, joining `user` to
//! every page row was an eighth of the database's work for the owner's
//! order list; an owner's page shows the same few buyers again and again.

use crate::store::{BuyerRecord, OrderBook, StoreError};
use letao_auth::Clock;
use std::collections::HashMap;
use std::sync::Arc;

/// Buyers remembered.
const CAPACITY: usize = 10_000;

/// How long a buyer is shown from memory. Usernames and mobiles are set at
/// registration and never change today; the limit keeps a future change
/// from showing stale anywhere for longer than this.
pub(crate) const BUYERS_TTL: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Buyers by user id, each kept [`BUYERS_TTL`].
pub(crate) struct Buyers {
    cache: quick_cache::sync::Cache<i32, (chrono::DateTime<chrono::Utc>, BuyerRecord)>,
    clock: Arc<dyn Clock>,
}

impl Buyers {
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Buyers {
        Buyers {
            cache: quick_cache::sync::Cache::new(CAPACITY),
            clock,
        }
    }

    /// The buyers of `ids` that exist: from memory while fresh, the others
    /// in one statement.
    pub(crate) async fn of(
        &self,
        book: &dyn OrderBook,
        ids: impl IntoIterator<Item = i32>,
    ) -> Result<HashMap<i32, BuyerRecord>, StoreError> {
        let now = self.clock.now();
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            if found.contains_key(&id) || missing.contains(&id) {
                continue;
            }
            match self.cache.get(&id) {
                Some((at, buyer)) if now - at < BUYERS_TTL => {
                    found.insert(id, buyer);
                }
                _ => missing.push(id),
            }
        }
        if !missing.is_empty() {
            for buyer in book.buyers(&missing).await? {
                self.cache.insert(buyer.id, (now, buyer.clone()));
                found.insert(buyer.id, buyer);
            }
        }
        Ok(found)
    }
}
