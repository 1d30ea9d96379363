//! What every [`MediaStore`] must do, written once and run on each
//! implementation (feature `test-utils`): on the in-memory fake in
//! letao-shop's tests, on the local folder and the S3 store in
//! letao-media's. [`media_contract!`](crate::media_contract) makes one
//! test of each function for a store.

// Test support: failing loudly is the point.
#![allow(clippy::expect_used, clippy::panic)]

use super::{MediaError, MediaStore};
use crate::owners::images::ImageFormat;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What a contract test runs on: the store, and whatever must live as long
/// as the test does (a temporary folder, removed when dropped).
pub trait Subject {
    /// The store under test.
    fn store(&self) -> Arc<dyn MediaStore>;
}

impl Subject for Arc<dyn MediaStore> {
    fn store(&self) -> Arc<dyn MediaStore> {
        self.clone()
    }
}

/// Bytes no other test (in this or another process, now or before) put,
/// `len` long, and the name they are stored under.
pub fn object(format: ImageFormat, len: usize) -> (String, Bytes) {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut bytes = Vec::with_capacity(len + 32);
    let mut block: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
    while bytes.len() < len {
        bytes.extend_from_slice(&block);
        block = Sha256::digest(block).into();
    }
    bytes.truncate(len);
    let name = format!(
        "{}.{}",
        hex::encode(Sha256::digest(&bytes)),
        format.extension()
    );
    (name, bytes.into())
}

const FORMATS: [ImageFormat; 3] = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp];

/// A put object comes back with its bytes and its type.
pub async fn put_then_get_returns_the_same_bytes_and_type(store: Arc<dyn MediaStore>) {
    for (n, format) in FORMATS.into_iter().enumerate() {
        let (name, bytes) = object(format, 1 + n * 70_000);
        store
            .put(&name, format.mime(), bytes.clone())
            .await
            .expect("put");
        let got = store.get(&name).await.expect("get").expect("stored");
        assert_eq!(got.bytes, bytes, "{name}");
        assert_eq!(got.content_type, format.mime(), "{name}");
    }
}

/// A name never put is `None`, not an error.
pub async fn a_missing_name_is_none(store: Arc<dyn MediaStore>) {
    let (name, _) = object(ImageFormat::Png, 16);
    assert_eq!(store.get(&name).await.expect("get"), None);
}

/// The same name put again (as a second upload of one image does) is fine
/// and leaves the object as it was.
pub async fn putting_a_name_twice_is_fine(store: Arc<dyn MediaStore>) {
    let (name, bytes) = object(ImageFormat::Webp, 5_000);
    for _ in 0..2 {
        store
            .put(&name, "image/webp", bytes.clone())
            .await
            .expect("put");
    }
    let got = store.get(&name).await.expect("get").expect("stored");
    assert_eq!(
        (got.bytes, got.content_type.as_str()),
        (bytes, "image/webp")
    );
}

/// Names other than `<64 lower-case hex>.<png|jpg|webp>` are refused by
/// put and get alike, and nothing is written for them.
pub async fn names_that_are_not_plain_are_refused(store: Arc<dyn MediaStore>) {
    let (name, bytes) = object(ImageFormat::Png, 64);
    let hash = &name[..64];
    let bad = [
        format!("../{name}"),
        format!("a/../{name}"),
        format!("media/{name}"),
        format!("{hash}/../{name}"),
        format!(".{name}"),
        format!("{}.png", hash.to_ascii_uppercase()),
        format!("{hash}.PNG"),
        format!("{hash}.png/"),
        format!("{hash}.svg"),
        format!("{hash}.png.tmp"),
        hash.to_owned(),
        "..".to_owned(),
        String::new(),
    ];
    for bad in &bad {
        let put = store.put(bad, "image/png", bytes.clone()).await;
        assert!(
            matches!(put, Err(MediaError::InvalidName(_))),
            "put {bad}: {put:?}"
        );
        let get = store.get(bad).await;
        assert!(
            matches!(get, Err(MediaError::InvalidName(_))),
            "get {bad}: {get:?}"
        );
    }
    assert_eq!(
        store.get(&name).await.expect("get"),
        None,
        "no refused name was written under its plain part"
    );
}

/// A type other than the one the extension says is refused, so every store
/// serves a name with the same type.
pub async fn a_type_other_than_the_names_is_refused(store: Arc<dyn MediaStore>) {
    let (name, bytes) = object(ImageFormat::Png, 64);
    for wrong in ["image/jpeg", "text/html", "", "image/png; charset=utf-8"] {
        let put = store.put(&name, wrong, bytes.clone()).await;
        assert!(
            matches!(put, Err(MediaError::WrongType { .. })),
            "{wrong}: {put:?}"
        );
    }
    assert_eq!(store.get(&name).await.expect("get"), None);
}

/// Several uploads of one image at once leave one whole object, and a
/// reader meanwhile sees the whole object or none, never part of it.
pub async fn concurrent_puts_of_one_name_leave_one_whole_object(store: Arc<dyn MediaStore>) {
    const WRITERS: usize = 8;
    const READERS: usize = 4;
    let (name, bytes) = object(ImageFormat::Jpeg, 1 << 20);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (store, name, bytes, done) =
                (store.clone(), name.clone(), bytes.clone(), done.clone());
            tokio::spawn(async move {
                let mut seen = 0usize;
                loop {
                    let finished = done.load(Ordering::Acquire);
                    if let Some(got) = store.get(&name).await.expect("get") {
                        assert!(got.bytes == bytes, "a reader saw {} bytes", got.bytes.len());
                        assert_eq!(got.content_type, "image/jpeg");
                        seen += 1;
                    }
                    if finished {
                        return seen;
                    }
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (store, name, bytes) = (store.clone(), name.clone(), bytes.clone());
            tokio::spawn(async move { store.put(&name, "image/jpeg", bytes).await })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer task").expect("put");
    }
    done.store(true, Ordering::Release);
    for reader in readers {
        let seen = reader.await.expect("reader task");
        assert!(seen >= 1, "after the puts every reader finds the object");
    }
    let got = store.get(&name).await.expect("get").expect("stored");
    assert!(got.bytes == bytes, "{} bytes stored", got.bytes.len());
}

/// One `#[tokio::test]` (multi-threaded) per contract function, named
/// after it, on the subject `$make` evaluates to (anything that is a
/// [`Subject`]; it may `.await`). Attributes written after it, such as
/// `#[ignore = "needs a server"]`, go on every test:
/// `media_contract!(s3_store(), #[ignore = "needs TEST_S3_ENDPOINT"]);`
#[macro_export]
macro_rules! media_contract {
    ($make:expr $(, #[$meta:meta])* $(,)?) => {
        $crate::media_contract!(@each [$(#[$meta])*] $make;
            put_then_get_returns_the_same_bytes_and_type,
            a_missing_name_is_none,
            putting_a_name_twice_is_fine,
            names_that_are_not_plain_are_refused,
            a_type_other_than_the_names_is_refused,
            concurrent_puts_of_one_name_leave_one_whole_object
        );
    };
    (@each $attrs:tt $make:expr; $($name:ident),*) => {$(
        $crate::media_contract!(@one $attrs $make; $name);
    )*};
    (@one [$(#[$meta:meta])*] $make:expr; $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $(#[$meta])*
        async fn $name() {
            let subject = $make;
            let store = $crate::media::contract::Subject::store(&subject);
            $crate::media::contract::$name(store).await;
        }
    };
}
