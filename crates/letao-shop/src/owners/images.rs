//! Images the owner uploads for the catalogue: PNG, JPEG or WebP by
//! content, at most 2 MiB, metadata stripped without re-encoding, stored
//! in the [`MediaStore`](crate::media::MediaStore) under the name of their
//! content's SHA-256.

use super::{Owner, Owners};
use crate::ShopError;
use crate::store::AuditEntry;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_EXIF, CHUNK_XMP, WebP};
use img_parts::{Bytes, ImageEXIF};
use letao_domain::{AuditAction, Permission};
use sha2::{Digest, Sha256};

/// The largest image accepted, in bytes.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// A format images are accepted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
}

impl ImageFormat {
    /// The file extension stored files get.
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
        }
    }

    /// The format whose stored files have `extension`.
    pub fn from_extension(extension: &str) -> Option<ImageFormat> {
        [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Webp]
            .into_iter()
            .find(|f| f.extension() == extension)
    }

    /// The media type.
    pub const fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
        }
    }

    /// The format the first bytes say (magic numbers; never the name or
    /// the type the client claims).
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageFormat::Webp)
        } else {
            None
        }
    }
}

/// Why an upload is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Nothing was sent.
    #[error("is empty")]
    Empty,
    /// Larger than 2 MiB.
    #[error("must be at most 2 MiB")]
    TooLarge,
    /// Not PNG, JPEG or WebP.
    #[error("must be a PNG, JPEG or WebP image")]
    NotAnImage,
    /// Starts like one, but is not a whole image of that format.
    #[error("is not a valid {} image", .0.extension())]
    Malformed(ImageFormat),
}

/// PNG chunks that carry metadata only: EXIF, text (XMP is an `iTXt`), time.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

/// An uploaded image, checked and stripped of metadata (EXIF, XMP, text
/// and comments); the only way to store one.
#[derive(Debug, Clone)]
pub struct CleanImage {
    format: ImageFormat,
    bytes: Bytes,
}

impl CleanImage {
    /// Checks an upload and strips its metadata; the pixels are the
    /// client's bytes, never decoded or re-encoded.
    pub fn from_upload(upload: Bytes) -> Result<CleanImage, ImageError> {
        if upload.is_empty() {
            return Err(ImageError::Empty);
        }
        if upload.len() > MAX_IMAGE_BYTES {
            return Err(ImageError::TooLarge);
        }
        let format = ImageFormat::sniff(&upload).ok_or(ImageError::NotAnImage)?;
        let bytes = match format {
            ImageFormat::Png => clean_png(upload),
            ImageFormat::Jpeg => clean_jpeg(upload),
            ImageFormat::Webp => clean_webp(upload),
        }
        .ok_or(ImageError::Malformed(format))?;
        Ok(CleanImage { format, bytes })
    }

    /// Its format.
    pub fn format(&self) -> ImageFormat {
        self.format
    }

    /// The stored bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its file name: the SHA-256 of the stored bytes and the extension,
    /// so the same image is one file whoever uploads it how often.
    pub fn file_name(&self) -> String {
        let digest = Sha256::digest(&self.bytes);
        format!("{}.{}", hex::encode(digest), self.format.extension())
    }
}

fn positive<T: PartialEq + Default>(dimensions: Option<(T, T)>) -> bool {
    dimensions.is_some_and(|(w, h)| w != T::default() && h != T::default())
}

fn clean_png(upload: Bytes) -> Option<Bytes> {
    let mut png = Png::from_bytes(upload).ok()?;
    let complete = png.chunks().first().is_some_and(|c| &c.kind() == b"IHDR")
        && png.chunk_by_type(*b"IDAT").is_some()
        && png.chunks().last().is_some_and(|c| &c.kind() == b"IEND");
    if !complete || !positive(png.dimensions()) {
        return None;
    }
    for kind in PNG_METADATA {
        png.remove_chunks_by_type(kind);
    }
    Some(png.encoder().bytes())
}

/// Whether a JPEG segment carries metadata only: EXIF and XMP (APP1),
/// Photoshop/IPTC (APP13), comments.
fn jpeg_metadata(segment: &JpegSegment) -> bool {
    matches!(
        segment.marker(),
        markers::APP1 | markers::APP13 | markers::COM
    )
}

/// Whether a JPEG segment is a Multi-Picture index (APP2 `MPF`), which
/// points at images appended after the first one.
fn jpeg_mpf(segment: &JpegSegment) -> bool {
    segment.marker() == markers::APP2 && segment.contents().starts_with(b"MPF\0")
}

