//! Payment and refund notifications: WeChat tells us.

use super::Orders;
use crate::payments::{GatewayError, GatewayErrorKind, Notice};
use crate::store::{Payment, Recorded};
use letao_domain::order::PaymentSource;

/// What to answer a notification with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyOutcome {
    /// Stored (or known already): acknowledge, so WeChat stops sending it.
    Ack,
    /// Not verified or not stored: refuse, so WeChat sends it again.
    Refuse(Refusal),
}

/// Why a notification is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not genuine, not ours, or not understood.
    Invalid,
    /// Genuine, but its order or amount is not ours.
    Mismatch,
    /// A refund we do not know.
    UnknownRefund,
    /// Could not be checked or stored now: send it again later.
    NotStored,
}

/// Counts a refused notification by kind and reason.
fn refused(kind: &'static str, why: Refusal) -> NotifyOutcome {
    metrics::counter!("notifications_refused_total", "kind" => kind, "reason" => why.as_str())
        .increment(1);
    NotifyOutcome::Refuse(why)
}

/// Counts a payment the shop recorded, by how it learned of it.
pub(crate) fn payment_recorded(source: letao_domain::order::PaymentSource) {
    metrics::counter!("payments_recorded_total", "source" => source.as_str()).increment(1);
}

impl Refusal {
    /// A short message for the reply.
    pub const fn as_str(self) -> &'static str {
        match self {
            Refusal::Invalid => "invalid notification",
            Refusal::Mismatch => "order mismatch",
            Refusal::UnknownRefund => "unknown refund",
            Refusal::NotStored => "not stored",
        }
    }

    /// The fault is ours (the same notification may succeed later), not
    /// the message's.
    pub const fn is_ours(self) -> bool {
        matches!(self, Refusal::NotStored)
    }
}

/// The verified notification, or the refusal to answer with: not genuine
/// (WeChat should stop), or not checked now (WeChat should send it again).
fn verified<T>(read: Result<T, GatewayError>, what: &'static str) -> Result<T, NotifyOutcome> {
    match read {
        Ok(n) => Ok(n),
        Err(e) if e.kind == GatewayErrorKind::BadNotice => {
            tracing::warn!(error = %e, what, "notification refused");
            Err(refused(what, Refusal::Invalid))
        }
        Err(e) => {
            tracing::error!(error = %e, what, "notification not checked");
            Err(refused(what, Refusal::NotStored))
        }
    }
}

impl Orders {
    /// Handles a payment notification. `Ack` only once the payment is
    /// stored (or was already); `Refuse` for anything unverifiable or
    /// unstorable.
    pub async fn payment_notification(&self, notice: Notice<'_>) -> NotifyOutcome {
        let n = match verified(self.gateway.payment_notice(&notice).await, "payment") {
            Ok(n) => n,
            Err(refusal) => return refusal,
        };
        let Some(paid) = n.paid else {
            // A failed payment changes nothing; acknowledge so it stops.
            tracing::info!(out_trade_no = %n.out_trade_no, "payment failed at WeChat");
            return NotifyOutcome::Ack;
        };
        let payment = Payment {
            out_trade_no: &n.out_trade_no,
            transaction_id: &paid.transaction_id,
            total: paid.total,
            bank_type: paid.bank_type.as_deref(),
            time_end: paid.time_end.as_deref(),
            cash: paid.cash,
            openid: paid.openid.as_deref(),
            source: PaymentSource::Notification,
        };
        match self.store.record_payment(&payment, self.clock.now()).await {
            Ok(Recorded::Paid) => {
                tracing::info!(out_trade_no = %n.out_trade_no, "order paid");
                payment_recorded(PaymentSource::Notification);
                NotifyOutcome::Ack
            }
            Ok(Recorded::AlreadyPaid) => NotifyOutcome::Ack,
            Ok(Recorded::PaidAfterClose) => {
                tracing::warn!(out_trade_no = %n.out_trade_no, "payment for a closed order: flagged for refund");
                NotifyOutcome::Ack
            }
            Ok(other) => {
                tracing::warn!(out_trade_no = %n.out_trade_no, outcome = ?other, "payment notification does not match the order");
                refused("payment", Refusal::Mismatch)
            }
            Err(e) => {
                tracing::error!(error = %e, "payment notification not stored");
                refused("payment", Refusal::NotStored)
            }
        }
    }

    /// Handles a refund notification.
    pub async fn refund_notification(&self, notice: Notice<'_>) -> NotifyOutcome {
        let n = match verified(self.gateway.refund_notice(&notice).await, "refund") {
            Ok(n) => n,
            Err(refusal) => return refusal,
        };
        match self
            .store
            .settle_refund(
                &n.out_refund_no,
                n.event,
                Some(&n.refund_id),
                self.clock.now(),
            )
            .await
        {
            Ok(Some(_)) => NotifyOutcome::Ack,
            Ok(None) => refused("refund", Refusal::UnknownRefund),
            Err(e) => {
                tracing::error!(error = %e, "refund notification not stored");
                refused("refund", Refusal::NotStored)
            }
        }
    }
}
