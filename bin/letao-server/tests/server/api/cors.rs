//! Cross-origin calls: answered for the configured origins only.

use crate::api::helpers::TestApp;
use actix_web::test::TestRequest;
use letao_db::Backend;

fn preflight(path: &str, origin: &str) -> TestRequest {
    TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri(path)
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header((
            "access-control-request-headers",
            "authorization,content-type",
        ))
}

#[actix_web::test]
async fn configured_origins_get_preflights_and_cors_headers() {
    let app = TestApp::builder(Backend::Sqlite)
        .set("LETAO__SERVER__CORS_ORIGINS", "https://shop.example")
        .build()
        .await;

    let res = app
        .call(preflight("/users/login", "https://shop.example"))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    let methods = res.header("access-control-allow-methods").expect("methods");
    assert!(
        methods.contains("POST") && methods.contains("PUT"),
        "{methods}"
    );
    let headers = res
        .header("access-control-allow-headers")
        .expect("headers")
        .to_ascii_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );

    let get = app
        .call(
            TestRequest::get()
                .uri("/oneCategory")
                .insert_header(("origin", "https://shop.example")),
        )
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(
        get.header("access-control-allow-origin"),
        Some("https://shop.example")
    );

    // Another origin gets no grant (the browser then refuses the page the
    // reply); a call without Origin (curl, the same origin) is unchanged.
    let other = app
        .call(
            TestRequest::get()
                .uri("/oneCategory")
                .insert_header(("origin", "https://evil.example")),
        )
        .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    let plain = app.get("/oneCategory").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn any_origin_is_granted_with_a_star() {
    let app = TestApp::builder(Backend::Sqlite)
        .set("LETAO__SERVER__CORS_ORIGINS", "*")
        .build()
        .await;
    let res = app.call(preflight("/order", "http://127.0.0.1:5173")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
}

#[actix_web::test]
async fn without_origins_there_are_no_cors_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = app
        .call(preflight("/users/login", "https://shop.example"))
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    res.assert_error(405, 405);
    let get = app
        .call(
            TestRequest::get()
                .uri("/oneCategory")
                .insert_header(("origin", "https://shop.example")),
        )
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.header("access-control-allow-origin"), None);
}
