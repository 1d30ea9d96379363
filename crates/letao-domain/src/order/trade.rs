//! Payment state of an order (`trade_state`, in WeChat's words).

use super::{moves, state_names};

/// Where an order stands with its payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeState {
    /// Waiting for payment.
    NotPay,
    /// Claimed by one instance to be closed (expiry); reads as `NOTPAY`.
    Closing,
    /// Paid.
    Success,
    /// Closed unpaid (a payment that still arrives is kept and flagged for refund).
    Closed,
    /// Paid, and a refund was accepted.
    Refund,
}

state_names!(TradeState, "trade", {
    NotPay => "NOTPAY",
    Closing => "CLOSING",
    Success => "SUCCESS",
    Closed => "CLOSED",
    Refund => "REFUND",
});

/// Something that happens to an order's payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeEvent {
    /// An instance claims an expired order to close it (or retakes an
    /// abandoned claim).
    Claim,
    /// The claim is given back: the close could not be done now.
    Unclaim,
    /// Closed unpaid: by the buyer, by expiry, or because WeChat says so.
    Close,
    /// WeChat reports the payment.
    Pay,
    /// WeChat reports a payment for an order already closed: recorded and
    /// flagged for refund, never lost; the state stays `CLOSED`.
    PayAfterClose,
    /// A refund was accepted or succeeded.
    Refunded,
}

impl TradeEvent {
    /// Every event, for exhaustive checks.
    pub const ALL: &'static [TradeEvent] = &[
        TradeEvent::Claim,
        TradeEvent::Unclaim,
        TradeEvent::Close,
        TradeEvent::Pay,
        TradeEvent::PayAfterClose,
        TradeEvent::Refunded,
    ];

    /// A name for messages and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            TradeEvent::Claim => "claim",
            TradeEvent::Unclaim => "unclaim",
            TradeEvent::Close => "close",
            TradeEvent::Pay => "pay",
            TradeEvent::PayAfterClose => "pay after close",
            TradeEvent::Refunded => "refund",
        }
    }

    /// The states this event may leave: the `WHERE trade_state IN (...)`
    /// of the conditional update that applies it.
    pub const fn from_states(self) -> &'static [TradeState] {
        use TradeState::*;
        match self {
            TradeEvent::Claim => &[NotPay, Closing],
            TradeEvent::Unclaim => &[Closing],
            TradeEvent::Close => &[NotPay, Closing],
            TradeEvent::Pay => &[NotPay, Closing],
            TradeEvent::PayAfterClose => &[Closed],
            TradeEvent::Refunded => &[Success],
        }
    }

    /// The state this event leads to.
    pub const fn to_state(self) -> TradeState {
        match self {
            TradeEvent::Claim => TradeState::Closing,
            TradeEvent::Unclaim => TradeState::NotPay,
            TradeEvent::Close | TradeEvent::PayAfterClose => TradeState::Closed,
            TradeEvent::Pay => TradeState::Success,
            TradeEvent::Refunded => TradeState::Refund,
        }
    }
}

moves!(TradeState, TradeEvent);

impl TradeState {
    /// The state clients see: a claim in progress is still `NOTPAY` to them.
    pub const fn public(self) -> TradeState {
        match self {
            TradeState::Closing => TradeState::NotPay,
            other => other,
        }
    }

    /// The states clients see (every one but `CLOSING`), in [`Self::ALL`]'s
    /// order: what replies carry and what the owner's list filters by.
    pub fn public_states() -> impl Iterator<Item = TradeState> {
        TradeState::ALL.iter().copied().filter(|s| s.public() == *s)
    }

    /// The state a client named, among those it sees: `CLOSING` is not
    /// one, so a filter cannot single out the claims in progress.
    pub fn parse_public(value: &str) -> Option<TradeState> {
        TradeState::parse(value).filter(|s| s.public() == *s)
    }

    /// Waiting for money: the buyer can still pay, WeChat is worth asking.
    pub const fn is_unpaid(self) -> bool {
        matches!(self, TradeState::NotPay | TradeState::Closing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TradeEvent as E;
    use TradeState as S;

    /// The whole table, written out: (state, event) -> next state, or
    /// `None` for an illegal move. Every pair appears exactly once.
    const TABLE: &[(S, E, Option<S>)] = &[
        (S::NotPay, E::Claim, Some(S::Closing)),
        (S::NotPay, E::Unclaim, None),
        (S::NotPay, E::Close, Some(S::Closed)),
        (S::NotPay, E::Pay, Some(S::Success)),
        (S::NotPay, E::PayAfterClose, None),
        (S::NotPay, E::Refunded, None),
        (S::Closing, E::Claim, Some(S::Closing)),
        (S::Closing, E::Unclaim, Some(S::NotPay)),
        (S::Closing, E::Close, Some(S::Closed)),
        (S::Closing, E::Pay, Some(S::Success)),
        (S::Closing, E::PayAfterClose, None),
        (S::Closing, E::Refunded, None),
        (S::Success, E::Claim, None),
        (S::Success, E::Unclaim, None),
        (S::Success, E::Close, None),
        (S::Success, E::Pay, None),
        (S::Success, E::PayAfterClose, None),
        (S::Success, E::Refunded, Some(S::Refund)),
        (S::Closed, E::Claim, None),
        (S::Closed, E::Unclaim, None),
        (S::Closed, E::Close, None),
        (S::Closed, E::Pay, None),
        (S::Closed, E::PayAfterClose, Some(S::Closed)),
        (S::Closed, E::Refunded, None),
        (S::Refund, E::Claim, None),
        (S::Refund, E::Unclaim, None),
        (S::Refund, E::Close, None),
        (S::Refund, E::Pay, None),
        (S::Refund, E::PayAfterClose, None),
        (S::Refund, E::Refunded, None),
    ];

    #[test]
    fn every_state_and_event_follows_the_table() {
        super::super::check_table(S::ALL, E::ALL, TABLE, |s, e| s.apply(e).ok());
    }

    #[test]
    fn an_illegal_move_names_state_and_event() {
        let err = S::Success.apply(E::Close).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("close is not allowed in state SUCCESS")
        );
    }

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        for state in S::ALL {
            assert_eq!(S::parse(state.as_str()), Some(*state));
            assert_eq!(S::try_from(state.as_str().to_owned()).ok(), Some(*state));
        }
        assert_eq!(S::parse("notpay"), None);
        assert!(S::try_from("PAID".to_owned()).is_err());
    }

    #[test]
    fn clients_never_see_closing() {
        assert_eq!(S::Closing.public(), S::NotPay);
        for state in S::ALL {
            assert_ne!(state.public(), S::Closing);
        }
    }

    #[test]
    fn the_public_states_are_what_clients_see_and_all_they_may_name() {
        let seen: Vec<S> = S::ALL
            .iter()
            .map(|s| s.public())
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            });
        assert_eq!(S::public_states().collect::<Vec<_>>(), seen);
        assert_eq!(seen, [S::NotPay, S::Success, S::Closed, S::Refund]);
        for state in S::ALL {
            let named = S::parse_public(state.as_str());
            assert_eq!(named, seen.contains(state).then_some(*state), "{state}");
        }
        assert_eq!(S::parse_public("notpay"), None);
    }
}
