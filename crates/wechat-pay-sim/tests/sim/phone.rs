//! JSAPI and H5 orders on v2 and v3: the bridge and the cashier page, with
//! the checks WeChat makes and their refusals.

use crate::receiver::Receiver;
use crate::{
    APPID, KEY, client, eventually, http_agent, merchant, start_sim, start_sim_v3, v3_client,
};
use std::time::Duration;
use wechat_pay::v3::{self, Api};
use wechat_pay::{
    H5Order, H5Scene, JsapiOrder, JsapiParams, OrderDetails, OrderRef, SignType, WechatPayApi,
};
use wechat_pay_sim::{Faults, RunningSim};

fn details(no: &str, ip: &str, notify: &str) -> OrderDetails {
    OrderDetails::new("乐淘-测试商品", no, 2590, ip, notify)
}

/// What the page's `WeixinJSBridge.invoke` gets back for `params`.
fn bridge(sim: &RunningSim, params: &JsapiParams) -> serde_json::Value {
    let mut res = http_agent()
        .post(&format!("{}/sim/jsbridge/pay", sim.base_url()))
        .header("Content-Type", "text/plain")
        .send(serde_json::to_string(params).unwrap())
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap()
}

fn buyer(sim: &RunningSim) -> String {
    sim.openid(APPID, "alice").unwrap()
}

#[test]
fn a_v2_jsapi_order_is_paid_through_the_bridge_and_notified_as_jsapi() {
    let sim = start_sim(|_| {});
    let receiver = Receiver::start(0);
    let openid = buyer(&sim);
    let c = client(&sim, SignType::HmacSha256);
    let prepay = c
        .jsapi_order(&JsapiOrder::new(
            details("LT2001", "127.0.0.1", &receiver.url()),
            &openid,
        ))
        .unwrap();
    let params = merchant(SignType::HmacSha256).jsapi_params(&prepay.prepay_id);
    assert_eq!(
        bridge(&sim, &params)["err_msg"],
        "get_brand_wcpay_request:ok"
    );
    eventually("the notification", || receiver.count() == 1);
    let note = wechat_pay::xml::parse(&receiver.bodies()[0]).unwrap();
    assert!(wechat_pay::verify(&note, KEY, SignType::HmacSha256));
    assert_eq!(note["trade_type"], "JSAPI");
    assert_eq!(note["openid"], openid);
    let q = c
        .order_query(&OrderRef::OutTradeNo("LT2001".into()))
        .unwrap();
    assert_eq!(q.trade_state.as_str(), "SUCCESS");
    assert_eq!(q.raw["trade_type"], "JSAPI");
    // Paid once: the bridge refuses to pay it again.
    assert_eq!(
        bridge(&sim, &params)["err_msg"],
        "get_brand_wcpay_request:fail"
    );
}

#[test]
fn a_jsapi_order_for_an_openid_not_under_the_appid_is_refused() {
    let sim = start_sim(|_| {});
    let stranger = wechat_pay_sim::openid_for("wxAnotherAccount", "alice");
    let err = client(&sim, SignType::Md5)
        .jsapi_order(&JsapiOrder::new(
            details("LT2002", "127.0.0.1", "http://127.0.0.1:9/n"),
            &stranger,
        ))
        .unwrap_err();
    assert_eq!(err.err_code(), Some("PARAM_ERROR"));
}

