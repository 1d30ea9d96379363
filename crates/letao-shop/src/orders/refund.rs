//! Refunds an admin asks for.

use super::{Orders, provider_error};
use crate::ShopError;
use crate::owners::Owner;
use crate::payments::RefundOrder;
use crate::store::{AuditEntry, RefundRecord};
use letao_domain::Fen;
use letao_domain::order::{RefundEvent, refund_amount};
use letao_domain::{AuditAction, Permission};

/// A refund an admin asks for.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// The order.
    pub out_trade_no: String,
    /// Amount; the rest of the order when absent.
    pub amount: Option<Fen>,
    /// Shown to the payer.
    pub reason: String,
}

impl Orders {
    /// Reserves the amount (never more than was paid, in total), records
    /// the refund, and asks WeChat. A refusal gives the amount back; an
    /// unknown outcome keeps it until the notification settles it.
    pub async fn refund(
        &self,
        owner: &Owner,
        req: RefundRequest,
    ) -> Result<RefundRecord, ShopError> {
        owner.require(Permission::Refund)?;
        let order = self
            .store
            .order_by_no(&req.out_trade_no)
            .await?
            .ok_or(ShopError::OrderNotFound)?;
        let Some(transaction_id) = order.transaction_id.clone() else {
            return Err(ShopError::OrderState("the order is not paid".into()));
        };
        let amount = refund_amount(order.total, order.refunded, req.amount)?;
        let out_refund_no = wechat_pay::out_refund_no("RF");
        let actor = owner.actor();
        let audit = AuditEntry {
            actor: &actor,
            action: AuditAction::OrderRefund,
            target: format!("order {}", order.out_trade_no),
            detail: serde_json::json!({
                "refunded_fee": [order.refunded.get(), order.refunded.get() + amount.get()],
                "out_refund_no": out_refund_no,
                "reason": req.reason,
            })
            .to_string(),
        };
        if !self
            .store
            .reserve_refund(
                order.id,
                &out_refund_no,
                amount,
                &req.reason,
                &audit,
                self.clock.now(),
            )
            .await?
        {
            return Err(ShopError::OrderState(
                "the refund exceeds what was paid".into(),
            ));
        }
        let request = RefundOrder {
            out_trade_no: order.out_trade_no.clone(),
            transaction_id,
            out_refund_no: out_refund_no.clone(),
            total: order.total,
            amount,
            reason: req.reason,
            notify_url: self.config.refund_notify_url.clone(),
        };
        match self.gateway.refund(&request).await {
            Ok(refund_id) => self
                .store
                .settle_refund(
                    &out_refund_no,
                    RefundEvent::Accepted,
                    Some(&refund_id),
                    self.clock.now(),
                )
                .await?
                .ok_or_else(|| ShopError::internal("refund row vanished")),
            Err(e) if e.is_retryable() => {
                tracing::warn!(%out_refund_no, error = %e, "refund outcome unknown");
                Err(provider_error(&e))
            }
            Err(e) => {
                self.store
                    .settle_refund(&out_refund_no, RefundEvent::Refused, None, self.clock.now())
                    .await?;
                Err(provider_error(&e))
            }
        }
    }
}
