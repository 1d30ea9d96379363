//! Orders: the lifecycle of payment, refunds and delivery as pure state
//! machines, and the arithmetic of pricing and refunds.
//!
//! Storage applies a transition with a conditional update whose `WHERE`
//! lists the states the event may leave ([`TradeEvent::from_states`] and
//! friends), so two instances racing on one order leave one outcome. The
//! transition functions here are the rules those updates follow; every
//! state × event pair is unit-tested.

mod body;
mod events;
mod fulfilment;
mod lines;
mod pricing;
mod refund;
mod trade;

pub use body::{WECHAT_BODY_MAX_BYTES, wechat_body};
pub use events::{EventKind, PaymentSource};
pub use fulfilment::{Fulfilment, FulfilmentEvent, ShipBlocker};
pub use lines::{LineError, LineProblem, choose_skus};
pub use pricing::{
    LineRequest, MAX_LINES, MAX_QUANTITY, OrderItems, OrderItemsError, PlacedSku, PricedLine,
    PricingError, Quantity, RawLine, SkuChoice, order_total,
};
pub use refund::{RefundAmountError, RefundEvent, RefundState, refund_amount};
pub use trade::{TradeEvent, TradeState};

/// A move the lifecycle does not allow, e.g. shipping an unpaid order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not allowed in state {state}")]
pub struct IllegalMove {
    /// The state the thing was in.
    pub state: &'static str,
    /// What was attempted.
    pub event: &'static str,
}

/// A stored state name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} state `{value}`")]
pub struct UnknownState {
    /// Which state machine.
    pub kind: &'static str,
    /// The stored text.
    pub value: String,
}

/// Implements the one text conversion of a state enum: `as_str`, `parse`,
/// `ALL`, `Display` and `TryFrom<String>` (for rows read from storage).
macro_rules! state_names {
    ($ty:ident, $kind:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every state, for exhaustive checks.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stored and wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The state with this exact name.
            pub fn parse(value: &str) -> Option<$ty> {
                match value {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::order::UnknownState;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $ty::parse(&value).ok_or($crate::order::UnknownState { kind: $kind, value })
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $ty::parse(&name)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown {} `{name}`", $kind)))
            }
        }
    };
}
pub(crate) use state_names;

/// Implements `apply` for a state machine whose events know the states they
/// may leave (`from_states`) and the one they lead to (`to_state`).
macro_rules! moves {
    ($state:ident, $event:ident) => {
        impl $state {
            /// The state after `event`, or why it cannot happen.
            pub fn apply(self, event: $event) -> Result<$state, $crate::order::IllegalMove> {
                if event.from_states().contains(&self) {
                    Ok(event.to_state())
                } else {
                    Err($crate::order::IllegalMove {
                        state: self.as_str(),
                        event: event.as_str(),
                    })
                }
            }
        }
    };
}
pub(crate) use moves;

/// Checks a state machine against its whole table, written out in a test:
/// every (state, event) pair appears exactly once, with the next state or
/// `None` for an illegal move.
#[cfg(test)]
pub(crate) fn check_table<S, E>(
    states: &[S],
    events: &[E],
    table: &[(S, E, Option<S>)],
    apply: impl Fn(S, E) -> Option<S>,
) where
    S: Copy + PartialEq + std::fmt::Debug,
    E: Copy + PartialEq + std::fmt::Debug,
{
    assert_eq!(table.len(), states.len() * events.len(), "one row per pair");
    for &state in states {
        for &event in events {
            let rows: Vec<_> = table
                .iter()
                .filter(|(s, e, _)| *s == state && *e == event)
                .collect();
            assert_eq!(rows.len(), 1, "{state:?} × {event:?} must appear once");
            assert_eq!(apply(state, event), rows[0].2, "{state:?} × {event:?}");
        }
    }
}
