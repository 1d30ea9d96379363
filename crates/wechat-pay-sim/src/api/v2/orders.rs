//! `/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`.

use super::{fail, get, handle, ok, order_key};
use crate::Simulator;
use crate::orders::{CloseError, NewOrder, PlaceError};
use actix_web::{HttpRequest, HttpResponse, web};
use std::net::IpAddr;

pub(super) async fn unified_order(
    sim: web::Data<Simulator>,
    http: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let required = [
        "body",
        "out_trade_no",
        "total_fee",
        "spbill_create_ip",
        "notify_url",
        "trade_type",
    ];
    let cashier_base = crate::phone::cashier_base(&http);
    handle(&sim, &body, &required, |sim, state, req, sign_type| {
        let trade_type = match get(req, "trade_type") {
            "NATIVE" => "NATIVE",
            "JSAPI" => "JSAPI",
            "MWEB" => "MWEB",
            "APP" => "APP",
            _ => return fail("INVALID_TRADE_TYPE", "trade_type 不合法"),
        };
        let appid = get(req, "appid");
        match trade_type {
            "NATIVE" if get(req, "product_id").is_empty() => {
                return fail("LACK_PARAMS", "NATIVE 支付缺少 product_id");
            }
            "JSAPI" if get(req, "openid").is_empty() => {
                return fail("LACK_PARAMS", "JSAPI 支付缺少 openid");
            }
            "JSAPI" if !state.knows_openid(appid, get(req, "openid")) => {
                return fail("PARAM_ERROR", "appid和openid不匹配");
            }
            "MWEB" if !h5_scene_ok(get(req, "scene_info")) => {
                return fail("PARAM_ERROR", "MWEB 支付缺少 scene_info.h5_info");
            }
            "MWEB" if get(req, "spbill_create_ip").parse::<IpAddr>().is_err() => {
                return fail("PARAM_ERROR", "spbill_create_ip 不合法");
            }
            _ => {}
        }
        let Some(total_fee) = get(req, "total_fee").parse::<i64>().ok().filter(|f| *f > 0) else {
            return fail("PARAM_ERROR", "total_fee 必须是正整数");
        };
        if get(req, "out_trade_no").len() > 32 {
            return fail("PARAM_ERROR", "out_trade_no 超长");
        }
        let optional = |k: &str| Some(get(req, k).to_owned()).filter(|v| !v.is_empty());
        let new = NewOrder {
            out_trade_no: get(req, "out_trade_no").to_owned(),
            body: get(req, "body").to_owned(),
            total_fee,
            product_id: Some(get(req, "product_id").to_owned()),
            notify_url: get(req, "notify_url").to_owned(),
            attach: get(req, "attach").to_owned(),
            api: "v2",
            sign_type,
            time_expire: req.get("time_expire").cloned(),
            trade_type,
            appid: appid.to_owned(),
            openid: optional("openid").filter(|_| trade_type == "JSAPI"),
            payer_client_ip: optional("spbill_create_ip").filter(|_| trade_type == "MWEB"),
            cashier_base: (trade_type == "MWEB").then(|| cashier_base.clone()),
        };
        match state.place(sim.config.code_url_ttl, new) {
            Ok(order) => {
                let mut fields = vec![
                    ("trade_type", trade_type.to_owned()),
                    ("prepay_id", order.prepay_id),
                ];
                match trade_type {
                    "NATIVE" => fields.push(("code_url", order.code_url)),
                    "MWEB" => fields.push(("mweb_url", order.h5_url.unwrap_or_default())),
                    _ => {}
                }
                ok(fields)
            }
            Err(PlaceError::Paid) => fail("ORDERPAID", "该订单已支付"),
            Err(PlaceError::Closed) => fail("ORDERCLOSED", "该订单已关闭"),
            Err(PlaceError::NumberUsed) => fail("OUT_TRADE_NO_USED", "商户订单号重复"),
        }
    })
}

/// `scene_info` of an MWEB order: JSON text with an `h5_info` whose type
/// is given.
fn h5_scene_ok(scene_info: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(scene_info)
        .ok()
        .and_then(|v| v.get("h5_info")?.get("type")?.as_str().map(str::to_owned))
        .is_some_and(|t| !t.is_empty())
}

pub(super) async fn order_query(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(&sim, &body, &[], |_, state, req, _| {
        if get(req, "out_trade_no").is_empty() && get(req, "transaction_id").is_empty() {
            return fail("LACK_PARAMS", "缺少 out_trade_no 或 transaction_id");
        }
        let Some(order) = state.order_mut(order_key(req)) else {
            return fail("ORDERNOTEXIST", "此交易订单号不存在");
        };
        let mut fields = vec![
            ("out_trade_no", order.out_trade_no.clone()),
            ("trade_state", order.trade_state.clone()),
            ("trade_state_desc", order.trade_state.clone()),
            ("total_fee", order.total_fee.to_string()),
            ("trade_type", order.trade_type.clone()),
        ];
        if let (Some(tx), Some(end)) = (&order.transaction_id, &order.time_end) {
            fields.extend([
                ("transaction_id", tx.clone()),
                ("time_end", end.clone()),
                ("cash_fee", order.total_fee.to_string()),
                ("bank_type", "CMC".into()),
                ("fee_type", "CNY".into()),
                ("openid", order.payer_openid().to_owned()),
                ("is_subscribe", "N".into()),
            ]);
        }
        ok(fields)
    })
}

pub(super) async fn close_order(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(
        &sim,
        &body,
        &["out_trade_no"],
        |_, state, req, _| match state.close(get(req, "out_trade_no")) {
            Ok(()) => ok(vec![]),
            Err(CloseError::NoOrder) => fail("ORDERNOTEXIST", "订单不存在"),
            Err(CloseError::Paid) => fail("ORDERPAID", "订单已支付，不能发起关单"),
            Err(CloseError::Closed) => fail("ORDERCLOSED", "订单已关闭，无法重复关闭"),
        },
    )
}
