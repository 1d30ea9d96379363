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
pub(crate) mod listing;
mod payment;
mod queries;
mod refunds;

pub(crate) use delivery::DeliveryRecordRow;

use crate::columns::{OptUtcTime, UtcTime, naive};
use crate::schema::{order_event, order_item, payorder, product, refund, sku};
use crate::{OrderLine, OrderRecord, RefundRecord};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, Fulfilment, RefundState, TradeState};

/// An order as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = payorder)]
pub(crate) struct OrderRecordRow {
    /// Row id.
    id: i32,
    /// Our order number.
    out_trade_no: String,
    /// The owner; rows adopted from the original have none.
    user_id: Option<i32>,
    /// Amount.
    #[diesel(column_name = total_fen, deserialize_as = i64)]
    total: Fen,
    /// Payment state.
    #[diesel(deserialize_as = String)]
    trade_state: TradeState,
    /// When an unpaid order is closed.
    #[diesel(deserialize_as = OptUtcTime)]
    expires_at: Option<DateTime<Utc>>,
    /// WeChat's transaction id, once paid.
    #[diesel(column_name = wx_transaction_id)]
    transaction_id: Option<String>,
    /// When the payment was recorded.
    #[diesel(deserialize_as = OptUtcTime)]
    paid_at: Option<DateTime<Utc>>,
    /// Paid after it was closed: the money must go back.
    refund_pending: bool,
    /// Refunded or being refunded.
    #[diesel(column_name = refunded_fen, deserialize_as = i64)]
    refunded: Fen,
    /// Created.
    #[diesel(deserialize_as = UtcTime)]
    created_at: DateTime<Utc>,
    /// Delivery state.
    #[diesel(deserialize_as = String)]
    fulfilment: Fulfilment,
}

impl From<OrderRecordRow> for OrderRecord {
    fn from(r: OrderRecordRow) -> Self {
        OrderRecord {
            id: r.id,
            out_trade_no: r.out_trade_no,
            user_id: r.user_id,
            total: r.total,
            trade_state: r.trade_state,
            expires_at: r.expires_at,
            transaction_id: r.transaction_id,
            paid_at: r.paid_at,
            refund_pending: r.refund_pending,
            refunded: r.refunded,
            created_at: r.created_at,
            fulfilment: r.fulfilment,
        }
    }
}

/// A line of an order, as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = order_item)]
pub(crate) struct OrderLineRow {
    /// The order's row id.
    order_id: i32,
    /// Product id.
    product_id: i32,
    /// Product name when ordered.
    name: String,
    /// Unit price when ordered.
    #[diesel(column_name = unit_fen, deserialize_as = i64)]
    unit: Fen,
    /// Units.
    quantity: i32,
    sku_id: Option<i32>,
    size: Option<String>,
    colour: Option<String>,
    code: Option<String>,
}

impl From<OrderLineRow> for OrderLine {
    fn from(r: OrderLineRow) -> Self {
        OrderLine {
            order_id: r.order_id,
            product_id: r.product_id,
            name: r.name,
            unit: r.unit,
            quantity: r.quantity,
            sku_id: r.sku_id,
            size: r.size,
            colour: r.colour,
            code: r.code,
            img: None,
        }
    }
}

/// A refund as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = refund)]
pub(crate) struct RefundRecordRow {
    /// The order's row id.
    order_id: i32,
    /// Our refund number.
    out_refund_no: String,
    /// Amount.
    #[diesel(column_name = refund_fen, deserialize_as = i64)]
    amount: Fen,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    state: RefundState,
}

impl From<RefundRecordRow> for RefundRecord {
    fn from(r: RefundRecordRow) -> Self {
        RefundRecord {
            order_id: r.order_id,
            out_refund_no: r.out_refund_no,
            amount: r.amount,
            state: r.state,
        }
    }
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
        let mut lines: Vec<(i32, Option<i32>, i32)> = order_item::table
            .select((order_item::product_id, order_item::sku_id, order_item::quantity))
            .filter(order_item::order_id.eq(order_id))
            .load(self)
            .await?;
        // Product rows, then SKU rows, in id order, as everywhere: no deadlocks.
        lines.sort_unstable();
        for (product_id, sku_id, quantity) in lines {
            // Back to the pool while the product is pooled, else to the
            // SKU. A line placed before SKUs names none: once its product's
            // pool has ended, no size can be told to take it back.
            let pooled = diesel::update(
                product::table
                    .filter(product::id.eq(product_id))
                    .filter(product::sku_pool.eq(true)),
            )
            .set(product::stock.eq(product::stock + quantity))
            .execute(self)
            .await?;
            if let (0, Some(sku_id)) = (pooled, sku_id) {
                diesel::update(sku::table.filter(sku::id.eq(sku_id)))
                    .set(sku::stock.eq(sku::stock + quantity))
                    .execute(self)
                    .await?;
            }
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
