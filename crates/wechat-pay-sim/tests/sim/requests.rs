//! Malformed and incomplete requests get WeChat-shaped answers.

use crate::{APPID, KEY, MCH_ID, http_agent, signed_xml, start_sim};
use wechat_pay::{SignType, xml};

fn post(url: &str, content_type: &str, body: &str) -> (u16, wechat_pay::RawMap) {
    let mut res = http_agent()
        .post(url)
        .header("Content-Type", content_type)
        .send(body.as_bytes())
        .unwrap();
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_vec().unwrap();
    (status, xml::parse(&text).unwrap())
}

fn signed(fields: &[(&str, &str)]) -> String {
    signed_xml(fields, KEY, SignType::Md5)
}

#[test]
fn garbage_is_an_xml_format_error_whatever_the_content_type() {
    let sim = start_sim(|_| {});
    for content_type in [
        "text/xml",
        "application/json",
        "application/x-www-form-urlencoded",
    ] {
        let (status, reply) = post(
            &format!("{}/pay/unifiedorder", sim.base_url()),
            content_type,
            "{\"a\":1}",
        );
        assert_eq!(status, 200);
        assert_eq!(reply["return_code"], "FAIL");
        assert_eq!(reply["return_msg"], "XML_FORMAT_ERROR");
    }
}

#[test]
fn missing_fields_are_lack_params_in_a_signed_reply() {
    let sim = start_sim(|_| {});
    let body = signed(&[
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", "n1"),
        ("body", "x"),
        ("out_trade_no", "LT3001"),
        ("total_fee", "100"),
        ("spbill_create_ip", "127.0.0.1"),
        ("notify_url", "http://127.0.0.1:9/n"),
        ("trade_type", "NATIVE"),
    ]);
    let (_, reply) = post(
        &format!("{}/pay/unifiedorder", sim.base_url()),
        "text/xml",
        &body,
    );
    assert_eq!(reply["result_code"], "FAIL");
    assert_eq!(reply["err_code"], "LACK_PARAMS");
    assert!(wechat_pay::verify(&reply, KEY, SignType::Md5));

    let unsigned = xml::build([("appid", APPID), ("mch_id", MCH_ID), ("nonce_str", "n")]);
    let (_, reply) = post(
        &format!("{}/pay/orderquery", sim.base_url()),
        "text/xml",
        &unsigned,
    );
    assert_eq!(reply["return_msg"], "SIGNERROR");
}

#[test]
fn another_merchants_request_is_refused() {
    let sim = start_sim(|_| {});
    let body = signed(&[
        ("appid", APPID),
        ("mch_id", "1234"),
        ("nonce_str", "n"),
        ("out_trade_no", "x"),
    ]);
    let (_, reply) = post(
        &format!("{}/pay/orderquery", sim.base_url()),
        "text/xml",
        &body,
    );
    assert_eq!(reply["err_code"], "MCHID_NOT_EXIST");
}

#[test]
fn the_binary_explains_itself() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wechat-pay-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr",
        "--appid",
        "--mch-id",
        "--api-key",
        "--retry-scale",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}
