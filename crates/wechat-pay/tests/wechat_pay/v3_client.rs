//! The v3 client against a local fake of WeChat: every operation sends a
//! correctly signed request and reads only verified replies.

use crate::fake_v3::{Reply, Signing};
use crate::{APPID, MCH_ID, by_wechat, fake, v3_client, v3_config};
use std::time::{Duration, Instant};
use wechat_pay::TradeState;
use wechat_pay::v3::{Api, Client, Error, NativeOrder, RefundOrder, RefundRequest};

fn transaction_json(mchid: &str) -> String {
    serde_json::json!({
        "appid": APPID, "mchid": mchid, "out_trade_no": "LT1",
        "transaction_id": "4200000001202601010000000001", "trade_type": "NATIVE",
        "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "CMC",
        "attach": "a", "success_time": "2026-01-01T12:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 2590, "payer_total": 2590, "currency": "CNY", "payer_currency": "CNY"}
    })
    .to_string()
}

fn refund_json(status: &str) -> String {
    serde_json::json!({
        "refund_id": "50300000012026010100000000001", "out_refund_no": "RF1",
        "transaction_id": "4200000001202601010000000001", "out_trade_no": "LT1",
        "channel": "ORIGINAL", "user_received_account": "支付用户零钱", "status": status,
        "create_time": "2026-01-01T12:10:00+08:00",
        "amount": {"total": 2590, "refund": 1000, "payer_total": 2590, "payer_refund": 1000,
                   "settlement_refund": 1000, "settlement_total": 2590, "discount_refund": 0,
                   "currency": "CNY"}
    })
    .to_string()
}

fn order() -> NativeOrder {
    NativeOrder {
        description: "乐淘-运动鞋".into(),
        out_trade_no: "LT1".into(),
        total: 2590,
        notify_url: "https://shop.example.com/pay/v3/notify".into(),
        time_expire: chrono::DateTime::parse_from_rfc3339("2026-01-01T14:00:00+08:00").ok(),
        attach: Some("a".into()),
        goods_tag: None,
    }
}

#[test]
fn a_native_order_is_signed_and_its_verified_reply_read() {
    let server = fake(|_| {
        Reply::json(
            200,
            r#"{"code_url":"weixin://wxpay/bizpayurl?pr=abc123"}"#,
            by_wechat(),
        )
    });
    let prepay = v3_client(&server.base_url())
        .create_native(&order())
        .unwrap();
    assert_eq!(prepay.code_url, "weixin://wxpay/bizpayurl?pr=abc123");

    let req = &server.requests()[0];
    assert!(
        req.signed_ok,
        "the fake verified the Authorization independently"
    );
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v3/pay/transactions/native");
    assert_eq!(req.headers["accept"], "application/json");
    assert_eq!(req.headers["content-type"], "application/json");
    assert!(req.headers["user-agent"].starts_with("wechat-pay-rs/"));
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["appid"], APPID);
    assert_eq!(body["mchid"], MCH_ID);
    assert_eq!(body["out_trade_no"], "LT1");
    assert_eq!(body["description"], "乐淘-运动鞋");
    assert_eq!(body["amount"]["total"], 2590);
    assert_eq!(body["amount"]["currency"], "CNY");
    assert_eq!(body["time_expire"], "2026-01-01T14:00:00+08:00");
    assert_eq!(body["notify_url"], "https://shop.example.com/pay/v3/notify");
    assert!(body.get("goods_tag").is_none());
}