#[test]
fn the_bridge_refuses_forged_or_mismatched_parameters() {
    let sim = start_sim(|_| {});
    let openid = buyer(&sim);
    let c = client(&sim, SignType::Md5);
    let prepay = c
        .jsapi_order(&JsapiOrder::new(
            details("LT2003", "127.0.0.1", "http://127.0.0.1:9/n"),
            &openid,
        ))
        .unwrap();
    let good = merchant(SignType::Md5).jsapi_params(&prepay.prepay_id);

    let mut forged = good.clone();
    forged.pay_sign = "0".repeat(32);
    let answer = bridge(&sim, &forged);
    assert_eq!(answer["err_msg"], "get_brand_wcpay_request:fail");
    assert!(answer["err_desc"].as_str().unwrap().contains("paySign"));

    let other_key = JsapiParams::v2(
        "another-key",
        SignType::Md5,
        APPID,
        &prepay.prepay_id,
        1,
        "n",
    );
    assert_eq!(
        bridge(&sim, &other_key)["err_msg"],
        "get_brand_wcpay_request:fail"
    );
    let other_app = JsapiParams::v2(KEY, SignType::Md5, "wxOther", &prepay.prepay_id, 1, "n");
    assert_eq!(
        bridge(&sim, &other_app)["err_msg"],
        "get_brand_wcpay_request:fail"
    );
    let unknown = merchant(SignType::Md5).jsapi_params("wx-no-such-prepay");
    assert_eq!(
        bridge(&sim, &unknown)["err_msg"],
        "get_brand_wcpay_request:fail"
    );
    assert_eq!(sim.order("LT2003").unwrap().trade_state, "NOTPAY");
    assert_eq!(bridge(&sim, &good)["err_msg"], "get_brand_wcpay_request:ok");
}

#[test]
fn the_jsapi_cancel_fault_cancels_the_next_bridge_payment_only() {
    let sim = start_sim(|_| {});
    sim.set_faults(Faults {
        jsapi_cancel: 1,
        ..Faults::default()
    });
    let openid = buyer(&sim);
    let prepay = client(&sim, SignType::Md5)
        .jsapi_order(&JsapiOrder::new(
            details("LT2004", "127.0.0.1", "http://127.0.0.1:9/n"),
            &openid,
        ))
        .unwrap();
    let params = merchant(SignType::Md5).jsapi_params(&prepay.prepay_id);
    assert_eq!(
        bridge(&sim, &params)["err_msg"],
        "get_brand_wcpay_request:cancel"
    );
    assert_eq!(sim.order("LT2004").unwrap().trade_state, "NOTPAY");
    assert_eq!(
        bridge(&sim, &params)["err_msg"],
        "get_brand_wcpay_request:ok"
    );
    assert_eq!(sim.order("LT2004").unwrap().trade_state, "SUCCESS");
}

#[test]
fn a_v3_jsapi_order_is_paid_with_an_rsa_pay_sign_only() {
    let sim = start_sim_v3(|_| {});
    let openid = buyer(&sim);
    let c = v3_client(&sim);
    let details = v3::OrderDetails::new("乐淘-测试商品", "LT2005", 2590, "http://127.0.0.1:9/v3n");
    let prepay = c
        .create_jsapi(&v3::JsapiOrder::new(details, &openid))
        .unwrap();
    // A v2-style signature over the same fields is not accepted for v3.
    let md5 = JsapiParams::v2(KEY, SignType::Md5, APPID, &prepay.prepay_id, 1, "n");
    assert_eq!(
        bridge(&sim, &md5)["err_msg"],
        "get_brand_wcpay_request:fail"
    );
    let params = c.jsapi_params(&prepay.prepay_id);
    assert_eq!(
        bridge(&sim, &params)["err_msg"],
        "get_brand_wcpay_request:ok"
    );
    let t = c.query_by_out_trade_no("LT2005").unwrap();
    assert_eq!(t.trade_state.as_str(), "SUCCESS");
    assert_eq!(t.trade_type.as_deref(), Some("JSAPI"));
    assert_eq!(t.payer.unwrap().openid, openid);
}