fn clean_jpeg(upload: Bytes) -> Option<Bytes> {
    let mut jpeg = Jpeg::from_bytes(upload).ok()?;
    if !positive(jpeg.dimensions()) {
        return None;
    }
    // img-parts keeps everything from the first scan on as that scan's
    // data: later scans and tables, the end-of-image marker, and whatever
    // was appended (other pictures with their own EXIF, any other file).
    let scan = jpeg.segments().iter().position(JpegSegment::has_entropy)?;
    let segment = &jpeg.segments()[scan];
    let encoded = segment.clone().encoder().bytes();
    let data = scan_data(encoded.get(segment.len()..)?)?;
    let trimmed = JpegSegment::new_with_entropy(segment.marker(), segment.contents().clone(), data);
    let segments = jpeg.segments_mut();
    segments[scan] = trimmed;
    segments.retain(|s| !jpeg_metadata(s) && !jpeg_mpf(s));
    Some(jpeg.encoder().bytes())
}

/// The data after a JPEG's first scan header up to and including its
/// end-of-image marker, without metadata segments placed between scans;
/// `None` if there is no end marker. Walks the markers: inside scan data
/// a 0xFF byte is followed by 0x00 (a stuffed byte), a restart marker or
/// fill, so any other marker is a real one.
fn scan_data(data: &[u8]) -> Option<Bytes> {
    let mut kept = Vec::with_capacity(data.len());
    let mut from = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        match data[i + 1] {
            0x00 | 0x01 | 0xD0..=0xD7 => i += 2,
            0xFF => i += 1,
            markers::EOI => {
                kept.extend_from_slice(&data[from..i + 2]);
                return Some(kept.into());
            }
            markers::SOI => return None,
            marker => {
                let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                let next = i.checked_add(2 + len).filter(|n| *n <= data.len())?;
                let mpf = marker == markers::APP2 && data.get(i + 4..next)?.starts_with(b"MPF\0");
                if matches!(marker, markers::APP1 | markers::APP13 | markers::COM) || mpf {
                    kept.extend_from_slice(&data[from..i]);
                    from = next;
                }
                i = next;
            }
        }
    }
    None
}

fn clean_webp(upload: Bytes) -> Option<Bytes> {
    let mut webp = WebP::from_bytes(upload).ok()?;
    if !positive(webp.dimensions()) {
        return None;
    }
    webp.remove_chunks_by_id(CHUNK_XMP);
    webp.remove_chunks_by_id(CHUNK_EXIF);
    // Also brings the extended header's flags in line with what is left.
    webp.set_exif(None);
    Some(webp.encoder().bytes())
}

impl Owners {
    /// Stores a checked image (once per content) and logs the upload; the
    /// name it is served under (`/media/<name>`).
    pub async fn store_image(
        &self,
        owner: &Owner,
        image: &CleanImage,
    ) -> Result<String, ShopError> {
        owner.require(Permission::EditCatalogue)?;
        let name = image.file_name();
        self.media
            .put(&name, image.format.mime(), image.bytes.clone())
            .await?;
        let actor = owner.actor();
        let entry = AuditEntry {
            actor: &actor,
            action: AuditAction::ImageUpload,
            target: format!("image {name}"),
            detail: serde_json::json!({
                "type": image.format.mime(),
                "bytes": image.bytes.len(),
            })
            .to_string(),
        };
        self.audit.record_audit(&entry, self.clock.now()).await?;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8L"),
            Some(ImageFormat::Webp)
        );
        for other in [
            &b""[..],
            b"GIF89a",
            b"<svg",
            b"RIFF\0\0\0\0WAVE",
            b"\x89PNG",
        ] {
            assert_eq!(ImageFormat::sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn uploads_that_are_not_whole_images_are_refused() {
        let refused = |b: &'static [u8]| CleanImage::from_upload(Bytes::from_static(b)).err();
        assert_eq!(refused(b""), Some(ImageError::Empty));
        assert_eq!(
            refused(b"just text, named .png"),
            Some(ImageError::NotAnImage)
        );
        assert_eq!(
            refused(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(ImageError::Malformed(ImageFormat::Png))
        );
        assert_eq!(
            refused(&[0xFF, 0xD8, 0xFF, 0xD9]),
            Some(ImageError::Malformed(ImageFormat::Jpeg))
        );
        assert_eq!(
            refused(b"RIFF\x04\0\0\0WEBP"),
            Some(ImageError::Malformed(ImageFormat::Webp))
        );
        let big = Bytes::from(vec![0u8; MAX_IMAGE_BYTES + 1]);
        assert_eq!(
            CleanImage::from_upload(big).err(),
            Some(ImageError::TooLarge)
        );
    }
}
