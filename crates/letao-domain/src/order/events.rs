//! The history of an order: one event row per change.

use super::state_names;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Placed, stock reserved.
    Created,
    /// Payment recorded.
    Paid,
    /// Payment recorded for an order already closed (to be refunded).
    PaidAfterClose,
    /// Closed unpaid, stock released.
    Closed,
    /// A refund was reserved and asked for.
    RefundRequested,
    /// A refund changed state.
    Refund,
    /// The delivery address was set.
    Address,
    /// Handed to a carrier.
    Shipped,
    /// Received by the buyer.
    Received,
    /// Delivery cancelled by a full refund before shipping.
    DeliveryCancelled,
}

state_names!(EventKind, "order event", {
    Created => "created",
    Paid => "paid",
    PaidAfterClose => "paid_after_close",
    Closed => "closed",
    RefundRequested => "refund_requested",
    Refund => "refund",
    Address => "address",
    Shipped => "shipped",
    Received => "received",
    DeliveryCancelled => "delivery_cancelled",
});

/// How the shop learned of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentSource {
    /// WeChat's payment notification.
    Notification,
    /// Our order query (a buyer polling, closing or expiry).
    Query,
    /// The daily reconciliation with WeChat's bill (a lost notification).
    Reconciliation,
}

state_names!(PaymentSource, "payment source", {
    Notification => "notify",
    Query => "query",
    Reconciliation => "reconcile",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        for source in PaymentSource::ALL {
            assert_eq!(PaymentSource::parse(source.as_str()), Some(*source));
        }
    }
}
