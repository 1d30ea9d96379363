//! JSAPI, H5 and APP orders (v2 and v3) against local servers, and the
//! client-side parameters signed for them.

use crate::fake_v3::Reply;
use crate::scripted::{Script, Scripted};
use crate::{APPID, KEY, MCH_ID, by_wechat, fake, merchant, merchant_key, signed_xml, v3_client};
use std::time::Duration;
use wechat_pay::v3::{self, Api};
use wechat_pay::{
    AppOrder, Client, Config, H5Order, H5Scene, JsapiOrder, OrderDetails, SignType, WechatPayApi,
    WechatPayError,
};

fn v2_client(base_url: String) -> Client {
    let mut config = Config::new(
        APPID,
        MCH_ID,
        secrecy::SecretString::from(KEY),
        SignType::HmacSha256,
    );
    config.base_url = base_url;
    config.timeout = Duration::from_secs(5);
    Client::new(config).unwrap()
}

fn v2_reply(extra: &[(&'static str, &'static str)]) -> String {
    let mut fields = vec![
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "n1"),
        ("result_code", "SUCCESS"),
    ];
    fields.extend_from_slice(extra);
    signed_xml(&fields, KEY, SignType::HmacSha256)
}

fn details() -> OrderDetails {
    OrderDetails::new(
        "乐淘-运动鞋",
        "LT1",
        2590,
        "203.0.113.7",
        "https://shop.example.com/n",
    )
    .time_expire(chrono::DateTime::from_timestamp(1_767_240_000, 0).unwrap())
}

#[test]
fn a_v2_jsapi_order_sends_the_openid_and_reads_the_prepay_id() {
    let server = Scripted::start(Script::Body(v2_reply(&[
        ("trade_type", "JSAPI"),
        ("prepay_id", "wx201410272009395522657a690389285100"),
    ])));
    let prepay = v2_client(server.base_url())
        .jsapi_order(&JsapiOrder::new(details(), "oUser1"))
        .unwrap();
    assert_eq!(prepay.prepay_id, "wx201410272009395522657a690389285100");
    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert!(wechat_pay::verify(&sent, KEY, SignType::HmacSha256));
    assert_eq!(sent["trade_type"], "JSAPI");
    assert_eq!(sent["openid"], "oUser1");
    assert_eq!(sent["total_fee"], "2590");
    assert_eq!(sent["time_expire"], "20260101120000");
    assert!(!sent.contains_key("product_id"));
}

#[test]
fn a_v2_jsapi_order_without_an_openid_is_not_sent() {
    let server = Scripted::start(Script::Body(v2_reply(&[("prepay_id", "p")])));
    let err = v2_client(server.base_url())
        .jsapi_order(&JsapiOrder::new(details(), ""))
        .unwrap_err();
    assert_eq!(err, WechatPayError::BadField("openid"));
    assert!(server.received.lock().unwrap().is_empty());
}

#[test]
fn a_v2_h5_order_sends_scene_info_and_reads_mweb_url() {
    let server = Scripted::start(Script::Body(v2_reply(&[
        ("trade_type", "MWEB"),
        ("prepay_id", "wx2"),
        (
            "mweb_url",
            "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2",
        ),
    ])));
    let scene = H5Scene::new("https://m.shop.example.com", "乐淘");
    let prepay = v2_client(server.base_url())
        .h5_order(&H5Order::new(details(), scene))
        .unwrap();
    assert!(prepay.mweb_url.ends_with("prepay_id=wx2"));
    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert_eq!(sent["trade_type"], "MWEB");
    assert_eq!(sent["spbill_create_ip"], "203.0.113.7");
    let scene: serde_json::Value = serde_json::from_str(&sent["scene_info"]).unwrap();
    assert_eq!(scene["h5_info"]["type"], "Wap");
}

#[test]
fn a_v2_h5_reply_without_mweb_url_is_an_error() {
    let server = Scripted::start(Script::Body(v2_reply(&[("prepay_id", "wx2")])));
    let err = v2_client(server.base_url())
        .h5_order(&H5Order::new(
            details(),
            H5Scene::new("https://m.example.com", "m"),
        ))
        .unwrap_err();
    assert_eq!(err, WechatPayError::BadField("mweb_url"));
}

#[test]
fn a_v2_app_order_is_trade_type_app() {
    let server = Scripted::start(Script::Body(v2_reply(&[("prepay_id", "wx3")])));
    let prepay = v2_client(server.base_url())
        .app_order(&AppOrder::new(details()))
        .unwrap();
    assert_eq!(prepay.prepay_id, "wx3");
    let sent = wechat_pay::xml::parse(&server.received.lock().unwrap()[0]).unwrap();
    assert_eq!(sent["trade_type"], "APP");
}

