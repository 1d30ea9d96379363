//! Matching a bill against the shop's books: pure decisions over rows that
//! were read from the bill and from the database.

use crate::store::{HeldPayment, OrderRecord, RefundRecord};
use letao_domain::Fen;
use letao_domain::order::{RefundEvent, RefundState};
use letao_domain::reconciliation::DifferenceKind;
use serde::{Deserialize, Serialize};
use wechat_pay::bill::BillRow;

/// What reconciliation keeps of a bill row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// The order amount WeChat took.
    pub total: Fen,
    /// A refund row: our refund number, its amount and WeChat's status.
    pub refund: Option<(String, Fen, String)>,
    /// When WeChat took the payment, `yyyyMMddHHmmss` in China time.
    pub time_end: String,
}

impl Row {
    /// The parts of a parsed bill row that are compared. WeChat writes
    /// every row of a refund day as `REFUND`; all other rows are payments.
    pub fn of(r: &BillRow) -> Row {
        let refund = r
            .refund
            .as_ref()
            .filter(|_| r.trade_state == "REFUND")
            .map(|f| {
                (
                    f.out_refund_no.clone(),
                    Fen::new(f.refund),
                    f.refund_status.clone(),
                )
            });
        Row {
            out_trade_no: r.out_trade_no.clone(),
            transaction_id: r.transaction_id.clone(),
            total: Fen::new(r.total),
            refund,
            time_end: r
                .trade_time
                .with_timezone(&super::china())
                .format("%Y%m%d%H%M%S")
                .to_string(),
        }
    }
}

/// A difference for a person to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// What kind.
    pub kind: DifferenceKind,
    /// The order.
    pub out_trade_no: String,
    /// WeChat's transaction id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The shop's amount, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ours: Option<i64>,
    /// WeChat's amount, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat: Option<i64>,
}

/// What to do about one payment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentVerdict {
    /// The books agree.
    Matched,
    /// WeChat has it, the shop does not: record it (a lost notification).
    Record,
    /// A person must look.
    Differs(Difference),
}

fn difference(kind: DifferenceKind, row: &Row, ours: Option<Fen>) -> Difference {
    Difference {
        kind,
        out_trade_no: row.out_trade_no.clone(),
        transaction_id: Some(row.transaction_id.clone()),
        ours: ours.map(Fen::get),
        wechat: Some(row.total.get()),
    }
}

/// Judges a payment row against the order it names (`None`: no such order).
pub fn judge_payment(row: &Row, order: Option<&OrderRecord>) -> PaymentVerdict {
    let Some(order) = order else {
        return PaymentVerdict::Differs(difference(DifferenceKind::UnknownOrder, row, None));
    };
    if order.total != row.total {
        return PaymentVerdict::Differs(difference(
            DifferenceKind::AmountMismatch,
            row,
            Some(order.total),
        ));
    }
    match order.transaction_id.as_deref() {
        None => PaymentVerdict::Record,
        Some(tx) if tx == row.transaction_id => PaymentVerdict::Matched,
        Some(_) => PaymentVerdict::Differs(difference(
            DifferenceKind::OtherTransaction,
            row,
            Some(order.total),
        )),
    }
}

/// Judges a payment the shop holds against the bill's payment for it.
pub fn judge_held(row: &Row, held: &HeldPayment) -> PaymentVerdict {
    if held.total != row.total {
        return PaymentVerdict::Differs(difference(
            DifferenceKind::AmountMismatch,
            row,
            Some(held.total),
        ));
    }
    if held.transaction_id.as_deref() != Some(row.transaction_id.as_str()) {
        return PaymentVerdict::Differs(difference(
            DifferenceKind::OtherTransaction,
            row,
            Some(held.total),
        ));
    }
    PaymentVerdict::Matched
}

/// A payment the shop holds that the day's bill lacks.
pub fn missing(held: &HeldPayment) -> Difference {
    Difference {
        kind: DifferenceKind::MissingPayment,
        out_trade_no: held.out_trade_no.clone(),
        transaction_id: held.transaction_id.clone(),
        ours: Some(held.total.get()),
        wechat: None,
    }
}

/// What to do about one refund row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundVerdict {
    /// The books agree.
    Matched,
    /// WeChat knows the outcome the shop is waiting for: settle it.
    Settle(RefundEvent),
    /// A person must look.
    Differs(Difference),
}