#[test]
fn a_request_signed_with_another_key_fails_the_servers_check() {
    let server = fake(|_| Reply::json(200, r#"{"code_url":"x"}"#, by_wechat()));
    let mut config = v3_config(&server.base_url());
    use secrecy::ExposeSecret;
    let other = crate::key("stranger").to_pkcs8_pem().unwrap();
    config.merchant_private_key = secrecy::SecretString::from(other.expose_secret());
    Client::new(config)
        .unwrap()
        .create_native(&order())
        .unwrap();
    assert!(!server.requests()[0].signed_ok);
}

#[test]
fn queries_close_and_refunds_use_the_documented_paths() {
    let server = fake(|req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", p) if p.starts_with("/v3/pay/transactions/") => {
            Reply::json(200, &transaction_json(MCH_ID), by_wechat())
        }
        ("POST", "/v3/pay/transactions/out-trade-no/LT1/close") => {
            Reply::json(204, "", by_wechat())
        }
        ("POST", "/v3/refund/domestic/refunds") => {
            Reply::json(200, &refund_json("PROCESSING"), by_wechat())
        }
        ("GET", "/v3/refund/domestic/refunds/RF1") => {
            Reply::json(200, &refund_json("SUCCESS"), by_wechat())
        }
        _ => Reply::json(404, r#"{"code":"NOT_FOUND","message":"?"}"#, by_wechat()),
    });
    let c = v3_client(&server.base_url());

    let t = c.query_by_out_trade_no("LT1").unwrap();
    assert_eq!(t.trade_state, TradeState::Success);
    assert_eq!(
        t.transaction_id.as_deref(),
        Some("4200000001202601010000000001")
    );
    assert_eq!(t.amount.as_ref().and_then(|a| a.total), Some(2590));
    assert_eq!(
        t.payer.as_ref().map(|p| p.openid.as_str()),
        Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    );
    assert_eq!(
        t.success_time.map(|s| s.to_rfc3339()).as_deref(),
        Some("2026-01-01T12:00:05+08:00")
    );
    c.query_by_transaction_id("4200000001202601010000000001")
        .unwrap();
    c.close("LT1").unwrap();
    let r = c
        .refund(&RefundRequest {
            order: RefundOrder::OutTradeNo("LT1".into()),
            out_refund_no: "RF1".into(),
            reason: Some("尺码不合适".into()),
            notify_url: Some("https://shop.example.com/pay/v3/refund_notify".into()),
            refund: 1000,
            total: 2590,
        })
        .unwrap();
    assert_eq!(r.status, "PROCESSING");
    assert_eq!(r.amount.refund, 1000);
    let q = c.query_refund("RF1").unwrap();
    assert_eq!(q.status, "SUCCESS");

    let reqs = server.requests();
    let paths: Vec<(String, String)> = reqs
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let want = [
        (
            "GET",
            format!("/v3/pay/transactions/out-trade-no/LT1?mchid={MCH_ID}"),
        ),
        (
            "GET",
            format!("/v3/pay/transactions/id/4200000001202601010000000001?mchid={MCH_ID}"),
        ),
        ("POST", "/v3/pay/transactions/out-trade-no/LT1/close".into()),
        ("POST", "/v3/refund/domestic/refunds".into()),
        ("GET", "/v3/refund/domestic/refunds/RF1".into()),
    ];
    assert_eq!(paths, want.map(|(m, p)| (m.to_owned(), p)).to_vec());
    assert!(reqs.iter().all(|r| r.signed_ok), "every request signed");
    assert!(
        reqs[0].body.is_empty() && reqs[4].body.is_empty(),
        "GET has no body"
    );
    let close: serde_json::Value = serde_json::from_slice(&reqs[2].body).unwrap();
    assert_eq!(close, serde_json::json!({"mchid": MCH_ID}));
    let refund: serde_json::Value = serde_json::from_slice(&reqs[3].body).unwrap();
    assert_eq!(refund["out_trade_no"], "LT1");
    assert!(refund.get("transaction_id").is_none());
    assert_eq!(refund["out_refund_no"], "RF1");
    assert_eq!(
        refund["amount"],
        serde_json::json!({"refund": 1000, "total": 2590, "currency": "CNY"})
    );
    assert_eq!(
        refund["notify_url"],
        "https://shop.example.com/pay/v3/refund_notify"
    );
}

#[test]
fn error_replies_carry_status_code_message_and_retryability() {
    let cases: [(u16, &str, bool); 7] = [
        (400, "ORDERPAID", false),
        (404, "ORDER_NOT_EXIST", false),
        (400, "PARAM_ERROR", false),
        (403, "TRADE_ERROR", false),
        (500, "SYSTEM_ERROR", true),
        (429, "FREQUENCY_LIMITED", true),
        (401, "SIGN_ERROR", false),
    ];
    for (status, code, retryable) in cases {
        let body = format!(r#"{{"code":"{code}","message":"说明 {code}"}}"#);
        // WeChat's gateway does not sign every error (e.g. SIGN_ERROR).
        let signing = if code == "SIGN_ERROR" {
            Signing::Unsigned
        } else {
            by_wechat()
        };
        let server = fake(move |_| Reply::json(status, &body, signing.clone()));
        let err = v3_client(&server.base_url())
            .query_by_out_trade_no("LT1")
            .unwrap_err();
        assert_eq!(
            err,
            Error::Api {
                status,
                code: code.into(),
                message: format!("说明 {code}")
            }
        );
        assert_eq!(err.is_retryable(), retryable, "{code}");
    }
    let server = fake(|_| Reply::json(502, "<html>bad gateway</html>", Signing::Unsigned));
    let err = v3_client(&server.base_url()).close("LT1").unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.code(), Some(""));
    assert!(err.is_retryable());
}

#[test]
fn a_signed_error_with_a_bad_signature_is_a_signature_error() {
    let server = fake(|_| {
        Reply::json(
            400,
            r#"{"code":"ORDERPAID","message":"x"}"#,
            Signing::By(crate::key("stranger"), crate::PUB_KEY_ID.into()),
        )
    });
    let err = v3_client(&server.base_url()).close("LT1").unwrap_err();
    assert!(matches!(err, Error::BadSignature(_)), "{err:?}");
}

#[test]
fn a_reply_about_another_merchant_is_refused() {
    let server = fake(|_| Reply::json(200, &transaction_json("1999999999"), by_wechat()));
    let err = v3_client(&server.base_url())
        .query_by_out_trade_no("LT1")
        .unwrap_err();
    assert_eq!(
        err,
        Error::WrongMerchant {
            field: "mchid",
            value: "1999999999".into()
        }
    );
}

#[test]
fn a_silent_server_times_out_and_a_closed_port_is_transport() {
    let server = fake(|_| {
        let mut r = Reply::json(200, "{}", by_wechat());
        r.delay = Duration::from_secs(5);
        r
    });
    let mut config = v3_config(&server.base_url());
    config.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = Client::new(config).unwrap().close("LT1").unwrap_err();
    assert_eq!(err, Error::Timeout);
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(3));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = v3_client(&format!("http://{addr}"))
        .close("LT1")
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[test]
fn identifiers_that_cannot_go_in_a_path_are_refused_before_sending() {
    let server = fake(|_| Reply::json(200, "{}", by_wechat()));
    let c = v3_client(&server.base_url());
    for bad in ["../x", "", "a/b", "LT 1", "LT1?x=1", "一"] {
        assert!(
            matches!(c.query_by_out_trade_no(bad), Err(Error::InvalidRequest(_))),
            "{bad}"
        );
    }
    assert!(matches!(
        c.query_refund("R#1"),
        Err(Error::InvalidRequest(_))
    ));
    assert!(server.requests().is_empty());
}

#[test]
fn configurations_that_cannot_work_are_refused() {
    let mut config = v3_config("http://127.0.0.1:9");
    config.wechat_public_key = None;
    config.platform_certificates = false;
    assert!(matches!(Client::new(config), Err(Error::Config(_))));
    let mut config = v3_config("http://127.0.0.1:9");
    config.apiv3_key = secrecy::SecretString::from("short");
    assert!(matches!(Client::new(config), Err(Error::Config(_))));
    let mut config = v3_config("http://127.0.0.1:9");
    config.merchant_private_key = secrecy::SecretString::from("not a key");
    assert!(matches!(Client::new(config), Err(Error::Config(_))));
    let mut config = v3_config("ftp://127.0.0.1:9");
    config.base_url = "ftp://x".into();
    assert!(matches!(Client::new(config), Err(Error::Config(_))));
    let config = v3_config("http://127.0.0.1:9");
    assert!(
        !format!("{config:?}").contains("PRIVATE"),
        "no key in Debug"
    );
}
