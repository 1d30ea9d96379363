//! The cart on the server: lines by SKU, availability shown, merged at
//! sign-in, ordered in one transaction, and one consistent cart whatever
//! two devices do at once.

use crate::api::helpers::{TestApp, TestResponse, mobile};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use futures_util::future::join_all;

use serde_json::{Value, json};

/// A buyer of a fresh app.
struct Cart {
    app: TestApp,
    token: String,
}

impl letao_db::testing::Fixture for Cart {
    async fn fixture(backend: letao_db::Backend) -> Self {
        let app = TestApp::spawn(backend).await;
        app.register("cart_buyer", "buyer-password", &mobile(601))
            .await;
        let token = app.login("cart_buyer", "buyer-password").await;
        Cart { app, token }
    }
}

impl Cart {
    async fn send(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        let mut req = TestRequest::default()
            .method(method)
            .uri(uri)
            .insert_header(("authorization", format!("Bearer {}", self.token)));
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.app.call(req).await
    }

    async fn put(&self, sku: i64, quantity: i64) -> TestResponse {
        self.send(
            Method::PUT,
            &format!("/cart/lines/{sku}"),
            Some(json!({"quantity": quantity})),
        )
        .await
    }

    async fn cart(&self) -> Value {
        let res = self.send(Method::GET, "/cart", None).await;
        assert_eq!(res.status, 200, "{}", res.text());
        res.json()["cart"].clone()
    }

    /// The id of a demo product's SKU in `size`.
    fn sku(&self, product: i32, size: &str) -> i64 {
        self.app.database.scalar_i64(&format!(
            "SELECT id FROM sku WHERE product_id = {product} AND size = '{size}'"
        ))
    }
}

fn lines(cart: &Value) -> Vec<(i64, i64, bool)> {
    cart["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["skuId"].as_i64().unwrap(),
                l["quantity"].as_i64().unwrap(),
                l["available"].as_bool().unwrap(),
            )
        })
        .collect()
}