#[test]
fn an_order_number_cannot_come_back_as_another_trade_type() {
    let sim = start_sim_v3(|_| {});
    let openid = buyer(&sim);
    let c = client(&sim, SignType::Md5);
    c.unified_order(&crate::order("LT2006", 2590, "http://127.0.0.1:9/n"))
        .unwrap();
    let again = details("LT2006", "127.0.0.1", "http://127.0.0.1:9/n");
    let err = c.jsapi_order(&JsapiOrder::new(again, &openid)).unwrap_err();
    assert_eq!(err.err_code(), Some("OUT_TRADE_NO_USED"));

    let v3c = v3_client(&sim);
    let d = v3::OrderDetails::new("乐淘-测试商品", "LT2007", 2590, "http://127.0.0.1:9/v3n");
    v3c.create_app(&v3::AppOrder::new(d.clone())).unwrap();
    let err = v3c
        .create_h5(&v3::H5Order::new(d, "127.0.0.1"))
        .unwrap_err();
    assert_eq!(err.code(), Some("OUT_TRADE_NO_USED"));
    assert_eq!(sim.order("LT2007").unwrap().trade_type, "APP");
}

/// Opens a cashier URL as a browser on 127.0.0.1 would, from `referer`.
fn open(url: &str, referer: Option<&str>) -> (u16, String) {
    let mut req = http_agent().get(url);
    if let Some(r) = referer {
        req = req.header("Referer", r);
    }
    let mut res = req.call().unwrap();
    (
        res.status().as_u16(),
        res.body_mut().read_to_string().unwrap(),
    )
}

fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .new_agent()
}

#[test]
fn a_v2_h5_order_is_paid_on_the_cashier_page_and_goes_back_to_the_shop() {
    let sim = start_sim(|c| c.h5_domain = Some("shop.example.com".into()));
    let receiver = Receiver::start(0);
    let scene = H5Scene::new("https://m.shop.example.com", "乐淘");
    let prepay = client(&sim, SignType::Md5)
        .h5_order(&H5Order::new(
            details("LT2101", "127.0.0.1", &receiver.url()),
            scene,
        ))
        .unwrap();
    assert!(
        prepay
            .mweb_url
            .starts_with(&format!("{}/sim/h5/cashier?", sim.base_url()))
    );
    let back = "https://m.shop.example.com/orders/LT2101";
    let url = format!("{}&redirect_url={}", prepay.mweb_url, urlencode(back));
    let (status, page) = open(&url, Some("https://m.shop.example.com/checkout"));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("¥25.90") && page.contains("id=\"pay\""));

    let res = no_redirects()
        .post(&format!("{}/sim/h5/pay", sim.base_url()))
        .send_form([
            ("prepay_id", prepay.prepay_id.as_str()),
            ("redirect_url", back),
        ])
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], back);
    assert_eq!(sim.order("LT2101").unwrap().trade_state, "SUCCESS");
    eventually("the notification", || receiver.count() == 1);
    let note = wechat_pay::xml::parse(&receiver.bodies()[0]).unwrap();
    assert_eq!(note["trade_type"], "MWEB");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn the_cashier_refuses_another_address_a_foreign_referer_or_redirect() {
    let sim = start_sim(|c| c.h5_domain = Some("shop.example.com".into()));
    let c = client(&sim, SignType::Md5);
    let scene = || H5Scene::new("https://m.shop.example.com", "乐淘");
    let here = c
        .h5_order(&H5Order::new(
            details("LT2102", "127.0.0.1", "http://127.0.0.1:9/n"),
            scene(),
        ))
        .unwrap();
    let elsewhere = c
        .h5_order(&H5Order::new(
            details("LT2103", "203.0.113.7", "http://127.0.0.1:9/n"),
            scene(),
        ))
        .unwrap();
    let shop = Some("https://m.shop.example.com/checkout");

    let (status, page) = open(&elsewhere.mweb_url, shop);
    assert_eq!(status, 403);
    assert!(page.contains("网络环境未能通过安全验证"), "{page}");
    let (status, _) = open(&here.mweb_url, None);
    assert_eq!(status, 403, "no Referer");
    let (status, _) = open(&here.mweb_url, Some("https://shop.example.com.evil.net/x"));
    assert_eq!(status, 403, "a look-alike domain");
    let off_domain = format!(
        "{}&redirect_url={}",
        here.mweb_url,
        urlencode("https://evil.net/x")
    );
    let (status, _) = open(&off_domain, shop);
    assert_eq!(status, 403, "redirect_url off the H5 domain");
    let (status, _) = open(&here.mweb_url, shop);
    assert_eq!(status, 200);

    // Paying from another address is refused as well.
    let res = no_redirects()
        .post(&format!("{}/sim/h5/pay", sim.base_url()))
        .send_form([("prepay_id", elsewhere.prepay_id.as_str())])
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(sim.order("LT2103").unwrap().trade_state, "NOTPAY");
}

