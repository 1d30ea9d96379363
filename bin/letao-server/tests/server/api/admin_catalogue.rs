//! The owner's catalogue routes: who may use them, every route's reply
//! shape, bad input named by field, conflicts, the audit trail, and
//! cached lists that show a change at once on the instance that made it.

mod images;
mod products;

use crate::api::helpers::{TestApp, TestResponse, mobile};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use letao_db::Backend;
use letao_db::testing::Fixture;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The app with a media folder of its own (the local store), catalogue
/// lists cached for an hour (so only invalidation can show a change), and
/// three users: an admin, a staff member and a shopper.
pub struct Admin {
    pub app: TestApp,
    pub token: String,
    pub staff: String,
    pub shopper: String,
    pub media: PathBuf,
}

impl Fixture for Admin {
    async fn fixture(backend: Backend) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let media = std::env::temp_dir().join(format!(
            "letao-api-media-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let dir = media.clone();
        let app = TestApp::builder(backend)
            .set("LETAO__CATALOGUE__CACHE_TTL_MS", "3600000")
            .set("LETAO__SERVER__MEDIA_DIR", dir.display().to_string())
            .build()
            .await;
        let mut tokens = Vec::new();
        for (n, (name, role)) in [
            ("shop_owner", Some(letao_domain::Role::Admin)),
            ("shop_clerk", Some(letao_domain::Role::Staff)),
            ("shopper", None),
        ]
        .into_iter()
        .enumerate()
        {
            app.register(name, "owner-password", &mobile(700 + n as u32))
                .await;
            if let Some(role) = role {
                app.grant(name, role).await;
            }
            tokens.push(app.login(name, "owner-password").await);
        }
        let [token, staff, shopper] = <[String; 3]>::try_from(tokens).unwrap();
        Admin {
            app,
            token,
            staff,
            shopper,
            media,
        }
    }
}

impl Drop for Admin {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.media);
    }
}

impl Admin {
    /// `method uri` with a JSON body (none for GET/DELETE) and `token`.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut req = TestRequest::default().method(method).uri(uri);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.app.call(req).await
    }

    /// As the admin; asserts 200 and returns the body.
    pub async fn ok(&self, method: Method, uri: &str, body: Option<Value>) -> Value {
        let res = self.send(method, uri, Some(&self.token), body).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let json = res.json();
        assert_eq!(json["status"], 200);
        json
    }

    /// As the admin; asserts 400/1010 naming `field` (in `msg`).
    pub async fn refused(&self, method: Method, uri: &str, body: Value, field: &str) -> String {
        let res = self
            .send(method, uri, Some(&self.token), Some(body.clone()))
            .await;
        let msg = res.assert_error(400, 1010);
        assert!(msg.contains(field), "{body} -> {msg:?} should name {field}");
        msg
    }

    /// Rows of an SQL count.
    pub fn count(&self, select: &str) -> i64 {
        self.app.database.scalar_i64(select)
    }

    /// The audit log, newest first.
    pub async fn audit(&self) -> Vec<Value> {
        let log = self
            .ok(Method::GET, "/admin/audit?pageSize=100", None)
            .await;
        log["entries"].as_array().unwrap().clone()
    }
}

