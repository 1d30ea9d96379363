//! Error replies: shapes, codes and bad input.

use crate::api::helpers::TestApp;
use actix_web::test::TestRequest;

each_backend! {
    async fn two_category_rejects_a_missing_or_bad_id(app: TestApp) {
        for uri in [
            "/twoCategory",
            "/twoCategory?id=",
            "/twoCategory?id=abc",
            "/twoCategory?id=-1",
            "/twoCategory?id=0",
            "/twoCategory?id=1.0",
            "/twoCategory?id=99999999999999999999",
            "/twoCategory?id=%00",
            "/twoCategory?id=1%27%20OR%201=1",
        ] {
            let msg = app.get(uri).await.assert_error(400, 1010);
            assert!(msg.contains("id"), "{uri}: {msg}");
        }
    }

    async fn unknown_routes_get_a_json_404(app: TestApp) {
        for uri in ["/nope", "/gridlist/extra", "/products/1/x", "/%2e%2e/etc/passwd"] {
            app.get(uri).await.assert_error(404, 404);
        }
        let post = app.call(TestRequest::post().uri("/nope")).await;
        post.assert_error(404, 404);
    }

    async fn a_wrong_method_gets_a_json_405(app: TestApp) {
        for uri in ["/gridlist", "/oneCategory", "/products", "/products/1", "/health"] {
            let res = app.call(TestRequest::post().uri(uri)).await;
            res.assert_error(405, 405);
            assert_eq!(res.header("allow"), Some("GET, HEAD"));
            app.call(TestRequest::delete().uri(uri)).await.assert_error(405, 405);
        }
    }

    async fn head_requests_are_answered(app: TestApp) {
        // The body itself is dropped by the HTTP layer (see the server's tests).
        let head = TestRequest::default().method(actix_web::http::Method::HEAD);
        let res = app.call(head.uri("/gridlist")).await;
        assert_eq!(res.status, 200);
    }

    async fn every_reply_carries_a_request_id(app: TestApp) {
        let res = app.get("/oneCategory").await;
        let id = res.header("x-request-id").expect("request id").to_owned();
        assert!(!id.is_empty());
        assert_ne!(app.get("/oneCategory").await.header("x-request-id"), Some(id.as_str()));
        let kept = app.call(TestRequest::get().uri("/health").insert_header(("x-request-id", "lb-123"))).await;
        assert_eq!(kept.header("x-request-id"), Some("lb-123"));
        let forged = app
            .call(TestRequest::get().uri("/health").insert_header(("x-request-id", "a b\tc")))
            .await;
        assert_ne!(forged.header("x-request-id"), Some("a b\tc"));
    }
}
