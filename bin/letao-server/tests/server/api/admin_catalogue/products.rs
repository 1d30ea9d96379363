//! `/admin/products`: exact prices, every field checked, partial updates,
//! stock by delta (also under concurrent orders), hiding.

use super::Admin;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use serde_json::{Value, json};

fn shoe() -> Value {
    json!({"brandId": 2, "name": "新跑鞋", "img": "/images/product1.svg", "price": "19.99",
           "oldPrice": 29.9, "sizes": ["39", "40", "41.5"], "stock": 10, "featured": true})
}

fn with(field: &str, value: Value) -> Value {
    let mut body = shoe();
    body[field] = value;
    body
}

impl Admin {
    /// `POST /admin/products` with a body written as text (JSON numbers
    /// exactly as a client typed them).
    async fn post_raw(&self, body: String) -> crate::api::helpers::TestResponse {
        self.app
            .call(
                TestRequest::post()
                    .uri("/admin/products")
                    .insert_header(("authorization", format!("Bearer {}", self.token)))
                    .insert_header(("content-type", "application/json"))
                    .set_payload(body),
            )
            .await
    }

    /// An order of one unit of `product` by the shopper: its HTTP status.
    async fn buy(&self, product: i64) -> u16 {
        let items = json!({"items": [{"productId": product, "size": "40", "quantity": 1}]});
        self.send(Method::POST, "/order", Some(&self.shopper), Some(items))
            .await
            .status
            .as_u16()
    }

    /// The id of `product`'s SKU in `size`.
    async fn sku(&self, product: i64, size: &str) -> i64 {
        let p = self
            .ok(Method::GET, &format!("/admin/products/{product}"), None)
            .await;
        let skus = p["product"]["skus"].as_array().unwrap().clone();
        skus.iter().find(|s| s["size"] == size).expect("the size")["id"]
            .as_i64()
            .unwrap()
    }

    /// `POST /admin/skus/{sku}/stock {delta, reason}`.
    async fn sku_delta(&self, sku: i64, delta: i64) -> crate::api::helpers::TestResponse {
        let body = json!({"delta": delta, "reason": "盘点"});
        self.send(
            Method::POST,
            &format!("/admin/skus/{sku}/stock"),
            Some(&self.token),
            Some(body),
        )
        .await
    }

    fn stock(&self, product: i64) -> i64 {
        // The pool of a pooled product, else its size 40.
        self.count(&format!("SELECT CASE WHEN p.sku_pool THEN p.stock ELSE (SELECT s.stock FROM sku s WHERE s.product_id = p.id AND s.size = '40') END FROM product p WHERE p.id = {product}"))
    }
}

