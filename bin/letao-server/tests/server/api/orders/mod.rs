//! Orders and the WeChat Native payment flow, against the simulator.

use crate::api::helpers::{APPID, MCH_ID, TestApp, WECHAT_KEY, mobile};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::time::Duration;
use wechat_pay::xml;

mod refunds;

/// A logged-in buyer's token.
async fn buyer(app: &TestApp, name: &str, n: u32) -> String {
    app.register(name, "buyer-password", &mobile(n)).await;
    app.login(name, "buyer-password").await
}

impl TestApp {
    pub async fn post_auth(
        &self,
        uri: &str,
        token: &str,
        body: Value,
    ) -> crate::api::helpers::TestResponse {
        self.call(
            actix_web::test::TestRequest::post()
                .uri(uri)
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_json(body),
        )
        .await
    }

    pub async fn order(&self, token: &str, items: Value) -> crate::api::helpers::TestResponse {
        self.post_auth("/order", token, json!({ "items": items }))
            .await
    }

    pub async fn query_order(&self, token: &str, no: &str) -> Value {
        let res = self
            .post_auth("/queryOrder", token, json!({"out_trade_no": no}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        res.json()["data"].clone()
    }

    /// The stock of a demo product in size 40 (the size these tests order).
    pub fn stock(&self, product: i32) -> i64 {
        self.database.scalar_i64(&format!("SELECT CASE WHEN p.sku_pool THEN p.stock ELSE (SELECT s.stock FROM sku s WHERE s.product_id = p.id AND s.size = '40') END FROM product p WHERE p.id = {product}"))
    }

    pub fn set_stock(&self, product: i32, stock: i32) {
        self.database.execute_sql(&format!(
            "UPDATE sku SET stock = {stock} WHERE product_id = {product} AND size = '40'"
        ));
    }

    /// The row id of order `no` (which must exist).
    pub async fn order_id(&self, no: &str) -> i32 {
        let order = self.db.order_by_no(no).await.unwrap();
        order.expect("order").id
    }

    pub async fn events(&self, no: &str, kind: &str) -> i64 {
        let kind = letao_domain::order::EventKind::parse(kind).expect("an event kind");
        let id = self.order_id(no).await;
        self.db.order_events(id, kind).await.unwrap()
    }

    pub async fn notify(&self, body: String) -> wechat_pay::RawMap {
        let res = self
            .call(
                actix_web::test::TestRequest::post()
                    .uri("/pay/notify")
                    .insert_header(("content-type", "text/xml"))
                    .set_payload(body),
            )
            .await;
        assert_eq!(res.status, 200);
        xml::parse(&res.body).expect("an XML reply")
    }
}

/// A payment notification for `no` as WeChat would sign it (with `key`).
fn notification(no: &str, total: i64, appid: &str, mch_id: &str, key: &str) -> String {
    let total = total.to_string();
    let fields = [
        ("appid", appid),
        ("mch_id", mch_id),
        ("nonce_str", "n0nce"),
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("openid", "oPayer"),
        ("trade_type", "NATIVE"),
        ("bank_type", "CMC"),
        ("total_fee", total.as_str()),
        ("cash_fee", total.as_str()),
        ("fee_type", "CNY"),
        ("transaction_id", "4200000000000000000000000042"),
        ("out_trade_no", no),
        ("time_end", "20260101120000"),
    ];
    let sign = wechat_pay::sign(fields.iter().copied(), key, wechat_pay::SignType::Md5);
    let mut all = fields.to_vec();
    all.push(("sign", &sign));
    xml::build(all)
}

impl TestApp {
    /// Waits (up to 10 s) until the simulator has a delivery of `no`'s
    /// notification that ended in `outcome` (`SUCCESS`, `dropped`, ...).
    pub async fn wait_for_delivery(&self, no: &str, outcome: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !self
            .sim
            .deliveries()
            .iter()
            .any(|d| d.out_trade_no == no && d.outcome == outcome)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "no {outcome} delivery for {no}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The details of an order's `paid` events (they name their source).
    pub async fn paid_by(&self, no: &str) -> Vec<String> {
        let id = self.order_id(no).await;
        self.db
            .order_event_details(id, letao_domain::order::EventKind::Paid)
            .await
            .unwrap()
    }
}

async fn wait_for_state(app: &TestApp, token: &str, no: &str, want: &str) -> Value {
    for _ in 0..100 {
        let data = app.query_order(token, no).await;
        if data["trade_state"] == want {
            return data;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{no} never became {want}");
}

each_backend! {
    async fn order_pay_notify_and_query(app: TestApp) {
        let token = buyer(&app, "payer_one", 50).await;
        let stock_before = app.stock(7);
        let res = app.order(&token, json!([{"productId": 7, "size": "40", "quantity": 2}, {"productId": 1, "size": "40", "quantity": 1}])).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data = res.json()["data"].clone();
        let no = data["out_trade_no"].as_str().expect("no").to_owned();
        assert!(no.len() <= 32);
        assert_eq!(data["total_fee"], 2 * 99_900 + 100, "priced from the database");
        assert_eq!(data["trade_state"], "NOTPAY");
        assert!(data["code_url"].as_str().expect("code_url").starts_with("weixin://wxpay/bizpayurl?pr="));
        assert!(data["payUrl"].as_str().expect("payUrl").starts_with("data:image/png;base64,"));
        assert_eq!(data["nonce_str"].as_str().map(str::len), Some(32));
        assert!(data["expires_at"].is_string());
        assert_eq!(app.stock(7), stock_before - 2, "stock reserved");

        // The simulator saw the same order.
        let sim_order = app.sim.order(&no).expect("at the simulator");
        assert_eq!(sim_order.total_fee, 2 * 99_900 + 100);
        assert_eq!(sim_order.notify_url, format!("http://{}/pay/notify", app.addr));

        app.sim.pay(&no).expect("pay");
        // Nothing asks WeChat in between: the notification alone records
        // the payment, and is acknowledged only once it is stored.
        app.wait_for_delivery(&no, "SUCCESS").await;
        let tx = app.sim.order(&no).and_then(|o| o.transaction_id).expect("paid at the simulator");
        assert_eq!(app.paid_by(&no).await, [format!("notify {tx}")]);
        let paid = app.query_order(&token, &no).await;
        assert_eq!(paid["trade_state"], "SUCCESS");
        assert_eq!(paid["transaction_id"], tx.as_str());
        assert!(paid["paid_at"].is_string());
        assert_eq!(app.events(&no, "paid").await, 1);

        let listed = app.call(actix_web::test::TestRequest::get().uri("/orders").insert_header(("authorization", format!("Bearer {token}")))).await.json();
        assert_eq!(listed["total"], 1);
        assert_eq!(listed["orders"][0]["out_trade_no"], no);
        assert_eq!(listed["orders"][0]["items"].as_array().map(Vec::len), Some(2));
    }

    async fn a_client_total_fee_is_ignored(app: TestApp) {
        let token = buyer(&app, "cheapskate", 51).await;
        let res = app.post_auth("/order", &token, json!({"items": [{"productId": 8, "size": "40", "quantity": 1}], "total_fee": 1})).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.json()["data"]["total_fee"], 159_900);
    }

    async fn clients_of_the_original_server_find_wechats_words_and_a_reason(app: TestApp) {
        let token = buyer(&app, "koa_client", 53).await;
        let data = app.order(&token, json!([{"productId": 8, "size": "40", "quantity": 1}])).await.json()["data"].clone();
        // xml2js gave one-element arrays: `== 'SUCCESS'` and `[0]` both hold.
        assert_eq!(data["return_code"], json!(["SUCCESS"]));
        assert_eq!(data["result_code"], json!(["SUCCESS"]));
        assert_eq!(data["return_msg"], json!(["OK"]));
        // The original's own order body (the client set the price) stays refused.
        let res = app.post_auth("/order", &token, json!({"body": "乐淘-运动鞋", "total_fee": 1, "out_trade_no": "x1"})).await;
        let msg = res.assert_error(400, 1010);
        assert!(msg.contains("items") && msg.contains("required"), "{msg}");
        assert_eq!(app.sim.orders().len(), 1);
    }

    async fn order_input_is_validated(app: TestApp) {
        let token = buyer(&app, "validator", 52).await;
        let many: Vec<Value> = (1..=21).map(|id| json!({"productId": id, "size": "40", "quantity": 1})).collect();
        for (items, field) in [
            (json!([]), "items"),
            (Value::Array(many), "items"),
            (json!([{"productId": 1, "size": "40", "quantity": 0}]), "quantity"),
            (json!([{"productId": 1, "size": "40", "quantity": 100}]), "quantity"),
            (json!([{"productId": 0, "size": "40", "quantity": 1}]), "productId"),
            (json!([{"productId": 1, "size": "40", "quantity": 1}, {"productId": 1, "size": "40", "quantity": 2}]), "productId"),
            (json!([{"productId": 99999, "size": "40", "quantity": 1}]), "items"),
            (json!([{"productId": "x", "size": "40", "quantity": 1}]), "productId"),
            (json!([{"quantity": 1}]), "productId"),
        ] {
            let msg = app.order(&token, items.clone()).await.assert_error(400, 1010);
            assert!(msg.contains(field), "{items}: {msg}");
        }
        app.order("not-a-token", json!([{"productId": 1, "size": "40", "quantity": 1}])).await.assert_error(401, 401);
        assert!(app.sim.orders().is_empty());
    }

    async fn fifty_copies_of_one_notification_make_one_payment(app: TestApp) {
        let token = buyer(&app, "dup_payer", 53).await;
        let res = app.order(&token, json!([{"productId": 1, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        let body = notification(&no, 100, APPID, MCH_ID, WECHAT_KEY);
        let replies = futures_util::future::join_all((0..50).map(|_| app.notify(body.clone()))).await;
        assert!(replies.iter().all(|r| r["return_code"] == "SUCCESS"), "{replies:?}");
        assert_eq!(app.events(&no, "paid").await, 1);
        assert_eq!(app.query_order(&token, &no).await["trade_state"], "SUCCESS");
    }

    async fn forged_notifications_leave_the_order_untouched(app: TestApp) {
        let token = buyer(&app, "victim", 54).await;
        let res = app.order(&token, json!([{"productId": 1, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        let good = notification(&no, 100, APPID, MCH_ID, WECHAT_KEY);
        for forged in [
            good.replace("<![CDATA[CMC]]>", "<![CDATA[ICBC]]>"),                 // tampered after signing
            notification(&no, 1, APPID, MCH_ID, WECHAT_KEY),                     // wrong amount, well signed
            notification(&no, 100, "wx_not_ours_0000", MCH_ID, WECHAT_KEY),      // wrong appid
            notification(&no, 100, APPID, "1234567890", WECHAT_KEY),             // wrong mch_id
            notification(&no, 100, APPID, MCH_ID, "someone-elses-key-0000000000"), // wrong key
            notification("LT-no-such-order", 100, APPID, MCH_ID, WECHAT_KEY),    // unknown order
            xml::build([("return_code", "SUCCESS"), ("out_trade_no", no.as_str()), ("total_fee", "100")]), // unsigned
            "<xml><return_code>SUCCESS".to_owned(),                               // broken XML
            String::new(),
        ] {
            let reply = app.notify(forged.clone()).await;
            assert_eq!(reply["return_code"], "FAIL", "{forged}");
        }
        assert_eq!(app.query_order(&token, &no).await["trade_state"], "NOTPAY");
        assert_eq!(app.events(&no, "paid").await, 0);
        // The real one still works afterwards.
        assert_eq!(app.notify(good).await["return_code"], "SUCCESS");
    }

    async fn a_lost_notification_is_recovered_by_query_order(app: TestApp) {
        let token = buyer(&app, "lost_note", 55).await;
        app.sim.set_faults(wechat_pay_sim::Faults { drop_next_notifications: 1, ..Default::default() });
        let res = app.order(&token, json!([{"productId": 2, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "dropped").await;
        assert!(app.paid_by(&no).await.is_empty(), "the dropped notification recorded nothing");
        let data = app.query_order(&token, &no).await;
        assert_eq!(data["trade_state"], "SUCCESS", "{data}");
        assert_eq!(app.paid_by(&no).await.len(), 1);
        assert!(app.paid_by(&no).await[0].starts_with("query "), "recovered by the query");
    }

    async fn other_users_orders_are_invisible(app: TestApp) {
        let alice = buyer(&app, "alice_b", 56).await;
        let bob = buyer(&app, "bob_b", 57).await;
        let res = app.order(&alice, json!([{"productId": 3, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.post_auth("/queryOrder", &bob, json!({"out_trade_no": no})).await.assert_error(404, 1060);
        app.post_auth("/closeOrder", &bob, json!({"out_trade_no": no})).await.assert_error(404, 1060);
        app.post_auth("/queryOrder", &bob, json!({"out_trade_no": "LT-unknown"})).await.assert_error(404, 1060);
        let bobs = app.call(actix_web::test::TestRequest::get().uri("/orders").insert_header(("authorization", format!("Bearer {bob}")))).await.json();
        assert_eq!(bobs["total"], 0);
        let msg = app.post_auth("/queryOrder", &bob, json!({"out_trade_no": "x'; DROP TABLE payorder; --"})).await.assert_error(400, 1010);
        assert!(msg.contains("out_trade_no"));
    }

    async fn a_hundred_concurrent_orders_for_ten_in_stock_give_ten(app: TestApp) {
        let token = buyer(&app, "rush_buyer", 58).await;
        app.set_stock(4, 10);
        let results = futures_util::future::join_all((0..100).map(|_| app.order(&token, json!([{"productId": 4, "size": "40", "quantity": 1}])))).await;
        let ok = results.iter().filter(|r| r.status == 200).count();
        let sold_out = results.iter().filter(|r| r.status == 409 && r.json()["status"] == 1061).count();
        assert_eq!((ok, sold_out), (10, 90), "{:?}", results.iter().map(|r| r.text()).collect::<Vec<_>>().first());
        assert_eq!(app.stock(4), 0);
    }

    async fn closing_releases_the_stock_and_paid_orders_cannot_close(app: TestApp) {
        let token = buyer(&app, "closer", 59).await;
        let before = app.stock(5);
        let res = app.order(&token, json!([{"productId": 5, "size": "40", "quantity": 3}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        assert_eq!(app.stock(5), before - 3);
        let closed = app.post_auth("/closeOrder", &token, json!({"out_trade_no": no})).await;
        assert_eq!(closed.status, 200, "{}", closed.text());
        assert_eq!(closed.json()["data"]["trade_state"], "CLOSED");
        assert_eq!(app.stock(5), before);
        assert_eq!(app.sim.order(&no).expect("sim").trade_state, "CLOSED");
        app.post_auth("/closeOrder", &token, json!({"out_trade_no": no})).await.assert_error(409, 1061);

        let res = app.order(&token, json!([{"productId": 5, "size": "40", "quantity": 1}])).await;
        let paid_no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.sim.pay(&paid_no).expect("pay");
        wait_for_state(&app, &token, &paid_no, "SUCCESS").await;
        app.post_auth("/closeOrder", &token, json!({"out_trade_no": paid_no})).await.assert_error(409, 1061);
    }

    async fn expiry_closes_unpaid_orders_and_releases_stock(app: TestApp) {
        let token = buyer(&app, "forgetful", 60).await;
        let before = app.stock(6);
        let res = app.order(&token, json!([{"productId": 6, "size": "40", "quantity": 2}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        assert_eq!(app.services.orders.expire_due().await.unwrap(), 0, "not due yet");
        app.clock.advance(TimeDelta::hours(2) + TimeDelta::seconds(1));
        assert_eq!(app.services.orders.expire_due().await.unwrap(), 1);
        assert_eq!(app.stock(6), before);
        assert_eq!(app.query_order(&token, &no).await["trade_state"], "CLOSED");
        assert_eq!(app.sim.order(&no).expect("sim").trade_state, "CLOSED");
        // A second instance running the same round finds nothing to do.
        assert_eq!(app.services.orders.expire_due().await.unwrap(), 0);
        assert_eq!(app.stock(6), before, "released once");
    }

    async fn a_payment_arriving_after_expiry_is_recorded_for_refund(app: TestApp) {
        let token = buyer(&app, "late_payer", 61).await;
        let res = app.order(&token, json!([{"productId": 1, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.clock.advance(TimeDelta::hours(3));
        app.services.orders.expire_due().await.unwrap();
        let reply = app.notify(notification(&no, 100, APPID, MCH_ID, WECHAT_KEY)).await;
        assert_eq!(reply["return_code"], "SUCCESS", "never lost");
        let data = app.query_order(&token, &no).await;
        assert_eq!(data["trade_state"], "CLOSED");
        assert_eq!(data["refund_pending"], true);
        assert!(data["transaction_id"].is_string());
        assert_eq!(app.events(&no, "paid_after_close").await, 1);
    }

    async fn simulator_faults_never_double_or_lose_a_payment(app: TestApp) {
        let token = buyer(&app, "unlucky", 62).await;
        let before = app.stock(9);
        app.sim.set_faults(wechat_pay_sim::Faults { systemerror_percent: 100, ..Default::default() });
        let failed = app.order(&token, json!([{"productId": 9, "size": "40", "quantity": 1}])).await;
        let msg = failed.assert_error(502, 1050);
        assert!(msg.contains("SYSTEMERROR"), "{msg}");
        assert_eq!(app.stock(9), before, "released when WeChat fails");

        app.sim.set_faults(wechat_pay_sim::Faults { duplicate_notifications: 5, notify_delay_ms: 50, ..Default::default() });
        let res = app.order(&token, json!([{"productId": 9, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.sim.pay(&no).expect("pay");
        wait_for_state(&app, &token, &no, "SUCCESS").await;
        for _ in 0..100 {
            if app.sim.deliveries().iter().filter(|d| d.out_trade_no == no).count() >= 6 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let copies = app.sim.deliveries().iter().filter(|d| d.out_trade_no == no).count();
        assert!(copies >= 6, "{copies} deliveries");
        assert_eq!(app.events(&no, "paid").await, 1);
    }
}
