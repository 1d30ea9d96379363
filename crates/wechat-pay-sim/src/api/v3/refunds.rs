//! Domestic refunds: request and query.

use super::{Out, err, handle};
use crate::Simulator;
use crate::china_time::rfc3339;
use crate::orders::{OrderKey, RefundAsk, RefundError, start_refund};
use crate::state::{SimOrder, SimRefund};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use wechat_pay::v3::RefundBody;

/// The refund JSON of a refund request or query reply.
fn refund_json(o: &SimOrder, r: &SimRefund) -> Value {
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

pub(super) async fn refund(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    handle(&sim, &req, &body, |sim, state| {
        let Ok(r) = serde_json::from_slice::<RefundBody>(&body) else {
            return err(400, "PARAM_ERROR", "请求参数格式错误");
        };
        let key = match (&r.out_trade_no, &r.transaction_id) {
            (Some(no), _) => OrderKey::OutTradeNo(no),
            (None, Some(tx)) => OrderKey::TransactionId(tx),
            (None, None) => return err(400, "PARAM_ERROR", "缺少 out_trade_no 或 transaction_id"),
        };
        let ask = RefundAsk {
            out_refund_no: r.out_refund_no.clone(),
            refund_fee: r.amount.refund,
            total_fee: r.amount.total,
            notify_url: r.notify_url.clone(),
            v3: true,
        };
        match start_refund(sim, state, key, ask) {
            Ok(started) => Out::Json(200, refund_json(&started.order, &started.refund)),
            Err(RefundError::NoOrder) => err(404, "RESOURCE_NOT_EXISTS", "订单不存在"),
            Err(RefundError::NotPaid) => err(403, "TRADE_STATE_ERROR", "订单未支付"),
            Err(RefundError::NumberReused) => {
                err(400, "INVALID_REQUEST", "退款单号重复且金额不一致")
            }
            Err(RefundError::WrongTotal) => err(400, "INVALID_REQUEST", "订单金额与之前请求不一致"),
            Err(RefundError::TooMuch) => err(403, "NOT_ENOUGH", "退款金额大于订单剩余可退金额"),
        }
    })
}

pub(super) async fn query_refund(
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
