//! v3 on the wire, as other merchant SDKs send and check it: requests built
//! and signed by hand (not through this workspace's client), every signed
//! reply's and notification's headers looked at.

use crate::v3_receiver::V3Receiver;
use crate::{APPID, MCH_ID, MERCHANT_SERIAL, eventually, http_agent, key, start_sim_v3, v3_client};
use std::collections::HashMap;
use wechat_pay::v3::{Api, MerchantSigner, RefundOrder, RefundRequest};

/// What WeChat sends with every signed reply and notification; SDKs such
/// as wechatpayv3 refuse a message without it.
const SIGNATURE_TYPE: &str = "WECHATPAY2-SHA256-RSA2048";

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: serde_json::Value,
}

/// `method path` with `body`, signed with the merchant key as any SDK signs.
fn signed(sim: &wechat_pay_sim::RunningSim, method: &str, path: &str, body: &str) -> Reply {
    let signer = MerchantSigner::new(MCH_ID, MERCHANT_SERIAL, key("merchant"));
    let auth = signer.authorization(
        method,
        path,
        chrono::Utc::now().timestamp(),
        &wechat_pay::nonce_str(),
        body.as_bytes(),
    );
    let url = format!("{}{path}", sim.base_url());
    let agent = http_agent();
    let result = match method {
        "GET" => agent
            .get(&url)
            .header("Authorization", auth.header_value())
            .header("Accept", "application/json")
            .call(),
        _ => agent
            .post(&url)
            .header("Authorization", auth.header_value())
            .header("Content-Type", "application/json")
            .send(body.as_bytes()),
    };
    let mut res = result.unwrap();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let bytes = res.body_mut().read_to_vec().unwrap();
    Reply {
        status: res.status().as_u16(),
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    }
}

fn native_body(no: &str, amount: serde_json::Value) -> String {
    serde_json::json!({
        "appid": APPID,
        "mchid": MCH_ID,
        "description": "乐淘-运动鞋",
        "out_trade_no": no,
        "notify_url": "http://127.0.0.1:9/n",
        "amount": amount,
    })
    .to_string()
}

#[test]
fn a_native_order_without_currency_is_taken_as_cny() {
    let sim = start_sim_v3(|_| {});
    // WeChat documents amount.currency as optional, CNY when absent; the
    // most used Python SDK's own example leaves it out.
    let reply = signed(
        &sim,
        "POST",
        "/v3/pay/transactions/native",
        &native_body("LT700001", serde_json::json!({"total": 2590})),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body["code_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("weixin://wxpay/bizpayurl?pr="))
    );
    assert_eq!(sim.order("LT700001").unwrap().total_fee, 2590);
    let query = v3_client(&sim).query_by_out_trade_no("LT700001").unwrap();
    assert_eq!(
        query.amount.and_then(|a| a.currency).as_deref(),
        Some("CNY")
    );
    // A currency other than CNY is still refused.
    let usd = signed(
        &sim,
        "POST",
        "/v3/pay/transactions/native",
        &native_body(
            "LT700002",
            serde_json::json!({"total": 100, "currency": "USD"}),
        ),
    );
    assert_eq!(
        (usd.status, usd.body["code"].as_str()),
        (400, Some("PARAM_ERROR"))
    );
}

#[test]
fn every_signed_v3_reply_names_its_signature_type() {
    let sim = start_sim_v3(|_| {});
    let created = signed(
        &sim,
        "POST",
        "/v3/pay/transactions/native",
        &native_body(
            "LT700010",
            serde_json::json!({"total": 100, "currency": "CNY"}),
        ),
    );
    let query = signed(
        &sim,
        "GET",
        &format!("/v3/pay/transactions/out-trade-no/LT700010?mchid={MCH_ID}"),
        "",
    );
    let closed = signed(
        &sim,
        "POST",
        "/v3/pay/transactions/out-trade-no/LT700010/close",
        &serde_json::json!({"mchid": MCH_ID}).to_string(),
    );
    let not_found = signed(
        &sim,
        "GET",
        &format!("/v3/pay/transactions/out-trade-no/LT-none?mchid={MCH_ID}"),
        "",
    );
    let unsigned_request = http_agent()
        .get(&format!(
            "{}/v3/pay/transactions/out-trade-no/LT700010?mchid={MCH_ID}",
            sim.base_url()
        ))
        .call()
        .unwrap();
    let unsigned_request_type = unsigned_request
        .headers()
        .get("Wechatpay-Signature-Type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    for (what, reply, status) in [
        ("a 200", &created, 200),
        ("a query", &query, 200),
        ("a 204", &closed, 204),
        ("a 404", &not_found, 404),
    ] {
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        assert!(reply.headers.contains_key("wechatpay-signature"), "{what}");
        assert_eq!(
            reply
                .headers
                .get("wechatpay-signature-type")
                .map(String::as_str),
            Some(SIGNATURE_TYPE),
            "{what}"
        );
    }
    assert_eq!(unsigned_request.status().as_u16(), 401);
    assert_eq!(unsigned_request_type.as_deref(), Some(SIGNATURE_TYPE));

    // Certificate mode signs with a certificate's key, and says so alike.
    let sim = start_sim_v3(|c| {
        if let Some(v3) = c.v3.as_mut() {
            v3.platform_cert_mode = true;
        }
    });
    let certificates = signed(&sim, "GET", "/v3/certificates", "");
    assert_eq!(certificates.status, 200, "{}", certificates.body);
    assert_eq!(
        certificates
            .headers
            .get("wechatpay-signature-type")
            .map(String::as_str),
        Some(SIGNATURE_TYPE)
    );
}

#[test]
fn every_v3_notification_names_its_signature_type() {
    let sim = start_sim_v3(|_| {});
    let c = v3_client(&sim);
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&crate::native("LT700020", 1000, &receiver.url()))
        .unwrap();
    sim.pay("LT700020").unwrap();
    eventually("the payment notification", || {
        receiver.accepted().len() == 1
    });
    c.refund(&RefundRequest {
        order: RefundOrder::OutTradeNo("LT700020".into()),
        out_refund_no: "RF700020".into(),
        reason: None,
        notify_url: Some(receiver.url()),
        refund: 400,
        total: 1000,
    })
    .unwrap();
    eventually("the refund notification", || receiver.accepted().len() == 2);
    let all = receiver.all();
    assert_eq!(all.len(), 2);
    for r in all {
        assert_eq!(
            r.headers
                .get("wechatpay-signature-type")
                .map(String::as_str),
            Some(SIGNATURE_TYPE),
            "{:?}",
            r.headers
        );
    }
}