#[test]
fn v2_client_side_parameters_use_the_merchant_key_and_sign_type() {
    let m = merchant(SignType::HmacSha256);
    let p = m.jsapi_params_at("wx2", 1_700_000_000, "nonce");
    assert_eq!(p.app_id, APPID);
    assert_eq!(p.sign_type, "HMAC-SHA256");
    assert!(p.verify_v2(KEY));
    let fresh = m.jsapi_params("wx2");
    assert_ne!(fresh.nonce_str, p.nonce_str);
    assert!(fresh.verify_v2(KEY));
    let app = m.app_params("wx3");
    assert_eq!(app.partnerid, MCH_ID);
    assert!(app.verify_v2(KEY, SignType::HmacSha256));
}

fn v3_details() -> v3::OrderDetails {
    v3::OrderDetails::new(
        "乐淘-运动鞋",
        "LT000001",
        2590,
        "https://shop.example.com/v3n",
    )
    .time_expire(chrono::DateTime::parse_from_rfc3339("2026-01-01T14:00:00+08:00").unwrap())
}

#[test]
fn a_v3_jsapi_order_posts_the_payer_and_its_pay_sign_verifies() {
    let server = fake(|_| {
        Reply::json(
            200,
            r#"{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}"#,
            by_wechat(),
        )
    });
    let client = v3_client(&server.base_url());
    let prepay = client
        .create_jsapi(&v3::JsapiOrder::new(v3_details(), "oUser1"))
        .unwrap();
    assert_eq!(prepay.prepay_id, "wx26112221580621e9b071c00d9e093b0000");
    let req = &server.requests()[0];
    assert!(req.signed_ok);
    assert_eq!(req.path, "/v3/pay/transactions/jsapi");
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["payer"]["openid"], "oUser1");
    assert_eq!(body["appid"], APPID);
    assert_eq!(body["time_expire"], "2026-01-01T14:00:00+08:00");

    let params = client.jsapi_params(&prepay.prepay_id);
    assert_eq!(params.sign_type, "RSA");
    assert_eq!(
        params.package,
        "prepay_id=wx26112221580621e9b071c00d9e093b0000"
    );
    assert!(params.verify_v3(&merchant_key().public_key()));
    assert!(!params.verify_v3(&crate::key("stranger").public_key()));
    let mut tampered = params.clone();
    tampered.time_stamp = "1".into();
    assert!(!tampered.verify_v3(&merchant_key().public_key()));
    // A v2 verification of an RSA signature fails rather than panics.
    assert!(!params.verify_v2(KEY));
}

#[test]
fn a_v3_h5_order_posts_scene_info_and_reads_h5_url() {
    let server = fake(|_| {
        Reply::json(
            200,
            r#"{"h5_url":"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=1"}"#,
            by_wechat(),
        )
    });
    let prepay = v3_client(&server.base_url())
        .create_h5(&v3::H5Order::new(v3_details(), "203.0.113.7"))
        .unwrap();
    assert!(prepay.h5_url.contains("checkmweb"));
    let req = &server.requests()[0];
    assert_eq!(req.path, "/v3/pay/transactions/h5");
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["scene_info"]["payer_client_ip"], "203.0.113.7");
    assert_eq!(body["scene_info"]["h5_info"]["type"], "Wap");
}

#[test]
fn a_v3_h5_order_with_a_malformed_ip_is_not_sent() {
    let server = fake(|_| Reply::json(200, r#"{"h5_url":"x"}"#, by_wechat()));
    let err = v3_client(&server.base_url())
        .create_h5(&v3::H5Order::new(v3_details(), "not-an-ip"))
        .unwrap_err();
    assert!(matches!(err, v3::Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn a_v3_app_order_and_its_parameters() {
    let server = fake(|_| Reply::json(200, r#"{"prepay_id":"wx3"}"#, by_wechat()));
    let client = v3_client(&server.base_url());
    let prepay = client.create_app(&v3::AppOrder::new(v3_details())).unwrap();
    assert_eq!(server.requests()[0].path, "/v3/pay/transactions/app");
    let params = client.app_params(&prepay.prepay_id);
    assert_eq!(
        (params.appid.as_str(), params.partnerid.as_str()),
        (APPID, MCH_ID)
    );
    assert_eq!(params.package, "Sign=WXPay");
    assert!(params.verify_v3(&merchant_key().public_key()));
}

#[test]
fn an_unsigned_v3_prepay_reply_is_refused() {
    let server = fake(|_| {
        Reply::json(
            200,
            r#"{"prepay_id":"wx1"}"#,
            crate::fake_v3::Signing::Unsigned,
        )
    });
    let err = v3_client(&server.base_url())
        .create_jsapi(&v3::JsapiOrder::new(v3_details(), "oUser1"))
        .unwrap_err();
    assert!(matches!(err, v3::Error::BadSignature(_)), "{err:?}");
}
