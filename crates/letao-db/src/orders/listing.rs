//! Lists of orders that cost the same at any table size: newest first by
//! keyset (`id < before`) or, for clients of page numbers, by offset, one
//! statement a page; totals are counted separately (the caller caches them).

use crate::columns::UtcTime;
use crate::orders::{DeliveryRecordRow, OrderLineRow, OrderRecordRow};
use crate::schema::{order_delivery, order_event, order_item, payorder, refund, user};
use crate::{
    BuyerRecord, EventRecord, ListedOrder, OrderFilter, OrderLine, PageStart, RefundDetail,
};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;
use letao_domain::order::{EventKind, RefundState, TradeState};

/// A buyer as an owner sees them on an order.
#[derive(Queryable, Selectable)]
#[diesel(table_name = user)]
pub(crate) struct BuyerRecordRow {
    /// User id.
    id: i32,
    /// Username.
    username: Option<String>,
    /// Mobile.
    mobile: Option<String>,
}

impl From<BuyerRecordRow> for BuyerRecord {
    fn from(r: BuyerRecordRow) -> Self {
        BuyerRecord {
            id: r.id,
            username: r.username,
            mobile: r.mobile,
        }
    }
}

/// The order of a page row, its lines read from its `items`.
fn listed((order, items, delivery): PageRow) -> Result<ListedOrder, DieselError> {
    let lines = super::items::decode(order.id, items.as_deref())
        .map_err(|e| DieselError::DeserializationError(Box::new(e)))?;
    Ok(ListedOrder {
        order: order.into(),
        lines,
        delivery: delivery.map(Into::into),
    })
}

/// A refund with its reason and time, for an owner.
#[derive(Queryable, Selectable)]
#[diesel(table_name = refund)]
pub(crate) struct RefundDetailRow {
    /// Our refund number.
    out_refund_no: String,
    /// Amount.
    #[diesel(column_name = refund_fen, deserialize_as = i64)]
    amount: Fen,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    state: RefundState,
    /// Why.
    reason: String,
    /// When it was asked for.
    #[diesel(deserialize_as = UtcTime)]
    created_at: DateTime<Utc>,
}

impl From<RefundDetailRow> for RefundDetail {
    fn from(r: RefundDetailRow) -> Self {
        RefundDetail {
            out_refund_no: r.out_refund_no,
            amount: r.amount,
            state: r.state,
            reason: r.reason,
            created_at: r.created_at,
        }
    }
}

/// One event of an order's history.
#[derive(Queryable, Selectable)]
#[diesel(table_name = order_event)]
pub(crate) struct EventRecordRow {
    /// What changed.
    #[diesel(deserialize_as = String)]
    kind: EventKind,
    /// Details (an amount, a transaction id and its source, ...).
    detail: String,
    /// When.
    #[diesel(column_name = created_at, deserialize_as = UtcTime)]
    at: DateTime<Utc>,
}

impl From<EventRecordRow> for EventRecord {
    fn from(r: EventRecordRow) -> Self {
        EventRecord {
            kind: r.kind,
            detail: r.detail,
            at: r.at,
        }
    }
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
type PageRow = (OrderRecordRow, Option<String>, Option<DeliveryRecordRow>);

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
                        OrderRecordRow::as_select(),
                        payorder::items,
                        Option::<DeliveryRecordRow>::as_select(),
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
                .map(listed)
                .collect::<Result<Vec<_>, _>>()?;
            if !bare.is_empty() {
                let lines: Vec<OrderLine> = order_item::table
                    .select(OrderLineRow::as_select())
                    .filter(order_item::order_id.eq_any(&bare))
                    .order(order_item::id)
                    .load::<OrderLineRow>(conn)
                    .await?
                    .into_iter()
                    .map(Into::into)
                    .collect::<Vec<_>>();
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
                .select(BuyerRecordRow::as_select())
                .filter(user::id.eq_any(ids))
                .load::<BuyerRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
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
                .select(RefundDetailRow::as_select())
                .filter(refund::order_id.eq(order_id))
                .order(refund::id)
                .load::<RefundDetailRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// An order's history, oldest first.
    pub async fn events_of(&self, order_id: i32) -> Result<Vec<EventRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_event::table
                .select(EventRecordRow::as_select())
                .filter(order_event::order_id.eq(order_id))
                .order(order_event::id)
                .load::<EventRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }
}
