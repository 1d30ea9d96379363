//! Delivery: the address book, orders with an address, shipping by an
//! owner, receipt by the buyer or automatically, and roles.

use crate::api::helpers::{TestApp, TestResponse, mobile};
use chrono::TimeDelta;
use letao_domain::Role;
use serde_json::{Value, json};

impl TestApp {
    /// Any method with a bearer token and an optional JSON body.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = actix_web::test::TestRequest::default()
            .method(method)
            .uri(uri)
            .insert_header(("authorization", format!("Bearer {token}")));
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.call(req).await
    }

    /// A registered, logged-in user; with `role`, an owner.
    pub async fn user_with(&self, name: &str, n: u32, role: Option<Role>) -> String {
        self.register(name, "a-password", &mobile(n)).await;
        if let Some(role) = role {
            self.grant(name, role).await;
        }
        self.login(name, "a-password").await
    }

    /// Every order of the owner's list as listed (from the renderings kept
    /// with the orders) equals the order read in full and rendered anew
    /// (`/admin/orders/{no}`, without its refunds and history).
    pub async fn assert_owner_list_current(&self, owner: &str) {
        let list = self
            .send("GET", "/admin/orders?pageSize=100", owner, None)
            .await;
        assert_eq!(list.status, 200, "{}", list.text());
        let orders = list.json()["orders"].as_array().unwrap().clone();
        assert!(!orders.is_empty());
        for listed in orders {
            let no = listed["out_trade_no"].as_str().unwrap();
            let mut full = self
                .send("GET", &format!("/admin/orders/{no}"), owner, None)
                .await
                .json()["order"]
                .clone();
            let full = full.as_object_mut().unwrap();
            full.remove("refunds");
            full.remove("events");
            assert_eq!(
                listed,
                Value::Object(full.clone()),
                "order {no} as listed and in full"
            );
        }
    }

    /// Waits for `n` events of `kind` on an order (a notification on its way).
    async fn wait_for_events(&self, no: &str, kind: &str, n: i64) {
        for _ in 0..200 {
            if self.events(no, kind).await == n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(self.events(no, kind).await, n, "{kind} events of {no}");
    }

    /// Places an order of product 5 and pays it through the simulator.
    pub async fn paid_order(&self, token: &str, body: Value) -> String {
        let res = self.post_auth("/order", token, body).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let no = res.json()["data"]["out_trade_no"]
            .as_str()
            .unwrap()
            .to_owned();
        self.sim.pay(&no).expect("pay");
        self.wait_for_delivery(&no, "SUCCESS").await;
        no
    }
}

fn address(city: &str) -> Value {
    json!({"name": "张三", "mobile": "13800138000", "province": "浙江省", "city": city, "district": "西湖区", "detail": "文三路 1 号"})
}

