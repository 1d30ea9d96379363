//! The merchant API v3 (JSON): Native orders, queries, close, refunds,
//! trade bills and platform certificates. Requests are verified with the
//! merchant public key; every response is signed.

use crate::Simulator;
use crate::bills::OPENID;
use crate::state::{SimOrder, SimRefund, State, expires, random_alnum, random_digits};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde_json::{Value, json};
use std::time::Instant;
use wechat_pay::bill::{self, CHINA_TIME};
use wechat_pay::v3::{
    ApiV3Key, CertificateItem, CertificateList, EncryptedResource, NativeOrderBody, RefundBody,
    sign_message, verify_request,
};
use wechat_pay::{BillType, v3};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v3/pay/transactions/native", web::post().to(create))
        .route(
            "/v3/pay/transactions/out-trade-no/{no}",
            web::get().to(query_by_out_trade_no),
        )
        .route("/v3/pay/transactions/id/{id}", web::get().to(query_by_id))
        .route(
            "/v3/pay/transactions/out-trade-no/{no}/close",
            web::post().to(close),
        )
        .route("/v3/refund/domestic/refunds", web::post().to(refund))
        .route(
            "/v3/refund/domestic/refunds/{no}",
            web::get().to(query_refund),
        )
        .route("/v3/bill/tradebill", web::get().to(trade_bill))
        .route("/v3/billdownload/file", web::get().to(download))
        .route("/v3/certificates", web::get().to(certificates));
}

