//! The shop on WeChat Pay API v3, against the simulator: the whole order
//! flow, and notifications that must be refused.

use crate::api::helpers::{APIV3_KEY, APPID, MCH_ID, Payments, TestApp, V3App, test_key};
use chrono::{TimeDelta, Utc};
use letao_db::testing::Fixture;
use letao_domain::Role;
use serde_json::{Value, json};
use wechat_pay::v3::{ApiV3Key, NotificationEnvelope, PrivateKey, sign_message};

/// A v3 payment notification for `no`, signed with `key` at `timestamp`
/// and named `serial`: (body, headers).
fn payment_notice(
    no: &str,
    total: i64,
    key: &PrivateKey,
    serial: &str,
    timestamp: i64,
) -> (Vec<u8>, Vec<(&'static str, String)>) {
    let resource = json!({
        "appid": APPID, "mchid": MCH_ID, "out_trade_no": no,
        "transaction_id": format!("4200{no}"), "trade_type": "NATIVE",
        "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS",
        "success_time": "2026-11-30T12:00:00+08:00",
        "payer": {"openid": "o-v3-payer"},
        "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"}
    });
    let key_v3 = ApiV3Key::new(APIV3_KEY).unwrap();
    let envelope = NotificationEnvelope::seal(
        &key_v3,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        resource.to_string().as_bytes(),
        Utc::now().fixed_offset(),
    )
    .unwrap();
    let body = serde_json::to_vec(&envelope).unwrap();
    let nonce = "nonce-0123456789";
    let signature = sign_message(key, timestamp, nonce, &body);
    let headers = vec![
        ("Wechatpay-Timestamp", timestamp.to_string()),
        ("Wechatpay-Nonce", nonce.to_owned()),
        ("Wechatpay-Signature", signature),
        ("Wechatpay-Serial", serial.to_owned()),
    ];
    (body, headers)
}