each_backend! {
    async fn the_address_book_is_private_capped_and_has_one_default(app: TestApp) {
        let token = app.user_with("addr_owner", 70, None).await;
        let first = app.send("POST", "/addresses", &token, Some(address("杭州市"))).await;
        assert_eq!(first.status, 200, "{}", first.text());
        let first = first.json()["address"].clone();
        assert_eq!(first["isDefault"], true, "the first is the default");
        assert_eq!(first["city"], "杭州市");
        let mut second_body = address("宁波市");
        second_body["isDefault"] = json!(true);
        let second = app.send("POST", "/addresses", &token, Some(second_body)).await.json()["address"].clone();
        let list = app.send("GET", "/addresses", &token, None).await.json();
        let defaults: Vec<&Value> = list["addresses"].as_array().unwrap().iter().filter(|a| a["isDefault"] == true).collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0]["id"], second["id"]);

        let id = first["id"].as_i64().unwrap();
        let updated = app.send("PUT", &format!("/addresses/{id}"), &token, Some(address("温州市"))).await;
        assert_eq!(updated.json()["address"]["city"], "温州市");
        // Another user sees none of it and cannot touch it.
        let other = app.user_with("addr_other", 71, None).await;
        assert!(app.send("GET", "/addresses", &other, None).await.json()["addresses"].as_array().unwrap().is_empty());
        app.send("PUT", &format!("/addresses/{id}"), &other, Some(address("x"))).await.assert_error(404, 404);
        app.send("DELETE", &format!("/addresses/{id}"), &other, None).await.assert_error(404, 404);
        app.send("DELETE", "/addresses/999999", &token, None).await.assert_error(404, 404);
        app.send("DELETE", &format!("/addresses/{id}"), &token, None).await;
        assert_eq!(app.send("GET", "/addresses", &token, None).await.json()["addresses"].as_array().unwrap().len(), 1);
        // Twenty at most, even asked for at once.
        let results = futures_util::future::join_all((0..25).map(|n| app.send("POST", "/addresses", &token, Some(address(&format!("城{n}")))))).await;
        assert_eq!(results.iter().filter(|r| r.status == 200).count(), 19);
        assert!(results.iter().all(|r| r.status == 200 || r.status == 409));
        assert_eq!(app.send("GET", "/addresses", &token, None).await.json()["addresses"].as_array().unwrap().len(), 20);
    }

    async fn bad_addresses_are_refused_naming_the_field(app: TestApp) {
        let token = app.user_with("addr_bad", 72, None).await;
        for (field, value) in [
            ("name", json!("")),
            ("name", json!("名".repeat(21))),
            ("mobile", json!("12345")),
            ("province", json!("a\u{0}b")),
            ("city", json!("  ")),
            ("district", json!("区".repeat(21))),
            ("detail", json!("路".repeat(121))),
            ("detail", json!(42)),
        ] {
            let mut body = address("杭州市");
            body[field] = value;
            let msg = app.send("POST", "/addresses", &token, Some(body)).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{field}: {msg}");
        }
        let mut missing = address("杭州市");
        missing.as_object_mut().unwrap().remove("detail");
        let msg = app.send("POST", "/addresses", &token, Some(missing)).await.assert_error(400, 1010);
        assert!(msg.contains("detail"), "{msg}");
        app.send("PUT", "/addresses/abc", &token, Some(address("x"))).await.assert_error(400, 1010);
        assert!(app.send("GET", "/addresses", &token, None).await.json()["addresses"].as_array().unwrap().is_empty());
    }

    async fn an_order_ships_to_the_address_copied_into_it_and_is_received(app: TestApp) {
        let buyer = app.user_with("ship_buyer", 73, None).await;
        let staff = app.user_with("ship_staff", 74, Some(Role::Staff)).await;
        let address_id = app.send("POST", "/addresses", &buyer, Some(address("杭州市"))).await.json()["address"]["id"].clone();
        let placed = app.post_auth("/order", &buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}], "addressId": address_id})).await;
        assert_eq!(placed.status, 200, "{}", placed.text());
        assert_eq!(placed.json()["data"]["fulfilment"], "UNSHIPPED");
        assert_eq!(placed.json()["data"]["address"]["city"], "杭州市");
        let no = placed.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        // Later edits of the book do not change the order.
        app.send("PUT", &format!("/addresses/{address_id}"), &buyer, Some(address("宁波市"))).await;
        // Unpaid: it cannot ship.
        let ship = json!({"carrier": "顺丰", "trackingNo": "SF1234567890"});
        app.send("POST", &format!("/admin/orders/{no}/ship"), &staff, Some(ship.clone())).await.assert_error(409, 1061);
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "SUCCESS").await;
        // Order numbers keep their case in paths (the router lowers paths).
        assert!(no.bytes().any(|b| b.is_ascii_uppercase()));
        // A shopper cannot ship; staff can, once, idempotently.
        app.send("POST", &format!("/admin/orders/{no}/ship"), &buyer, Some(ship.clone())).await.assert_error(403, 403);
        let shipped = app.send("POST", &format!("/admin/orders/{no}/ship"), &staff, Some(ship.clone())).await;
        assert_eq!(shipped.status, 200, "{}", shipped.text());
        assert_eq!(shipped.json()["order"]["fulfilment"], "SHIPPED");
        assert_eq!(shipped.json()["order"]["address"]["city"], "杭州市");
        assert_eq!(shipped.json()["order"]["shipment"]["trackingNo"], "SF1234567890");
        assert_eq!(app.send("POST", &format!("/admin/orders/{no}/ship"), &staff, Some(ship)).await.status, 200);
        let other = json!({"carrier": "圆通", "trackingNo": "YT1"});
        app.send("POST", &format!("/admin/orders/{no}/ship"), &staff, Some(other)).await.assert_error(409, 1061);
        // The address is fixed now.
        app.send("PUT", &format!("/orders/{no}/address"), &buyer, Some(json!({"addressId": address_id}))).await.assert_error(409, 1061);
        // The buyer sees it shipped, then confirms receipt.
        let seen = app.query_order(&buyer, &no).await;
        assert_eq!(seen["fulfilment"], "SHIPPED");
        assert_eq!(seen["shipment"]["carrier"], "顺丰");
        assert_eq!(seen["address"]["city"], "杭州市");
        let received = app.send("POST", &format!("/orders/{no}/receive"), &buyer, None).await;
        assert_eq!(received.status, 200, "{}", received.text());
        assert_eq!(received.json()["data"]["fulfilment"], "RECEIVED");
        assert!(received.json()["data"]["receivedAt"].is_string());
        assert_eq!(app.send("POST", &format!("/orders/{no}/receive"), &buyer, None).await.status, 200, "again: no change");
        let listed = app.get_auth("/orders", &buyer).await.json();
        assert_eq!(listed["orders"][0]["fulfilment"], "RECEIVED");
        // Someone else's order is not found.
        let stranger = app.user_with("ship_stranger", 75, None).await;
        app.send("POST", &format!("/orders/{no}/receive"), &stranger, None).await.assert_error(404, 1060);
    }

    async fn an_order_without_an_address_is_paid_and_gets_one_before_shipping(app: TestApp) {
        let buyer = app.user_with("late_addr", 76, None).await;
        let admin = app.user_with("late_admin", 77, Some(Role::Admin)).await;
        let no = app.paid_order(&buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}]})).await;
        let ship = json!({"carrier": "顺丰", "trackingNo": "SF1"});
        let msg = app.send("POST", &format!("/admin/orders/{no}/ship"), &admin, Some(ship.clone())).await.assert_error(409, 1061);
        assert!(msg.contains("address"), "{msg}");
        let id = app.send("POST", "/addresses", &buyer, Some(address("上海市"))).await.json()["address"]["id"].clone();
        app.send("PUT", &format!("/orders/{no}/address"), &buyer, Some(json!({"addressId": 999999}))).await.assert_error(404, 404);
        let set = app.send("PUT", &format!("/orders/{no}/address"), &buyer, Some(json!({"addressId": id}))).await;
        assert_eq!(set.status, 200, "{}", set.text());
        assert_eq!(set.json()["data"]["address"]["city"], "上海市");
        assert_eq!(app.send("POST", &format!("/admin/orders/{no}/ship"), &admin, Some(ship)).await.status, 200);
        // Received automatically ten days after shipping, once.
        assert_eq!(app.services.desk.receive_due().await.unwrap(), 0);
        app.clock.advance(TimeDelta::days(10) + TimeDelta::seconds(1));
        assert_eq!(app.services.desk.receive_due().await.unwrap(), 1);
        assert_eq!(app.services.desk.receive_due().await.unwrap(), 0, "a second instance finds nothing");
        // (Ten days on, the old token has expired: log in again.)
        let buyer = app.login("late_addr", "a-password").await;
        assert_eq!(app.query_order(&buyer, &no).await["fulfilment"], "RECEIVED");
    }

    async fn the_owners_list_shows_every_change_to_an_order_at_once(app: TestApp) {
        let buyer = app.user_with("listed_buyer", 85, None).await;
        let admin = app.user_with("listed_admin", 86, Some(Role::Admin)).await;
        let placed = app.post_auth("/order", &buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}]})).await;
        let no = placed.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        // Each step changes the order after the list has rendered it.
        app.assert_owner_list_current(&admin).await;
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "SUCCESS").await;
        app.assert_owner_list_current(&admin).await;
        let id = app.send("POST", "/addresses", &buyer, Some(address("苏州市"))).await.json()["address"]["id"].clone();
        let set = app.send("PUT", &format!("/orders/{no}/address"), &buyer, Some(json!({"addressId": id}))).await;
        assert_eq!(set.status, 200, "{}", set.text());
        app.assert_owner_list_current(&admin).await;
        let part = app.post_auth("/admin/refund", &admin, json!({"out_trade_no": no, "refund_fee": 100, "reason": "差价"})).await;
        assert_eq!(part.status, 200, "{}", part.text());
        app.assert_owner_list_current(&admin).await;
        app.wait_for_events(&no, "refund", 1).await;
        app.assert_owner_list_current(&admin).await;
        let ship = json!({"carrier": "顺丰", "trackingNo": "SF42"});
        assert_eq!(app.send("POST", &format!("/admin/orders/{no}/ship"), &admin, Some(ship)).await.status, 200);
        app.assert_owner_list_current(&admin).await;
        assert_eq!(app.send("POST", &format!("/orders/{no}/receive"), &buyer, None).await.status, 200);
        let listed = app.send("GET", "/admin/orders", &admin, None).await.json();
        assert_eq!(listed["orders"][0]["fulfilment"], "RECEIVED");
        assert_eq!(listed["orders"][0]["refunded_fee"], 100);
        assert_eq!(listed["orders"][0]["trade_state"], "REFUND");
        assert_eq!(listed["orders"][0]["address"]["city"], "苏州市");
        app.assert_owner_list_current(&admin).await;

        // Refunded in full before shipping: its delivery is cancelled.
        let cancelled = app.paid_order(&buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}]})).await;
        app.assert_owner_list_current(&admin).await;
        let full = app.post_auth("/admin/refund", &admin, json!({"out_trade_no": cancelled, "reason": "缺货"})).await;
        assert_eq!(full.status, 200, "{}", full.text());
        app.wait_for_events(&cancelled, "delivery_cancelled", 1).await;
        app.assert_owner_list_current(&admin).await;

        // Unpaid past its time: closed by the expiry job.
        let expired = app.post_auth("/order", &buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}]})).await;
        let expired = expired.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        app.assert_owner_list_current(&admin).await;
        app.clock.advance(TimeDelta::hours(2) + TimeDelta::seconds(1));
        assert_eq!(app.services.orders.expire_due().await.unwrap(), 1);
        let listed = app.send("GET", "/admin/orders", &admin, None).await.json();
        assert_eq!(listed["orders"][0]["out_trade_no"], expired.as_str());
        assert_eq!(listed["orders"][0]["trade_state"], "CLOSED");
        app.assert_owner_list_current(&admin).await;
    }

    async fn twenty_concurrent_ships_and_receipts_leave_one_outcome(app: TestApp) {
        let buyer = app.user_with("race_ship", 78, None).await;
        let staff = app.user_with("race_staff", 79, Some(Role::Staff)).await;
        let id = app.send("POST", "/addresses", &buyer, Some(address("南京市"))).await.json()["address"]["id"].clone();
        let no = app.paid_order(&buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}], "addressId": id})).await;
        let ship_uri = format!("/admin/orders/{no}/ship");
        let results = futures_util::future::join_all((0..20).map(|n| {
            app.send("POST", &ship_uri, &staff, Some(json!({"carrier": "顺丰", "trackingNo": format!("SF{n}")})))
        }))
        .await;
        assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1, "one shipment wins");
        assert!(results.iter().all(|r| r.status == 200 || r.status == 409));
        assert_eq!(app.events(&no, "shipped").await, 1);
        let receive_uri = format!("/orders/{no}/receive");
        let receipts = futures_util::future::join_all((0..20).map(|_| app.send("POST", &receive_uri, &buyer, None))).await;
        assert!(receipts.iter().all(|r| r.status == 200));
        assert_eq!(app.events(&no, "received").await, 1);
    }

    async fn owners_list_search_and_read_orders_and_roles_apply_at_once(app: TestApp) {
        let buyer = app.user_with("list_buyer", 80, None).await;
        let staff = app.user_with("list_staff", 81, Some(Role::Staff)).await;
        let mut nos = Vec::new();
        for _ in 0..3 {
            nos.push(app.paid_order(&buyer, json!({"items": [{"productId": 6, "size": "40", "quantity": 1}]})).await);
        }
        app.post_auth("/order", &buyer, json!({"items": [{"productId": 6, "size": "40", "quantity": 1}]})).await;
        let all = app.send("GET", "/admin/orders?pageSize=2", &staff, None).await;
        assert_eq!(all.status, 200, "{}", all.text());
        let all = all.json();
        assert_eq!(all["total"], 4);
        assert_eq!(all["orders"].as_array().unwrap().len(), 2);
        assert_eq!(all["orders"][0]["user"]["username"], "list_buyer");
        let next = all["next"].as_str().expect("a full page has a next cursor").to_owned();
        let rest = app.send("GET", &format!("/admin/orders?pageSize=2&after={next}"), &staff, None).await.json();
        assert_eq!(rest["orders"].as_array().unwrap().len(), 2);
        assert_ne!(rest["orders"][0]["out_trade_no"], all["orders"][0]["out_trade_no"]);
        let paid = app.send("GET", "/admin/orders?trade_state=SUCCESS&fulfilment=UNSHIPPED", &staff, None).await.json();
        assert_eq!(paid["total"], 3);
        for q in [nos[0].as_str(), "list_buyer", mobile(80).as_str()] {
            let found = app.send("GET", &format!("/admin/orders?q={q}"), &staff, None).await.json();
            assert!(found["total"].as_i64().unwrap() >= 1, "{q}: {found}");
        }
        assert_eq!(app.send("GET", "/admin/orders?q=nobody-like-this", &staff, None).await.json()["total"], 0);
        app.send("GET", "/admin/orders?trade_state=PAID", &staff, None).await.assert_error(400, 1010);
        app.send("GET", "/admin/orders?after=-3", &staff, None).await.assert_error(400, 1010);
        let detail = app.send("GET", &format!("/admin/orders/{}", nos[0]), &staff, None).await.json();
        assert_eq!(detail["order"]["out_trade_no"], nos[0].as_str());
        assert!(detail["order"]["events"].as_array().unwrap().iter().any(|e| e["kind"] == "paid"));
        assert_eq!(detail["order"]["items"][0]["productId"], 6);
        app.send("GET", "/admin/orders/LTNOSUCHORDER", &staff, None).await.assert_error(404, 1060);
        // Staff cannot refund or read the audit log; shoppers see nothing.
        app.send("POST", "/admin/refund", &staff, Some(json!({"out_trade_no": nos[0], "reason": "x"}))).await.assert_error(403, 403);
        app.send("GET", "/admin/audit", &staff, None).await.assert_error(403, 403);
        app.send("GET", "/admin/orders", &buyer, None).await.assert_error(403, 403);
        // An empty page does not hide the refusal.
        app.send("GET", "/admin/orders?q=nobody-like-this", &buyer, None).await.assert_error(403, 403);
        // A revoked role ends at once, token or not.
        app.db.set_role("list_staff", None, &letao_shop::store::Actor::CLI, chrono::Utc::now()).await.unwrap();
        app.send("GET", "/admin/orders", &staff, None).await.assert_error(403, 403);
        app.send("GET", "/admin/orders?q=nobody-like-this", &staff, None).await.assert_error(403, 403);
        // A token whose user is gone is refused as on every signed-in
        // route, search or not.
        let gone = app.user_with("list_gone", 84, Some(Role::Staff)).await;
        assert_eq!(app.send("GET", "/admin/orders", &gone, None).await.status, 200);
        app.database.execute_sql(&format!("DELETE FROM {} WHERE username = 'list_gone'", app.database.quoted_user()));
        for path in ["/admin/orders", "/admin/orders?q=list_buyer", "/user/me"] {
            app.send("GET", path, &gone, None).await.assert_error(401, 401);
        }
    }

    async fn the_audit_log_shows_owner_writes_newest_first(app: TestApp) {
        let buyer = app.user_with("audit_buyer", 82, None).await;
        let admin = app.user_with("audit_admin", 83, Some(Role::Admin)).await;
        let id = app.send("POST", "/addresses", &buyer, Some(address("广州市"))).await.json()["address"]["id"].clone();
        let no = app.paid_order(&buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 1}], "addressId": id})).await;
        app.send("POST", &format!("/admin/orders/{no}/ship"), &admin, Some(json!({"carrier": "顺丰", "trackingNo": "SF9"}))).await;
        app.send("POST", "/admin/refund", &admin, Some(json!({"out_trade_no": no, "refund_fee": 100, "reason": "破损"}))).await;
        let log = app.send("GET", "/admin/audit?pageSize=2", &admin, None).await;
        assert_eq!(log.status, 200, "{}", log.text());
        let log = log.json();
        assert_eq!(log["entries"][0]["action"], "order.refund");
        assert_eq!(log["entries"][0]["actor"]["username"], "audit_admin");
        assert_eq!(log["entries"][0]["detail"]["refunded_fee"], json!([0, 100]));
        assert_eq!(log["entries"][1]["action"], "order.ship");
        assert_eq!(log["entries"][1]["target"], format!("order {no}"));
        // The role grants before them are entries too (from the command line).
        let next = log["next"].as_str().unwrap().to_owned();
        let older = app.send("GET", &format!("/admin/audit?after={next}"), &admin, None).await.json();
        assert_eq!(older["entries"][0]["action"], "user.role");
        assert!(older["entries"][0]["actor"]["id"].is_null());
    }

    async fn the_original_clients_paths_still_work(app: TestApp) {
        let res = app.post_json("/sendsms", json!({"mobile": mobile(84)})).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let code = app.sms.last_params_to(&mobile(84)).unwrap()[0].clone();
        let reg = app.post_json("/users/register", json!({"username": "old_client", "password": "a-password", "mobile": mobile(84), "smscode": code})).await;
        assert_eq!(reg.status, 200, "{}", reg.text());
        let login = app.post_json("/users/login", json!({"username": "old_client", "password": "a-password"})).await;
        assert_eq!(login.status, 200, "{}", login.text());
        assert!(login.json()["token"].is_string());
        app.post_json("/Users/Login", json!({"username": "old_client", "password": "wrong!!"})).await.assert_error(401, 1040);
    }

    async fn bad_bodies_beside_an_owner_check_are_400_and_nothing_breaks(app: TestApp) {
        let staff = app.user_with("body_staff", 85, Some(Role::Staff)).await;
        // The body fails while the role is being read: the read is dropped
        // half-way, which must neither panic nor spoil a pooled connection.
        for _ in 0..20 {
            app.send("POST", "/admin/orders/LT1/ship", &staff, Some(json!({"carrier": 5}))).await.assert_error(400, 1010);
            app.send("POST", "/admin/refund", &staff, Some(json!({"refund_fee": "x"}))).await.assert_error(400, 1010);
        }
        assert_eq!(app.send("GET", "/admin/orders", &staff, None).await.status, 200);
    }
}
