//! Orders: creation with stock reservation, payment recording (exactly
//! once), closing with stock release, expiry claims, refunds.
//!
//! Every change of state is a conditional update whose `WHERE` lists the
//! states the domain lifecycle allows the event to leave
//! (`TradeEvent::from_states`), with an event row in the same transaction.

mod close;
mod create;
mod delivery;
mod items;
mod listing;
mod payment;
mod queries;
mod refunds;

pub use create::{Created, NewOrder};
pub use delivery::{AddressSet, DeliveryRecord, Shipment, Shipped};
pub use listing::{BuyerRecord, EventRecord, ListedOrder, OrderFilter, PageStart, RefundDetail};
pub use payment::{Payment, Recorded};

use crate::columns::{OptUtcTime, UtcTime, naive};
use crate::schema::{order_event, order_item, payorder, product, refund};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, Fulfilment, RefundState, TradeState};

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = payorder)]
pub struct OrderRecord {
    /// Row id.
    pub id: i32,
    /// Our order number.
    pub out_trade_no: String,
    /// The owner; rows adopted from the original have none.
    pub user_id: Option<i32>,
    /// Amount.
    #[diesel(column_name = total_fen, deserialize_as = i64)]
    pub total: Fen,
    /// Payment state.
    #[diesel(deserialize_as = String)]
    pub trade_state: TradeState,
    /// When an unpaid order is closed.
    #[diesel(deserialize_as = OptUtcTime)]
    pub expires_at: Option<DateTime<Utc>>,
    /// WeChat's transaction id, once paid.
    #[diesel(column_name = wx_transaction_id)]
    pub transaction_id: Option<String>,
    /// When the payment was recorded.
    #[diesel(deserialize_as = OptUtcTime)]
    pub paid_at: Option<DateTime<Utc>>,
    /// Paid after it was closed: the money must go back.
    pub refund_pending: bool,
    /// Refunded or being refunded.
    #[diesel(column_name = refunded_fen, deserialize_as = i64)]
    pub refunded: Fen,
    /// Created.
    #[diesel(deserialize_as = UtcTime)]
    pub created_at: DateTime<Utc>,
    /// Delivery state.
    #[diesel(deserialize_as = String)]
    pub fulfilment: Fulfilment,
}

/// A line of an order, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = order_item)]
pub struct OrderLine {
    /// The order's row id.
    pub order_id: i32,
    /// Product id.
    pub product_id: i32,
    /// Product name when ordered.
    pub name: String,
    /// Unit price when ordered.
    #[diesel(column_name = unit_fen, deserialize_as = i64)]
    pub unit: Fen,
    /// Units.
    pub quantity: i32,
}

/// A refund as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = refund)]
pub struct RefundRecord {
    /// The order's row id.
    pub order_id: i32,
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount.
    #[diesel(column_name = refund_fen, deserialize_as = i64)]
    pub amount: Fen,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub state: RefundState,
}

/// The states as stored text, for `eq_any` filters.
fn names(states: &[TradeState]) -> Vec<&'static str> {
    states.iter().map(|s| s.as_str()).collect()
}

/// Steps shared by several order transactions.
pub(crate) trait OrderOps {
    /// Puts the stock of an order's lines back.
    fn release_stock(
        &mut self,
        order_id: i32,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// Appends an order event (detail cut to 255 characters).
    fn add_event(
        &mut self,
        order_id: i32,
        kind: EventKind,
        detail: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl_for_each_conn!(OrderOps {
    async fn release_stock(&mut self, order_id: i32) -> Result<(), DieselError> {
        let mut lines: Vec<(i32, i32)> = order_item::table
            .select((order_item::product_id, order_item::quantity))
            .filter(order_item::order_id.eq(order_id))
            .load(self)
            .await?;
        // Product rows in id order, as everywhere: no deadlocks.
        lines.sort_unstable();
        for (product_id, quantity) in lines {
            diesel::update(product::table.filter(product::id.eq(product_id)))
                .set(product::stock.eq(product::stock + quantity))
                .execute(self)
                .await?;
        }
        Ok(())
    }

    async fn add_event(
        &mut self,
        order_id: i32,
        kind: EventKind,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DieselError> {
        let detail: String = detail.chars().take(255).collect();
        diesel::insert_into(order_event::table)
            .values((
                order_event::order_id.eq(order_id),
                order_event::kind.eq(kind.as_str()),
                order_event::detail.eq(detail),
                order_event::created_at.eq(naive(now)),
            ))
            .execute(self)
            .await?;
        Ok(())
    }
});