impl TestApp {
    /// POSTs a v3 notification to `/pay/v3/notify`.
    async fn v3_notify(
        &self,
        body: &[u8],
        headers: &[(&'static str, String)],
    ) -> crate::api::helpers::TestResponse {
        let mut req = actix_web::test::TestRequest::post()
            .uri("/pay/v3/notify")
            .insert_header(("content-type", "application/json"))
            .set_payload(body.to_vec());
        for (name, value) in headers {
            req = req.insert_header((*name, value.as_str()));
        }
        self.call(req).await
    }

    async fn v3_order(&self, token: &str, product: i64) -> (String, i64) {
        let res = self
            .post_auth(
                "/order",
                token,
                json!({"items": [{"productId": product, "size": "40", "quantity": 1}]}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let data: Value = res.json()["data"].clone();
        (
            data["out_trade_no"].as_str().unwrap().to_owned(),
            data["total_fee"].as_i64().unwrap(),
        )
    }
}

const SERIAL: &str = wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID;

/// A test app on v3 verifying with platform certificates.
pub struct CertApp(TestApp);

impl Fixture for CertApp {
    async fn fixture(backend: letao_db::Backend) -> Self {
        CertApp(
            TestApp::builder(backend)
                .payments(Payments::V3 {
                    platform_cert_mode: true,
                })
                .build()
                .await,
        )
    }
}

each_backend! {
    async fn the_whole_order_flow_runs_on_v3(app: V3App) {
        let app = app.0;
        let buyer = app.user_with("v3_buyer", 90, None).await;
        let admin = app.user_with("v3_admin", 91, Some(Role::Admin)).await;
        let (no, total) = app.v3_order(&buyer, 5).await;
        let at_sim = app.sim.order(&no).expect("a v3 order at the simulator");
        assert_eq!(at_sim.notify_url, format!("http://{}/pay/v3/notify", app.addr));
        // Paid: the simulator's encrypted, signed notification records it.
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "SUCCESS").await;
        let paid = app.paid_by(&no).await;
        assert_eq!(paid.len(), 1);
        assert!(paid[0].starts_with("notify 4200"), "{paid:?}");
        let data = app.query_order(&buyer, &no).await;
        assert_eq!(data["trade_state"], "SUCCESS");
        assert_eq!(data["total_fee"], total);
        // Refund in part through v3; its notification settles it.
        let refund = app.send("POST", "/admin/refund", &admin, Some(json!({"out_trade_no": no, "refund_fee": 100, "reason": "v3"}))).await;
        assert_eq!(refund.status, 200, "{}", refund.text());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while app.events(&no, "refund").await < 1 {
            assert!(std::time::Instant::now() < deadline, "the v3 refund notification never settled the refund");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // Close an unpaid one; expire another.
        let (open, _) = app.v3_order(&buyer, 6).await;
        let closed = app.post_auth("/closeOrder", &buyer, json!({"out_trade_no": open})).await;
        assert_eq!(closed.json()["data"]["trade_state"], "CLOSED", "{}", closed.text());
        assert_eq!(app.sim.order(&open).unwrap().trade_state, "CLOSED");
        let (late, _) = app.v3_order(&buyer, 7).await;
        app.clock.advance(TimeDelta::hours(2) + TimeDelta::seconds(1));
        assert_eq!(app.services.orders.expire_due().await.unwrap(), 1);
        assert_eq!(app.sim.order(&late).unwrap().trade_state, "CLOSED");
        // A lost notification is recovered by a v3 query.
        let buyer = app.login("v3_buyer", "a-password").await;
        app.sim.set_faults(wechat_pay_sim::Faults { drop_next_notifications: 1, ..Default::default() });
        let (lost, _) = app.v3_order(&buyer, 8).await;
        app.sim.pay(&lost).expect("pay");
        app.wait_for_delivery(&lost, "dropped").await;
        assert_eq!(app.query_order(&buyer, &lost).await["trade_state"], "SUCCESS");
        assert!(app.paid_by(&lost).await[0].starts_with("query "));
    }

    async fn fifty_concurrent_duplicate_v3_notifications_make_one_transition(app: V3App) {
        let app = app.0;
        let buyer = app.user_with("v3_dup", 92, None).await;
        let (no, total) = app.v3_order(&buyer, 5).await;
        let (body, headers) = payment_notice(&no, total, &test_key("platform"), SERIAL, Utc::now().timestamp());
        let replies = futures_util::future::join_all((0..50).map(|_| app.v3_notify(&body, &headers))).await;
        assert!(replies.iter().all(|r| r.status == 204), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        assert_eq!(app.events(&no, "paid").await, 1);
    }

    async fn forged_stale_probing_and_unknown_v3_notifications_change_nothing(app: V3App) {
        let app = app.0;
        let buyer = app.user_with("v3_forged", 93, None).await;
        let (no, total) = app.v3_order(&buyer, 5).await;
        let now = Utc::now().timestamp();
        let platform = test_key("platform");
        // Tampered body: signed, then changed.
        let (mut body, headers) = payment_notice(&no, total, &platform, SERIAL, now);
        let last = body.len() - 2;
        body[last] ^= 1;
        let r = app.v3_notify(&body, &headers).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.json()["code"], "FAIL");
        // Signed with another key.
        let (body, headers) = payment_notice(&no, total, &test_key("impostor"), SERIAL, now);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 400);
        // An unknown serial.
        let (body, headers) = payment_notice(&no, total, &platform, "PUB_KEY_ID_UNKNOWN", now);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 400);
        // More than five minutes off.
        let (body, headers) = payment_notice(&no, total, &platform, SERIAL, now - 301);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 400);
        // WeChat's signature probe.
        let (body, mut headers) = payment_notice(&no, total, &platform, SERIAL, now);
        headers[2].1 = format!("WECHATPAY/SIGNTEST/{}", headers[2].1);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 400);
        // No headers at all.
        assert_eq!(app.v3_notify(&body, &[]).await.status, 400);
        // A genuine notification with another amount.
        let (body, headers) = payment_notice(&no, total + 1, &platform, SERIAL, now);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 400);
        assert_eq!(app.events(&no, "paid").await, 0, "nothing changed");
        assert_eq!(app.query_order(&buyer, &no).await["trade_state"], "NOTPAY");
        // The genuine one still works.
        let (body, headers) = payment_notice(&no, total, &platform, SERIAL, now);
        assert_eq!(app.v3_notify(&body, &headers).await.status, 204);
        assert_eq!(app.events(&no, "paid").await, 1);
    }

    async fn the_simulators_signature_probes_are_refused_and_the_real_notification_follows(app: V3App) {
        let app = app.0;
        let buyer = app.user_with("v3_probe", 94, None).await;
        app.sim.set_faults(wechat_pay_sim::Faults { signtest: 2, ..Default::default() });
        let (no, _) = app.v3_order(&buyer, 5).await;
        app.sim.pay(&no).expect("pay");
        app.wait_for_delivery(&no, "SUCCESS").await;
        let refused = app.sim.deliveries().iter().filter(|d| d.out_trade_no == no && d.outcome == "SIGNTEST refused").count();
        assert_eq!(refused, 2, "{:?}", app.sim.deliveries());
        assert_eq!(app.events(&no, "paid").await, 1);
    }

    async fn platform_certificates_rotate_without_a_restart(app: CertApp) {
        let app = app.0;
        let buyer = app.user_with("v3_rotate", 95, None).await;
        let (first, _) = app.v3_order(&buyer, 5).await;
        app.sim.pay(&first).expect("pay");
        app.wait_for_delivery(&first, "SUCCESS").await;
        // WeChat rotates: a new certificate signs from now on; the shop
        // meets an unknown serial, downloads the certificates once, and
        // accepts it.
        let serial = app.sim.rotate_certificate(Some(test_key("platform-next"))).expect("rotate");
        let (second, _) = app.v3_order(&buyer, 6).await;
        app.sim.pay(&second).expect("pay");
        app.wait_for_delivery(&second, "SUCCESS").await;
        assert_eq!(app.events(&first, "paid").await, 1);
        assert_eq!(app.events(&second, "paid").await, 1);
        assert_eq!(serial.len(), 40, "a certificate serial: {serial}");
    }
}
