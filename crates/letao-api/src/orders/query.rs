//! `POST /queryOrder`, `POST /closeOrder`, `GET /orders`.

use super::{Orders, provider_error};
use crate::ApiError;
use letao_db::{Db, OrderRecord, Payment, order_state};
use wechat_pay::{OrderRef, TradeState, WechatPayError};

impl Orders {
    /// The caller's order, or 404/1060.
    pub async fn own(
        &self,
        db: &Db,
        user_id: i32,
        out_trade_no: &str,
    ) -> Result<OrderRecord, ApiError> {
        match db.order_by_no(out_trade_no).await? {
            Some(o) if o.user_id == Some(user_id) => Ok(o),
            _ => Err(ApiError::OrderNotFound),
        }
    }

    /// The stored state; while unpaid, WeChat is asked, and a final answer
    /// is recorded exactly as a notification would be.
    pub async fn query(
        &self,
        db: &Db,
        user_id: i32,
        out_trade_no: &str,
    ) -> Result<OrderRecord, ApiError> {
        let order = self.own(db, user_id, out_trade_no).await?;
        if order.trade_state != order_state::NOTPAY && order.trade_state != order_state::CLOSING {
            return Ok(order);
        }
        let no = order.out_trade_no.clone();
        match self
            .wechat(move |api| api.order_query(&OrderRef::OutTradeNo(no)))
            .await?
        {
            Ok(answer) => self.apply_answer(db, &order, answer).await?,
            Err(e) => {
                tracing::warn!(out_trade_no, error = %e, "orderquery failed; showing the stored state")
            }
        }
        Ok(db.order_by_no(out_trade_no).await?.unwrap_or(order))
    }

    /// Records what orderquery said about an unpaid order.
    pub(super) async fn apply_answer(
        &self,
        db: &Db,
        order: &OrderRecord,
        answer: wechat_pay::OrderQueryResult,
    ) -> Result<(), ApiError> {
        match answer.trade_state {
            TradeState::Success | TradeState::Refund => {
                let (Some(tx), Some(total)) = (answer.transaction_id.as_deref(), answer.total_fee)
                else {
                    return Ok(());
                };
                let cash = answer.raw.get("cash_fee").and_then(|c| c.parse().ok());
                let payment = Payment {
                    out_trade_no: &order.out_trade_no,
                    transaction_id: tx,
                    total_fen: total,
                    bank_type: answer.bank_type.as_deref(),
                    time_end: answer.time_end.as_deref(),
                    cash_fen: cash,
                    openid: answer.raw.get("openid").map(String::as_str),
                };
                let outcome = db.record_payment(&payment, self.clock.now()).await?;
                tracing::info!(out_trade_no = %order.out_trade_no, ?outcome, "payment learned from orderquery");
            }
            TradeState::Closed | TradeState::Revoked | TradeState::PayError => {
                db.close_order(
                    order.id,
                    &[order_state::NOTPAY],
                    "closed at WeChat",
                    self.clock.now(),
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Closes the caller's unpaid order at WeChat and here, and puts its
    /// stock back.
    pub async fn close(
        &self,
        db: &Db,
        user_id: i32,
        out_trade_no: &str,
    ) -> Result<OrderRecord, ApiError> {
        let order = self.own(db, user_id, out_trade_no).await?;
        if order.trade_state != order_state::NOTPAY {
            return Err(ApiError::OrderState(format!(
                "the order is {}, not NOTPAY",
                public_state(&order)
            )));
        }
        let no = order.out_trade_no.clone();
        match self.wechat(move |api| api.close_order(&no)).await? {
            Ok(()) => {}
            Err(e) if is_gone(&e) => {}
            Err(e) if e.err_code() == Some("ORDERPAID") => {
                // Paid meanwhile: record it rather than close.
                let no = order.out_trade_no.clone();
                if let Ok(answer) = self
                    .wechat(move |api| api.order_query(&OrderRef::OutTradeNo(no)))
                    .await?
                {
                    self.apply_answer(db, &order, answer).await?;
                }
                return Err(ApiError::OrderState("the order is paid".into()));
            }
            Err(e) => return Err(provider_error(&e)),
        }
        if !db
            .close_order(
                order.id,
                &[order_state::NOTPAY],
                "closed by the buyer",
                self.clock.now(),
            )
            .await?
        {
            return Err(ApiError::OrderState("the order changed meanwhile".into()));
        }
        Ok(db.order_by_no(out_trade_no).await?.unwrap_or(order))
    }
}

/// The state a client sees: CLOSING is still NOTPAY to them.
pub fn public_state(order: &OrderRecord) -> &str {
    if order.trade_state == order_state::CLOSING {
        order_state::NOTPAY
    } else {
        &order.trade_state
    }
}

/// WeChat has no open order by that number (never created, or closed).
pub(super) fn is_gone(e: &WechatPayError) -> bool {
    matches!(e.err_code(), Some("ORDERNOTEXIST" | "ORDERCLOSED"))
}
