//! The async clients (feature `async`) against local fakes: the same signed
//! requests and verified replies as the blocking ones, and a runtime thread
//! that keeps running while a call waits.

use crate::fake_v3::{Reply, Signing};
use crate::{APPID, by_wechat, fake, merchant_key, v3_config};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use wechat_pay::v3::{self, AsyncClient};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn details() -> v3::OrderDetails {
    v3::OrderDetails::new(
        "乐淘-运动鞋",
        "LT000001",
        2590,
        "https://shop.example.com/v3n",
    )
}

#[test]
fn an_async_jsapi_order_is_signed_verified_and_its_params_verify() {
    let server = fake(|_| Reply::json(200, r#"{"prepay_id":"wx2611"}"#, by_wechat()));
    let client = AsyncClient::new(v3_config(&server.base_url())).unwrap();
    let params = runtime().block_on(async {
        let prepay = client
            .jsapi(&v3::JsapiOrder::new(details(), "oUser1"))
            .await
            .unwrap();
        client.jsapi_params(&prepay.prepay_id)
    });
    let req = &server.requests()[0];
    assert!(req.signed_ok);
    assert_eq!(req.path, "/v3/pay/transactions/jsapi");
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["payer"]["openid"], "oUser1");
    assert_eq!(params.app_id, APPID);
    assert_eq!(params.package, "prepay_id=wx2611");
    assert!(params.verify_v3(&merchant_key().public_key()));
}

#[test]
fn async_replies_are_verified_like_blocking_ones() {
    let server = fake(|req| match req.path.as_str() {
        "/v3/pay/transactions/h5" => {
            Reply::json(200, r#"{"h5_url":"https://x"}"#, Signing::Unsigned)
        }
        _ => Reply::json(
            404,
            r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#,
            by_wechat(),
        ),
    });
    let client = AsyncClient::new(v3_config(&server.base_url())).unwrap();
    runtime().block_on(async {
        let unsigned = client
            .h5(&v3::H5Order::new(details(), "203.0.113.7"))
            .await
            .unwrap_err();
        assert!(
            matches!(unsigned, v3::Error::BadSignature(_)),
            "{unsigned:?}"
        );
        let missing = client.query_by_out_trade_no("LT000404").await.unwrap_err();
        assert_eq!(missing.code(), Some("ORDER_NOT_EXIST"));
        assert_eq!(missing.status(), Some(404));
    });
}

#[test]
fn a_slow_reply_does_not_hold_the_runtime_thread() {
    let server = fake(|_| {
        let mut reply = Reply::json(200, r#"{"prepay_id":"wx1"}"#, by_wechat());
        reply.delay = Duration::from_millis(400);
        reply
    });
    let client = AsyncClient::new(v3_config(&server.base_url())).unwrap();
    let ticks = Arc::new(AtomicU32::new(0));
    let counter = ticks.clone();
    // One thread for everything: a blocking call would stop the ticker.
    runtime().block_on(async move {
        let ticker = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        client.app(&v3::AppOrder::new(details())).await.unwrap();
        ticker.abort();
    });
    let n = ticks.load(Ordering::SeqCst);
    assert!(n >= 10, "the runtime ticked only {n} times during the call");
}

#[test]
fn a_timeout_is_reported_as_one() {
    let server = fake(|_| {
        let mut reply = Reply::json(200, r#"{"prepay_id":"wx1"}"#, by_wechat());
        reply.delay = Duration::from_millis(1500);
        reply
    });
    let mut config = v3_config(&server.base_url());
    config.timeout = Duration::from_millis(200);
    let client = AsyncClient::new(config).unwrap();
    let err = runtime()
        .block_on(client.app(&v3::AppOrder::new(details())))
        .unwrap_err();
    assert_eq!(err, v3::Error::Timeout);
    assert!(err.is_retryable());
}

#[test]
fn the_v2_async_client_places_a_jsapi_order_and_checks_the_reply() {
    use crate::scripted::{Script, Scripted};
    use crate::{KEY, MCH_ID, signed_xml};
    use wechat_pay::{JsapiOrder, OrderDetails, SignType, WechatPayError};
    let fields = [
        ("return_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "n"),
        ("result_code", "SUCCESS"),
        ("prepay_id", "wx201410272009395522657a690389285100"),
    ];
    let good = Scripted::start(Script::Body(signed_xml(&fields, KEY, SignType::Md5)));
    let tampered = Scripted::start(Script::Body(
        signed_xml(&fields, KEY, SignType::Md5).replace("wx2014", "wx2015"),
    ));
    let client = |base: String| {
        let mut config = wechat_pay::Config::new(
            APPID,
            MCH_ID,
            secrecy::SecretString::from(KEY),
            SignType::Md5,
        );
        config.base_url = base;
        wechat_pay::AsyncClient::new(config).unwrap()
    };
    let order = JsapiOrder::new(
        OrderDetails::new("鞋", "LT1", 100, "203.0.113.7", "https://n.example.com"),
        "oUser1",
    );
    let rt = runtime();
    let ok = client(good.base_url());
    let prepay = rt.block_on(ok.jsapi(&order)).unwrap();
    assert_eq!(prepay.prepay_id, "wx201410272009395522657a690389285100");
    let sent = wechat_pay::xml::parse(&good.received.lock().unwrap()[0]).unwrap();
    assert!(wechat_pay::verify(&sent, KEY, SignType::Md5));
    assert_eq!(sent["openid"], "oUser1");
    assert_eq!(sent["trade_type"], "JSAPI");
    assert!(ok.jsapi_params(&prepay.prepay_id).verify_v2(KEY));

    let err = rt
        .block_on(client(tampered.base_url()).jsapi(&order))
        .unwrap_err();
    assert_eq!(err, WechatPayError::BadSignature);
}

#[test]
fn the_async_oauth_exchange_types_a_used_code() {
    use wechat_pay::oauth::{OAuth, OAuthError};
    use wechat_pay::testing::http::{read_request, serve, write_response};
    let addr = serve(|mut stream| {
        let _ = read_request(&mut stream);
        let body = br#"{"errcode":40163,"errmsg":"code been used"}"#;
        write_response(
            &mut stream,
            200,
            &[("Content-Type", "application/json")],
            body,
        );
    });
    let base = format!("http://{addr}");
    let oauth = OAuth::new("wxoa", secrecy::SecretString::from("s")).with_bases(&base, &base);
    let err = runtime()
        .block_on(oauth.exchange_code_async(&reqwest::Client::new(), "C"))
        .unwrap_err();
    assert_eq!(err, OAuthError::CodeUsed);
}
