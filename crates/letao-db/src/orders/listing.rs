//! Lists of orders that cost the same at any table size: newest first by
//! keyset (`id < before`) or, for clients of page numbers, by offset, one
//! statement a page; totals are counted separately (the caller caches them).

use super::{DeliveryRecord, OrderLine, OrderRecord};
use crate::columns::UtcTime;
use crate::schema::{order_delivery, order_event, order_item, payorder, refund, user};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, Fulfilment, RefundState, TradeState};

/// Which orders a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OrderFilter {
    /// One buyer's orders.
    pub user_id: Option<i32>,
    /// Several buyers' (a search by username or mobile); empty matches none.
    pub user_ids: Option<Vec<i32>>,
    /// In this payment state (`NOTPAY` includes orders being closed).
    pub trade_state: Option<TradeState>,
    /// In this delivery state.
    pub fulfilment: Option<Fulfilment>,
    /// This one order.
    pub out_trade_no: Option<String>,
    /// These orders, by row id.
    pub ids: Option<Vec<i32>>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageStart {
    /// After the row with this id (keyset: the cost of page 1 at any depth).
    After(i64),
    /// Skip this many rows (page numbers).
    Offset(i64),
}

/// A buyer as an owner sees them on an order.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = user)]
pub struct BuyerRecord {
    /// User id.
    pub id: i32,
    /// Username.
    pub username: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
}

/// An order of a list, with what a list shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedOrder {
    /// The order.
    pub order: OrderRecord,
    /// Its lines, in the order placed.
    pub lines: Vec<OrderLine>,
    /// Its address and shipment (none for orders from before delivery).
    pub delivery: Option<DeliveryRecord>,
}

impl ListedOrder {
    /// The order of a page row, its lines read from its `items`.
    fn of((order, items, delivery): PageRow) -> Result<ListedOrder, DieselError> {
        let lines = super::items::decode(order.id, items.as_deref())
            .map_err(|e| DieselError::DeserializationError(Box::new(e)))?;
        Ok(ListedOrder {
            order,
            lines,
            delivery,
        })
    }
}

/// A refund with its reason and time, for an owner.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = refund)]
pub struct RefundDetail {
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount.
    #[diesel(column_name = refund_fen, deserialize_as = i64)]
    pub amount: Fen,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub state: RefundState,
    /// Why.
    pub reason: String,
    /// When it was asked for.
    #[diesel(deserialize_as = UtcTime)]
    pub created_at: DateTime<Utc>,
}

/// One event of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = order_event)]
pub struct EventRecord {
    /// What changed.
    #[diesel(deserialize_as = String)]
    pub kind: EventKind,
    /// Details (an amount, a transaction id and its source, ...).
    pub detail: String,
    /// When.
    #[diesel(column_name = created_at, deserialize_as = UtcTime)]
    pub at: DateTime<Utc>,
}

/// The `WHERE` of a filter, on a boxed query over `payorder` (joined or
/// not). A macro, not a function: a function over the boxed query of every
/// backend and join would need a bound for each bound value's SQL type on
/// each backend; the macro's body is type-checked per use instead.
macro_rules! filtered {
    ($query:expr, $f:expr) => {{
        let f: &OrderFilter = $f;
        let mut q = $query;
        if let Some(id) = f.user_id {
            q = q.filter(payorder::user_id.eq(id));
        }
        if let Some(ids) = &f.user_ids {
            q = q.filter(payorder::user_id.eq_any(ids.clone()));
        }
        // `=` and `OR` rather than `IN`: a statement of one shape stays
        // prepared.
        match f.trade_state {
            Some(TradeState::NotPay) => {
                q = q.filter(
                    payorder::trade_state
                        .eq(TradeState::NotPay.as_str())
                        .or(payorder::trade_state.eq(TradeState::Closing.as_str())),
                )
            }
            Some(state) => q = q.filter(payorder::trade_state.eq(state.as_str())),
            None => {}
        }
        if let Some(fulfilment) = f.fulfilment {
            q = q.filter(payorder::fulfilment.eq(fulfilment.as_str()));
        }
        if let Some(no) = &f.out_trade_no {
            q = q.filter(payorder::out_trade_no.eq(no.clone()));
        }
        if let Some(ids) = &f.ids {
            q = q.filter(payorder::id.eq_any(ids.clone()));
        }
        q
    }};
}

