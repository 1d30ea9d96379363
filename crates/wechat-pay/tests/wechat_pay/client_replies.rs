//! How the client treats what comes back: nothing is trusted unchecked.

use crate::scripted::{Script, Scripted};
use crate::{APPID, KEY, MCH_ID, merchant, signed_xml};
use std::time::{Duration, Instant};
use wechat_pay::{Client, Config, OrderRef, SignType, WechatPayApi, WechatPayError, XmlError};

fn client(base_url: String, sign_type: SignType, timeout: Duration) -> Client {
    Client::new(Config {
        merchant: merchant(sign_type),
        base_url,
        timeout,
        client_identity: None,
        root_certs_pem: None,
    })
    .unwrap()
}

fn query(
    script: Script,
) -> (
    Result<wechat_pay::OrderQueryResult, WechatPayError>,
    Scripted,
) {
    let server = Scripted::start(script);
    let c = client(server.base_url(), SignType::Md5, Duration::from_secs(5));
    let result = c.order_query(&OrderRef::OutTradeNo("LT1".into()));
    (result, server)
}

fn paid_reply_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "abc"),
        ("result_code", "SUCCESS"),
        ("trade_state", "SUCCESS"),
        ("out_trade_no", "LT1"),
        ("transaction_id", "4200000000000000000000000001"),
        ("total_fee", "100"),
        ("bank_type", "CMC"),
        ("time_end", "20260101120000"),
    ]
}

#[test]
fn a_correctly_signed_reply_is_read_and_the_request_was_signed() {
    let (result, server) = query(Script::Body(signed_xml(
        &paid_reply_fields(),
        KEY,
        SignType::Md5,
    )));
    let r = result.unwrap();
    assert_eq!(r.trade_state, wechat_pay::TradeState::Success);
    assert_eq!(r.total_fee, Some(100));
    assert_eq!(
        r.transaction_id.as_deref(),
        Some("4200000000000000000000000001")
    );

    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert!(
        wechat_pay::verify(&sent, KEY, SignType::Md5),
        "the request is signed"
    );
    assert_eq!(sent["appid"], APPID);
    assert_eq!(sent["mch_id"], MCH_ID);
    assert_eq!(sent["out_trade_no"], "LT1");
    assert_eq!(sent["nonce_str"].len(), 32);
}

#[test]
fn a_tampered_reply_is_rejected() {
    let good = signed_xml(&paid_reply_fields(), KEY, SignType::Md5);
    let tampered = good.replace("<![CDATA[100]]>", "<![CDATA[1]]>");
    assert_ne!(good, tampered);
    let (result, _s) = query(Script::Body(tampered));
    assert_eq!(result.unwrap_err(), WechatPayError::BadSignature);
}

#[test]
fn an_unsigned_or_wrongly_keyed_reply_is_rejected() {
    let unsigned = wechat_pay::xml::build(paid_reply_fields());
    assert_eq!(
        query(Script::Body(unsigned)).0.unwrap_err(),
        WechatPayError::BadSignature
    );
    let other_key = signed_xml(&paid_reply_fields(), "another-merchants-key", SignType::Md5);
    assert_eq!(
        query(Script::Body(other_key)).0.unwrap_err(),
        WechatPayError::BadSignature
    );
    let other_algorithm = signed_xml(&paid_reply_fields(), KEY, SignType::HmacSha256);
    assert_eq!(
        query(Script::Body(other_algorithm)).0.unwrap_err(),
        WechatPayError::BadSignature
    );
}