each_backend! {
    async fn every_catalogue_route_is_for_admins_only(a: Admin) {
        let routes = [
            (Method::POST, "/admin/categories", Some(json!({"categoryName": "x"}))),
            (Method::PUT, "/admin/categories/1", Some(json!({"categoryName": "x"}))),
            (Method::DELETE, "/admin/categories/5", None),
            (Method::POST, "/admin/brands", Some(json!({"brandName": "x", "categoryId": 1, "brandLogo": "", "hot": 0}))),
            (Method::PUT, "/admin/brands/1", Some(json!({"brandName": "x", "categoryId": 1, "brandLogo": "", "hot": 0}))),
            (Method::DELETE, "/admin/brands/7", None),
            (Method::GET, "/admin/products", None),
            (Method::POST, "/admin/products", Some(json!({}))),
            (Method::PUT, "/admin/products/1", Some(json!({"stockDelta": 1}))),
            (Method::DELETE, "/admin/products/1", None),
            (Method::GET, "/admin/home-items", None),
            (Method::POST, "/admin/home-items", Some(json!({"kind": "grid", "img_src": "/images/nav1.png", "sort": 0}))),
            (Method::PUT, "/admin/home-items/1", Some(json!({"kind": "grid", "img_src": "/images/nav1.png", "sort": 0}))),
            (Method::DELETE, "/admin/home-items/2?kind=grid", None),
            (Method::POST, "/admin/images", None),
        ];
        for (method, uri, body) in routes {
            a.send(method.clone(), uri, None, body.clone()).await.assert_error(401, 401);
            a.send(method.clone(), uri, Some("not.a.token"), body.clone()).await.assert_error(401, 401);
            a.send(method.clone(), uri, Some(&a.staff), body.clone()).await.assert_error(403, 403);
            a.send(method.clone(), uri, Some(&a.shopper), body.clone()).await.assert_error(403, 403);
        }
        assert_eq!(a.count("SELECT COUNT(*) FROM audit_log"), 2, "only the two role grants");
        assert_eq!(a.count("SELECT version FROM shop_version"), 0);
        // Known paths, other methods: a JSON 405 (after the token check).
        let res = a.send(Method::PATCH, "/admin/products/1", Some(&a.token), None).await;
        res.assert_error(405, 405);
        assert_eq!(res.header("allow"), Some("GET, HEAD, PUT, DELETE"));
        a.send(Method::GET, "/admin/categories", Some(&a.token), None).await.assert_error(405, 405);
        a.send(Method::GET, "/admin/images", Some(&a.token), None).await.assert_error(405, 405);
        // Paths match case-insensitively, like every route.
        a.ok(Method::GET, "/admin/Home-Items", None).await;
    }

    async fn categories_are_added_renamed_and_deleted_unless_they_have_brands(a: Admin) {
        assert_eq!(a.app.get("/oneCategory").await.json()["oneCategoryList"].as_array().unwrap().len(), 5);
        let created = a.ok(Method::POST, "/admin/categories", Some(json!({"categoryName": " 童鞋馆 "}))).await;
        let id = created["category"]["id"].as_i64().unwrap();
        assert_eq!(created, json!({"status": 200, "category": {"id": id, "categoryName": "童鞋馆"}}));
        let list = a.app.get("/oneCategory").await.json();
        assert_eq!(list["oneCategoryList"].as_array().unwrap().last().unwrap(), &created["category"], "shown at once");
        let renamed = a.ok(Method::PUT, &format!("/admin/categories/{id}"), Some(json!({"categoryName": "儿童馆"}))).await;
        assert_eq!(renamed["category"], json!({"id": id, "categoryName": "儿童馆"}));
        assert!(a.app.get("/oneCategory").await.text().contains("儿童馆"));
        // Refused: a category with brands, missing ids, bad names.
        let res = a.send(Method::DELETE, "/admin/categories/1", Some(&a.token), None).await;
        res.assert_error(409, 409);
        a.send(Method::DELETE, "/admin/categories/999", Some(&a.token), None).await.assert_error(404, 404);
        a.send(Method::PUT, "/admin/categories/999", Some(&a.token), Some(json!({"categoryName": "x"}))).await.assert_error(404, 404);
        for bad in [json!({}), json!({"categoryName": ""}), json!({"categoryName": "   "}), json!({"categoryName": "a".repeat(51)}),
                    json!({"categoryName": "a\u{7}b"}), json!({"categoryName": 5}), json!({"categoryName": null})] {
            a.refused(Method::POST, "/admin/categories", bad, "categoryName").await;
        }
        a.refused(Method::POST, "/admin/categories", json!({"categoryName": "x", "sort": 1}), "sort").await;
        a.refused(Method::PUT, "/admin/categories/abc", json!({"categoryName": "x"}), "id").await;
        let deleted = a.ok(Method::DELETE, &format!("/admin/categories/{id}"), None).await;
        assert!(deleted["msg"].is_string());
        assert_eq!(a.app.get("/oneCategory").await.json()["oneCategoryList"].as_array().unwrap().len(), 5);
        // One entry per write, none for the refusals.
        let log = a.audit().await;
        let actions: Vec<&str> = log.iter().take(3).map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["category.delete", "category.update", "category.create"]);
        assert_eq!(log.len(), 5, "three writes and the two role grants");
        assert_eq!(log[1]["actor"]["username"], "shop_owner");
        assert_eq!(log[1]["target"], format!("category {id}"));
        assert_eq!(log[1]["detail"], json!({"before": {"categoryName": "童鞋馆"}, "after": {"categoryName": "儿童馆"}}));
    }

    async fn brands_need_their_category_and_stay_while_they_have_products(a: Admin) {
        let body = json!({"brandName": "安踏", "categoryId": 3, "brandLogo": "/images/brand1.png", "hot": 1});
        let created = a.ok(Method::POST, "/admin/brands", Some(body)).await;
        let id = created["brand"]["id"].as_i64().unwrap();
        let brand = json!({"id": id, "brandName": "安踏", "categoryId": 3, "brandLogo": "/images/brand1.png", "hot": 1});
        assert_eq!(created, json!({"status": 200, "brand": brand}));
        assert_eq!(a.app.get("/twoCategory?id=3").await.json()["twoCategoryList"], json!([brand]), "shown at once");
        let moved = a.ok(Method::PUT, &format!("/admin/brands/{id}"), Some(json!({"brandName": "安踏体育", "categoryId": 4, "brandLogo": "", "hot": false}))).await;
        assert_eq!(moved["brand"], json!({"id": id, "brandName": "安踏体育", "categoryId": 4, "brandLogo": null, "hot": 0}));
        assert_eq!(a.app.get("/twoCategory?id=3").await.json()["twoCategoryList"], json!([]));
        let msg = a.refused(Method::POST, "/admin/brands", json!({"brandName": "x", "categoryId": 999}), "categoryId").await;
        assert!(msg.contains("category"), "{msg}");
        a.refused(Method::PUT, &format!("/admin/brands/{id}"), json!({"brandName": "x", "categoryId": 999}), "categoryId").await;
        a.send(Method::PUT, "/admin/brands/999", Some(&a.token), Some(json!({"brandName": "x", "categoryId": 1}))).await.assert_error(404, 404);
        a.send(Method::DELETE, "/admin/brands/999", Some(&a.token), None).await.assert_error(404, 404);
        for (bad, field) in [
            (json!({"categoryId": 1}), "brandName"),
            (json!({"brandName": "", "categoryId": 1}), "brandName"),
            (json!({"brandName": "x".repeat(51), "categoryId": 1}), "brandName"),
            (json!({"brandName": "x"}), "categoryId"),
            (json!({"brandName": "x", "categoryId": 0}), "categoryId"),
            (json!({"brandName": "x", "categoryId": "one"}), "categoryId"),
            (json!({"brandName": "x", "categoryId": 1, "brandLogo": "javascript:alert(1)"}), "brandLogo"),
            (json!({"brandName": "x", "categoryId": 1, "brandLogo": "/images/../../etc/passwd"}), "brandLogo"),
            (json!({"brandName": "x", "categoryId": 1, "brandLogo": "/etc/passwd"}), "brandLogo"),
            (json!({"brandName": "x", "categoryId": 1, "hot": 2}), "hot"),
            (json!({"brandName": "x", "categoryId": 1, "hot": "yes"}), "hot"),
        ] {
            a.refused(Method::POST, "/admin/brands", bad, field).await;
        }
        // Brand 1 has products; a brand whose only product is hidden too.
        a.send(Method::DELETE, "/admin/brands/1", Some(&a.token), None).await.assert_error(409, 409);
        let product = json!({"brandId": id, "name": "鞋", "img": "/images/product1.svg", "price": 1, "oldPrice": 2, "sizes": ["40"], "stock": 1, "featured": false});
        let p = a.ok(Method::POST, "/admin/products", Some(product)).await["product"]["id"].as_i64().unwrap();
        a.ok(Method::DELETE, &format!("/admin/products/{p}"), None).await;
        a.send(Method::DELETE, &format!("/admin/brands/{id}"), Some(&a.token), None).await.assert_error(409, 409);
        let empty = a.ok(Method::POST, "/admin/brands", Some(json!({"brandName": "空", "categoryId": 5}))).await;
        let empty_id = empty["brand"]["id"].as_i64().unwrap();
        assert_eq!((empty["brand"]["hot"].clone(), empty["brand"]["brandLogo"].clone()), (json!(0), Value::Null));
        a.ok(Method::DELETE, &format!("/admin/brands/{empty_id}"), None).await;
        assert_eq!(a.count(&format!("SELECT COUNT(*) FROM brand WHERE id = {empty_id}")), 0);
        let actions: Vec<Value> = a.audit().await.iter().map(|e| e["action"].clone()).collect();
        assert_eq!(&actions[..6], ["brand.delete", "brand.create", "product.hide", "product.create", "brand.update", "brand.create"].map(Value::from));
    }

    async fn home_items_are_managed_by_kind_and_new_ids_never_collide(a: Admin) {
        let items = a.ok(Method::GET, "/admin/home-items", None).await["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 11);
        assert_eq!(items[0], json!({"id": 1, "kind": "grid", "img_src": "/images/nav1.png", "sort": 1}));
        assert_eq!(items[6]["kind"], "banner");
        let created = a.ok(Method::POST, "/admin/home-items", Some(json!({"kind": "banner", "img_src": "https://cdn.example.com/b.png", "sort": 0}))).await;
        assert_eq!(created, json!({"status": 200, "item": {"id": 7, "kind": "banner", "img_src": "https://cdn.example.com/b.png", "sort": 0}}));
        let banners = a.app.get("/banners").await.json();
        assert_eq!(banners["swipeList"][0], json!({"id": 7, "img_src": "https://cdn.example.com/b.png"}), "first by its order, at once");
        let grid = a.ok(Method::POST, "/admin/home-items", Some(json!({"kind": "grid", "img_src": "/images/nav2.png", "sort": 9}))).await;
        assert_eq!(grid["item"]["id"], 8);
        // The original's ids overlap: the body's kind says which item.
        let updated = a.ok(Method::PUT, "/admin/home-items/1", Some(json!({"kind": "banner", "img_src": "/images/banner5.png", "sort": 7}))).await;
        assert_eq!(updated["item"], json!({"id": 1, "kind": "banner", "img_src": "/images/banner5.png", "sort": 7}));
        assert_eq!(a.app.get("/gridlist").await.json()["gridList"][0], json!({"id": 1, "img_src": "/images/nav1.png"}));
        a.send(Method::PUT, "/admin/home-items/7", Some(&a.token), Some(json!({"kind": "grid", "img_src": "/images/x.png", "sort": 0}))).await.assert_error(404, 404);
        a.refused(Method::DELETE, "/admin/home-items/1", json!(null), "kind").await;
        a.ok(Method::DELETE, "/admin/home-items/1?kind=banner", None).await;
        assert_eq!(a.count("SELECT COUNT(*) FROM home_item WHERE id = 1"), 1, "the grid's 1 stays");
        a.ok(Method::DELETE, "/admin/home-items/7", None).await;
        a.send(Method::DELETE, "/admin/home-items/7", Some(&a.token), None).await.assert_error(404, 404);
        a.send(Method::DELETE, "/admin/home-items/99?kind=grid", Some(&a.token), None).await.assert_error(404, 404);
        assert_eq!(a.app.get("/banners").await.json()["swipeList"].as_array().unwrap().len(), 4);
        for (bad, field) in [
            (json!({"kind": "hero", "img_src": "/images/x.png", "sort": 0}), "kind"),
            (json!({"img_src": "/images/x.png", "sort": 0}), "kind"),
            (json!({"kind": "grid", "img_src": "", "sort": 0}), "img_src"),
            (json!({"kind": "grid", "img_src": "data:image/png;base64,AAAA", "sort": 0}), "img_src"),
            (json!({"kind": "grid", "img_src": "/images/x y.png", "sort": 0}), "img_src"),
            (json!({"kind": "grid", "img_src": format!("/images/{}.png", "a".repeat(250)), "sort": 0}), "img_src"),
            (json!({"kind": "grid", "img_src": "/images/x.png", "sort": "first"}), "sort"),
            (json!({"kind": "grid", "img_src": "/images/x.png", "sort": 1.5}), "sort"),
        ] {
            a.refused(Method::POST, "/admin/home-items", bad, field).await;
        }
        a.refused(Method::DELETE, "/admin/home-items/2?kind=hero", json!(null), "kind").await;
        let log = a.audit().await;
        assert_eq!(log[0]["target"], "banner 7");
        assert_eq!(log[0]["detail"]["before"]["img_src"], "https://cdn.example.com/b.png");
    }

    async fn cached_lists_show_a_change_at_once_only_where_it_was_made(a: Admin) {
        // The lists are cached: a change behind the app's back does not show...
        assert_eq!(a.app.get("/oneCategory").await.json()["oneCategoryList"][0]["categoryName"], "运动馆");
        let hot = async || a.app.get("/twoCategory?id=2").await.json()["twoCategoryList"][0]["hot"].clone();
        assert_eq!(hot().await, 1);
        a.app.database.execute_sql("UPDATE brand SET hot = 0 WHERE id = 6");
        assert_eq!(hot().await, 1, "still the cached list");
        // ...while one made through the app does, with everything changed since.
        a.ok(Method::PUT, "/admin/categories/1", Some(json!({"categoryName": "运动"}))).await;
        assert_eq!(a.app.get("/oneCategory").await.json()["oneCategoryList"][0]["categoryName"], "运动");
        assert_eq!(hot().await, 0);
        // Featured products: /sports follows a product change at once.
        a.ok(Method::PUT, "/admin/products/1", Some(json!({"featured": false}))).await;
        let sports: Vec<i64> = a.app.get("/sports").await.json()["sports"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(sports, [2, 3, 4]);
        assert_eq!(a.count("SELECT version FROM shop_version WHERE name = 'catalogue'"), 2);
    }
}
