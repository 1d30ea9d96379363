//! The local folder store.

use letao_media::LocalMedia;
use letao_shop::media::contract::{Subject, object};
use letao_shop::media::{MediaStore, StoredMedia};
use letao_shop::owners::images::ImageFormat;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A store in a temporary folder (not yet created), removed afterwards.
pub struct TempMedia {
    dir: PathBuf,
    store: Arc<LocalMedia>,
}

impl TempMedia {
    pub fn new() -> TempMedia {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "letao-media-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        TempMedia {
            store: Arc::new(LocalMedia::new(&dir)),
            dir,
        }
    }

    /// Every file in the folder, temporary ones included.
    fn files(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Subject for TempMedia {
    fn store(&self) -> Arc<dyn MediaStore> {
        self.store.clone()
    }
}

impl Drop for TempMedia {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

mod contract {
    use super::*;
    letao_shop::media_contract!(TempMedia::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn objects_are_plain_files_named_by_their_hash_and_no_temporary_is_left() {
    let media = TempMedia::new();
    assert!(!media.dir.exists(), "created on the first write only");
    let (name, bytes) = object(ImageFormat::Png, 3_000);
    let writes: Vec<_> = (0..6)
        .map(|_| {
            let (store, name, bytes) = (media.store.clone(), name.clone(), bytes.clone());
            tokio::spawn(async move { store.put(&name, "image/png", bytes).await })
        })
        .collect();
    for w in writes {
        w.await.unwrap().unwrap();
    }
    assert_eq!(
        media.files(),
        std::slice::from_ref(&name),
        "one file, no temporary left"
    );
    assert_eq!(std::fs::read(media.dir.join(&name)).unwrap(), bytes);
}

#[tokio::test]
async fn files_already_in_the_folder_are_served_with_the_type_of_their_extension() {
    // Folders written before the store existed hold bytes only.
    let media = TempMedia::new();
    let (name, bytes) = object(ImageFormat::Webp, 100);
    std::fs::create_dir_all(&media.dir).unwrap();
    std::fs::write(media.dir.join(&name), &bytes).unwrap();
    assert_eq!(
        media.store.get(&name).await.unwrap(),
        Some(StoredMedia {
            bytes,
            content_type: "image/webp".into()
        })
    );
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_is_an_error_not_a_panic() {
    let media = TempMedia::new();
    // A file where the folder should be.
    std::fs::write(&media.dir, b"not a folder").unwrap();
    let (name, bytes) = object(ImageFormat::Png, 10);
    let err = media
        .store
        .put(&name, "image/png", bytes)
        .await
        .unwrap_err();
    assert!(
        matches!(err, letao_shop::media::MediaError::Io(_)),
        "{err:?}"
    );
    std::fs::remove_file(&media.dir).unwrap();
}
