//! Static files and the home page.

use crate::helpers::TestApp;
use actix_web::test::TestRequest;

each_backend! {
    async fn images_are_served_with_cache_headers(app: TestApp) {
        let res = app.get("/images/nav1.png").await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("content-type"), Some("image/png"));
        assert!(res.header("cache-control").is_some_and(|c| c.contains("max-age=")));
        let etag = res.header("etag").expect("etag").to_owned();
        assert!(res.body.starts_with(b"\x89PNG"));
        let again = app
            .call(TestRequest::get().uri("/images/nav1.png").insert_header(("if-none-match", etag)))
            .await;
        assert_eq!(again.status, 304);
        let svg = app.get("/images/product1.svg").await;
        assert_eq!(svg.status, 200);
        assert!(svg.header("content-type").is_some_and(|c| c.starts_with("image/svg+xml")));
    }

    async fn paths_outside_the_static_folder_are_not_found(app: TestApp) {
        for uri in [
            "/images/../../Cargo.toml",
            "/images/%2e%2e/%2e%2e/Cargo.toml",
            "/..%2fCargo.toml",
            "/images/nope.png",
            "/images",
            "/.gitignore",
        ] {
            app.get(uri).await.assert_error(404, 404);
        }
    }

    async fn home_page_shows_the_catalogue(app: TestApp) {
        let res = app.get("/").await;
        assert_eq!(res.status, 200);
        assert!(res.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        let html = res.text();
        for expected in ["运动馆", "耐克", "阿萨德2", "FORUM 84 LOW", "¥888.00", "/products?brandId=1"] {
            assert!(html.contains(expected), "{expected} missing");
        }
    }
}
