//! Reconciliation with WeChat Pay's trade bill: the states of a day's
//! report and the kinds of difference a person must look at.

use crate::order::state_names;

/// Where a day's reconciliation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReconcileState {
    /// Waiting for the bill (not out yet): tried again later.
    Waiting,
    /// Claimed by one instance, running.
    Running,
    /// Done: the report is complete.
    Done,
    /// Given up: the bill never came (after the last try).
    Failed,
}

state_names!(ReconcileState, "reconciliation", {
    Waiting => "waiting",
    Running => "running",
    Done => "done",
    Failed => "failed",
});

/// What does not match between the bill and the shop's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DifferenceKind {
    /// The bill and the order disagree on the amount.
    AmountMismatch,
    /// The bill has a payment for an order the shop does not know.
    UnknownOrder,
    /// The order is paid by another transaction than the bill's.
    OtherTransaction,
    /// The shop holds a payment of that day that the bill lacks.
    MissingPayment,
    /// The bill has a refund the shop does not know.
    UnknownRefund,
    /// The bill and the refund disagree on the amount.
    RefundAmountMismatch,
}

state_names!(DifferenceKind, "difference", {
    AmountMismatch => "amount_mismatch",
    UnknownOrder => "unknown_order",
    OtherTransaction => "other_transaction",
    MissingPayment => "missing_payment",
    UnknownRefund => "unknown_refund",
    RefundAmountMismatch => "refund_amount_mismatch",
});
