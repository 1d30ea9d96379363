//! `/secapi/pay/refund` and `/pay/refundquery`.

use super::{Outcome, fail, get, handle, ok, order_key};
use crate::Simulator;
use crate::orders::{RefundAsk, RefundError, start_refund};
use actix_web::{HttpResponse, web};

pub(super) async fn refund(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    let required = ["out_refund_no", "total_fee", "refund_fee"];
    handle(&sim, &body, &required, |sim, state, req, _| {
        let (Ok(total_fee), Ok(refund_fee)) = (
            get(req, "total_fee").parse::<i64>(),
            get(req, "refund_fee").parse::<i64>(),
        ) else {
            return fail("PARAM_ERROR", "金额格式错误");
        };
        let ask = RefundAsk {
            out_refund_no: get(req, "out_refund_no").to_owned(),
            refund_fee,
            total_fee,
            notify_url: req.get("notify_url").cloned(),
            v3: false,
        };
        let (order, refund) = match start_refund(sim, state, order_key(req), ask) {
            // The same refund asked again: the same answer.
            Ok(r) if !r.new => {
                return ok(vec![
                    ("out_trade_no", r.order.out_trade_no),
                    ("out_refund_no", r.refund.out_refund_no),
                    ("refund_id", r.refund.refund_id),
                    ("refund_fee", r.refund.refund_fee.to_string()),
                    ("total_fee", r.order.total_fee.to_string()),
                ]);
            }
            Ok(r) => (r.order, r.refund),
            Err(RefundError::NoOrder) => return fail("ORDERNOTEXIST", "订单不存在"),
            Err(RefundError::NotPaid) => return fail("TRADE_STATE_ERROR", "订单状态错误"),
            Err(RefundError::NumberReused) => {
                return fail("INVALID_REQUEST", "退款单号重复且金额不一致");
            }
            Err(RefundError::WrongTotal) => {
                return fail("INVALID_REQUEST", "订单金额与之前请求不一致");
            }
            Err(RefundError::TooMuch) => {
                return fail("INVALID_REQUEST", "退款金额大于订单剩余可退金额");
            }
        };
        ok(vec![
            ("out_trade_no", order.out_trade_no),
            ("transaction_id", order.transaction_id.unwrap_or_default()),
            ("out_refund_no", refund.out_refund_no),
            ("refund_id", refund.refund_id),
            ("refund_fee", refund.refund_fee.to_string()),
            ("total_fee", order.total_fee.to_string()),
            ("cash_fee", order.total_fee.to_string()),
        ])
    })
}

pub(super) async fn refund_query(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    handle(&sim, &body, &[], |_, state, req, _| {
        let Some(order) = state.order_mut(order_key(req)) else {
            return fail("ORDERNOTEXIST", "订单不存在");
        };
        if order.refunds.is_empty() {
            return fail("REFUNDNOTEXIST", "退款订单查询失败");
        }
        let mut fields: Vec<(String, String)> = vec![
            ("out_trade_no".into(), order.out_trade_no.clone()),
            ("total_fee".into(), order.total_fee.to_string()),
            ("refund_count".into(), order.refunds.len().to_string()),
        ];
        for (n, r) in order.refunds.iter().enumerate() {
            fields.extend([
                (format!("out_refund_no_{n}"), r.out_refund_no.clone()),
                (format!("refund_id_{n}"), r.refund_id.clone()),
                (format!("refund_fee_{n}"), r.refund_fee.to_string()),
                (format!("refund_status_{n}"), r.refund_status.clone()),
            ]);
        }
        Outcome::Ok(fields)
    })
}