/// A row of a page: the order, its `items`, its delivery.
type PageRow = (OrderRecord, Option<String>, Option<DeliveryRecord>);

impl Db {
    /// One page of orders matching `filter`, newest first, each with its
    /// lines and delivery: one statement of one shape for every page of a
    /// filter, so it stays prepared.
    pub async fn orders_page(
        &self,
        filter: &OrderFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<ListedOrder>, DbError> {
        read_conn!(self, |conn| {
            let q = filtered!(
                payorder::table
                    .left_join(order_delivery::table)
                    .select((
                        OrderRecord::as_select(),
                        payorder::items,
                        Option::<DeliveryRecord>::as_select(),
                    ))
                    .order(payorder::id.desc())
                    .limit(limit)
                    .into_boxed(),
                filter
            );
            let q = match start {
                PageStart::After(id) => {
                    q.filter(payorder::id.lt(i32::try_from(id).unwrap_or(i32::MAX)))
                }
                PageStart::Offset(n) => q.offset(n),
            };
            let rows: Vec<PageRow> = q.load(conn).await?;
            // Orders without `items`: adopted from the original server (no
            // lines), or placed by an instance still running the release
            // before the column while this one had migrated. Their lines, if
            // any, come from `order_item`: a second statement on such pages
            // only.
            let bare: Vec<i32> = rows
                .iter()
                .filter(|r| r.1.is_none())
                .map(|r| r.0.id)
                .collect();
            let mut page = rows
                .into_iter()
                .map(ListedOrder::of)
                .collect::<Result<Vec<_>, _>>()?;
            if !bare.is_empty() {
                let lines: Vec<OrderLine> = order_item::table
                    .select(OrderLine::as_select())
                    .filter(order_item::order_id.eq_any(&bare))
                    .order(order_item::id)
                    .load(conn)
                    .await?;
                for line in lines {
                    if let Some(o) = page.iter_mut().find(|o| o.order.id == line.order_id) {
                        o.lines.push(line);
                    }
                }
            }
            Ok(page)
        })
    }

    /// How many orders match `filter` (a count over the table: cache it).
    pub async fn count_orders(&self, filter: &OrderFilter) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            let q = filtered!(payorder::table.into_boxed(), filter);
            Ok(q.count().get_result(conn).await?)
        })
    }

    /// The buyers of these ids (those that exist), in no order.
    pub async fn buyers(&self, ids: &[i32]) -> Result<Vec<BuyerRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(user::table
                .select(BuyerRecord::as_select())
                .filter(user::id.eq_any(ids))
                .load(conn)
                .await?)
        })
    }

    /// Users whose username or mobile is exactly `q` (an owner's search).
    pub async fn users_matching(&self, q: &str) -> Result<Vec<i32>, DbError> {
        read_conn!(self, |conn| {
            Ok(user::table
                .select(user::id)
                .filter(user::username.eq(q).or(user::mobile.eq(q)))
                .limit(10)
                .load(conn)
                .await?)
        })
    }

    /// An order's refunds, oldest first.
    pub async fn refunds_of(&self, order_id: i32) -> Result<Vec<RefundDetail>, DbError> {
        read_conn!(self, |conn| {
            Ok(refund::table
                .select(RefundDetail::as_select())
                .filter(refund::order_id.eq(order_id))
                .order(refund::id)
                .load(conn)
                .await?)
        })
    }

    /// An order's history, oldest first.
    pub async fn events_of(&self, order_id: i32) -> Result<Vec<EventRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_event::table
                .select(EventRecord::as_select())
                .filter(order_event::order_id.eq(order_id))
                .order(order_event::id)
                .load(conn)
                .await?)
        })
    }
}
