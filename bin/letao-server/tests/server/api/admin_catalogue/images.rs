//! `POST /admin/images` and `/media/` on the local folder store: images
//! taken by content, stripped of metadata, stored once by hash and served
//! for good under that name; anything else refused with nothing written.

use super::Admin;
use actix_web::test::TestRequest;
use serde_json::json;
use sha2::{Digest, Sha256};

const BOUNDARY: &str = "letao-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart body of `(field, file name, claimed type, bytes)` parts.
fn multipart(parts: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file, ctype, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn png() -> Vec<u8> {
    std::fs::read(crate::api::helpers::static_dir().join("images/nav1.png")).unwrap()
}

/// A JPEG container: JFIF, an EXIF segment naming a camera, tables, a
/// 2x2 frame and one scan.
fn jpeg_with_exif() -> Vec<u8> {
    let segment = |marker: u8, body: &[u8]| {
        let len = u16::try_from(body.len() + 2).unwrap().to_be_bytes();
        [&[0xFF, marker][..], &len, body].concat()
    };
    [
        vec![0xFF, 0xD8],
        segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
        segment(
            0xE1,
            b"Exif\0\0MM\0\x2a\0\0\0\x08SecretCamera GPS 30.2N 120.1E",
        ),
        segment(0xDB, &[&[0u8][..], &[1u8; 64]].concat()),
        segment(0xC0, &[8, 0, 2, 0, 2, 1, 1, 0x11, 0]),
        segment(0xC4, &[&[0u8, 0, 1][..], &[0; 14], &[0]].concat()),
        segment(0xDA, &[1, 1, 0, 0, 63, 0]),
        vec![0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9],
    ]
    .concat()
}

/// The smallest lossless WebP (1x1) with an EXIF chunk.
fn webp() -> Vec<u8> {
    let body = [
        &b"WEBP"[..],
        b"VP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0",
        b"EXIF\x06\0\0\0Camera",
    ]
    .concat();
    [
        &b"RIFF"[..],
        &u32::try_from(body.len()).unwrap().to_le_bytes(),
        &body,
    ]
    .concat()
}

impl Admin {
    async fn upload(&self, body: Vec<u8>, content_type: &str) -> crate::api::helpers::TestResponse {
        self.app
            .call(
                TestRequest::post()
                    .uri("/admin/images")
                    .insert_header(("authorization", format!("Bearer {}", self.token)))
                    .insert_header(("content-type", content_type.to_owned()))
                    .set_payload(body),
            )
            .await
    }

    /// Uploads one file part; the reply.
    async fn upload_file(
        &self,
        file: &str,
        ctype: &str,
        bytes: &[u8],
    ) -> crate::api::helpers::TestResponse {
        let form = format!("multipart/form-data; boundary={BOUNDARY}");
        self.upload(multipart(&[("file", file, ctype, bytes)]), &form)
            .await
    }

    fn media_files(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.media) else {
            return Vec::new();
        };
        dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

each_backend! {
    async fn images_are_stored_stripped_once_and_served_under_media(a: Admin) {
        let res = a.upload_file("nav.png", "image/png", &png()).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let url = res.json()["url"].as_str().unwrap().to_owned();
        assert_eq!(res.json(), json!({"status": 200, "url": url}));
        let name = url.strip_prefix("/media/").unwrap();
        assert!(name.ends_with(".png") && name[..64].bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
        let stored = std::fs::read(a.media.join(name)).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&stored)), name[..64], "named by the stored content");
        let served = a.app.get(&url).await;
        assert_eq!(served.status, 200);
        assert_eq!(served.header("content-type"), Some("image/png"));
        assert_eq!(served.header("cache-control"), Some("public, max-age=31536000, immutable"));
        assert_eq!(served.header("etag"), Some(format!("\"{name}\"").as_str()));
        assert_eq!(served.body, stored);
        // The same content under another name and type: the same file.
        let again = a.upload_file("other-name.jpg", "image/jpeg", &png()).await;
        assert_eq!(again.json()["url"], url.as_str());
        assert_eq!(a.media_files(), [name]);

        let jpeg = a.upload_file("photo.bin", "application/octet-stream", &jpeg_with_exif()).await;
        assert_eq!(jpeg.status, 200, "{}", jpeg.text());
        let jpg_url = jpeg.json()["url"].as_str().unwrap().to_owned();
        assert!(jpg_url.ends_with(".jpg"));
        let body = a.app.get(&jpg_url).await;
        assert_eq!(body.header("content-type"), Some("image/jpeg"));
        assert!(!body.body.windows(4).any(|w| w == b"Exif"), "EXIF removed");
        assert!(!body.body.windows(12).any(|w| w == b"SecretCamera"));
        assert!(body.body.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]), "image data untouched");

        let webp = a.upload_file("w.webp", "image/webp", &webp()).await;
        let webp_url = webp.json()["url"].as_str().unwrap().to_owned();
        assert!(webp_url.ends_with(".webp"));
        let body = a.app.get(&webp_url).await;
        assert_eq!(body.header("content-type"), Some("image/webp"));
        assert!(!body.body.windows(4).any(|w| w == b"EXIF"));
        assert_eq!(a.media_files().len(), 3);
        // The URL is accepted wherever an image is.
        let item = json!({"kind": "grid", "img_src": webp_url, "sort": 0});
        assert_eq!(a.ok(actix_web::http::Method::POST, "/admin/home-items", Some(item)).await["item"]["img_src"], webp_url.as_str());

        let log = a.audit().await;
        let uploads: Vec<&serde_json::Value> = log.iter().filter(|e| e["action"] == "image.upload").collect();
        assert_eq!(uploads.len(), 4);
        assert_eq!(uploads[3]["target"], format!("image {name}"));
        assert_eq!(uploads[3]["actor"]["username"], "shop_owner");
        for bad in ["/media/../Cargo.toml", "/media/%2e%2e/Cargo.toml", "/media/", "/media/nope.png", "/media/.hidden"] {
            a.app.get(bad).await.assert_error(404, 404);
        }
    }

    async fn anything_but_one_whole_image_is_refused_and_nothing_is_stored(a: Admin) {
        let form = format!("multipart/form-data; boundary={BOUNDARY}");
        let refused = |res: crate::api::helpers::TestResponse| {
            let msg = res.assert_error(400, 1010);
            assert!(msg.contains("file"), "{msg}");
        };
        refused(a.upload_file("fake.png", "image/png", b"this is a text file, renamed").await);
        refused(a.upload_file("empty.png", "image/png", b"").await);
        refused(a.upload_file("cut.png", "image/png", &png()[..100]).await);
        refused(a.upload_file("gif.gif", "image/gif", b"GIF89a\x01\0\x01\0\0\0\0;").await);
        refused(a.upload_file("page.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>").await);
        refused(a.upload(multipart(&[("image", "nav.png", "image/png", &png())]), &form).await);
        refused(a.upload(multipart(&[("file", "a.png", "image/png", &png()), ("file", "b.png", "image/png", &png())]), &form).await);
        refused(a.upload(br#"{"file": "nav.png"}"#.to_vec(), "application/json").await);
        refused(a.upload(b"--nope".to_vec(), "multipart/form-data").await);
        // Too large: past 2 MiB the reading stops (streamed, or by the declared length).
        let mut big = png();
        big.resize(2 * 1024 * 1024 + 1, 0);
        let res = a.upload_file("big.png", "image/png", &big).await;
        assert_eq!(res.assert_error(413, 1010), "request body too large");
        big.resize(3 * 1024 * 1024, 0);
        a.upload_file("bigger.png", "image/png", &big).await.assert_error(413, 1010);
        assert!(a.media_files().is_empty(), "{:?}", a.media_files());
        assert_eq!(a.count("SELECT COUNT(*) FROM audit_log WHERE action = 'image.upload'"), 0);
    }
}
