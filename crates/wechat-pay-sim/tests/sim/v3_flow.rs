//! The crate's v3 client against the simulator: every operation and error
//! code, and refused merchant signatures.

use crate::{
    MCH_ID, eventually, http_agent, key, native, start_sim, start_sim_v3, v3_client, v3_config,
};
use wechat_pay::TradeState;
use wechat_pay::v3::{Api, Client, Error, RefundOrder, RefundRequest};
use wechat_pay_sim::Faults;

fn refund(no: &str, amount: i64, total: i64) -> RefundRequest {
    RefundRequest {
        order: RefundOrder::OutTradeNo("LT300001".into()),
        out_refund_no: no.into(),
        reason: Some("尺码不合适".into()),
        notify_url: None,
        refund: amount,
        total,
    }
}

#[test]
fn order_query_pay_close_and_refund_over_v3() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let prepay = c
        .create_native(&native("LT300001", 2590, "http://127.0.0.1:9/n"))
        .unwrap();
    assert!(prepay.code_url.starts_with("weixin://wxpay/bizpayurl?pr="));
    assert_eq!(sim.order("LT300001").unwrap().api, "v3");

    let before = c.query_by_out_trade_no("LT300001").unwrap();
    assert_eq!(before.trade_state, TradeState::NotPay);
    assert_eq!(before.transaction_id, None);
    assert_eq!(before.amount.and_then(|a| a.total), Some(2590));

    let tx = sim.pay("LT300001").unwrap();
    let after = c.query_by_out_trade_no("LT300001").unwrap();
    assert_eq!(after.trade_state, TradeState::Success);
    assert_eq!(after.transaction_id.as_deref(), Some(tx.as_str()));
    assert_eq!(after.attach.as_deref(), Some("a1"));
    assert!(after.success_time.is_some() && after.payer.is_some());
    let by_id = c.query_by_transaction_id(&tx).unwrap();
    assert_eq!(by_id.out_trade_no, "LT300001");

    assert_eq!(c.close("LT300001").unwrap_err().code(), Some("ORDERPAID"));
    let again = c
        .create_native(&native("LT300001", 2590, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(again.code(), Some("ORDERPAID"));

    let r = c.refund(&refund("RF300001", 1000, 2590)).unwrap();
    assert_eq!(r.status, "PROCESSING");
    assert_eq!(r.amount.refund, 1000);
    assert_eq!(
        c.refund(&refund("RF300001", 1000, 2590)).unwrap().refund_id,
        r.refund_id,
        "idempotent"
    );
    eventually("the refund to succeed", || {
        c.query_refund("RF300001")
            .map(|q| q.status == "SUCCESS")
            .unwrap_or(false)
    });
    let err = c.refund(&refund("RF300002", 1591, 2590)).unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(403), Some("NOT_ENOUGH")));
    let err = c.refund(&refund("RF300003", 1, 999)).unwrap_err();
    assert_eq!(err.code(), Some("INVALID_REQUEST"));
    let err = c.query_refund("RF-none").unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(404), Some("RESOURCE_NOT_EXISTS"))
    );
    assert_eq!(
        c.query_by_out_trade_no("LT300001").unwrap().trade_state,
        TradeState::Refund
    );
}

#[test]
fn v3_errors_carry_wechats_codes() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let err = c.query_by_out_trade_no("LT-none").unwrap_err();
    assert_eq!(
        err,
        Error::Api {
            status: 404,
            code: "ORDER_NOT_EXIST".into(),
            message: "订单不存在".into()
        }
    );
    assert!(!err.is_retryable());
    assert_eq!(
        c.close("LT-none").unwrap_err().code(),
        Some("ORDER_NOT_EXIST")
    );
    assert_eq!(
        c.query_by_transaction_id("4200000").unwrap_err().code(),
        Some("ORDER_NOT_EXIST")
    );

    let err = c
        .create_native(&native("LT300010", 0, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("PARAM_ERROR")));

    c.create_native(&native("LT300011", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    let same = c.create_native(&native("LT300011", 100, "http://127.0.0.1:9/n"));
    assert!(same.is_ok(), "the same order again returns its code");
    let err = c
        .create_native(&native("LT300011", 200, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("OUT_TRADE_NO_USED"))
    );
    c.close("LT300011").unwrap();
    assert_eq!(
        c.query_by_out_trade_no("LT300011").unwrap().trade_state,
        TradeState::Closed
    );
    assert!(sim.pay("LT300011").is_err());
    let err = c
        .create_native(&native("LT300011", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(400), Some("ORDER_CLOSED"))
    );
    let unpaid = RefundRequest {
        order: RefundOrder::OutTradeNo("LT300011".into()),
        ..refund("RF300011", 1, 100)
    };
    let err = c.refund(&unpaid).unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("TRADE_STATE_ERROR"))
    );

    sim.set_faults(Faults {
        systemerror_percent: 100,
        ..Faults::default()
    });
    let err = c
        .create_native(&native("LT300012", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(500), Some("SYSTEM_ERROR"))
    );
    assert!(err.is_retryable());
    assert!(sim.order("LT300012").is_none(), "nothing done");
}

