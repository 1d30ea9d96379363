//! Where uploaded images are kept: the [`MediaStore`] port. The owner's
//! uploads are written through it and `/media/NAME` is read through it, so
//! the shop and the HTTP layer never learn whether the bytes sit in a local
//! folder or in an object store shared by several machines (`letao-media`
//! has both).
//!
//! Names are content-addressed: the SHA-256 of the stored bytes in
//! lower-case hex, a dot and the extension of an accepted image format
//! (`<64 hex>.png|jpg|webp`). A name is the same object forever, so putting
//! it twice is harmless and readers may cache it for good. Every store
//! refuses any other name (no `..`, `/`, leading dot or upper case reaches
//! a folder or a bucket key) and a type that is not the one its extension
//! says, so every backend answers alike.

use crate::owners::images::ImageFormat;
use bytes::Bytes;

/// An object as a store gives it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMedia {
    /// The object's bytes.
    pub bytes: Bytes,
    /// Its media type, e.g. `image/png`.
    pub content_type: String,
}

/// Why a store did not put or get an object. No HTTP here.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not a content hash with an image extension.
    #[error("`{0}` is not a media name")]
    InvalidName(String),
    /// The type given is not the one the name's extension says.
    #[error("{name} cannot be stored as `{content_type}`")]
    WrongType {
        /// The object's name.
        name: String,
        /// The type it was given.
        content_type: String,
    },
    /// The store could not be reached or did not answer in time.
    #[error("media store unavailable: {0}")]
    Unavailable(String),
    /// The store answered with a refusal (credentials, bucket, size).
    #[error("media store refused: {0}")]
    Refused(String),
    /// Reading or writing the local folder failed.
    #[error("media folder: {0}")]
    Io(#[from] std::io::Error),
}

/// The store of uploaded images: content-addressed objects with a type.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` as `name` (a [`media_format`]-valid name whose
    /// extension says `content_type`). Idempotent: the object under a
    /// name is always the same, so a second put (or several at once)
    /// leaves one whole object.
    async fn put(&self, name: &str, content_type: &str, bytes: Bytes) -> Result<(), MediaError>;

    /// The object stored as `name`, `None` when there is none.
    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError>;
}

/// The image format a media name says, or [`MediaError::InvalidName`]
/// unless the name is exactly 64 lower-case hex digits, a dot and the
/// extension of an accepted format.
pub fn media_format(name: &str) -> Result<ImageFormat, MediaError> {
    let invalid = || MediaError::InvalidName(name.to_owned());
    let (hash, extension) = name.split_once('.').ok_or_else(invalid)?;
    let hex = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return Err(invalid());
    }
    ImageFormat::from_extension(extension).ok_or_else(invalid)
}

/// Checks what a [`MediaStore::put`] is given: a valid name whose
/// extension says `content_type`.
pub fn check_put(name: &str, content_type: &str) -> Result<ImageFormat, MediaError> {
    let format = media_format(name)?;
    if format.mime() == content_type {
        Ok(format)
    } else {
        Err(MediaError::WrongType {
            name: name.to_owned(),
            content_type: content_type.to_owned(),
        })
    }
}

/// The store of a server built without one: it holds nothing and takes
/// nothing (every put is [`MediaError::Unavailable`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMedia;

#[async_trait::async_trait]
impl MediaStore for NoMedia {
    async fn put(&self, name: &str, content_type: &str, _: Bytes) -> Result<(), MediaError> {
        check_put(name, content_type)?;
        Err(MediaError::Unavailable(
            "no media store is configured".into(),
        ))
    }

    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError> {
        media_format(name)?;
        Ok(None)
    }
}

#[cfg(feature = "test-utils")]
mod memory;
#[cfg(feature = "test-utils")]
pub use memory::MemoryMedia;

#[cfg(feature = "test-utils")]
pub mod contract;

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn only_a_lower_case_content_hash_with_an_image_extension_is_a_name() {
        assert_eq!(
            media_format(&format!("{HASH}.png")).ok(),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            media_format(&format!("{HASH}.jpg")).ok(),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            media_format(&format!("{HASH}.webp")).ok(),
            Some(ImageFormat::Webp)
        );
        let upper = HASH.to_ascii_uppercase();
        for bad in [
            String::new(),
            HASH.to_owned(),
            format!("{HASH}."),
            format!("{HASH}.gif"),
            format!("{HASH}.PNG"),
            format!("{HASH}.png.png"),
            format!("{HASH}.png/"),
            format!("{upper}.png"),
            format!(".{HASH}.png"),
            format!("../{HASH}.png"),
            format!("a/{HASH}.png"),
            format!("{}.png", &HASH[1..]),
            format!("{HASH}0.png"),
            format!("{}g.png", &HASH[1..]),
            format!("{HASH}.jpeg"),
        ] {
            assert!(
                matches!(media_format(&bad), Err(MediaError::InvalidName(n)) if n == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_put_must_give_the_type_its_extension_says() {
        let png = format!("{HASH}.png");
        assert!(check_put(&png, "image/png").is_ok());
        assert!(matches!(
            check_put(&png, "image/jpeg"),
            Err(MediaError::WrongType { .. })
        ));
        assert!(matches!(
            check_put(&png, "text/html"),
            Err(MediaError::WrongType { .. })
        ));
    }

    #[tokio::test]
    async fn without_a_store_nothing_is_found_and_nothing_is_taken() {
        let png = format!("{HASH}.png");
        assert_eq!(NoMedia.get(&png).await.ok(), Some(None));
        assert!(matches!(
            NoMedia.put(&png, "image/png", Bytes::new()).await,
            Err(MediaError::Unavailable(_))
        ));
        assert!(matches!(
            NoMedia.get("../x.png").await,
            Err(MediaError::InvalidName(_))
        ));
    }
}