#[test]
fn a_v3_h5_order_gets_an_h5_url_to_the_cashier() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let d = v3::OrderDetails::new("乐淘-测试商品", "LT2104", 100, "http://127.0.0.1:9/v3n");
    let prepay = c.create_h5(&v3::H5Order::new(d, "127.0.0.1")).unwrap();
    let (status, _) = open(&prepay.h5_url, Some("http://127.0.0.1:3000/"));
    assert_eq!(status, 200, "any Referer when no H5 domain is set");
    let t = c.query_by_out_trade_no("LT2104").unwrap();
    assert_eq!(t.trade_type.as_deref(), Some("MWEB"));
    let err = c
        .create_h5(&v3::H5Order::new(
            v3::OrderDetails::new("x", "LT2105", 100, "http://127.0.0.1:9/v3n"),
            "not-an-ip",
        ))
        .unwrap_err();
    assert!(matches!(err, v3::Error::InvalidRequest(_)));
}

#[test]
fn the_bridge_script_names_the_simulator_and_the_request() {
    let sim = start_sim(|_| {});
    let (status, js) = open(&format!("{}/sim/jsbridge.js", sim.base_url()), None);
    assert_eq!(status, 200);
    assert!(js.contains(&format!("var SIM = \"{}\";", sim.base_url())));
    assert!(js.contains("getBrandWCPayRequest") && js.contains("WeixinJSBridgeReady"));
}

#[test]
fn a_v2_jsapi_order_without_openid_is_lack_params() {
    let sim = start_sim(|_| {});
    let fields = [
        ("appid", APPID),
        ("mch_id", crate::MCH_ID),
        ("nonce_str", "n"),
        ("body", "b"),
        ("out_trade_no", "LT2201"),
        ("total_fee", "1"),
        ("spbill_create_ip", "127.0.0.1"),
        ("notify_url", "http://127.0.0.1:9/n"),
        ("trade_type", "JSAPI"),
    ];
    let body = crate::signed_xml(&fields, KEY, SignType::Md5);
    let mut res = http_agent()
        .post(&format!("{}/pay/unifiedorder", sim.base_url()))
        .send(body)
        .unwrap();
    let reply =
        wechat_pay::xml::parse(res.body_mut().read_to_string().unwrap().as_bytes()).unwrap();
    assert_eq!(reply["err_code"], "LACK_PARAMS");
}

#[test]
fn a_cashier_link_older_than_five_minutes_is_refused() {
    let sim = start_sim(|_| {});
    let scene = H5Scene::new("https://m.shop.example.com", "乐淘");
    let prepay = client(&sim, SignType::Md5)
        .h5_order(&H5Order::new(
            details("LT2106", "127.0.0.1", "http://127.0.0.1:9/n"),
            scene,
        ))
        .unwrap();
    let shop = Some("https://m.shop.example.com/checkout");
    sim.set_clock(Some(chrono::Utc::now() + chrono::TimeDelta::seconds(290)));
    assert_eq!(open(&prepay.mweb_url, shop).0, 200);
    sim.set_clock(Some(chrono::Utc::now() + chrono::TimeDelta::seconds(310)));
    let (status, page) = open(&prepay.mweb_url, shop);
    assert_eq!(status, 403);
    assert!(page.contains("过期"), "{page}");
}
