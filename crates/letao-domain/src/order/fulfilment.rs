//! Delivery state of an order (`fulfilment`), beside its payment state.

use super::{TradeState, moves, state_names};
use crate::Fen;

/// Where the shoes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fulfilment {
    /// Not sent yet.
    Unshipped,
    /// Handed to a carrier.
    Shipped,
    /// The buyer has them (confirmed, or automatically after some days).
    Received,
    /// Will never ship: refunded in full before shipping.
    Cancelled,
}

state_names!(Fulfilment, "fulfilment", {
    Unshipped => "UNSHIPPED",
    Shipped => "SHIPPED",
    Received => "RECEIVED",
    Cancelled => "CANCELLED",
});

/// Something that happens to an order's delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FulfilmentEvent {
    /// The owner ships it.
    Ship,
    /// The buyer (or the auto-receipt job) confirms receipt.
    Receive,
    /// A full refund before shipping.
    Cancel,
}

impl FulfilmentEvent {
    /// Every event, for exhaustive checks.
    pub const ALL: &'static [FulfilmentEvent] = &[
        FulfilmentEvent::Ship,
        FulfilmentEvent::Receive,
        FulfilmentEvent::Cancel,
    ];

    /// A name for messages and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            FulfilmentEvent::Ship => "ship",
            FulfilmentEvent::Receive => "receive",
            FulfilmentEvent::Cancel => "cancel delivery",
        }
    }

    /// The states this event may leave.
    pub const fn from_states(self) -> &'static [Fulfilment] {
        match self {
            FulfilmentEvent::Ship | FulfilmentEvent::Cancel => &[Fulfilment::Unshipped],
            FulfilmentEvent::Receive => &[Fulfilment::Shipped],
        }
    }

    /// The state it leads to.
    pub const fn to_state(self) -> Fulfilment {
        match self {
            FulfilmentEvent::Ship => Fulfilment::Shipped,
            FulfilmentEvent::Receive => Fulfilment::Received,
            FulfilmentEvent::Cancel => Fulfilment::Cancelled,
        }
    }
}

/// Why an order cannot ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShipBlocker {
    /// Not paid (or closed).
    #[error("the order is not paid")]
    NotPaid,
    /// Everything paid was refunded.
    #[error("the order is refunded in full")]
    RefundedInFull,
    /// The buyer has not given an address yet.
    #[error("the order has no delivery address")]
    NoAddress,
    /// Its delivery is not waiting to ship.
    #[error("the order is {0}, not UNSHIPPED")]
    NotUnshipped(Fulfilment),
}

moves!(Fulfilment, FulfilmentEvent);

impl Fulfilment {
    /// Whether an order in this delivery state, with this payment, can
    /// ship: only a paid order that is not fully refunded, with an address.
    pub fn can_ship(
        self,
        trade: TradeState,
        total: Fen,
        refunded: Fen,
        has_address: bool,
    ) -> Result<(), ShipBlocker> {
        if self != Fulfilment::Unshipped {
            return Err(ShipBlocker::NotUnshipped(self));
        }
        if !matches!(trade, TradeState::Success | TradeState::Refund) {
            return Err(ShipBlocker::NotPaid);
        }
        if refunded >= total {
            return Err(ShipBlocker::RefundedInFull);
        }
        if !has_address {
            return Err(ShipBlocker::NoAddress);
        }
        Ok(())
    }

    /// The buyer may still change the delivery address.
    pub const fn address_editable(self) -> bool {
        matches!(self, Fulfilment::Unshipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Fulfilment as S;
    use FulfilmentEvent as E;

    const TABLE: &[(S, E, Option<S>)] = &[
        (S::Unshipped, E::Ship, Some(S::Shipped)),
        (S::Unshipped, E::Receive, None),
        (S::Unshipped, E::Cancel, Some(S::Cancelled)),
        (S::Shipped, E::Ship, None),
        (S::Shipped, E::Receive, Some(S::Received)),
        (S::Shipped, E::Cancel, None),
        (S::Received, E::Ship, None),
        (S::Received, E::Receive, None),
        (S::Received, E::Cancel, None),
        (S::Cancelled, E::Ship, None),
        (S::Cancelled, E::Receive, None),
        (S::Cancelled, E::Cancel, None),
    ];

    #[test]
    fn every_state_and_event_follows_the_table() {
        super::super::check_table(S::ALL, E::ALL, TABLE, |s, e| s.apply(e).ok());
    }

    #[test]
    fn only_a_paid_not_fully_refunded_order_with_an_address_ships() {
        let (total, none, part) = (Fen::new(1000), Fen::ZERO, Fen::new(400));
        for trade in TradeState::ALL {
            let paid = matches!(trade, TradeState::Success | TradeState::Refund);
            let verdict = S::Unshipped.can_ship(*trade, total, none, true);
            assert_eq!(verdict.is_ok(), paid, "{trade}");
            if !paid {
                assert_eq!(verdict, Err(ShipBlocker::NotPaid));
            }
        }
        assert_eq!(
            S::Unshipped.can_ship(TradeState::Refund, total, part, true),
            Ok(())
        );
        assert_eq!(
            S::Unshipped.can_ship(TradeState::Refund, total, total, true),
            Err(ShipBlocker::RefundedInFull)
        );
        assert_eq!(
            S::Unshipped.can_ship(TradeState::Success, total, none, false),
            Err(ShipBlocker::NoAddress)
        );
        for state in [S::Shipped, S::Received, S::Cancelled] {
            assert_eq!(
                state.can_ship(TradeState::Success, total, none, true),
                Err(ShipBlocker::NotUnshipped(state))
            );
        }
    }

    #[test]
    fn the_address_can_change_until_it_ships() {
        for state in S::ALL {
            assert_eq!(state.address_editable(), *state == S::Unshipped);
        }
    }
}