#[test]
fn a_bad_merchant_signature_is_401_sign_error() {
    let sim = start_sim_v3(|_| {});
    let mut config = v3_config(&sim);
    use secrecy::ExposeSecret;
    let other = key("stranger").to_pkcs8_pem().unwrap();
    config.merchant_private_key = secrecy::SecretString::from(other.expose_secret());
    let err = Client::new(config)
        .unwrap()
        .create_native(&native("LT300020", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(401), Some("SIGN_ERROR")));
    assert!(sim.orders().is_empty());

    let mut config = v3_config(&sim);
    config.merchant_serial = "0000000000000000000000000000000000000000".into();
    let err = Client::new(config).unwrap().close("LT1").unwrap_err();
    assert_eq!(err.code(), Some("SIGN_ERROR"));

    // No Authorization at all.
    let mut res = http_agent()
        .get(&format!(
            "{}/v3/pay/transactions/out-trade-no/LT1?mchid={MCH_ID}",
            sim.base_url()
        ))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let body: serde_json::Value =
        serde_json::from_slice(&res.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(body["code"], "SIGN_ERROR");
    assert!(
        res.headers().contains_key("Wechatpay-Signature"),
        "errors are signed too"
    );
}

#[test]
fn without_a_merchant_key_v3_is_refused_until_one_is_posted() {
    let sim = start_sim_v3(|c| {
        if let Some(v3) = c.v3.as_mut() {
            v3.merchant_public_key = None;
        }
    });
    let c = v3_client(&sim);
    let err = c.close("LT1").unwrap_err();
    assert_eq!(err.code(), Some("SIGN_ERROR"));
    assert!(err.to_string().contains("--merchant-public-key"), "{err}");

    let pem = key("merchant").public_key().to_pem().unwrap();
    let res = http_agent()
        .post(&format!("{}/sim/v3/merchant-public-key", sim.base_url()))
        .header("Content-Type", "application/json")
        .send(serde_json::json!({"public_key_pem": pem}).to_string())
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(c.close("LT1").unwrap_err().code(), Some("ORDER_NOT_EXIST"));
}

#[test]
fn v3_replies_with_a_skewed_clock_are_refused_by_the_client() {
    let sim = start_sim_v3(|_| {});
    sim.set_faults(Faults {
        clock_skew_secs: 600,
        ..Faults::default()
    });
    let err = v3_client(&sim).close("LT1").unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadSignature(wechat_pay::v3::SignatureError::StaleTimestamp { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn a_v2_sim_without_v3_answers_404() {
    let sim = start_sim(|_| {});
    let err = v3_client(&sim).close("LT1").unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[test]
fn the_public_key_is_published_for_the_shop() {
    let sim = start_sim_v3(|_| {});
    let body: serde_json::Value = http_agent()
        .get(&format!("{}/sim/v3/public-key", sim.base_url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert_eq!(body["public_key_id"], wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID);
    let pem = body["public_key_pem"].as_str().unwrap();
    assert_eq!(
        wechat_pay::v3::PublicKey::from_pem(pem).unwrap(),
        key("platform-a").public_key()
    );
}

#[test]
fn a_stale_request_timestamp_is_401_sign_error() {
    let sim = start_sim_v3(|_| {});
    let signer =
        wechat_pay::v3::MerchantSigner::new(MCH_ID, crate::MERCHANT_SERIAL, key("merchant"));
    let path = format!("/v3/pay/transactions/out-trade-no/LT1?mchid={MCH_ID}");
    let agent = http_agent();
    let status = |timestamp: i64| {
        let auth = signer.authorization("GET", &path, timestamp, "nonce1", b"");
        let mut res = agent
            .get(&format!("{}{path}", sim.base_url()))
            .header("Authorization", auth.header_value())
            .call()
            .unwrap();
        let body: serde_json::Value =
            serde_json::from_slice(&res.body_mut().read_to_vec().unwrap()).unwrap();
        (
            res.status().as_u16(),
            body["code"].as_str().unwrap_or("").to_owned(),
        )
    };
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        status(now),
        (404, "ORDER_NOT_EXIST".to_owned()),
        "a fresh request is accepted"
    );
    assert_eq!(status(now - 600), (401, "SIGN_ERROR".to_owned()));
}