/// Judges a refund row against the refund it names (`None`: no such refund).
pub fn judge_refund(
    row: &Row,
    out_refund_no: &str,
    amount: Fen,
    status: &str,
    refund: Option<&RefundRecord>,
) -> RefundVerdict {
    let refund_difference = |kind, ours: Option<Fen>| Difference {
        kind,
        out_trade_no: row.out_trade_no.clone(),
        transaction_id: Some(format!("{} / {out_refund_no}", row.transaction_id)),
        ours: ours.map(Fen::get),
        wechat: Some(amount.get()),
    };
    let Some(refund) = refund else {
        return RefundVerdict::Differs(refund_difference(DifferenceKind::UnknownRefund, None));
    };
    if refund.amount != amount {
        return RefundVerdict::Differs(refund_difference(
            DifferenceKind::RefundAmountMismatch,
            Some(refund.amount),
        ));
    }
    let event = match status {
        "SUCCESS" => Some(RefundEvent::Succeeded),
        "REFUNDCLOSE" | "CLOSED" => Some(RefundEvent::Closed),
        "CHANGE" | "ABNORMAL" => Some(RefundEvent::Abnormal),
        _ => None,
    };
    match event {
        Some(event) if refund.state == RefundState::Processing => RefundVerdict::Settle(event),
        _ => RefundVerdict::Matched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use letao_domain::order::{Fulfilment, TradeState};

    fn row(total: i64) -> Row {
        Row {
            out_trade_no: "LT1".into(),
            transaction_id: "4200A".into(),
            total: Fen::new(total),
            refund: None,
            time_end: "20261130120000".into(),
        }
    }

    fn order(total: i64, tx: Option<&str>) -> OrderRecord {
        OrderRecord {
            id: 1,
            out_trade_no: "LT1".into(),
            user_id: Some(1),
            total: Fen::new(total),
            trade_state: if tx.is_some() {
                TradeState::Success
            } else {
                TradeState::NotPay
            },
            expires_at: None,
            transaction_id: tx.map(str::to_owned),
            paid_at: None,
            refund_pending: false,
            refunded: Fen::ZERO,
            created_at: chrono::DateTime::UNIX_EPOCH,
            fulfilment: Fulfilment::Unshipped,
        }
    }

    #[test]
    fn payments_match_are_recorded_or_differ() {
        assert_eq!(
            judge_payment(&row(100), Some(&order(100, Some("4200A")))),
            PaymentVerdict::Matched
        );
        assert_eq!(
            judge_payment(&row(100), Some(&order(100, None))),
            PaymentVerdict::Record
        );
        let kind = |v: PaymentVerdict| match v {
            PaymentVerdict::Differs(d) => Some(d.kind),
            _ => None,
        };
        assert_eq!(
            kind(judge_payment(&row(100), None)),
            Some(DifferenceKind::UnknownOrder)
        );
        assert_eq!(
            kind(judge_payment(&row(101), Some(&order(100, None)))),
            Some(DifferenceKind::AmountMismatch)
        );
        assert_eq!(
            kind(judge_payment(&row(100), Some(&order(100, Some("4200B"))))),
            Some(DifferenceKind::OtherTransaction)
        );
    }

    #[test]
    fn refunds_settle_only_an_open_refund() {
        let refund = |state| RefundRecord {
            order_id: 1,
            out_refund_no: "RF1".into(),
            amount: Fen::new(50),
            state,
        };
        let r = row(100);
        assert_eq!(
            judge_refund(
                &r,
                "RF1",
                Fen::new(50),
                "SUCCESS",
                Some(&refund(RefundState::Processing))
            ),
            RefundVerdict::Settle(RefundEvent::Succeeded)
        );
        assert_eq!(
            judge_refund(
                &r,
                "RF1",
                Fen::new(50),
                "SUCCESS",
                Some(&refund(RefundState::Success))
            ),
            RefundVerdict::Matched
        );
        assert!(matches!(
            judge_refund(
                &r,
                "RF1",
                Fen::new(51),
                "SUCCESS",
                Some(&refund(RefundState::Success))
            ),
            RefundVerdict::Differs(Difference {
                kind: DifferenceKind::RefundAmountMismatch,
                ..
            })
        ));
        assert!(matches!(
            judge_refund(&r, "RF9", Fen::new(50), "SUCCESS", None),
            RefundVerdict::Differs(Difference {
                kind: DifferenceKind::UnknownRefund,
                ..
            })
        ));
    }
}
