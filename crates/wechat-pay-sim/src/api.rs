//! The merchant API: unifiedorder, orderquery, closeorder, refund, refundquery.

use crate::Simulator;
use crate::state::{SimOrder, SimRefund, State, expires, random_alnum, random_digits};
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use rand::Rng;
use std::time::Instant;
use wechat_pay::{RawMap, SignType, xml};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/pay/unifiedorder", web::post().to(unified_order))
        .route("/pay/orderquery", web::post().to(order_query))
        .route("/pay/closeorder", web::post().to(close_order))
        .route("/secapi/pay/refund", web::post().to(refund))
        .route("/pay/refundquery", web::post().to(refund_query))
        .route("/pay/downloadbill", web::post().to(download_bill));
}

/// `/pay/downloadbill`: the bill as text (gzip with `tar_type=GZIP`), or an
/// unsigned XML failure ("No Bill Exist" when nothing happened that day).
async fn download_bill(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    let Ok(req) = xml::parse(&body) else {
        return return_fail("XML_FORMAT_ERROR");
    };
    let sign_type = match req.get("sign_type").map(|t| SignType::parse(t)) {
        None => SignType::Md5,
        Some(Some(t)) => t,
        Some(None) => return return_fail("SIGNERROR"),
    };
    if !wechat_pay::verify(&req, &sim.config.api_key, sign_type) {
        return return_fail("SIGNERROR");
    }
    if get(&req, "appid") != sim.config.appid || get(&req, "mch_id") != sim.config.mch_id {
        return return_fail("appid or mch_id mismatch");
    }
    let Ok(date) = chrono::NaiveDate::parse_from_str(get(&req, "bill_date"), "%Y%m%d") else {
        return return_fail("invalid bill_date");
    };
    let Some(bill_type) = wechat_pay::BillType::parse(match get(&req, "bill_type") {
        "" => "ALL",
        t => t,
    }) else {
        return return_fail("invalid bill_type");
    };
    let gzip = match get(&req, "tar_type") {
        "" => false,
        "GZIP" => true,
        _ => return return_fail("invalid tar_type"),
    };
    let corrupt = sim
        .state
        .lock()
        .map(|s| s.faults.corrupt_bills)
        .unwrap_or(false);
    let Some(mut text) = sim.bill(date, bill_type) else {
        return xml_reply(xml::build([
            ("return_code", "FAIL"),
            ("return_msg", "No Bill Exist"),
            ("error_code", "20002"),
        ]));
    };
    if corrupt && let Some(cut) = text.find(wechat_pay::bill::SUMMARY_COLUMNS[0]) {
        text.truncate(cut);
    }
    let bytes = if gzip {
        wechat_pay::bill::gzip(text.as_bytes())
    } else {
        text.into_bytes()
    };
    HttpResponse::Ok()
        .content_type(if gzip {
            "application/octet-stream"
        } else {
            "text/plain; charset=utf-8"
        })
        .body(bytes)
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

fn get<'a>(req: &'a RawMap, key: &str) -> &'a str {
    req.get(key).map(String::as_str).unwrap_or("")
}

/// Checks XML, signature and merchant, applies faults, runs `op` on the
/// state and signs the reply with the request's sign type.
fn handle(
    sim: &Simulator,
    body: &[u8],
    required: &[&str],
    op: impl FnOnce(&Simulator, &mut State, &RawMap, SignType) -> Outcome,
) -> HttpResponse {
    let Ok(req) = xml::parse(body) else {
        return return_fail("XML_FORMAT_ERROR");
    };
    let sign_type = match req.get("sign_type") {
        None => SignType::Md5,
        Some(t) => match SignType::parse(t) {
            Some(t) => t,
            None => return return_fail("SIGNERROR"),
        },
    };
    if !wechat_pay::verify(&req, &sim.config.api_key, sign_type) {
        return return_fail("SIGNERROR");
    }
    let outcome = if get(&req, "appid") != sim.config.appid {
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
            Ok(mut state) => {
                let pct = state.faults.systemerror_percent.min(100);
                if pct > 0 && rand::rng().random_range(0..100u8) < pct {
                    fail("SYSTEMERROR", "系统错误")
                } else {
                    op(sim, &mut state, &req, sign_type)
                }
            }
        }
    };
    let mut fields: Vec<(String, String)> = vec![
        ("return_code".into(), "SUCCESS".into()),
        ("return_msg".into(), "OK".into()),
        ("appid".into(), sim.config.appid.clone()),
        ("mch_id".into(), sim.config.mch_id.clone()),
        ("nonce_str".into(), random_alnum(32)),
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
    let sign = wechat_pay::sign(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &sim.config.api_key,
        sign_type,
    );
    fields.push(("sign".into(), sign));
    xml_reply(xml::build(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}

fn find<'a>(state: &'a mut State, req: &RawMap) -> Option<&'a mut SimOrder> {
    let key = match get(req, "out_trade_no") {
        "" => state
            .by_transaction
            .get(get(req, "transaction_id"))?
            .clone(),
        no => no.to_owned(),
    };
    state.orders.get_mut(&key)
}