each_backend! {
    async fn a_cart_keeps_lines_by_size_and_shows_what_cannot_be_bought(c: Cart) {
        assert_eq!(c.cart().await, json!({"lines": [], "total_fee": 0}));
        let (a, b) = (c.sku(5, "40"), c.sku(6, "42"));
        assert_eq!(c.put(a, 2).await.status, 200);
        let res = c.put(b, 1).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let cart = res.json()["cart"].clone();
        assert_eq!(lines(&cart), [(a, 2, true), (b, 1, true)]);
        assert_eq!(cart["total_fee"], 2 * 39_900 + 45_900);
        let line = &cart["lines"][0];
        assert_eq!((line["productId"].as_i64(), line["size"].as_str(), line["price"].as_f64(), line["stock"].as_i64()),
            (Some(5), Some("40"), Some(399.0), Some(80)));
        // Short of stock, or no longer on sale: shown, not counted, never dropped.
        c.app.database.execute_sql(&format!("UPDATE sku SET stock = 1 WHERE id = {a}"));
        c.app.database.execute_sql("UPDATE product SET hidden = TRUE WHERE id = 6");
        let cart = c.cart().await;
        assert_eq!(lines(&cart), [(a, 2, false), (b, 1, false)]);
        assert_eq!(cart["total_fee"], 0);
        c.app.database.execute_sql("UPDATE product SET hidden = FALSE WHERE id = 6");
        // 0 removes; bad input names its field and changes nothing.
        assert_eq!(lines(&c.put(b, 0).await.json()["cart"]), [(a, 2, false)]);
        for (sku, quantity, field) in [(a, 100, "quantity"), (a, -1, "quantity"), (999_999, 1, "skuId")] {
            let msg = c.put(sku, quantity).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{msg}");
        }
        for uri in ["/cart/lines/0", "/cart/lines/abc"] {
            c.send(Method::PUT, uri, Some(json!({"quantity": 1}))).await.assert_error(400, 1010);
        }
        c.send(Method::PUT, &format!("/cart/lines/{a}"), Some(json!({"quantity": "2"}))).await.assert_error(400, 1010);
        c.app.database.execute_sql(&format!("UPDATE sku SET active = FALSE WHERE id = {b}"));
        assert!(c.put(b, 1).await.assert_error(400, 1010).contains("skuId"), "an inactive SKU");
        assert_eq!(lines(&c.cart().await), [(a, 2, false)]);
        // No token, no cart.
        c.app.call(TestRequest::get().uri("/cart")).await.assert_error(401, 401);
        assert_eq!(c.send(Method::DELETE, "/cart", None).await.status, 200);
        assert_eq!(c.cart().await["lines"], json!([]));
    }

    async fn fifty_lines_at_most_whatever_two_devices_do_at_once(c: Cart) {
        let skus: Vec<i64> = (1..=21).flat_map(|p| ["38", "39", "40"].map(|s| c.sku(p, s))).collect();
        for sku in &skus[..45] {
            assert_eq!(c.put(*sku, 1).await.status, 200);
        }
        // Ten new lines at once from two devices: five fit.
        let outcomes = join_all(skus[45..55].iter().map(|s| c.put(*s, 1))).await;
        let added = outcomes.iter().filter(|r| r.status == 200).count();
        assert_eq!(added, 5);
        assert!(outcomes.iter().all(|r| r.status == 200 || r.assert_error(400, 1010).contains("50 lines")));
        assert_eq!(c.cart().await["lines"].as_array().unwrap().len(), 50);
        // The same line from both at once: one line, one of the quantities.
        c.send(Method::DELETE, "/cart", None).await;
        let both = join_all((1..=10).map(|q| c.put(skus[0], q))).await;
        assert!(both.iter().all(|r| r.status == 200));
        let cart = c.cart().await;
        assert_eq!(cart["lines"].as_array().unwrap().len(), 1);
        assert!((1..=10).contains(&cart["lines"][0]["quantity"].as_i64().unwrap()));
    }

    async fn the_devices_cart_is_merged_at_sign_in(c: Cart) {
        let (a, b) = (c.sku(5, "40"), c.sku(7, "41"));
        c.put(a, 90).await;
        let res = c.send(Method::POST, "/cart/merge", Some(json!({"lines": [
            {"skuId": a, "quantity": 20}, {"skuId": b, "quantity": 1}, {"skuId": 999_999, "quantity": 1}, {"skuId": b, "quantity": 500}
        ]}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let body = res.json();
        // Added up, at most 99; more than the stock (80 and 30) shows unavailable.
        assert_eq!(lines(&body["cart"]), [(a, 99, false), (b, 99, false)]);
        assert_eq!(body["skipped"], json!([999_999]));
        for (lines, field) in [(json!([{"skuId": 0, "quantity": 1}]), "lines[0].skuId"), (json!([{"skuId": a, "quantity": 0}]), "lines[0].quantity")] {
            let msg = c.send(Method::POST, "/cart/merge", Some(json!({"lines": lines}))).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{msg}");
        }
        let many: Vec<Value> = (0..101).map(|_| json!({"skuId": a, "quantity": 1})).collect();
        c.send(Method::POST, "/cart/merge", Some(json!({"lines": many}))).await.assert_error(400, 1010);
        assert_eq!(lines(&c.cart().await), [(a, 99, false), (b, 99, false)], "refused merges changed nothing");
    }

    async fn the_cart_is_ordered_in_one_transaction_that_empties_it(c: Cart) {
        let (a, b, gone) = (c.sku(5, "40"), c.sku(6, "42"), c.sku(7, "39"));
        c.put(a, 2).await;
        c.put(b, 1).await;
        c.put(gone, 1).await;
        c.app.database.execute_sql(&format!("UPDATE sku SET stock = 0 WHERE id = {gone}"));
        let res = c.send(Method::POST, "/order", Some(json!({"fromCart": true}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["data"]["total_fee"], 2 * 39_900 + 45_900, "the available lines");
        assert_eq!(lines(&c.cart().await), [(gone, 1, false)], "ordered lines left the cart; the other stays");
        let orders = c.send(Method::GET, "/orders", None).await.json();
        let sizes: Vec<(i64, &str)> = orders["orders"][0]["items"].as_array().unwrap().iter()
            .map(|l| (l["skuId"].as_i64().unwrap(), l["size"].as_str().unwrap())).collect();
        assert_eq!(sizes, [(a, "40"), (b, "42")]);
        assert_eq!(c.app.database.scalar_i64(&format!("SELECT stock FROM sku WHERE id = {a}")), 78);
        // Nothing orderable, or items too: refused, nothing stored.
        let msg = c.send(Method::POST, "/order", Some(json!({"fromCart": true}))).await.assert_error(400, 1010);
        assert!(msg.contains("fromCart"), "{msg}");
        let both = json!({"fromCart": true, "items": [{"productId": 5, "size": "40", "quantity": 1}]});
        assert!(c.send(Method::POST, "/order", Some(both)).await.assert_error(400, 1010).contains("items"));
        assert_eq!(c.app.database.scalar_i64("SELECT COUNT(*) FROM payorder"), 1);
    }

    async fn one_cart_ordered_twice_at_once_makes_one_order(c: Cart) {
        let (a, b) = (c.sku(5, "40"), c.sku(6, "42"));
        c.put(a, 2).await;
        c.put(b, 1).await;
        let tries = join_all((0..12).map(|_| c.send(Method::POST, "/order", Some(json!({"fromCart": true}))))).await;
        let placed = tries.iter().filter(|r| r.status == 200).count();
        assert_eq!(placed, 1, "{:?}", tries.iter().map(|r| (r.status, r.text())).collect::<Vec<_>>());
        for refused in tries.iter().filter(|r| r.status != 200) {
            // Read after the order emptied the cart (400), or before (409).
            assert!(refused.status == 400 || refused.status == 409, "{} {}", refused.status, refused.text());
        }
        assert_eq!(c.app.database.scalar_i64("SELECT COUNT(*) FROM payorder"), 1);
        assert_eq!(c.app.database.scalar_i64(&format!("SELECT stock FROM sku WHERE id = {a}")), 78, "taken once");
        assert!(lines(&c.cart().await).is_empty());
    }
}
