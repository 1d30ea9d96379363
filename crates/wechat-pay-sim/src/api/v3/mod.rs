//! API v3 (JSON): requests verified with the merchant public key (401
//! `SIGN_ERROR` otherwise), every response signed as WeChat signs it,
//! errors as HTTP status plus `{code, message}`.

mod bills;
mod certificates;
mod refunds;
mod transactions;

pub(crate) use transactions::transaction_json;

use crate::Simulator;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::HashMap;
use wechat_pay::v3::{self, sign_message, verify_request};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    use transactions::{Kind, create};
    cfg.route(
        "/v3/pay/transactions/native",
        web::post().to(|s, r, b| create(s, r, b, Kind::Native)),
    )
    .route(
        "/v3/pay/transactions/jsapi",
        web::post().to(|s, r, b| create(s, r, b, Kind::Jsapi)),
    )
    .route(
        "/v3/pay/transactions/h5",
        web::post().to(|s, r, b| create(s, r, b, Kind::H5)),
    )
    .route(
        "/v3/pay/transactions/app",
        web::post().to(|s, r, b| create(s, r, b, Kind::App)),
    )
    .route(
        "/v3/pay/transactions/out-trade-no/{no}",
        web::get().to(transactions::query_by_out_trade_no),
    )
    .route(
        "/v3/pay/transactions/id/{id}",
        web::get().to(transactions::query_by_id),
    )
    .route(
        "/v3/pay/transactions/out-trade-no/{no}/close",
        web::post().to(transactions::close),
    )
    .route(
        "/v3/refund/domestic/refunds",
        web::post().to(refunds::refund),
    )
    .route(
        "/v3/refund/domestic/refunds/{no}",
        web::get().to(refunds::query_refund),
    )
    .route("/v3/bill/tradebill", web::get().to(bills::trade_bill))
    .route("/v3/billdownload/file", web::get().to(bills::download))
    .route(
        "/v3/certificates",
        web::get().to(certificates::certificates),
    );
}

/// What an operation decided.
enum Out {
    Json(u16, Value),
    NoContent,
    Error(u16, &'static str, String),
    /// Bytes served unsigned (bill downloads).
    File(Vec<u8>),
}

fn err(status: u16, code: &'static str, message: &str) -> Out {
    Out::Error(status, code, message.to_owned())
}

/// The query string's parameters (none when it does not parse).
fn query(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// `Wechatpay-*` headers for `body`, signed as the simulator currently
/// signs (public key or current platform certificate; skew fault applied).
/// A `probe` carries a `WECHATPAY/SIGNTEST/` signature instead.
pub(crate) fn signature_headers(
    sim: &Simulator,
    state: &State,
    body: &[u8],
    probe: bool,
) -> Vec<(&'static str, String)> {
    let Some(v3) = &sim.config.v3 else {
        return Vec::new();
    };
    let (key, serial) = match state.platform_certs.get(state.signer) {
        Some(cert) if v3.platform_cert_mode => (&cert.key, cert.serial.clone()),
        _ => (&v3.platform_key, v3.public_key_id.clone()),
    };
    let timestamp = Utc::now().timestamp() + state.faults.clock_skew_secs;
    let nonce = wechat_pay::nonce_str();
    let signature = if probe {
        format!("{}{}", v3::SIGNTEST_PREFIX, wechat_pay::nonce_str())
    } else {
        sign_message(key, timestamp, &nonce, body)
    };
    vec![
        // WeChat names the algorithm (the request scheme's name); SDKs
        // such as wechatpayv3 refuse a reply or notification without it.
        ("Wechatpay-Signature-Type", v3::SCHEME.to_owned()),
        ("Wechatpay-Timestamp", timestamp.to_string()),
        ("Wechatpay-Nonce", nonce),
        ("Wechatpay-Signature", signature),
        ("Wechatpay-Serial", serial),
    ]
}

fn reply(sim: &Simulator, state: &State, out: Out) -> HttpResponse {
    let (status, body) = match out {
        Out::Json(status, v) => (status, v.to_string().into_bytes()),
        Out::NoContent => (204, Vec::new()),
        Out::Error(status, code, message) => (
            status,
            json!({"code": code, "message": message})
                .to_string()
                .into_bytes(),
        ),
        Out::File(bytes) => {
            return HttpResponse::Ok()
                .content_type("application/octet-stream")
                .body(bytes);
        }
    };
    let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    res.insert_header(("Request-ID", crate::ids::request_id()));
    for (k, v) in signature_headers(sim, state, &body, false) {
        res.insert_header((k, v));
    }
    if body.is_empty() {
        res.finish()
    } else {
        res.content_type("application/json").body(body)
    }
}

/// Verifies the merchant's signature, applies faults, runs `op` on the
/// state and signs the reply.
fn handle(
    sim: &Simulator,
    req: &HttpRequest,
    body: &[u8],
    op: impl FnOnce(&Simulator, &mut State) -> Out,
) -> HttpResponse {
    let Ok(mut state) = sim.state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    if sim.config.v3.is_none() {
        return HttpResponse::NotFound().json(
            json!({"code": "NOT_FOUND", "message": "API v3 is not enabled in this simulator"}),
        );
    }
    let outcome = match check_request(sim, &state, req, body) {
        Err(message) => err(401, "SIGN_ERROR", &message),
        Ok(()) if state.faults.system_error_now() => err(500, "SYSTEM_ERROR", "系统错误"),
        Ok(()) => op(sim, &mut state),
    };
    reply(sim, &state, outcome)
}

fn check_request(
    sim: &Simulator,
    state: &State,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(), String> {
    let key = state.merchant_public_key.as_ref().ok_or(
        "the simulator has no merchant public key (start it with --merchant-public-key or --write-merchant-key)",
    )?;
    let header = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("Authorization header missing")?;
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let auth = verify_request(header, key, req.method().as_str(), path, body)
        .map_err(|e| format!("签名错误: {e}"))?;
    let skew = (Utc::now().timestamp() - auth.timestamp).abs();
    if skew > v3::MAX_CLOCK_SKEW_SECS {
        return Err(format!("timestamp {} is {skew} s from now", auth.timestamp));
    }
    if auth.mchid != sim.config.mch_id {
        return Err(format!("mchid {} is not this merchant", auth.mchid));
    }
    if let Some(serial) = sim
        .config
        .v3
        .as_ref()
        .and_then(|v| v.merchant_serial.as_ref())
        && !auth.serial_no.eq_ignore_ascii_case(serial)
    {
        return Err(format!(
            "serial_no {} is not the merchant certificate",
            auth.serial_no
        ));
    }
    Ok(())
}