async fn unified_order(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    let required = [
        "body",
        "out_trade_no",
        "total_fee",
        "spbill_create_ip",
        "notify_url",
        "trade_type",
    ];
    handle(&sim, &body, &required, |sim, state, req, sign_type| {
        if get(req, "trade_type") == "NATIVE" && get(req, "product_id").is_empty() {
            return fail("LACK_PARAMS", "NATIVE 支付缺少 product_id");
        }
        let Some(total_fee) = get(req, "total_fee").parse::<i64>().ok().filter(|f| *f > 0) else {
            return fail("PARAM_ERROR", "total_fee 必须是正整数");
        };
        let no = get(req, "out_trade_no").to_owned();
        if no.len() > 32 {
            return fail("PARAM_ERROR", "out_trade_no 超长");
        }
        if let Some(existing) = state.orders.get(&no) {
            let same = existing.body == get(req, "body")
                && existing.total_fee == total_fee
                && existing.product_id == get(req, "product_id");
            return match existing.trade_state.as_str() {
                "SUCCESS" | "REFUND" => fail("ORDERPAID", "该订单已支付"),
                "CLOSED" => fail("ORDERCLOSED", "该订单已关闭"),
                _ if !same => fail("OUT_TRADE_NO_USED", "商户订单号重复"),
                _ => ok(vec![
                    ("trade_type", "NATIVE".into()),
                    ("prepay_id", existing.prepay_id.clone()),
                    ("code_url", existing.code_url.clone()),
                ]),
            };
        }
        let seq = state.next_seq();
        let order = SimOrder {
            out_trade_no: no.clone(),
            body: get(req, "body").to_owned(),
            total_fee,
            product_id: get(req, "product_id").to_owned(),
            notify_url: get(req, "notify_url").to_owned(),
            attach: get(req, "attach").to_owned(),
            code_url: format!("weixin://wxpay/bizpayurl?pr={}", random_alnum(7)),
            prepay_id: format!("wx{}", random_alnum(30)),
            trade_state: "NOTPAY".into(),
            transaction_id: None,
            time_end: None,
            refunds: Vec::new(),
            api: "v2",
            paid_at: None,
            pay_seconds_left: 0,
            sign_type,
            pay_until: Some(expires(
                sim.config.code_url_ttl,
                req.get("time_expire").map(String::as_str),
            )),
            seq,
        };
        let reply = ok(vec![
            ("trade_type", "NATIVE".into()),
            ("prepay_id", order.prepay_id.clone()),
            ("code_url", order.code_url.clone()),
        ]);
        state.orders.insert(no, order);
        reply
    })
}

async fn order_query(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(&sim, &body, &[], |_, state, req, _| {
        if get(req, "out_trade_no").is_empty() && get(req, "transaction_id").is_empty() {
            return fail("LACK_PARAMS", "缺少 out_trade_no 或 transaction_id");
        }
        let Some(order) = find(state, req) else {
            return fail("ORDERNOTEXIST", "此交易订单号不存在");
        };
        let mut fields = vec![
            ("out_trade_no", order.out_trade_no.clone()),
            ("trade_state", order.trade_state.clone()),
            ("trade_state_desc", order.trade_state.clone()),
            ("total_fee", order.total_fee.to_string()),
            ("trade_type", "NATIVE".into()),
        ];
        if let (Some(tx), Some(end)) = (&order.transaction_id, &order.time_end) {
            fields.extend([
                ("transaction_id", tx.clone()),
                ("time_end", end.clone()),
                ("cash_fee", order.total_fee.to_string()),
                ("bank_type", "CMC".into()),
                ("fee_type", "CNY".into()),
                ("openid", "oSimulatorPayer0000000000000".into()),
                ("is_subscribe", "N".into()),
            ]);
        }
        ok(fields)
    })
}

