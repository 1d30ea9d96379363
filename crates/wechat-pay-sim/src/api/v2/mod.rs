//! API v2: HTTP 200 with an XML body for every outcome. Request-level
//! failures are unsigned `return_code=FAIL`; business failures are signed
//! `result_code=FAIL` with `err_code`.

mod bills;
mod orders;
mod refunds;

use crate::Simulator;
use crate::orders::OrderKey;
use crate::state::State;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use wechat_pay::{RawMap, SignType, xml};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pay/unifiedorder", web::post().to(orders::unified_order))
        .route("/pay/orderquery", web::post().to(orders::order_query))
        .route("/pay/closeorder", web::post().to(orders::close_order))
        .route("/secapi/pay/refund", web::post().to(refunds::refund))
        .route("/pay/refundquery", web::post().to(refunds::refund_query))
        .route("/pay/downloadbill", web::post().to(bills::download_bill));
}

/// What an operation decided.
enum Outcome {
    Ok(Vec<(String, String)>),
    Fail(&'static str, String),
}

fn ok(fields: Vec<(&str, String)>) -> Outcome {
    Outcome::Ok(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn fail(code: &'static str, des: &str) -> Outcome {
    Outcome::Fail(code, des.to_owned())
}

fn xml_reply(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::xml())
        .body(body)
}

/// Request-level failure: unsigned `return_code=FAIL`.
fn return_fail(msg: &str) -> HttpResponse {
    xml_reply(xml::build([("return_code", "FAIL"), ("return_msg", msg)]))
}

/// A field of the request, empty when absent.
fn get<'a>(req: &'a RawMap, key: &str) -> &'a str {
    req.get(key).map(String::as_str).unwrap_or("")
}

/// The order a query or refund names: `out_trade_no`, else `transaction_id`.
fn order_key(req: &RawMap) -> OrderKey<'_> {
    match get(req, "out_trade_no") {
        "" => OrderKey::TransactionId(get(req, "transaction_id")),
        no => OrderKey::OutTradeNo(no),
    }
}

/// `fields` with their `sign` added, as one XML document.
pub(crate) fn signed_xml<K: AsRef<str>>(
    fields: &[(K, String)],
    api_key: &str,
    sign_type: SignType,
) -> String {
    let pairs = || fields.iter().map(|(k, v)| (k.as_ref(), v.as_str()));
    let sign = wechat_pay::sign(pairs(), api_key, sign_type);
    xml::build(pairs().chain([("sign", sign.as_str())]))
}

/// The request's fields and sign type, once its XML parsed and its
/// signature verified with the API key; otherwise the `return_msg` of the
/// (unsigned) failure to answer.
fn verified(sim: &Simulator, body: &[u8]) -> Result<(RawMap, SignType), &'static str> {
    let req = xml::parse(body).map_err(|_| "XML_FORMAT_ERROR")?;
    let sign_type = match req.get("sign_type") {
        None => SignType::Md5,
        Some(t) => SignType::parse(t).ok_or("SIGNERROR")?,
    };
    if !wechat_pay::verify(&req, &sim.config.api_key, sign_type) {
        return Err("SIGNERROR");
    }
    Ok((req, sign_type))
}

/// The appid a reply names: the request's when it is one of ours.
fn reply_appid(sim: &Simulator, req: &RawMap) -> String {
    let asked = get(req, "appid");
    if sim.config.accepts_appid(asked) {
        asked.to_owned()
    } else {
        sim.config.appid.clone()
    }
}

/// Checks XML, signature and merchant, applies faults, runs `op` on the
/// state and signs the reply with the request's sign type.
fn handle(
    sim: &Simulator,
    body: &[u8],
    required: &[&str],
    op: impl FnOnce(&Simulator, &mut State, &RawMap, SignType) -> Outcome,
) -> HttpResponse {
    let (req, sign_type) = match verified(sim, body) {
        Ok(verified) => verified,
        Err(msg) => return return_fail(msg),
    };
    let outcome = if !sim.config.accepts_appid(get(&req, "appid")) {
        fail("APPID_NOT_EXIST", "APPID不存在")
    } else if get(&req, "mch_id") != sim.config.mch_id {
        fail("MCHID_NOT_EXIST", "MCHID不存在")
    } else if let Some(missing) = ["nonce_str"]
        .iter()
        .chain(required)
        .find(|k| get(&req, k).is_empty())
    {
        Outcome::Fail("LACK_PARAMS", format!("缺少参数 {missing}"))
    } else {
        match sim.state.lock() {
            Err(_) => fail("SYSTEMERROR", "系统错误"),
            Ok(state) if state.faults.system_error_now() => fail("SYSTEMERROR", "系统错误"),
            Ok(mut state) => op(sim, &mut state, &req, sign_type),
        }
    };
    let mut fields: Vec<(String, String)> = vec![
        ("return_code".into(), "SUCCESS".into()),
        ("return_msg".into(), "OK".into()),
        ("appid".into(), reply_appid(sim, &req)),
        ("mch_id".into(), sim.config.mch_id.clone()),
        ("nonce_str".into(), wechat_pay::nonce_str()),
    ];
    match outcome {
        Outcome::Ok(extra) => {
            fields.push(("result_code".into(), "SUCCESS".into()));
            fields.extend(extra);
        }
        Outcome::Fail(code, des) => {
            fields.push(("result_code".into(), "FAIL".into()));
            fields.push(("err_code".into(), code.into()));
            fields.push(("err_code_des".into(), des));
        }
    }
    xml_reply(signed_xml(&fields, &sim.config.api_key, sign_type))
}
