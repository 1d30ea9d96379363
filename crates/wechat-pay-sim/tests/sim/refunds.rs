//! Refunds and refund notifications.

use crate::receiver::Receiver;
use crate::{client, eventually, merchant, order, start_sim};
use wechat_pay::{OrderRef, Refund, SignType, TradeState, WechatPayApi};

fn refund(no: &str, refund_fee: i64, notify_url: Option<String>) -> Refund {
    Refund {
        order: OrderRef::OutTradeNo("LT2001".into()),
        out_refund_no: no.into(),
        total_fee: 1000,
        refund_fee,
        refund_desc: Some("质量问题".into()),
        notify_url,
    }
}

#[test]
fn partial_refunds_never_exceed_what_was_paid_and_repeat_idempotently() {
    let sim = start_sim(|_| {});
    let receiver = Receiver::start(0);
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT2001", 1000, "http://127.0.0.1:9/n"))
        .unwrap();
    assert_eq!(
        c.refund(&refund("RF1", 100, None)).unwrap_err().err_code(),
        Some("TRADE_STATE_ERROR")
    );
    sim.pay("LT2001").unwrap();

    let first = c.refund(&refund("RF1", 400, Some(receiver.url()))).unwrap();
    assert_eq!(first.refund_fee, 400);
    let again = c.refund(&refund("RF1", 400, Some(receiver.url()))).unwrap();
    assert_eq!(
        again.refund_id, first.refund_id,
        "same refund number, same refund"
    );
    c.refund(&refund("RF2", 600, None)).unwrap();
    assert_eq!(
        c.refund(&refund("RF3", 1, None)).unwrap_err().err_code(),
        Some("INVALID_REQUEST")
    );
    let mut wrong_total = refund("RF4", 1, None);
    wrong_total.total_fee = 999;
    assert_eq!(
        c.refund(&wrong_total).unwrap_err().err_code(),
        Some("INVALID_REQUEST")
    );

    let q = c
        .order_query(&OrderRef::OutTradeNo("LT2001".into()))
        .unwrap();
    assert_eq!(q.trade_state, TradeState::Refund);
    eventually("refunds settled", || {
        c.refund_query(&OrderRef::OutTradeNo("LT2001".into()))
            .map(|r| r.refunds.iter().all(|i| i.refund_status == "SUCCESS"))
            .unwrap_or(false)
    });
    let listed = c
        .refund_query(&OrderRef::OutTradeNo("LT2001".into()))
        .unwrap();
    let nos: Vec<_> = listed
        .refunds
        .iter()
        .map(|r| (r.out_refund_no.as_str(), r.refund_fee))
        .collect();
    assert_eq!(nos, vec![("RF1", 400), ("RF2", 600)]);

    eventually("the refund notification", || receiver.count() == 1);
    let n = merchant(SignType::Md5)
        .refund_notification(&receiver.bodies()[0])
        .unwrap();
    assert_eq!(n.out_trade_no, "LT2001");
    assert_eq!(n.out_refund_no, "RF1");
    assert_eq!(n.refund_fee, 400);
    assert_eq!(n.refund_status, "SUCCESS");
}

#[test]
fn querying_refunds_of_an_order_without_any() {
    let sim = start_sim(|_| {});
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT2002", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    let err = c
        .refund_query(&OrderRef::OutTradeNo("LT2002".into()))
        .unwrap_err();
    assert_eq!(err.err_code(), Some("REFUNDNOTEXIST"));
}
