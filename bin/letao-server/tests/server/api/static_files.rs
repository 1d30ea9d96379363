//! Static files and the home page.

use crate::api::helpers::TestApp;
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

    async fn the_storefront_and_the_console_are_pages_that_load_nothing_from_elsewhere(app: TestApp) {
        for (uri, script) in [("/", "/shop/app.js"), ("/admin", "/console/app.js"), ("/Admin/", "/console/app.js")] {
            let res = app.get(uri).await;
            assert_eq!(res.status, 200, "{uri}");
            assert!(res.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{uri}");
            assert_eq!(res.header("cache-control"), Some("no-cache"), "pages are revalidated");
            let html = res.text();
            assert!(html.contains(script), "{uri} loads {script}");
            assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"), "{uri}");
            let module = app.get(script).await;
            assert_eq!(module.status, 200, "{script}");
            assert_eq!(module.header("cache-control"), Some("no-cache"));
            assert!(module.header("etag").is_some());
        }
        // Images keep a day's cache.
        let image = app.get("/images/banner1.png").await;
        assert_eq!(image.header("cache-control"), Some("public, max-age=86400"));
    }
}
