//! Refunds: their states, and how much may be refunded.

use super::{moves, state_names};
use crate::Fen;

/// Where one refund stands (WeChat's `refund_status` words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundState {
    /// Asked for; WeChat has not reported the outcome yet.
    Processing,
    /// The money went back.
    Success,
    /// WeChat refused the request; the amount is free again.
    Failed,
    /// Abnormal at WeChat (e.g. the card was closed): a person must act.
    Change,
    /// Closed at WeChat without paying out; the amount is free again.
    RefundClose,
}

state_names!(RefundState, "refund", {
    Processing => "PROCESSING",
    Success => "SUCCESS",
    Failed => "FAILED",
    Change => "CHANGE",
    RefundClose => "REFUNDCLOSE",
});

/// What WeChat says about a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundEvent {
    /// The request was accepted (the outcome follows later).
    Accepted,
    /// The money went back.
    Succeeded,
    /// The request was refused.
    Refused,
    /// Abnormal.
    Abnormal,
    /// Closed without paying out.
    Closed,
}

impl RefundEvent {
    /// Every event, for exhaustive checks.
    pub const ALL: &'static [RefundEvent] = &[
        RefundEvent::Accepted,
        RefundEvent::Succeeded,
        RefundEvent::Refused,
        RefundEvent::Abnormal,
        RefundEvent::Closed,
    ];

    /// A name for messages and logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundEvent::Accepted => "accepted",
            RefundEvent::Succeeded => "succeeded",
            RefundEvent::Refused => "refused",
            RefundEvent::Abnormal => "abnormal",
            RefundEvent::Closed => "closed",
        }
    }

    /// The states this event may leave (only an open refund changes).
    pub const fn from_states(self) -> &'static [RefundState] {
        &[RefundState::Processing]
    }

    /// The state it leads to.
    pub const fn to_state(self) -> RefundState {
        match self {
            RefundEvent::Accepted => RefundState::Processing,
            RefundEvent::Succeeded => RefundState::Success,
            RefundEvent::Refused => RefundState::Failed,
            RefundEvent::Abnormal => RefundState::Change,
            RefundEvent::Closed => RefundState::RefundClose,
        }
    }

    /// The refund's amount goes back to the order (it can be refunded again).
    pub const fn releases_amount(self) -> bool {
        matches!(self, RefundEvent::Refused | RefundEvent::Closed)
    }

    /// The order counts as refunded (`TradeEvent::Refunded`).
    pub const fn marks_order_refunded(self) -> bool {
        !self.releases_amount()
    }
}

moves!(RefundState, RefundEvent);

impl RefundState {
    /// No further change will come from WeChat.
    pub const fn is_final(self) -> bool {
        !matches!(self, RefundState::Processing)
    }
}

/// Why a refund amount is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefundAmountError {
    /// Everything paid has been refunded (or is being refunded) already.
    #[error("the order is refunded in full")]
    NothingLeft,
    /// Zero or negative.
    #[error("must be a positive amount in fen")]
    NotPositive,
    /// More than what is left.
    #[error("only {left} of this order can still be refunded")]
    TooMuch {
        /// What can still be refunded.
        left: Fen,
    },
}

/// How much to refund of an order of `total` of which `refunded` is
/// refunded or reserved already: `requested`, or all that is left.
pub fn refund_amount(
    total: Fen,
    refunded: Fen,
    requested: Option<Fen>,
) -> Result<Fen, RefundAmountError> {
    let left = total
        .checked_sub(refunded)
        .filter(|l| l.get() > 0)
        .ok_or(RefundAmountError::NothingLeft)?;
    let amount = requested.unwrap_or(left);
    if amount.get() <= 0 {
        return Err(RefundAmountError::NotPositive);
    }
    if amount > left {
        return Err(RefundAmountError::TooMuch { left });
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RefundEvent as E;
    use RefundState as S;

    const TABLE: &[(S, E, Option<S>)] = &[
        (S::Processing, E::Accepted, Some(S::Processing)),
        (S::Processing, E::Succeeded, Some(S::Success)),
        (S::Processing, E::Refused, Some(S::Failed)),
        (S::Processing, E::Abnormal, Some(S::Change)),
        (S::Processing, E::Closed, Some(S::RefundClose)),
        (S::Success, E::Accepted, None),
        (S::Success, E::Succeeded, None),
        (S::Success, E::Refused, None),
        (S::Success, E::Abnormal, None),
        (S::Success, E::Closed, None),
        (S::Failed, E::Accepted, None),
        (S::Failed, E::Succeeded, None),
        (S::Failed, E::Refused, None),
        (S::Failed, E::Abnormal, None),
        (S::Failed, E::Closed, None),
        (S::Change, E::Accepted, None),
        (S::Change, E::Succeeded, None),
        (S::Change, E::Refused, None),
        (S::Change, E::Abnormal, None),
        (S::Change, E::Closed, None),
        (S::RefundClose, E::Accepted, None),
        (S::RefundClose, E::Succeeded, None),
        (S::RefundClose, E::Refused, None),
        (S::RefundClose, E::Abnormal, None),
        (S::RefundClose, E::Closed, None),
    ];

    #[test]
    fn every_state_and_event_follows_the_table() {
        super::super::check_table(S::ALL, E::ALL, TABLE, |s, e| s.apply(e).ok());
        for state in S::ALL {
            assert_eq!(state.is_final(), *state != S::Processing);
        }
    }

    #[test]
    fn only_refusals_and_closes_give_the_amount_back() {
        for event in E::ALL {
            let back = matches!(event, E::Refused | E::Closed);
            assert_eq!(event.releases_amount(), back, "{event:?}");
            assert_eq!(event.marks_order_refunded(), !back, "{event:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for state in S::ALL {
            assert_eq!(S::parse(state.as_str()), Some(*state));
        }
        assert_eq!(S::parse("processing"), None);
    }

    fn fen(v: i64) -> Fen {
        Fen::new(v)
    }

    #[test]
    fn the_rest_is_refunded_by_default() {
        assert_eq!(refund_amount(fen(1000), fen(0), None), Ok(fen(1000)));
        assert_eq!(refund_amount(fen(1000), fen(300), None), Ok(fen(700)));
    }

    #[test]
    fn a_part_can_be_refunded_up_to_what_is_left() {
        assert_eq!(
            refund_amount(fen(1000), fen(300), Some(fen(700))),
            Ok(fen(700))
        );
        assert_eq!(refund_amount(fen(1000), fen(300), Some(fen(1))), Ok(fen(1)));
        assert_eq!(
            refund_amount(fen(1000), fen(300), Some(fen(701))),
            Err(RefundAmountError::TooMuch { left: fen(700) })
        );
    }

    #[test]
    fn nothing_left_zero_and_negative_are_refused() {
        assert_eq!(
            refund_amount(fen(1000), fen(1000), None),
            Err(RefundAmountError::NothingLeft)
        );
        assert_eq!(
            refund_amount(fen(1000), fen(1000), Some(fen(1))),
            Err(RefundAmountError::NothingLeft)
        );
        assert_eq!(
            refund_amount(fen(1000), fen(0), Some(fen(0))),
            Err(RefundAmountError::NotPositive)
        );
        assert_eq!(
            refund_amount(fen(1000), fen(0), Some(fen(-5))),
            Err(RefundAmountError::NotPositive)
        );
        // Corrupt bookkeeping (more refunded than paid) is "nothing left",
        // never an overflow.
        assert_eq!(
            refund_amount(fen(i64::MIN), fen(1), None),
            Err(RefundAmountError::NothingLeft)
        );
    }
}