/// What an operation decided.
pub(crate) enum Out {
    Json(u16, Value),
    NoContent,
    Error(u16, &'static str, String),
    /// Bytes served unsigned (bill downloads).
    File(Vec<u8>),
}

fn err(status: u16, code: &'static str, message: &str) -> Out {
    Out::Error(status, code, message.to_owned())
}

/// `Wechatpay-*` headers for `body`, signed as the simulator currently
/// signs (public key or current platform certificate; skew fault applied).
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
    let nonce = random_alnum(32);
    let signature = if probe {
        format!("{}{}", v3::SIGNTEST_PREFIX, random_alnum(32))
    } else {
        sign_message(key, timestamp, &nonce, body)
    };
    vec![
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
    res.insert_header(("Request-ID", random_alnum(24)));
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
    let Some(v3) = &sim.config.v3 else {
        return HttpResponse::NotFound().json(
            json!({"code": "NOT_FOUND", "message": "API v3 is not enabled in this simulator"}),
        );
    };
    let outcome = match check_request(sim, &state, req, body) {
        Err(message) => err(401, "SIGN_ERROR", &message),
        Ok(()) => {
            let pct = state.faults.systemerror_percent.min(100);
            if pct > 0 && rand::rng().random_range(0..100u8) < pct {
                err(500, "SYSTEM_ERROR", "系统错误")
            } else {
                let _ = v3;
                op(sim, &mut state)
            }
        }
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

fn rfc3339(at: DateTime<Utc>) -> String {
    at.with_timezone(&CHINA_TIME).to_rfc3339()
}

/// The transaction JSON of an order (query replies, notifications).
pub(crate) fn transaction_json(sim: &Simulator, o: &SimOrder) -> Value {
    let mut t = json!({
        "appid": sim.config.appid,
        "mchid": sim.config.mch_id,
        "out_trade_no": o.out_trade_no,
        "trade_type": "NATIVE",
        "trade_state": o.trade_state,
        "trade_state_desc": trade_state_desc(&o.trade_state),
        "amount": {"total": o.total_fee, "currency": "CNY"},
    });
    if !o.attach.is_empty() {
        t["attach"] = json!(o.attach);
    }
    if let (Some(tx), Some(paid_at)) = (&o.transaction_id, o.paid_at) {
        t["transaction_id"] = json!(tx);
        t["bank_type"] = json!("CMC");
        t["success_time"] = json!(rfc3339(paid_at));
        t["payer"] = json!({"openid": OPENID});
        t["amount"] = json!({"total": o.total_fee, "payer_total": o.total_fee,
                             "currency": "CNY", "payer_currency": "CNY"});
    }
    t
}

fn trade_state_desc(state: &str) -> &'static str {
    match state {
        "SUCCESS" => "支付成功",
        "REFUND" => "转入退款",
        "NOTPAY" => "未支付",
        "CLOSED" => "已关闭",
        _ => "",
    }
}

pub(crate) fn refund_json(o: &SimOrder, r: &SimRefund) -> Value {
    let mut v = json!({
        "refund_id": r.refund_id,
        "out_refund_no": r.out_refund_no,
        "transaction_id": o.transaction_id.clone().unwrap_or_default(),
        "out_trade_no": o.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "status": r.refund_status,
        "create_time": rfc3339(r.created_at),
        "funds_account": "AVAILABLE",
        "amount": {"total": o.total_fee, "refund": r.refund_fee, "payer_total": o.total_fee,
                   "payer_refund": r.refund_fee, "settlement_refund": r.refund_fee,
                   "settlement_total": o.total_fee, "discount_refund": 0, "currency": "CNY"},
    });
    if let Some(at) = r.success_at {
        v["success_time"] = json!(rfc3339(at));
    }
    v
}

fn query_mchid_ok(sim: &Simulator, req: &HttpRequest) -> bool {
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("mchid").cloned())
        .is_some_and(|m| m == sim.config.mch_id)
}

async fn create(sim: web::Data<Simulator>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    handle(&sim, &req, &body, |sim, state| {
        let Ok(order) = serde_json::from_slice::<NativeOrderBody>(&body) else {
            return err(400, "PARAM_ERROR", "请求参数格式错误");
        };
        if order.appid != sim.config.appid || order.mchid != sim.config.mch_id {
            return err(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
        }
        let no = order.out_trade_no.clone();
        if no.len() < 6
            || no.len() > 32
            || order.amount.total <= 0
            || order.amount.currency != "CNY"
        {
            return err(400, "PARAM_ERROR", "out_trade_no 或 amount 不合法");
        }
        if order.description.is_empty() || order.notify_url.is_empty() {
            return err(400, "PARAM_ERROR", "缺少 description 或 notify_url");
        }
        if let Some(existing) = state.orders.get(&no) {
            let same =
                existing.body == order.description && existing.total_fee == order.amount.total;
            return match existing.trade_state.as_str() {
                "SUCCESS" | "REFUND" => err(400, "ORDERPAID", "该订单已支付"),
                "CLOSED" => err(400, "ORDER_CLOSED", "该订单已关闭"),
                _ if !same => err(403, "OUT_TRADE_NO_USED", "商户订单号重复"),
                _ => Out::Json(200, json!({"code_url": existing.code_url})),
            };
        }
        let seq = state.next_seq();
        let expire = order
            .time_expire
            .map(|t| wechat_pay::time_expire(t.with_timezone(&Utc)));
        let o = SimOrder {
            out_trade_no: no.clone(),
            body: order.description,
            total_fee: order.amount.total,
            product_id: String::new(),
            notify_url: order.notify_url,
            attach: order.attach.unwrap_or_default(),
            code_url: format!("weixin://wxpay/bizpayurl?pr={}", random_alnum(7)),
            prepay_id: format!("wx{}", random_alnum(30)),
            trade_state: "NOTPAY".into(),
            transaction_id: None,
            time_end: None,
            refunds: Vec::new(),
            api: "v3",
            paid_at: None,
            pay_seconds_left: 0,
            sign_type: wechat_pay::SignType::Md5,
            pay_until: Some(expires(sim.config.code_url_ttl, expire.as_deref())),
            seq,
        };
        let out = Out::Json(200, json!({"code_url": o.code_url}));
        state.orders.insert(no, o);
        out
    })
}

async fn query_by_out_trade_no(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    handle(&sim, &req, b"", |sim, state| {
        if !query_mchid_ok(sim, &req) {
            return err(400, "PARAM_ERROR", "mchid 缺失或不匹配");
        }
        match state.orders.get(path.as_str()) {
            Some(o) => Out::Json(200, transaction_json(sim, o)),
            None => err(404, "ORDER_NOT_EXIST", "订单不存在"),
        }
    })
}

async fn query_by_id(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    handle(&sim, &req, b"", |sim, state| {
        if !query_mchid_ok(sim, &req) {
            return err(400, "PARAM_ERROR", "mchid 缺失或不匹配");
        }
        match state
            .by_transaction
            .get(path.as_str())
            .and_then(|no| state.orders.get(no))
        {
            Some(o) => Out::Json(200, transaction_json(sim, o)),
            None => err(404, "ORDER_NOT_EXIST", "订单不存在"),
        }
    })
}

async fn close(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    handle(&sim, &req, &body, |sim, state| {
        let mchid = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("mchid").and_then(Value::as_str).map(str::to_owned));
        if mchid.as_deref() != Some(sim.config.mch_id.as_str()) {
            return err(400, "PARAM_ERROR", "mchid 缺失或不匹配");
        }
        let Some(order) = state.orders.get_mut(path.as_str()) else {
            return err(404, "ORDER_NOT_EXIST", "订单不存在");
        };
        match order.trade_state.as_str() {
            "SUCCESS" | "REFUND" => err(400, "ORDERPAID", "订单已支付，不能发起关单"),
            _ => {
                // Closing a closed order again succeeds, as WeChat does.
                order.trade_state = "CLOSED".into();
                order.pay_until = Some(Instant::now());
                Out::NoContent
            }
        }
    })
}

async fn refund(sim: web::Data<Simulator>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let simulator = sim.get_ref().clone();
    let mut started: Option<(String, SimRefund)> = None;
    let res = handle(&sim, &req, &body, |_, state| {
        let Ok(r) = serde_json::from_slice::<RefundBody>(&body) else {
            return err(400, "PARAM_ERROR", "请求参数格式错误");
        };
        let now = state.now();
        let key = match (&r.out_trade_no, &r.transaction_id) {
            (Some(no), _) => Some(no.clone()),
            (None, Some(tx)) => state.by_transaction.get(tx).cloned(),
            (None, None) => return err(400, "PARAM_ERROR", "缺少 out_trade_no 或 transaction_id"),
        };
        let Some(order) = key.and_then(|k| state.orders.get_mut(&k)) else {
            return err(404, "RESOURCE_NOT_EXISTS", "订单不存在");
        };
        if order.transaction_id.is_none() {
            return err(403, "TRADE_STATE_ERROR", "订单未支付");
        }
        if let Some(previous) = order
            .refunds
            .iter()
            .find(|p| p.out_refund_no == r.out_refund_no)
        {
            return if previous.refund_fee == r.amount.refund {
                Out::Json(200, refund_json(order, previous))
            } else {
                err(400, "INVALID_REQUEST", "退款单号重复且金额不一致")
            };
        }
        if r.amount.total != order.total_fee {
            return err(400, "INVALID_REQUEST", "订单金额与之前请求不一致");
        }
        if r.amount.refund <= 0 || r.amount.refund + order.refunded_total() > order.total_fee {
            return err(403, "NOT_ENOUGH", "退款金额大于订单剩余可退金额");
        }
        let refund = SimRefund {
            out_refund_no: r.out_refund_no.clone(),
            refund_id: format!("5030{}", random_digits(24)),
            refund_fee: r.amount.refund,
            refund_status: "PROCESSING".into(),
            notify_url: r.notify_url.filter(|u| !u.is_empty()),
            created_at: now,
            success_at: None,
            v3: true,
        };
        order.refunds.push(refund.clone());
        order.trade_state = "REFUND".into();
        let out = Out::Json(200, refund_json(order, &refund));
        started = Some((order.out_trade_no.clone(), refund));
        out
    });
    if let Some((out_trade_no, refund)) = started {
        crate::notify::complete_refund(simulator, out_trade_no, refund);
    }
    res
}

async fn query_refund(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    handle(&sim, &req, b"", |_, state| {
        state
            .orders
            .values()
            .find_map(|o| {
                o.refunds
                    .iter()
                    .find(|r| r.out_refund_no == path.as_str())
                    .map(|r| Out::Json(200, refund_json(o, r)))
            })
            .unwrap_or_else(|| err(404, "RESOURCE_NOT_EXISTS", "退款单不存在"))
    })
}

async fn trade_bill(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    let host = req.connection_info().host().to_owned();
    handle(&sim, &req, b"", |sim, state| {
        let q =
            web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or_default();
        let Some(date) = q
            .get("bill_date")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return err(400, "PARAM_ERROR", "bill_date 格式错误");
        };
        let Some(bill_type) =
            BillType::parse(q.get("bill_type").map(String::as_str).unwrap_or("ALL"))
        else {
            return err(400, "PARAM_ERROR", "bill_type 不支持");
        };
        let gzip = match q.get("tar_type").map(String::as_str) {
            None => false,
            Some("GZIP") => true,
            Some(_) => return err(400, "PARAM_ERROR", "tar_type 不支持"),
        };
        let orders = state.orders_in_order();
        let Some(text) = crate::bills::build(&sim.config, &orders, date, bill_type) else {
            return err(400, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
        };
        // The v3 file starts with a UTF-8 BOM.
        let file = format!("\u{feff}{text}").into_bytes();
        let mut hash = bill::sha1_hex(&file);
        if state.faults.corrupt_bills {
            hash = bill::sha1_hex(hash.as_bytes());
        }
        let token = random_alnum(32);
        state.bill_files.insert(token.clone(), (file, gzip));
        let suffix = if gzip { "&tartype=gzip" } else { "" };
        Out::Json(
            200,
            json!({"hash_type": "SHA1", "hash_value": hash,
                   "download_url": format!("http://{host}/v3/billdownload/file?token={token}{suffix}")}),
        )
    })
}

async fn download(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    handle(&sim, &req, b"", |_, state| {
        let token =
            web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
                .ok()
                .and_then(|q| q.get("token").cloned())
                .unwrap_or_default();
        match state.bill_files.get(&token) {
            Some((file, true)) => Out::File(bill::gzip(file)),
            Some((file, false)) => Out::File(file.clone()),
            None => err(404, "RESOURCE_NOT_EXISTS", "下载链接已失效"),
        }
    })
}

async fn certificates(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    handle(&sim, &req, b"", |sim, state| {
        let Some(v3) = sim.config.v3.as_ref().filter(|v| v.platform_cert_mode) else {
            return err(
                404,
                "RESOURCE_NOT_EXISTS",
                "此商户使用微信支付公钥，无平台证书",
            );
        };
        let Ok(key) = ApiV3Key::new(&v3.apiv3_key) else {
            return err(500, "SYSTEM_ERROR", "APIv3 key");
        };
        let mut data = Vec::new();
        for c in &state.platform_certs {
            let Ok(parsed) = v3::PlatformCertificate::from_pem(&c.pem) else {
                return err(500, "SYSTEM_ERROR", "certificate");
            };
            let Ok(sealed) = EncryptedResource::seal(&key, "certificate", None, c.pem.as_bytes())
            else {
                return err(500, "SYSTEM_ERROR", "encryption");
            };
            data.push(CertificateItem {
                serial_no: c.serial.clone(),
                effective_time: rfc3339(parsed.not_before),
                expire_time: rfc3339(parsed.not_after),
                encrypt_certificate: sealed,
            });
        }
        match serde_json::to_value(CertificateList { data }) {
            Ok(v) => Out::Json(200, v),
            Err(_) => err(500, "SYSTEM_ERROR", "json"),
        }
    })
}
