//! Order, pay, notify, query, close.

use crate::receiver::Receiver;
use crate::{client, eventually, merchant, order, start_sim};
use std::time::Duration;
use wechat_pay::{OrderRef, SignType, TradeState, WechatPayApi, WechatPayError};

#[test]
fn native_order_pay_and_notification_with_both_sign_types() {
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let sim = start_sim(|_| {});
        let receiver = Receiver::start(0);
        let c = client(&sim, sign_type);
        let placed = c
            .unified_order(&order("LT0001", 2590, &receiver.url()))
            .unwrap();
        assert!(
            placed.code_url.starts_with("weixin://wxpay/bizpayurl?pr="),
            "{}",
            placed.code_url
        );
        assert!(!placed.prepay_id.is_empty());

        let before = c
            .order_query(&OrderRef::OutTradeNo("LT0001".into()))
            .unwrap();
        assert_eq!(before.trade_state, TradeState::NotPay);
        assert_eq!(before.transaction_id, None);

        let tx = sim.pay("LT0001").unwrap();
        eventually("the notification", || receiver.count() == 1);
        let n = merchant(sign_type)
            .payment_notification(&receiver.bodies()[0])
            .unwrap();
        assert_eq!(n.out_trade_no, "LT0001");
        assert_eq!(n.total_fee, 2590);
        assert_eq!(n.transaction_id, tx);
        assert_eq!(n.result_code, "SUCCESS");

        let after = c
            .order_query(&OrderRef::OutTradeNo("LT0001".into()))
            .unwrap();
        assert_eq!(after.trade_state, TradeState::Success);
        assert_eq!(after.total_fee, Some(2590));
        let by_tx = c.order_query(&OrderRef::TransactionId(tx.clone())).unwrap();
        assert_eq!(by_tx.out_trade_no, "LT0001");
        assert!(sim.pay("LT0001").is_err(), "paid once only");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(receiver.count(), 1, "acknowledged: not sent again");
    }
}

#[test]
fn placing_the_same_order_again_returns_the_same_code_but_other_content_is_refused() {
    let sim = start_sim(|_| {});
    let c = client(&sim, SignType::Md5);
    let first = c
        .unified_order(&order("LT0002", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    let again = c
        .unified_order(&order("LT0002", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    assert_eq!(first.code_url, again.code_url);
    let err = c
        .unified_order(&order("LT0002", 200, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(err.err_code(), Some("OUT_TRADE_NO_USED"));
    sim.pay("LT0002").unwrap();
    let err = c
        .unified_order(&order("LT0002", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(err.err_code(), Some("ORDERPAID"));
}

#[test]
fn closing_follows_the_order_state() {
    let sim = start_sim(|_| {});
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT0003", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    c.close_order("LT0003").unwrap();
    let q = c
        .order_query(&OrderRef::OutTradeNo("LT0003".into()))
        .unwrap();
    assert_eq!(q.trade_state, TradeState::Closed);
    assert_eq!(
        c.close_order("LT0003").unwrap_err().err_code(),
        Some("ORDERCLOSED")
    );
    assert!(sim.pay("LT0003").is_err(), "a closed order cannot be paid");
    assert_eq!(
        c.unified_order(&order("LT0003", 100, "http://127.0.0.1:9/n"))
            .unwrap_err()
            .err_code(),
        Some("ORDERCLOSED")
    );

    c.unified_order(&order("LT0004", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    sim.pay("LT0004").unwrap();
    assert_eq!(
        c.close_order("LT0004").unwrap_err().err_code(),
        Some("ORDERPAID")
    );
    assert_eq!(
        c.close_order("LT-none").unwrap_err().err_code(),
        Some("ORDERNOTEXIST")
    );
    assert_eq!(
        c.order_query(&OrderRef::OutTradeNo("LT-none".into()))
            .unwrap_err()
            .err_code(),
        Some("ORDERNOTEXIST")
    );
}

#[test]
fn an_expired_code_url_cannot_be_paid() {
    let sim = start_sim(|c| c.code_url_ttl = Duration::from_millis(100));
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT0005", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    assert!(sim.pay("LT0005").unwrap_err().contains("expired"));
    let q = c
        .order_query(&OrderRef::OutTradeNo("LT0005".into()))
        .unwrap();
    assert_eq!(q.trade_state, TradeState::NotPay);
}

#[test]
fn a_wrong_key_is_a_signature_error() {
    let sim = start_sim(|_| {});
    let mut m = merchant(SignType::Md5);
    m.api_key = secrecy::SecretString::from("wrong-key");
    let c = wechat_pay::Client::new(wechat_pay::Config {
        merchant: m,
        base_url: sim.base_url(),
        timeout: Duration::from_secs(5),
        client_identity: None,
        root_certs_pem: None,
    })
    .unwrap();
    let err = c
        .unified_order(&order("LT0006", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(
        err,
        WechatPayError::ReturnFail {
            return_msg: "SIGNERROR".into()
        }
    );
    assert!(sim.orders().is_empty());
}

#[test]
fn notifications_are_retried_on_the_scaled_schedule_until_acknowledged() {
    let sim = start_sim(|c| c.retry_scale = 0.002);
    let receiver = Receiver::start(3); // FAIL three times, then SUCCESS
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT0007", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT0007").unwrap();
    eventually("four attempts", || receiver.count() == 4);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.count(), 4, "no attempt after SUCCESS");
    let attempts: Vec<_> = sim
        .deliveries()
        .into_iter()
        .filter(|d| d.out_trade_no == "LT0007")
        .collect();
    assert_eq!(
        attempts.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    assert_eq!(attempts[3].outcome, "SUCCESS");
    // 15 s, 15 s, 30 s scaled by 0.002: 30 ms, 30 ms, 60 ms between attempts.
    let gaps: Vec<u64> = attempts
        .windows(2)
        .map(|w| w[1].after_ms - w[0].after_ms)
        .collect();
    for (gap, want) in gaps.iter().zip([30, 30, 60]) {
        assert!(*gap >= want, "gaps {gaps:?}");
        assert!(*gap < want + 150, "gaps {gaps:?}");
    }
}
