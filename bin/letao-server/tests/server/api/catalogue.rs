//! Home page lists and the two-level catalogue.

use crate::api::helpers::TestApp;
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v["id"].as_i64().expect("an id"))
        .collect()
}

each_backend! {
    async fn gridlist_has_the_six_icons_in_order(app: TestApp) {
        let res = app.get("/gridlist").await;
        assert_eq!(res.status, 200);
        let body = res.json();
        assert_eq!(body["status"], 200);
        assert_eq!(ids(&body["gridList"]), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(body["gridList"][0], json!({"id": 1, "img_src": "/images/nav1.png"}));
    }

    async fn banners_have_the_five_images_in_order(app: TestApp) {
        let body = app.get("/banners").await.json();
        assert_eq!(body["status"], 200);
        assert_eq!(ids(&body["swipeList"]), vec![1, 2, 3, 4, 5]);
        assert_eq!(body["swipeList"][4]["img_src"], "/images/banner5.png");
    }

    async fn sports_lists_featured_products_with_prices_in_yuan(app: TestApp) {
        let res = app.get("/sports").await;
        let body = res.json();
        let sports = body["sports"].as_array().expect("sports");
        assert_eq!(sports.len(), 4);
        for p in sports {
            for key in ["id", "name", "img", "price", "oldPrice"] {
                assert!(p.get(key).is_some(), "{key} missing in {p}");
            }
        }
        assert_eq!(sports[0]["name"], "adidas阿迪达斯 男式 场下休闲篮球鞋S83700");
        // Yuan with two decimals, exactly as the original's clients expect.
        let text = res.text();
        assert!(text.contains(r#""price":1.00,"oldPrice":888.00"#), "{text}");
        assert!(text.contains(r#""oldPrice":899.00"#), "{text}");
    }

    async fn one_category_lists_the_original_categories(app: TestApp) {
        let body = app.get("/oneCategory").await.json();
        assert_eq!(body["status"], 200);
        let list = &body["oneCategoryList"];
        assert_eq!(ids(list), vec![1, 2, 3, 4, 5]);
        assert_eq!(list[0], json!({"id": 1, "categoryName": "运动馆"}));
    }

    async fn two_category_lists_the_brands_of_that_category(app: TestApp) {
        let body = app.get("/twoCategory?id=1").await.json();
        assert_eq!(body["status"], 200);
        let list = &body["twoCategoryList"];
        assert_eq!(ids(list), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            list[0],
            json!({"id": 1, "brandName": "耐克", "categoryId": 1,
                   "brandLogo": "/images/brand1.png", "hot": 1})
        );
        assert_eq!(list[3]["hot"], 0);
        let second = app.get("/twoCategory?id=2").await.json();
        assert_eq!(ids(&second["twoCategoryList"]), vec![6, 7]);
        assert!(
            second["twoCategoryList"]
                .as_array()
                .expect("list")
                .iter()
                .all(|b| b["categoryId"] == 2)
        );
    }

    async fn two_category_of_an_unknown_category_is_an_empty_list(app: TestApp) {
        for uri in ["/twoCategory?id=3", "/twoCategory?id=999", "/twoCategory?id=2147483647"] {
            let body = app.get(uri).await.json();
            assert_eq!(body, json!({"status": 200, "twoCategoryList": []}), "{uri}");
        }
    }

    async fn paths_match_case_insensitively(app: TestApp) {
        let lower = app.get("/gridlist").await.json();
        for uri in ["/gridList", "/GRIDLIST", "/GridList"] {
            assert_eq!(app.get(uri).await.json(), lower, "{uri}");
        }
        let body = app.get("/TWOCATEGORY?id=2").await.json();
        assert_eq!(ids(&body["twoCategoryList"]), vec![6, 7]);
        assert_eq!(app.get("/OneCategory").await.status, 200);
    }

    async fn cached_lists_show_another_instances_change_within_the_ttl(database: letao_db::testing::TestDatabase) {
        let db = database.pool();
        db.migrate().await.expect("migrate");
        db.seed_demo_data().await.expect("seed");
        let app = TestApp::over(database).set("LETAO__CATALOGUE__CACHE_TTL_MS", "300").build().await;
        let before = app.get("/oneCategory").await.json();
        assert_eq!(ids(&before["oneCategoryList"]).len(), 5);

        // Another instance's owner write: the row and the version, in one
        // transaction.
        app.database.execute_sql(match app.database.backend() {
            letao_db::Backend::Postgres => "INSERT INTO category (id, \"categoryName\") VALUES (6, 'new'); UPDATE shop_version SET version = version + 1",
            _ => "INSERT INTO category (id, categoryName) VALUES (6, 'new'); UPDATE shop_version SET version = version + 1",
        });
        assert_eq!(app.get("/oneCategory").await.json(), before, "served from memory within the TTL");
        app.clock.advance(chrono::TimeDelta::milliseconds(299));
        assert_eq!(app.get("/oneCategory").await.json(), before, "still within the TTL");
        app.clock.advance(chrono::TimeDelta::milliseconds(2));
        let after = app.get("/oneCategory").await.json();
        assert_eq!(ids(&after["oneCategoryList"]), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(after["oneCategoryList"][5]["categoryName"], "new");

        // Without a version change the snapshot is kept (one row read per
        // TTL, no reload)...
        app.database.execute_sql("UPDATE brand SET hot = 0 WHERE id = 6");
        app.clock.advance(chrono::TimeDelta::seconds(10));
        assert_eq!(app.get("/twoCategory?id=2").await.json()["twoCategoryList"][0]["hot"], 1);
        // ...until a change through this instance, shown at once.
        app.state.invalidate_catalogue();
        assert_eq!(app.get("/twoCategory?id=2").await.json()["twoCategoryList"][0]["hot"], 0);
        // A change made straight in the database shows within five minutes.
        app.database.execute_sql("UPDATE brand SET hot = 1 WHERE id = 6");
        app.clock.advance(chrono::TimeDelta::seconds(301));
        assert_eq!(app.get("/twoCategory?id=2").await.json()["twoCategoryList"][0]["hot"], 1);
    }

    async fn product_pages_and_lists_are_cached_and_at_most_a_ttl_stale(database: letao_db::testing::TestDatabase) {
        let db = database.pool();
        db.migrate().await.expect("migrate");
        db.seed_demo_data().await.expect("seed");
        let app = TestApp::over(database).set("LETAO__CATALOGUE__CACHE_TTL_MS", "500").build().await;
        let stock = |body: serde_json::Value| body["product"]["stock"].as_i64().unwrap();
        let first = app.get("/products/5").await.json();
        let listed = app.get("/products?brandId=1&pageSize=50").await.json();
        // Stock sold elsewhere (another instance's orders) shows within the TTL.
        app.database.execute_sql("UPDATE sku SET stock = stock - 7 WHERE product_id = 5 AND size = '40'");
        assert_eq!(stock(app.get("/products/5").await.json()), stock(first.clone()), "from memory");
        assert_eq!(app.get("/products?brandId=1&pageSize=50").await.json(), listed);
        app.clock.advance(chrono::TimeDelta::milliseconds(501));
        assert_eq!(stock(app.get("/products/5").await.json()), stock(first) - 7);
        let relisted = app.get("/products?brandId=1&pageSize=50").await.json();
        assert_ne!(relisted, listed);
        // An owner's change through another instance: the version drops
        // every entry within the TTL, whatever their age.
        app.database.execute_sql("UPDATE product SET name = 'renamed' WHERE id = 5; UPDATE shop_version SET version = version + 1");
        app.clock.advance(chrono::TimeDelta::milliseconds(501));
        assert_eq!(app.get("/products/5").await.json()["product"]["name"], "renamed");
        // Unknown ids are 404 (and cached as such), malformed ones 400.
        app.get("/products/99999").await.assert_error(404, 404);
        app.get("/products/99999").await.assert_error(404, 404);
        app.get("/products/abc").await.assert_error(400, 1010);
        // The second instance (its own caches) sees the same database.
        let second = actix_web::test::init_service(letao_api::app(app.second.clone())).await;
        let res = actix_web::test::call_service(&second, actix_web::test::TestRequest::get().uri("/products/5").to_request()).await;
        let body: serde_json::Value = actix_web::test::read_body_json(res).await;
        assert_eq!(body["product"]["name"], "renamed");
    }
}
