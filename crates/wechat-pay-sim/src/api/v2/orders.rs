//! `/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`.

use super::{fail, get, handle, ok, order_key};
use crate::Simulator;
use crate::orders::{CloseError, NewOrder, PAYER_OPENID, PlaceError};
use actix_web::{HttpResponse, web};

pub(super) async fn unified_order(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
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
        if get(req, "out_trade_no").len() > 32 {
            return fail("PARAM_ERROR", "out_trade_no 超长");
        }
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
        };
        match state.place(sim.config.code_url_ttl, new) {
            Ok(order) => ok(vec![
                ("trade_type", "NATIVE".into()),
                ("prepay_id", order.prepay_id),
                ("code_url", order.code_url),
            ]),
            Err(PlaceError::Paid) => fail("ORDERPAID", "该订单已支付"),
            Err(PlaceError::Closed) => fail("ORDERCLOSED", "该订单已关闭"),
            Err(PlaceError::NumberUsed) => fail("OUT_TRADE_NO_USED", "商户订单号重复"),
        }
    })
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
            ("trade_type", "NATIVE".into()),
        ];
        if let (Some(tx), Some(end)) = (&order.transaction_id, &order.time_end) {
            fields.extend([
                ("transaction_id", tx.clone()),
                ("time_end", end.clone()),
                ("cash_fee", order.total_fee.to_string()),
                ("bank_type", "CMC".into()),
                ("fee_type", "CNY".into()),
                ("openid", PAYER_OPENID.into()),
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
