//! `/media/NAME` and uploads through the `MediaStore` port alone: the app
//! built with letao-shop's in-memory store (no folder, no bucket) serves
//! and takes images the same way, and a failing store is an opaque 500.

use crate::api::helpers::{TestApp, mobile};
use actix_web::test::TestRequest;
use letao_db::Backend;
use letao_shop::media::contract::object;
use letao_shop::media::{MediaError, MediaStore, MemoryMedia, StoredMedia};
use letao_shop::owners::images::ImageFormat;
use std::sync::Arc;

#[actix_web::test]
async fn images_in_any_store_are_served_for_good_under_their_name() {
    let store = Arc::new(MemoryMedia::new());
    let media = store.clone();
    let app = TestApp::builder(Backend::Sqlite).media(media).build().await;
    let (name, bytes) = object(ImageFormat::Webp, 2_000);
    store.put(&name, "image/webp", bytes.clone()).await.unwrap();

    let res = app.get(&format!("/media/{name}")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.body, bytes);
    assert_eq!(res.header("content-type"), Some("image/webp"));
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = format!("\"{name}\"");
    assert_eq!(res.header("etag"), Some(etag.as_str()));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));

    let again = app
        .call(
            TestRequest::get()
                .uri(&format!("/media/{name}"))
                .insert_header(("if-none-match", etag.clone())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let other = app
        .call(
            TestRequest::get()
                .uri(&format!("/media/{name}"))
                .insert_header(("if-none-match", "\"something-else\"")),
        )
        .await;
    assert_eq!(other.status, 200);

    let head = app
        .call(
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(&format!("/media/{name}")),
        )
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("image/webp"));
    assert_eq!(head.header("etag"), Some(etag.as_str()));

    let (missing, _) = object(ImageFormat::Png, 10);
    app.get(&format!("/media/{missing}"))
        .await
        .assert_error(404, 404);
    // Paths are lower-cased before routing, so this is the same image.
    let upper = app
        .get(&format!("/media/{}", name.to_ascii_uppercase()))
        .await;
    assert_eq!(upper.body, bytes);
    for bad in [
        format!("/media/.{name}"),
        format!("/media/x/../{name}"),
        format!("/media/%2e%2e/{name}"),
        "/media/".to_owned(),
    ] {
        app.get(&bad).await.assert_error(404, 404);
    }
    let post = app
        .call(TestRequest::post().uri(&format!("/media/{name}")))
        .await;
    post.assert_error(404, 404);
}

#[actix_web::test]
async fn an_upload_goes_into_the_store_the_app_was_built_with() {
    let store = Arc::new(MemoryMedia::new());
    let media = store.clone();
    let app = TestApp::builder(Backend::Sqlite).media(media).build().await;
    app.register("media_owner", "owner-password", &mobile(790))
        .await;
    app.grant("media_owner", letao_domain::Role::Admin).await;
    let token = app.login("media_owner", "owner-password").await;
    let png = std::fs::read(crate::api::helpers::static_dir().join("images/nav1.png")).unwrap();
    let boundary = "letao-media-boundary";
    let body = [
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        &png,
        format!("\r\n--{boundary}--\r\n").as_bytes(),
    ]
    .concat();
    let res = app
        .call(
            TestRequest::post()
                .uri("/admin/images")
                .insert_header(("authorization", format!("Bearer {token}")))
                .insert_header((
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                ))
                .set_payload(body),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let url = res.json()["url"].as_str().unwrap().to_owned();
    let name = url.strip_prefix("/media/").unwrap();
    assert_eq!(store.names(), [name]);
    let stored = store.get(name).await.unwrap().unwrap();
    assert_eq!(stored.content_type, "image/png");
    assert_eq!(app.get(&url).await.body, stored.bytes);
}

/// A store that cannot be reached.
struct Down;

#[async_trait::async_trait]
impl MediaStore for Down {
    async fn put(&self, _: &str, _: &str, _: bytes::Bytes) -> Result<(), MediaError> {
        Err(MediaError::Unavailable("connection refused".into()))
    }

    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError> {
        letao_shop::media::media_format(name)?;
        Err(MediaError::Unavailable("connection refused".into()))
    }
}

#[actix_web::test]
async fn a_store_that_fails_is_an_opaque_500_and_a_bad_name_still_404() {
    let app = TestApp::builder(Backend::Sqlite)
        .media(Arc::new(Down))
        .build()
        .await;
    let (name, _) = object(ImageFormat::Png, 10);
    let msg = app
        .get(&format!("/media/{name}"))
        .await
        .assert_error(500, 500);
    assert_eq!(msg, "internal error");
    app.get("/media/../Cargo.toml").await.assert_error(404, 404);
}