async fn close_order(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(&sim, &body, &["out_trade_no"], |_, state, req, _| {
        let Some(order) = state.orders.get_mut(get(req, "out_trade_no")) else {
            return fail("ORDERNOTEXIST", "订单不存在");
        };
        match order.trade_state.as_str() {
            "SUCCESS" | "REFUND" => fail("ORDERPAID", "订单已支付，不能发起关单"),
            "CLOSED" => fail("ORDERCLOSED", "订单已关闭，无法重复关闭"),
            _ => {
                order.trade_state = "CLOSED".into();
                order.pay_until = Some(Instant::now());
                ok(vec![])
            }
        }
    })
}

async fn refund(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    let simulator = sim.get_ref().clone();
    let mut started: Option<(String, SimRefund)> = None;
    let reply = handle(
        &sim,
        &body,
        &["out_refund_no", "total_fee", "refund_fee"],
        |_, state, req, _| {
            let (Ok(total_fee), Ok(refund_fee)) = (
                get(req, "total_fee").parse::<i64>(),
                get(req, "refund_fee").parse::<i64>(),
            ) else {
                return fail("PARAM_ERROR", "金额格式错误");
            };
            let now = state.now();
            let Some(order) = find(state, req) else {
                return fail("ORDERNOTEXIST", "订单不存在");
            };
            if order.transaction_id.is_none() {
                return fail("TRADE_STATE_ERROR", "订单状态错误");
            }
            let no = get(req, "out_refund_no").to_owned();
            if let Some(previous) = order.refunds.iter().find(|r| r.out_refund_no == no) {
                // The same refund asked again: same answer, nothing new.
                return if previous.refund_fee == refund_fee {
                    ok(vec![
                        ("out_trade_no", order.out_trade_no.clone()),
                        ("out_refund_no", previous.out_refund_no.clone()),
                        ("refund_id", previous.refund_id.clone()),
                        ("refund_fee", previous.refund_fee.to_string()),
                        ("total_fee", order.total_fee.to_string()),
                    ])
                } else {
                    fail("INVALID_REQUEST", "退款单号重复且金额不一致")
                };
            }
            if total_fee != order.total_fee {
                return fail("INVALID_REQUEST", "订单金额与之前请求不一致");
            }
            if refund_fee <= 0 || refund_fee + order.refunded_total() > order.total_fee {
                return fail("INVALID_REQUEST", "退款金额大于订单剩余可退金额");
            }
            let refund = SimRefund {
                out_refund_no: no,
                refund_id: format!("5030{}", random_digits(24)),
                refund_fee,
                refund_status: "PROCESSING".into(),
                notify_url: req.get("notify_url").filter(|u| !u.is_empty()).cloned(),
                created_at: now,
                success_at: None,
                v3: false,
            };
            order.refunds.push(refund.clone());
            order.trade_state = "REFUND".into();
            started = Some((order.out_trade_no.clone(), refund.clone()));
            ok(vec![
                ("out_trade_no", order.out_trade_no.clone()),
                (
                    "transaction_id",
                    order.transaction_id.clone().unwrap_or_default(),
                ),
                ("out_refund_no", refund.out_refund_no),
                ("refund_id", refund.refund_id),
                ("refund_fee", refund_fee.to_string()),
                ("total_fee", order.total_fee.to_string()),
                ("cash_fee", order.total_fee.to_string()),
            ])
        },
    );
    if let Some((out_trade_no, refund)) = started {
        crate::notify::complete_refund(simulator, out_trade_no, refund);
    }
    reply
}

async fn refund_query(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(&sim, &body, &[], |_, state, req, _| {
        let Some(order) = find(state, req) else {
            return fail("ORDERNOTEXIST", "订单不存在");
        };
        if order.refunds.is_empty() {
            return fail("REFUNDNOTEXIST", "退款订单查询失败");
        }
        let mut fields = vec![
            ("out_trade_no", order.out_trade_no.clone()),
            ("total_fee", order.total_fee.to_string()),
            ("refund_count", order.refunds.len().to_string()),
        ];
        let mut numbered: Vec<(String, String)> = Vec::new();
        for (n, r) in order.refunds.iter().enumerate() {
            numbered.push((format!("out_refund_no_{n}"), r.out_refund_no.clone()));
            numbered.push((format!("refund_id_{n}"), r.refund_id.clone()));
            numbered.push((format!("refund_fee_{n}"), r.refund_fee.to_string()));
            numbered.push((format!("refund_status_{n}"), r.refund_status.clone()));
        }
        let mut out: Vec<(String, String)> =
            fields.drain(..).map(|(k, v)| (k.to_owned(), v)).collect();
        out.extend(numbered);
        Outcome::Ok(out)
    })
}
