//! Product listing and detail.

use crate::api::helpers::TestApp;
use serde_json::Value;

fn product_ids(body: &Value) -> Vec<i64> {
    body["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect()
}

each_backend! {
    async fn products_of_a_brand_come_in_pages(app: TestApp) {
        let first = app.get("/products?brandId=1&page=1&pageSize=2").await.json();
        assert_eq!(first["status"], 200);
        assert_eq!(first["total"], 3);
        assert_eq!(first["page"], 1);
        assert_eq!(first["pageSize"], 2);
        assert_eq!(product_ids(&first), vec![3, 5]);
        let second = app.get("/products?brandId=1&page=2&pageSize=2").await.json();
        assert_eq!(product_ids(&second), vec![6]);
        let beyond = app.get("/products?brandId=1&page=3&pageSize=2").await.json();
        assert_eq!(product_ids(&beyond), Vec::<i64>::new());
        assert_eq!(beyond["total"], 3);
        for p in first["products"].as_array().expect("list") {
            assert_eq!(p["brandId"], 1);
        }
    }

    async fn products_without_a_brand_lists_all_with_default_page_size(app: TestApp) {
        let body = app.get("/products").await.json();
        assert_eq!(body["total"], 21);
        assert_eq!(body["pageSize"], 20);
        assert_eq!(product_ids(&body), (1..=20).collect::<Vec<_>>());
        let empty_brand = app.get("/products?brandId=").await.json();
        assert_eq!(empty_brand["total"], 21);
    }

    async fn page_size_is_capped_at_one_hundred(app: TestApp) {
        for size in ["100000", "101", "4294967296", "99999999999999999999"] {
            let body = app.get(&format!("/products?pageSize={size}")).await.json();
            assert_eq!(body["pageSize"], 100, "{size}");
            assert_eq!(product_ids(&body).len(), 21);
        }
    }

    async fn a_page_beyond_the_end_is_empty(app: TestApp) {
        let body = app.get("/products?page=100&pageSize=100").await.json();
        assert_eq!(body["status"], 200);
        assert_eq!(product_ids(&body), Vec::<i64>::new());
    }

    async fn a_page_deeper_than_ten_thousand_rows_is_refused_and_points_to_after(app: TestApp) {
        for path in [
            "/products?page=101&pageSize=100",
            "/products?page=501",
            "/products?brandId=1&page=4294967295&pageSize=100",
        ] {
            let msg = app.get(path).await.assert_error(400, 1010);
            assert!(msg.starts_with("invalid page:") && msg.contains("`after`"), "{path}: {msg}");
        }
        let owner = app.user_with("deep_owner", 1, Some(letao_domain::Role::Admin)).await;
        for path in ["/admin/orders?page=10001&pageSize=1", "/admin/audit?page=201&pageSize=50", "/admin/products?page=101&pageSize=100"] {
            let msg = app.send("GET", path, &owner, None).await.assert_error(400, 1010);
            assert!(msg.starts_with("invalid page:"), "{path}: {msg}");
        }
        // The deepest numbered page, and any depth by cursor, are served.
        for path in ["/products?page=500", "/products?page=100&pageSize=100", "/products?after=9999999&page=999999"] {
            let res = app.get(path).await;
            assert_eq!(res.status, 200, "{path}");
        }
    }

    async fn unknown_brand_has_no_products(app: TestApp) {
        let body = app.get("/products?brandId=999").await.json();
        assert_eq!(body["total"], 0);
        assert_eq!(product_ids(&body), Vec::<i64>::new());
    }

    async fn bad_paging_input_names_the_field(app: TestApp) {
        for (uri, field) in [
            ("/products?page=0", "page"),
            ("/products?page=-1", "page"),
            ("/products?page=abc", "page"),
            ("/products?page=1.5", "page"),
            ("/products?pageSize=0", "pageSize"),
            ("/products?pageSize=ten", "pageSize"),
            ("/products?brandId=abc", "brandId"),
            ("/products?brandId=-1", "brandId"),
            ("/products?brandId=99999999999999999999", "brandId"),
        ] {
            let msg = app.get(uri).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{uri}: {msg}");
        }
    }

    async fn unknown_query_keys_are_ignored(app: TestApp) {
        let plain = app.get("/products?brandId=2").await.json();
        let noisy = app.get("/products?brandId=2&_=1700000000&foo=bar&sort=").await.json();
        assert_eq!(plain, noisy);
        let two = app.get("/twoCategory?id=1&callback=x").await.json();
        assert_eq!(two["twoCategoryList"].as_array().map(Vec::len), Some(5));
    }

    async fn product_detail_has_price_sizes_and_stock(app: TestApp) {
        let res = app.get("/products/7").await;
        assert_eq!(res.status, 200);
        let body = res.json();
        let p = &body["product"];
        assert_eq!(p["id"], 7);
        assert_eq!(p["brandId"], 2);
        assert_eq!(p["name"], "adidas Ultraboost Light 跑鞋");
        assert_eq!(p["stock"], 7 * 30, "every size's");
        assert_eq!(p["sizes"][0], "38");
        let skus = p["skus"].as_array().unwrap();
        assert_eq!(skus.len(), 7);
        assert_eq!((skus[2]["size"].as_str(), skus[2]["code"].as_str(), skus[2]["stock"].as_i64(), skus[2]["colour"].is_null()),
            (Some("40"), Some("P7-40"), Some(30), true));
        assert!(res.text().contains(r#""price":999.00,"stock":30}"#), "a SKU costs the product's price: {}", res.text());
        // Lists keep the original's shape: no SKUs.
        let list = app.get("/products?brandId=2").await.json();
        assert!(list["products"][0].get("skus").is_none());
        assert!(res.text().contains(r#""price":999.00,"oldPrice":1399.00"#), "{}", res.text());
    }

    async fn unknown_or_malformed_product_ids(app: TestApp) {
        app.get("/products/99999").await.assert_error(404, 404);
        for uri in ["/products/abc", "/products/0", "/products/-3", "/products/1e2",
                    "/products/99999999999999999999"] {
            let msg = app.get(uri).await.assert_error(400, 1010);
            assert!(msg.contains("id"), "{uri}: {msg}");
        }
    }
}