each_backend! {
    async fn products_are_created_with_exact_prices_in_the_public_shape(a: Admin) {
        let res = a.post_raw(shoe().to_string()).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert!(res.text().contains(r#""price":19.99,"oldPrice":29.90"#), "{}", res.text());
        let mut product = res.json()["product"].clone();
        // Sizes and stock make one pool of SKUs (docs/stock.md).
        let skus = product.as_object_mut().unwrap().remove("skus").unwrap();
        let skus: Vec<(String, String, i64, bool)> = skus.as_array().unwrap().iter()
            .map(|s| (s["size"].as_str().unwrap().to_owned(), s["code"].as_str().unwrap().to_owned(), s["stock"].as_i64().unwrap(), s["active"].as_bool().unwrap()))
            .collect();
        assert_eq!(skus, [("39", "P22-39", 10, true), ("40", "P22-40", 10, true), ("41.5", "P22-41.5", 10, true)]
            .map(|(s, c, n, a)| (s.to_owned(), c.to_owned(), n, a)));
        assert_eq!(product, json!({"id": 22, "brandId": 2, "name": "新跑鞋", "img": "/images/product1.svg", "price": 19.99,
            "oldPrice": 29.9, "sizes": ["39", "40", "41.5"], "stock": 10, "featured": true, "hidden": false, "sort": 0, "pooled": true, "keywords": []}));
        assert_eq!(a.count("SELECT price_fen FROM product WHERE id = 22"), 1999);
        assert_eq!(a.count("SELECT old_price_fen FROM product WHERE id = 22"), 2990);
        // A number and a string are the same exact amount.
        let as_number = a.post_raw(shoe().to_string().replace(r#""19.99""#, "19.99")).await;
        assert_eq!(as_number.json()["product"]["id"], 23);
        assert_eq!(a.count("SELECT price_fen FROM product WHERE id = 23"), 1999);
        // The public product page has the same fields (without the owner's).
        let mut public = a.app.get("/products/22").await.json()["product"].clone();
        let public_skus = public.as_object_mut().unwrap().remove("skus").unwrap();
        assert_eq!(public_skus[0]["price"], 19.99, "a SKU without a price of its own costs the product's");
        assert_eq!(public_skus.as_array().unwrap().len(), 3);
        let mut expected = product.clone();
        for owner_only in ["featured", "hidden", "sort", "pooled", "keywords"] {
            expected.as_object_mut().unwrap().remove(owner_only);
        }
        assert_eq!(public, expected);
        let sports: Vec<i64> = a.app.get("/sports").await.json()["sports"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(sports, [22, 23, 1, 2, 3, 4], "featured at once, by sort then id");
        let with_sort = a.ok(Method::POST, "/admin/products", Some(with("sort", json!(99)))).await;
        assert_eq!(with_sort["product"]["sort"], 99);
        let entry = &a.audit().await[0];
        assert_eq!((entry["action"].as_str(), entry["target"].as_str()), (Some("product.create"), Some("product 24")));
        assert_eq!(entry["detail"]["after"]["price"], "19.99");
    }

    async fn every_bad_product_field_is_refused_by_name(a: Admin) {
        for (raw, field) in [
            ("0.30000000000000004", "price"), ("19.999", "price"), ("-1", "price"), ("1e3", "price"),
            ("\"abc\"", "price"), ("\"\"", "price"), ("null", "price"), ("true", "price"), ("\"-0.5\"", "price"),
        ] {
            let res = a.post_raw(shoe().to_string().replace(r#""19.99""#, raw)).await;
            let msg = res.assert_error(400, 1010);
            assert!(msg.contains(field), "{raw}: {msg}");
        }
        let msg = a.post_raw(shoe().to_string().replace(r#""19.99""#, "0.30000000000000004")).await.assert_error(400, 1010);
        assert!(msg.contains("2 decimals"), "{msg}");
        let cases = [
            ("oldPrice", json!(-0.01)), ("oldPrice", json!("1.005")),
            ("brandId", json!(0)), ("brandId", json!("2")), ("brandId", json!(999)),
            ("name", json!("")), ("name", json!("鞋".repeat(101))), ("name", json!("a\nb")),
            ("img", json!("ftp://example.com/x.png")), ("img", json!("/static/x.png")), ("img", json!("http://")),
            ("img", json!("/media/../x.png")), ("img", json!("/images/Big.png")), ("img", json!(format!("https://a.cn/{}", "x".repeat(250)))),
            ("sizes", json!([])), ("sizes", json!((0..21).map(|n| n.to_string()).collect::<Vec<_>>())),
            ("sizes", json!(["123456789"])), ("sizes", json!(["40", "40"])), ("sizes", json!(["4,0"])),
            ("sizes", json!([""])), ("sizes", json!("40")), ("sizes", json!([40])),
            ("stock", json!(-1)), ("stock", json!(1_000_001)), ("stock", json!(1.5)), ("stock", json!("5")),
            ("sort", json!(1.5)), ("sort", json!(2_000_000)), ("featured", json!("yes")),
            ("stockDelta", json!(1)), ("hidden", json!(true)),
        ];
        for (field, value) in cases {
            a.refused(Method::POST, "/admin/products", with(field, value), field).await;
        }
        let mut missing = shoe();
        missing.as_object_mut().unwrap().remove("price");
        a.refused(Method::POST, "/admin/products", missing, "price").await;
        assert_eq!(a.count("SELECT COUNT(*) FROM product"), 21);
        assert_eq!(a.count("SELECT COUNT(*) FROM audit_log"), 2, "the grants only");
    }

    async fn updates_change_only_the_fields_named(a: Admin) {
        let before = a.ok(Method::GET, "/admin/products?pageSize=1", None).await["products"][0].clone();
        let after = a.ok(Method::PUT, "/admin/products/1", Some(json!({"price": "0.5"}))).await["product"].clone();
        assert_eq!(after["price"], 0.5);
        let mut expected = before.clone();
        expected["price"] = json!(0.5);
        assert_eq!(after, expected);
        let body = json!({"name": "改名", "img": "/media/abc.png", "oldPrice": 1000, "sizes": ["36"], "featured": false, "sort": -3, "brandId": 5});
        let mut p = a.ok(Method::PUT, "/admin/products/1", Some(body)).await["product"].clone();
        // The sizes left out leave the shop; the new one has no stock yet.
        let skus = p.as_object_mut().unwrap().remove("skus").unwrap();
        assert_eq!((skus.as_array().unwrap().len(), skus[0]["size"].clone(), skus[0]["stock"].clone()), (1, json!("36"), json!(0)));
        assert_eq!(p, json!({"id": 1, "brandId": 5, "name": "改名", "img": "/media/abc.png", "price": 0.5, "oldPrice": 1000.0,
            "sizes": [], "stock": 0, "featured": false, "hidden": false, "sort": -3, "pooled": false, "keywords": []}));
        assert_eq!(a.app.get("/products/1").await.json()["product"]["name"], "改名");
        a.refused(Method::PUT, "/admin/products/1", json!({}), "body").await;
        a.refused(Method::PUT, "/admin/products/1", json!({"brandId": 999}), "brandId").await;
        for (field, value) in [("stockDelta", json!("5")), ("stockDelta", json!(1.5)), ("stockDelta", json!(2_000_000)),
                               ("stock", json!(5)), ("price", json!(0.001)), ("name", json!("")), ("sizes", json!([]))] {
            a.refused(Method::PUT, "/admin/products/1", json!({ field: value }), field).await;
        }
        a.refused(Method::PUT, "/admin/products/x1", json!({"stockDelta": 1}), "id").await;
        a.send(Method::PUT, "/admin/products/999", Some(&a.token), Some(json!({"stockDelta": 1}))).await.assert_error(404, 404);
        a.send(Method::DELETE, "/admin/products/999", Some(&a.token), None).await.assert_error(404, 404);
        let log = a.audit().await;
        assert_eq!(log.len(), 4);
        assert_eq!(log[0]["detail"]["before"]["brandId"], 2);
        assert_eq!(log[0]["detail"]["after"]["brandId"], 5);
    }

    async fn stock_changes_are_deltas_that_never_go_below_zero(a: Admin) {
        // Product 12 is sold per size: its stock is changed size by size.
        let res = a.send(Method::PUT, "/admin/products/12", Some(&a.token), Some(json!({"stockDelta": 5, "name": "改名"}))).await;
        assert!(res.assert_error(409, 409).contains("/admin/skus/"));
        assert_eq!(a.app.get("/products/12").await.json()["product"]["name"], "Columbia 轻量溯溪鞋", "nothing changed");
        let sku = a.sku(12, "40").await;
        let msg = a.sku_delta(sku, -31).await.assert_error(409, 409);
        assert!(msg.contains("30"), "{msg}");
        assert_eq!(a.stock(12), 30);
        assert_eq!(a.count("SELECT COUNT(*) FROM audit_log"), 2);
        let res = a.sku_delta(sku, 5).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let p = res.json();
        assert_eq!(p["product"]["stock"], 7 * 30 + 5);
        let entry = &a.audit().await[0];
        assert_eq!((entry["action"].as_str(), entry["target"].as_str()), (Some("sku.stock"), Some(format!("sku {sku}").as_str())));
        assert_eq!(entry["detail"], json!({"skuId": sku, "delta": 5, "reason": "盘点", "before": 30, "after": 35, "poolEnded": false}));
        assert_eq!(a.sku_delta(sku, -35).await.status, 200);
        assert_eq!(a.stock(12), 0);
        a.sku_delta(sku, -1).await.assert_error(409, 409);
        for (body, field) in [(json!({"delta": 0, "reason": "x"}), "delta"), (json!({"delta": 1, "reason": " "}), "reason"),
                              (json!({"delta": 2_000_000, "reason": "x"}), "delta"), (json!({"delta": 1}), "reason")] {
            a.refused(Method::POST, &format!("/admin/skus/{sku}/stock"), body, field).await;
        }
        a.sku_delta(999_999, 1).await.assert_error(404, 404);
    }

    async fn concurrent_stock_deltas_and_orders_leave_the_arithmetic_result(a: Admin) {
        // 24 deltas (+2, -1, ...) and 8 orders at once; never near zero.
        let deltas: Vec<i64> = (0..24).map(|n| if n % 2 == 0 { 2 } else { -1 }).collect();
        let sku13 = a.sku(13, "40").await;
        let updates = join_all(deltas.iter().map(|d| a.sku_delta(sku13, *d)));
        let orders = join_all((0..8).map(|_| a.buy(13)));
        let (updates, orders) = futures_util::future::join(updates, orders).await;
        assert!(updates.iter().all(|r| r.status == 200), "{:?}", updates.iter().map(|r| r.text()).collect::<Vec<_>>());
        assert!(orders.iter().all(|s| *s == 200), "{orders:?}");
        assert_eq!(a.stock(13), 70 + 12 * 2 - 12 - 8);
        // Down to six, then 20 removals and 5 orders race for them.
        let sku14 = a.sku(14, "40").await;
        assert_eq!(a.sku_delta(sku14, -64).await.status, 200);
        let updates = join_all((0..20).map(|_| a.sku_delta(sku14, -1)));
        let orders = join_all((0..5).map(|_| a.buy(14)));
        let (updates, orders) = futures_util::future::join(updates, orders).await;
        let removed = updates.iter().filter(|r| r.status == 200).count();
        let sold = orders.iter().filter(|s| **s == 200).count();
        assert_eq!(removed + sold, 6);
        assert!(updates.iter().all(|r| r.status == 200 || r.status == 409));
        assert!(orders.iter().all(|s| *s == 200 || *s == 409), "{orders:?}");
        assert_eq!(a.stock(14), 0);
        let stock_entries = a.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sku.stock'");
        assert_eq!(stock_entries, 24 + 1 + removed as i64, "one entry per applied delta, none for refusals");
    }

    async fn hidden_products_leave_the_shop_but_stay_in_old_orders(a: Admin) {
        assert_eq!(a.buy(1).await, 200);
        let res = a.ok(Method::DELETE, "/admin/products/1", None).await;
        assert!(res["msg"].is_string());
        a.app.get("/products/1").await.assert_error(404, 404);
        let list = a.app.get("/products?pageSize=100").await.json();
        assert_eq!(list["total"], 20);
        assert!(list["products"].as_array().unwrap().iter().all(|p| p["id"] != 1));
        let sports: Vec<i64> = a.app.get("/sports").await.json()["sports"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(sports, [2, 3, 4]);
        let refused = a.send(Method::POST, "/order", Some(&a.shopper), Some(json!({"items": [{"productId": 1, "size": "40", "quantity": 1}]}))).await;
        assert!(refused.assert_error(400, 1010).contains("items"));
        let orders = a.send(Method::GET, "/orders", Some(&a.shopper), None).await.json();
        assert_eq!(orders["orders"][0]["items"][0]["productId"], 1, "the old order keeps its line");
        let hidden = a.ok(Method::GET, "/admin/products?hidden=true", None).await;
        assert_eq!((hidden["total"].clone(), hidden["products"][0]["id"].clone(), hidden["products"][0]["hidden"].clone()), (json!(1), json!(1), json!(true)));
        let entries = a.audit().await.len();
        a.ok(Method::DELETE, "/admin/products/1", None).await;
        assert_eq!(a.audit().await.len(), entries, "hiding twice logs nothing");
        a.ok(Method::PUT, "/admin/products/1", Some(json!({"hidden": false}))).await;
        assert_eq!(a.app.get("/products/1").await.status, 200);
        assert_eq!(a.buy(1).await, 200);
    }

    async fn the_owners_list_pages_by_id_with_filters(a: Admin) {
        let first = a.ok(Method::GET, "/admin/products?pageSize=10", None).await;
        assert_eq!((first["total"].clone(), first["next"].clone(), first["page"].clone(), first["pageSize"].clone()), (json!(21), json!("10"), json!(1), json!(10)));
        let mut one = first["products"][0].clone();
        let skus = one.as_object_mut().unwrap().remove("skus").unwrap();
        assert_eq!(skus.as_array().unwrap().len(), 7, "every size");
        assert_eq!(one, json!({"id": 1, "brandId": 2, "name": "adidas阿迪达斯 男式 场下休闲篮球鞋S83700",
            "img": "/images/product1.svg", "price": 1.0, "oldPrice": 888.0, "sizes": ["38", "39", "40", "41", "42", "43", "44"],
            "stock": 7 * 50, "featured": true, "hidden": false, "sort": 1, "pooled": false, "keywords": []}));
        let second = a.ok(Method::GET, "/admin/products?pageSize=10&after=10", None).await;
        let ids: Vec<i64> = second["products"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, (11..=20).collect::<Vec<_>>());
        let last = a.ok(Method::GET, "/admin/products?pageSize=10&after=20", None).await;
        assert_eq!((last["products"].as_array().unwrap().len(), last["next"].clone()), (1, Value::Null));
        let brand = a.ok(Method::GET, "/admin/products?brandId=4", None).await;
        assert_eq!(brand["total"], 3);
        assert_eq!(a.ok(Method::GET, "/admin/products?hidden=false", None).await["total"], 21);
        assert_eq!(a.ok(Method::GET, "/admin/products?page=3&pageSize=10", None).await["products"][0]["id"], 21);
        for (q, field) in [("hidden=maybe", "hidden"), ("brandId=x", "brandId"), ("after=-1", "after"), ("page=0", "page")] {
            a.send(Method::GET, &format!("/admin/products?{q}"), Some(&a.token), None).await.assert_error(400, 1010).contains(field).then_some(()).expect(field);
        }
    }
}

each_backend! {
    async fn orders_name_their_size_and_every_reply_shows_it(a: Admin) {
        let order = |items: Value| a.send(Method::POST, "/order", Some(&a.shopper), Some(json!({"items": items})));
        let sku40 = a.sku(5, "40").await;
        let other = a.sku(6, "40").await;
        // By id, or by size; the reply's lines and the lists carry the size.
        let res = order(json!([{"productId": 5, "skuId": sku40, "quantity": 2}])).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(order(json!([{"productId": 5, "size": "42", "quantity": 1}])).await.status, 200);
        let mine = a.send(Method::GET, "/orders", Some(&a.shopper), None).await.json();
        let line = &mine["orders"][1]["items"][0];
        assert_eq!((line["skuId"].as_i64(), line["size"].as_str(), line["code"].as_str(), line["quantity"].as_i64()),
            (Some(sku40), Some("40"), Some("P5-40"), Some(2)));
        assert_eq!((line["price"].as_f64(), line["img"].as_str(), line["colour"].is_null()), (Some(399.0), Some("/images/product5.svg"), true));
        assert_eq!(mine["orders"][0]["items"][0]["size"], "42");
        let no = mine["orders"][0]["out_trade_no"].as_str().unwrap().to_owned();
        let owner = a.ok(Method::GET, &format!("/admin/orders/{no}"), None).await;
        assert_eq!(owner["order"]["items"][0]["size"], "42", "the owner's detail: {owner}");
        // Lines that name no SKU the product is sold in: 400 naming the field.
        for (items, field) in [
            (json!([{"productId": 5, "quantity": 1}]), "items[0].size"),
            (json!([{"productId": 5, "skuId": other, "quantity": 1}]), "items[0].skuId"),
            (json!([{"productId": 5, "skuId": 0, "quantity": 1}]), "items[0].skuId"),
            (json!([{"productId": 5, "size": "47", "quantity": 1}]), "items[0].size"),
            (json!([{"productId": 5, "size": " ", "quantity": 1}]), "items[0].size"),
            (json!([{"productId": 5, "size": "40", "colour": "x".repeat(33), "quantity": 1}]), "items[0].colour"),
            (json!([{"productId": 5, "size": "40", "quantity": 1}, {"productId": 5, "skuId": sku40, "quantity": 1}]), "items[1].skuId"),
        ] {
            let msg = order(items.clone()).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{items}: {msg}");
        }
        // Short stock names the SKU.
        a.sku_delta(sku40, -(a.stock(5))).await;
        let msg = order(json!([{"productId": 5, "size": "40", "quantity": 1}])).await.assert_error(409, 1061);
        assert!(msg.contains(&format!("skuId {sku40}")), "{msg}");
        assert_eq!(a.count("SELECT COUNT(*) FROM payorder"), 2, "nothing stored");
    }

    async fn the_owner_sets_a_size_grid_and_sees_what_runs_low(a: Admin) {
        let id = a.ok(Method::POST, "/admin/products", Some(with("sizes", json!(["40", "41"])))).await["product"]["id"].as_i64().unwrap();
        let uri = format!("/admin/products/{id}/skus");
        let grid = json!({"skus": [{"size": "40", "stock": 3, "code": "RUN-40"}, {"size": "41", "stock": 0, "price": "25.00"},
                                   {"size": "42", "colour": "黑", "stock": 9}]});
        let p = a.ok(Method::PUT, &uri, Some(grid)).await["product"].clone();
        assert_eq!((p["pooled"].clone(), p["stock"].clone(), p["sizes"].clone()), (json!(false), json!(12), json!(["40", "42"])));
        let skus: Vec<(String, i64, Value)> = p["skus"].as_array().unwrap().iter()
            .map(|s| (s["code"].as_str().unwrap().to_owned(), s["stock"].as_i64().unwrap(), s["price"].clone())).collect();
        assert_eq!(skus[0], ("RUN-40".to_owned(), 3, Value::Null));
        assert_eq!((skus[1].1, skus[1].2.clone()), (0, json!("25.00")));
        let public = a.app.get(&format!("/products/{id}")).await.json();
        assert_eq!(public["product"]["skus"][1]["price"], 25.0, "its own price");
        assert_eq!(public["product"]["skus"][2]["colour"], "黑");
        let detail = a.ok(Method::GET, &format!("/admin/products/{id}"), None).await;
        assert_eq!(detail["product"]["skus"].as_array().unwrap().len(), 3);
        assert_eq!(a.audit().await[0]["action"], "product.skus");
        // Bad grids are refused by field; nothing changes.
        for (body, field) in [
            (json!({"skus": []}), "skus"), (json!({"skus": [{"size": "", "stock": 1}]}), "skus[0].size"),
            (json!({"skus": [{"size": "40", "stock": -1}]}), "skus[0].stock"),
            (json!({"skus": [{"size": "40", "stock": 1}, {"size": "40", "stock": 2}]}), "skus[1].size"),
            (json!({"skus": [{"size": "40", "stock": 1, "price": "0"}]}), "skus[0].price"),
            (json!({"skus": [{"size": "4,0", "stock": 1}]}), "skus[0].size"),
            (json!({"skus": [{"id": 0, "size": "40", "stock": 1}]}), "skus[0].id"),
            (json!({"skus": [{"id": a.sku(1, "40").await, "size": "40", "stock": 1}]}), "skus[0].id"),
        ] {
            a.refused(Method::PUT, &uri, body, field).await;
        }
        let taken = json!({"skus": [{"size": "40", "stock": 1, "code": "P1-40"}]});
        a.send(Method::PUT, &uri, Some(&a.token), Some(taken)).await.assert_error(409, 409);
        a.send(Method::PUT, &uri, Some(&a.shopper), Some(json!({"skus": [{"size": "40", "stock": 1}]}))).await.assert_error(403, 403);
        // The low-stock list: size 41 has none, 40 has 3.
        let low = a.ok(Method::GET, "/admin/stock/low?threshold=3", None).await;
        let mine: Vec<(String, i64)> = low["skus"].as_array().unwrap().iter().filter(|s| s["productId"] == id)
            .map(|s| (s["size"].as_str().unwrap().to_owned(), s["stock"].as_i64().unwrap())).collect();
        assert_eq!(mine, [("40".to_owned(), 3), ("41".to_owned(), 0)]);
        let page = a.ok(Method::GET, "/admin/stock/low?threshold=3&pageSize=1", None).await;
        assert_eq!(page["skus"].as_array().unwrap().len(), 1);
        assert!(page["next"].is_string());
        for q in ["threshold=-1", "threshold=x", "threshold=1000001", "after=abc", "pageSize=0"] {
            let msg = a.send(Method::GET, &format!("/admin/stock/low?{q}"), Some(&a.token), None).await.assert_error(400, 1010);
            assert!(msg.contains(q.split('=').next().unwrap()), "{q}: {msg}");
        }
        a.send(Method::GET, "/admin/stock/low", Some(&a.shopper), None).await.assert_error(403, 403);
        // A product made with SKUs is not pooled.
        let body = json!({"brandId": 2, "name": "网面跑鞋", "img": "/images/product1.svg", "price": "199.00", "oldPrice": "299.00",
                          "skus": [{"size": "39", "stock": 2}, {"size": "40", "stock": 5}]});
        let made = a.ok(Method::POST, "/admin/products", Some(body)).await["product"].clone();
        assert_eq!((made["pooled"].clone(), made["stock"].clone()), (json!(false), json!(7)));
    }
}
