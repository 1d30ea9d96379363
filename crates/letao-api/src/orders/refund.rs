//! `POST /admin/refund`.

use super::{Orders, provider_error};
use crate::ApiError;
use letao_db::{Db, RefundRecord, order_state};
use wechat_pay::{OrderRef, Refund};

/// A refund an admin asks for.
pub struct RefundRequest {
    /// The order.
    pub out_trade_no: String,
    /// Amount in fen; the rest of the order when absent.
    pub refund_fen: Option<i64>,
    /// Shown to the payer.
    pub reason: String,
}

impl Orders {
    /// Reserves the amount (never more than was paid, in total), records
    /// the refund, and asks WeChat. A refusal gives the amount back.
    pub async fn refund(&self, db: &Db, req: RefundRequest) -> Result<RefundRecord, ApiError> {
        let order = db
            .order_by_no(&req.out_trade_no)
            .await?
            .ok_or(ApiError::OrderNotFound)?;
        let (Some(transaction_id), true) = (
            order.transaction_id.clone(),
            matches!(
                order.trade_state.as_str(),
                order_state::SUCCESS | order_state::REFUND | order_state::CLOSED
            ),
        ) else {
            return Err(ApiError::OrderState("the order is not paid".into()));
        };
        let left = order.total_fen - order.refunded_fen;
        if left <= 0 {
            return Err(ApiError::OrderState("the order is refunded in full".into()));
        }
        let fen = req.refund_fen.unwrap_or(left);
        if fen <= 0 {
            return Err(ApiError::invalid(
                "refund_fee",
                "must be a positive amount in fen",
            ));
        }
        if fen > left {
            return Err(ApiError::OrderState(format!(
                "only {left} fen of this order can still be refunded"
            )));
        }
        let out_refund_no = wechat_pay::out_refund_no("RF");
        if !db
            .reserve_refund(order.id, &out_refund_no, fen, &req.reason, self.clock.now())
            .await?
        {
            return Err(ApiError::OrderState(
                "the refund exceeds what was paid".into(),
            ));
        }
        let request = Refund {
            order: OrderRef::TransactionId(transaction_id),
            out_refund_no: out_refund_no.clone(),
            total_fee: order.total_fen,
            refund_fee: fen,
            refund_desc: Some(req.reason),
            notify_url: self.config.refund_notify_url.clone(),
        };
        match self.wechat(move |api| api.refund(&request)).await? {
            Ok(accepted) => db
                .settle_refund(
                    &out_refund_no,
                    "PROCESSING",
                    Some(&accepted.refund_id),
                    self.clock.now(),
                )
                .await?
                .ok_or_else(|| ApiError::Internal("refund row vanished".into())),
            Err(e) if e.is_retryable() => {
                // The outcome is unknown: keep the reservation; the refund
                // notification (or a query) settles it.
                tracing::warn!(%out_refund_no, error = %e, "refund outcome unknown");
                Err(provider_error(&e))
            }
            Err(e) => {
                db.settle_refund(&out_refund_no, "FAILED", None, self.clock.now())
                    .await?;
                Err(provider_error(&e))
            }
        }
    }
}
