//! Orders (Native, JSAPI, H5, APP): create, query (by our number or
//! WeChat's id), close.

use super::{Out, err, handle, query};
use crate::Simulator;
use crate::china_time::rfc3339;
use crate::orders::{CloseError, NewOrder, OrderKey, PlaceError};
use crate::state::SimOrder;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};
use wechat_pay::v3::{H5OrderBody, JsapiOrderBody, NativeOrderBody};

/// The transaction JSON of an order (query replies, notifications).
pub(crate) fn transaction_json(sim: &Simulator, o: &SimOrder) -> Value {
    let mut t = json!({
        "appid": o.appid,
        "mchid": sim.config.mch_id,
        "out_trade_no": o.out_trade_no,
        "trade_type": o.trade_type,
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
        t["payer"] = json!({"openid": o.payer_openid()});
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

/// The four kinds of v3 order, each at its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Native,
    Jsapi,
    H5,
    App,
}

/// What a v3 order body adds to the common fields.
struct Extra {
    openid: Option<String>,
    payer_client_ip: Option<String>,
}

/// Reads the body of a `kind` order: the common fields and its own.
fn read_body(kind: Kind, body: &[u8]) -> Result<(NativeOrderBody, Extra), Out> {
    let bad = || err(400, "PARAM_ERROR", "请求参数格式错误");
    let none = Extra {
        openid: None,
        payer_client_ip: None,
    };
    match kind {
        Kind::Native | Kind::App => serde_json::from_slice::<NativeOrderBody>(body)
            .map(|o| (o, none))
            .map_err(|_| bad()),
        Kind::Jsapi => {
            let o = serde_json::from_slice::<JsapiOrderBody>(body).map_err(|_| bad())?;
            if o.payer.openid.is_empty() {
                return Err(err(400, "PARAM_ERROR", "缺少 payer.openid"));
            }
            Ok((
                o.order,
                Extra {
                    openid: Some(o.payer.openid),
                    payer_client_ip: None,
                },
            ))
        }
        Kind::H5 => {
            let o = serde_json::from_slice::<H5OrderBody>(body).map_err(|_| bad())?;
            let ip = o.scene_info.payer_client_ip;
            if ip.parse::<std::net::IpAddr>().is_err() || o.scene_info.h5_info.is_none() {
                return Err(err(400, "PARAM_ERROR", "scene_info 不合法"));
            }
            Ok((
                o.order,
                Extra {
                    openid: None,
                    payer_client_ip: Some(ip),
                },
            ))
        }
    }
}

pub(super) async fn create(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    body: web::Bytes,
    kind: Kind,
) -> HttpResponse {
    let cashier_base = crate::phone::cashier_base(&req);
    handle(&sim, &req, &body, |sim, state| {
        let (order, extra) = match read_body(kind, &body) {
            Ok(read) => read,
            Err(out) => return out,
        };
        if !sim.config.accepts_appid(&order.appid) || order.mchid != sim.config.mch_id {
            return err(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
        }
        if let Some(openid) = &extra.openid
            && !state.knows_openid(&order.appid, openid)
        {
            return err(400, "PARAM_ERROR", "appid和openid不匹配");
        }
        let no = &order.out_trade_no;
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
        let trade_type = match kind {
            Kind::Native => "NATIVE",
            Kind::Jsapi => "JSAPI",
            Kind::H5 => "MWEB",
            Kind::App => "APP",
        };
        let new = NewOrder {
            time_expire: order
                .time_expire
                .map(|t| wechat_pay::time_expire(t.with_timezone(&Utc))),
            out_trade_no: order.out_trade_no,
            body: order.description,
            total_fee: order.amount.total,
            product_id: None,
            notify_url: order.notify_url,
            attach: order.attach.unwrap_or_default(),
            api: "v3",
            sign_type: wechat_pay::SignType::Md5,
            trade_type,
            appid: order.appid,
            openid: extra.openid,
            payer_client_ip: extra.payer_client_ip,
            cashier_base: (kind == Kind::H5).then(|| cashier_base.clone()),
        };
        match state.place(sim.config.code_url_ttl, new) {
            Ok(placed) => Out::Json(
                200,
                match kind {
                    Kind::Native => json!({"code_url": placed.code_url}),
                    Kind::H5 => json!({"h5_url": placed.h5_url.unwrap_or_default()}),
                    Kind::Jsapi | Kind::App => json!({"prepay_id": placed.prepay_id}),
                },
            ),
            Err(PlaceError::Paid) => err(400, "ORDERPAID", "该订单已支付"),
            Err(PlaceError::Closed) => err(400, "ORDER_CLOSED", "该订单已关闭"),
            Err(PlaceError::NumberUsed) => err(403, "OUT_TRADE_NO_USED", "商户订单号重复"),
        }
    })
}

pub(super) async fn query_by_out_trade_no(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    query_transaction(&sim, &req, OrderKey::OutTradeNo(&path))
}

pub(super) async fn query_by_id(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    query_transaction(&sim, &req, OrderKey::TransactionId(&path))
}

/// The order `key` names, for this merchant (`?mchid=`) only.
fn query_transaction(sim: &Simulator, req: &HttpRequest, key: OrderKey<'_>) -> HttpResponse {
    handle(sim, req, b"", |sim, state| {
        if query(req).get("mchid") != Some(&sim.config.mch_id) {
            return err(400, "PARAM_ERROR", "mchid 缺失或不匹配");
        }
        match state.order_mut(key) {
            Some(o) => Out::Json(200, transaction_json(sim, o)),
            None => err(404, "ORDER_NOT_EXIST", "订单不存在"),
        }
    })
}

pub(super) async fn close(
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
        match state.close(&path) {
            // Closing a closed order again succeeds, as WeChat does.
            Ok(()) | Err(CloseError::Closed) => Out::NoContent,
            Err(CloseError::NoOrder) => err(404, "ORDER_NOT_EXIST", "订单不存在"),
            Err(CloseError::Paid) => err(400, "ORDERPAID", "订单已支付，不能发起关单"),
        }
    })
}
