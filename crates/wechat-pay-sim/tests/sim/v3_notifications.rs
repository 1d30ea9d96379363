//! v3 notifications from the simulator: encrypted, signed, verified by the
//! crate at the merchant's end, retried until acknowledged; probes and
//! skewed clocks refused.

use crate::v3_receiver::V3Receiver;
use crate::{eventually, native, start_sim_v3, v3_client};
use std::time::Duration;
use wechat_pay::TradeState;
use wechat_pay::v3::{Api, Error, Notification, RefundOrder, RefundRequest, SignatureError};
use wechat_pay_sim::Faults;

#[test]
fn a_v3_payment_notification_is_delivered_and_verifies() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&native("LT400001", 2590, &receiver.url()))
        .unwrap();
    let tx = sim.pay("LT400001").unwrap();
    eventually("the notification", || receiver.accepted().len() == 1);
    let Notification::Payment { envelope, payment } = &receiver.accepted()[0] else {
        panic!("not a payment")
    };
    assert_eq!(envelope.event_type, "TRANSACTION.SUCCESS");
    assert_eq!(payment.out_trade_no, "LT400001");
    assert_eq!(payment.transaction_id, tx);
    assert_eq!(payment.trade_state, TradeState::Success);
    assert_eq!(payment.amount.total, 2590);
    assert_eq!(payment.amount.payer_total, 2590);
    assert_eq!(payment.attach.as_deref(), Some("a1"));
    let r = &receiver.all()[0];
    assert_eq!(
        r.headers["wechatpay-serial"],
        wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID
    );
    assert_eq!(r.headers["content-type"], "application/json");
    let raw = String::from_utf8(r.body.clone()).unwrap();
    assert!(
        raw.contains("AEAD_AES_256_GCM") && !raw.contains("LT400001"),
        "the payment is encrypted"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(receiver.all().len(), 1, "acknowledged: not sent again");
}

#[test]
fn v3_notifications_are_retried_until_a_2xx() {
    let sim = start_sim_v3(|c| c.retry_scale = 0.002);
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 2);
    c.create_native(&native("LT400002", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT400002").unwrap();
    eventually("three attempts", || receiver.all().len() == 3);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.all().len(), 3);
    let outcomes: Vec<String> = sim
        .deliveries()
        .into_iter()
        .filter(|d| d.out_trade_no == "LT400002")
        .map(|d| d.outcome)
        .collect();
    assert_eq!(outcomes, vec!["HTTP 500", "HTTP 500", "SUCCESS"]);
    // Each attempt is signed afresh (its own nonce).
    let nonces: std::collections::HashSet<String> = receiver
        .all()
        .iter()
        .map(|r| r.headers["wechatpay-nonce"].clone())
        .collect();
    assert_eq!(nonces.len(), 3);
}

#[test]
fn signtest_probes_are_refused_and_the_real_notification_follows() {
    let sim = start_sim_v3(|c| c.retry_scale = 0.002);
    sim.set_faults(Faults {
        signtest: 1,
        ..Faults::default()
    });
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&native("LT400003", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT400003").unwrap();
    eventually("the real notification", || receiver.accepted().len() == 1);
    let all = receiver.all();
    assert_eq!(all.len(), 2);
    assert!(all[0].headers["wechatpay-signature"].starts_with("WECHATPAY/SIGNTEST/"));
    assert_eq!(
        all[0].parsed.as_ref().unwrap_err(),
        &Error::BadSignature(SignatureError::SignTest)
    );
    assert_eq!(all[0].status, 401);
    // The simulator records an attempt once its reply is back.
    eventually("both attempts recorded", || sim.deliveries().len() == 2);
    let outcomes: Vec<String> = sim.deliveries().into_iter().map(|d| d.outcome).collect();
    assert_eq!(outcomes, vec!["SIGNTEST refused", "SUCCESS"]);
}

#[test]
fn a_skewed_clock_is_refused_until_it_is_right_again() {
    let sim = start_sim_v3(|c| c.retry_scale = 0.002);
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    // Order placed while the clock is right, notification sent while skewed.
    c.create_native(&native("LT400004", 100, &receiver.url()))
        .unwrap();
    sim.set_faults(Faults {
        clock_skew_secs: -900,
        ..Faults::default()
    });
    sim.pay("LT400004").unwrap();
    eventually("two refused attempts", || receiver.all().len() >= 2);
    assert!(matches!(
        receiver.all()[0].parsed,
        Err(Error::BadSignature(SignatureError::StaleTimestamp { .. }))
    ));
    assert!(receiver.accepted().is_empty());
    sim.set_faults(Faults::default());
    eventually("an accepted retry", || receiver.accepted().len() == 1);
}

#[test]
fn a_dropped_v3_notification_never_arrives() {
    let sim = start_sim_v3(|_| {});
    sim.set_faults(Faults {
        drop_next_notifications: 1,
        ..Faults::default()
    });
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&native("LT400005", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT400005").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(receiver.all().is_empty());
    assert_eq!(
        c.query_by_out_trade_no("LT400005").unwrap().trade_state,
        TradeState::Success
    );
    c.create_native(&native("LT400006", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT400006").unwrap();
    eventually("the next one", || receiver.accepted().len() == 1);
}

#[test]
fn a_v3_refund_notification_is_delivered_and_verifies() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&native("LT400007", 1000, "http://127.0.0.1:9/n"))
        .unwrap();
    sim.pay("LT400007").unwrap();
    c.refund(&RefundRequest {
        order: RefundOrder::OutTradeNo("LT400007".into()),
        out_refund_no: "RF400007".into(),
        reason: None,
        notify_url: Some(receiver.url()),
        refund: 400,
        total: 1000,
    })
    .unwrap();
    eventually("the refund notification", || receiver.accepted().len() == 1);
    let Notification::Refund { envelope, refund } = &receiver.accepted()[0] else {
        panic!("not a refund")
    };
    assert_eq!(envelope.event_type, "REFUND.SUCCESS");
    assert_eq!(refund.out_refund_no, "RF400007");
    assert_eq!(refund.refund_status, "SUCCESS");
    assert_eq!(refund.amount.refund, 400);
    assert_eq!(refund.amount.total, 1000);
}

#[test]
fn v2_orders_still_get_v2_notifications() {
    let sim = start_sim_v3(|_| {});
    let receiver = crate::receiver::Receiver::start(0);
    let c = crate::client(&sim, wechat_pay::SignType::Md5);
    wechat_pay::WechatPayApi::unified_order(&c, &crate::order("LT400008", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT400008").unwrap();
    eventually("the v2 notification", || receiver.count() == 1);
    let n = crate::merchant(wechat_pay::SignType::Md5)
        .payment_notification(&receiver.bodies()[0])
        .unwrap();
    assert_eq!(n.out_trade_no, "LT400008");
}
