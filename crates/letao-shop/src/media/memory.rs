//! An in-memory [`MediaStore`] for tests (feature `test-utils`).

use super::{MediaError, MediaStore, StoredMedia, check_put, media_format};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Objects in a map, checked like every store checks them.
#[derive(Debug, Default)]
pub struct MemoryMedia {
    objects: Mutex<BTreeMap<String, StoredMedia>>,
}

impl MemoryMedia {
    /// An empty store.
    pub fn new() -> MemoryMedia {
        MemoryMedia::default()
    }

    /// The names stored, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StoredMedia>> {
        // A panicking test thread cannot leave the map half-changed: every
        // change is one insert.
        self.objects
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl MediaStore for MemoryMedia {
    async fn put(&self, name: &str, content_type: &str, bytes: Bytes) -> Result<(), MediaError> {
        check_put(name, content_type)?;
        let object = StoredMedia {
            bytes,
            content_type: content_type.to_owned(),
        };
        self.lock().insert(name.to_owned(), object);
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError> {
        media_format(name)?;
        Ok(self.lock().get(name).cloned())
    }
}
