//! Uploaded images as files in one folder.

use bytes::Bytes;
use letao_shop::media::{MediaError, MediaStore, StoredMedia, check_put, media_format};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder of media files named as the port names them; created on the
/// first write. Another process (or machine, over a shared file system)
/// may write the same folder at the same time.
#[derive(Debug, Clone)]
pub struct LocalMedia {
    dir: PathBuf,
}

impl LocalMedia {
    /// The store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> LocalMedia {
        LocalMedia { dir: dir.into() }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Names temporary files apart within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` as `dir/name` unless that file exists. The file appears
/// whole or not at all: it is written under a temporary name (a dot file,
/// which is never a media name) and renamed, so concurrent writers of one
/// name each rename a whole copy of the same content.
fn store(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let target = dir.join(name);
    if target.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = std::fs::File::create_new(&temp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, &target));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

/// The file's bytes, `None` when there is no such file.
fn load(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn task_failed(e: tokio::task::JoinError) -> MediaError {
    MediaError::Io(std::io::Error::other(e))
}

#[async_trait::async_trait]
impl MediaStore for LocalMedia {
    async fn put(&self, name: &str, content_type: &str, bytes: Bytes) -> Result<(), MediaError> {
        check_put(name, content_type)?;
        let (dir, name) = (self.dir.clone(), name.to_owned());
        tokio::task::spawn_blocking(move || store(&dir, &name, &bytes))
            .await
            .map_err(task_failed)??;
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError> {
        // The type is the extension's: the folder keeps bytes only, and a
        // put with another type was refused.
        let format = media_format(name)?;
        let path = self.dir.join(name);
        let bytes = tokio::task::spawn_blocking(move || load(&path))
            .await
            .map_err(task_failed)??;
        Ok(bytes.map(|bytes| StoredMedia {
            bytes: bytes.into(),
            content_type: format.mime().to_owned(),
        }))
    }
}