#[test]
fn a_reply_signed_for_another_merchant_is_rejected() {
    let mut fields = paid_reply_fields();
    fields[3] = ("mch_id", "99999999");
    let err = query(Script::Body(signed_xml(&fields, KEY, SignType::Md5)))
        .0
        .unwrap_err();
    assert!(
        matches!(
            err,
            WechatPayError::WrongMerchant {
                field: "mch_id",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_unknown_extra_field_is_part_of_the_verified_signature() {
    let mut fields = paid_reply_fields();
    fields.push(("promotion_detail_2030", "x"));
    let good = signed_xml(&fields, KEY, SignType::Md5);
    let r = query(Script::Body(good.clone())).0.unwrap();
    assert_eq!(r.raw["promotion_detail_2030"], "x");
    // Dropping the unknown field breaks the signature.
    let dropped = good.replace(
        "<promotion_detail_2030><![CDATA[x]]></promotion_detail_2030>",
        "",
    );
    assert_eq!(
        query(Script::Body(dropped)).0.unwrap_err(),
        WechatPayError::BadSignature
    );
}

#[test]
fn return_and_result_failures_carry_wechats_words() {
    let fail = wechat_pay::xml::build([("return_code", "FAIL"), ("return_msg", "签名错误")]);
    assert_eq!(
        query(Script::Body(fail)).0.unwrap_err(),
        WechatPayError::ReturnFail {
            return_msg: "签名错误".into()
        }
    );
    let business = signed_xml(
        &[
            ("return_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", MCH_ID),
            ("nonce_str", "n"),
            ("result_code", "FAIL"),
            ("err_code", "ORDERNOTEXIST"),
            ("err_code_des", "此交易订单号不存在"),
        ],
        KEY,
        SignType::Md5,
    );
    let err = query(Script::Body(business)).0.unwrap_err();
    assert_eq!(
        err,
        WechatPayError::ResultFail {
            err_code: "ORDERNOTEXIST".into(),
            err_code_des: "此交易订单号不存在".into()
        }
    );
    assert!(!err.is_retryable());
}

#[test]
fn broken_transport_and_bodies_are_errors_not_panics() {
    assert_eq!(
        query(Script::Status(500, "oops".into())).0.unwrap_err(),
        WechatPayError::HttpStatus(500)
    );
    assert!(
        query(Script::Status(503, "".into()))
            .0
            .unwrap_err()
            .is_retryable()
    );
    assert!(matches!(
        query(Script::Body("<xml><a>".into())).0.unwrap_err(),
        WechatPayError::Xml(XmlError::Malformed(_))
    ));
    assert_eq!(
        query(Script::Body(
            "<!DOCTYPE x [<!ENTITY a \"b\">]><xml><return_code>&a;</return_code></xml>".into()
        ))
        .0
        .unwrap_err(),
        WechatPayError::Xml(XmlError::Dtd)
    );
    let huge = format!("<xml><a>{}</a></xml>", "x".repeat(200_000));
    assert_eq!(
        query(Script::Body(huge)).0.unwrap_err(),
        WechatPayError::Xml(XmlError::TooLarge)
    );
    assert!(matches!(
        query(Script::Body("".into())).0.unwrap_err(),
        WechatPayError::Xml(_)
    ));
}

#[test]
fn a_silent_server_times_out() {
    let server = Scripted::start(Script::Slow(Duration::from_secs(5), "<xml/>".into()));
    let c = client(server.base_url(), SignType::Md5, Duration::from_millis(300));
    let started = Instant::now();
    let err = c.close_order("LT1").unwrap_err();
    assert_eq!(err, WechatPayError::Timeout);
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn refunds_without_a_client_certificate_are_refused_locally() {
    let server = Scripted::start(Script::Body("<xml/>".into()));
    // HTTPS: a certificate is required before anything is sent.
    let c = client(
        format!("https://{}", server.addr),
        SignType::Md5,
        Duration::from_secs(1),
    );
    let err = c
        .refund(&wechat_pay::Refund {
            order: OrderRef::OutTradeNo("LT1".into()),
            out_refund_no: "RF1".into(),
            total_fee: 100,
            refund_fee: 100,
            refund_desc: None,
            notify_url: None,
        })
        .unwrap_err();
    assert!(matches!(err, WechatPayError::Config(_)), "{err:?}");
    assert!(
        server.received.lock().unwrap().is_empty(),
        "nothing was sent"
    );
}
