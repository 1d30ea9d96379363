//! Orders: creation with stock reservation, payment recording (exactly
//! once), closing with stock release, expiry claims, refunds.

use crate::ops::TxOps;
use crate::schema::{order_event, order_item, payorder, product, refund};
use crate::txn::{retry_contention, write_txn};
use crate::{Db, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;

/// Order states as stored. `CLOSING` is internal (an expiry or close in
/// progress) and reads as `NOTPAY` to clients.
pub mod state {
    /// Waiting for payment.
    pub const NOTPAY: &str = "NOTPAY";
    /// Being closed by one server instance.
    pub const CLOSING: &str = "CLOSING";
    /// Paid.
    pub const SUCCESS: &str = "SUCCESS";
    /// Closed unpaid (or paid after closing: then `refund_pending`).
    pub const CLOSED: &str = "CLOSED";
    /// Paid, and a refund was accepted.
    pub const REFUND: &str = "REFUND";
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// Row id.
    pub id: i32,
    /// Our order number.
    pub out_trade_no: String,
    /// The owner; rows adopted from the original have none.
    pub user_id: Option<i32>,
    /// Amount in fen.
    pub total_fen: i64,
    /// Stored state (see [`state`]).
    pub trade_state: String,
    /// The nonce sent with unifiedorder.
    pub nonce_str: String,
    /// WeChat's QR content.
    pub code_url: Option<String>,
    /// When an unpaid order is closed.
    pub expires_at: Option<DateTime<Utc>>,
    /// WeChat's transaction id, once paid.
    pub transaction_id: Option<String>,
    /// When the payment was recorded.
    pub paid_at: Option<DateTime<Utc>>,
    /// Paid after it was closed: the money must go back.
    pub refund_pending: bool,
    /// Refunded or being refunded, fen.
    pub refunded_fen: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

type OrderRow = (
    i32,
    String,
    Option<i32>,
    i64,
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<NaiveDateTime>,
    bool,
    i64,
    NaiveDateTime,
);

type OrderColumns = (
    payorder::id,
    payorder::out_trade_no,
    payorder::user_id,
    payorder::total_fen,
    payorder::trade_state,
    payorder::nonce_str,
    payorder::code_url,
    payorder::expires_at,
    payorder::wx_transaction_id,
    payorder::paid_at,
    payorder::refund_pending,
    payorder::refunded_fen,
    payorder::created_at,
);

const ORDER_COLUMNS: OrderColumns = (
    payorder::id,
    payorder::out_trade_no,
    payorder::user_id,
    payorder::total_fen,
    payorder::trade_state,
    payorder::nonce_str,
    payorder::code_url,
    payorder::expires_at,
    payorder::wx_transaction_id,
    payorder::paid_at,
    payorder::refund_pending,
    payorder::refunded_fen,
    payorder::created_at,
);

fn order(row: OrderRow) -> OrderRecord {
    let (
        id,
        out_trade_no,
        user_id,
        total_fen,
        trade_state,
        nonce_str,
        code_url,
        expires_at,
        transaction_id,
        paid_at,
        refund_pending,
        refunded_fen,
        created_at,
    ) = row;
    OrderRecord {
        id,
        out_trade_no,
        user_id,
        total_fen,
        trade_state,
        nonce_str,
        code_url,
        expires_at: expires_at.map(|t| t.and_utc()),
        transaction_id,
        paid_at: paid_at.map(|t| t.and_utc()),
        refund_pending,
        refunded_fen,
        created_at: created_at.and_utc(),
    }
}

/// A line of an order, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// Product id.
    pub product_id: i32,
    /// Product name when ordered.
    pub name: String,
    /// Unit price when ordered, fen.
    pub unit_fen: i64,
    /// Units.
    pub quantity: i32,
}

/// An order to create.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    /// Generated order number.
    pub out_trade_no: &'a str,
    /// Generated nonce.
    pub nonce_str: &'a str,
    /// Merchant app id.
    pub appid: &'a str,
    /// Merchant id.
    pub mch_id: &'a str,
    /// Owner.
    pub user_id: i32,
    /// Client IP, for WeChat.
    pub client_ip: &'a str,
    /// (product id, quantity), distinct products.
    pub items: &'a [(i32, i32)],
    /// Unpaid orders close then.
    pub expires_at: DateTime<Utc>,
}

/// How creating an order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Created, stock reserved; the body text for WeChat.
    Order(Box<OrderRecord>, String),
    /// No such product.
    UnknownProduct(i32),
    /// Not enough stock of this product.
    OutOfStock(i32),
}

/// Facts of a payment, from a verified notification or an order query.
#[derive(Debug, Clone)]
pub struct Payment<'a> {
    /// Our order number.
    pub out_trade_no: &'a str,
    /// WeChat's transaction id.
    pub transaction_id: &'a str,
    /// Amount WeChat says was ordered, fen.
    pub total_fen: i64,
    /// Paying bank.
    pub bank_type: Option<&'a str>,
    /// WeChat's payment time string.
    pub time_end: Option<&'a str>,
    /// Cash paid, fen.
    pub cash_fen: Option<i64>,
    /// Payer.
    pub openid: Option<&'a str>,
}

/// What recording a payment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Unpaid became paid, now.
    Paid,
    /// Already recorded (a duplicate notification): nothing changed.
    AlreadyPaid,
    /// The order had been closed: the payment is recorded and flagged for refund.
    PaidAfterClose,
    /// No such order.
    UnknownOrder,
    /// The amount differs from the order's.
    AmountMismatch,
    /// The order is paid by another transaction.
    OtherTransaction,
}

enum Abort {
    Created(Created),
    Db(DieselError),
}

impl From<DieselError> for Abort {
    fn from(e: DieselError) -> Self {
        Abort::Db(e)
    }
}

/// A refund row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// The order's row id.
    pub order_id: i32,
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount, fen.
    pub refund_fen: i64,
    /// `PROCESSING`, `SUCCESS`, `FAILED`, `CHANGE` or `REFUNDCLOSE`.
    pub state: String,
}

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

impl Db {
    /// Creates an order at today's prices and reserves its stock, in one
    /// transaction: every stock decrement is conditional (never below zero),
    /// so concurrent orders cannot oversell.
    pub async fn create_order(
        &self,
        new: &NewOrder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Created, DbError> {
        let mut items: Vec<(i32, i32)> = new.items.to_vec();
        // One lock order for every transaction: no deadlocks between orders.
        items.sort_unstable();
        retry_contention(|| async {
            with_conn!(self, |conn| {
                let result = write_txn(conn, async |conn| {
                    let ids: Vec<i32> = items.iter().map(|(id, _)| *id).collect();
                    let found: Vec<(i32, String, i64)> = product::table
                        .select((product::id, product::name, product::price_fen))
                        .filter(product::id.eq_any(&ids))
                        .load(conn)
                        .await?;
                    let mut lines = Vec::with_capacity(items.len());
                    let mut total: i64 = 0;
                    for (id, qty) in &items {
                        let Some((_, name, price)) = found.iter().find(|(pid, _, _)| pid == id)
                        else {
                            return Err(Abort::Created(Created::UnknownProduct(*id)));
                        };
                        total = price
                            .checked_mul(i64::from(*qty))
                            .and_then(|line| total.checked_add(line))
                            .ok_or(Abort::Created(Created::OutOfStock(*id)))?;
                        lines.push((*id, name.clone(), *price, *qty));
                    }
                    for (id, qty) in &items {
                        let taken = diesel::update(
                            product::table
                                .filter(product::id.eq(id))
                                .filter(product::stock.ge(qty)),
                        )
                        .set(product::stock.eq(product::stock - qty))
                        .execute(conn)
                        .await?;
                        if taken != 1 {
                            return Err(Abort::Created(Created::OutOfStock(*id)));
                        }
                    }
                    let body = order_body(&lines);
                    diesel::insert_into(payorder::table)
                        .values((
                            payorder::appid.eq(new.appid),
                            payorder::mch_id.eq(new.mch_id),
                            payorder::nonce_str.eq(new.nonce_str),
                            payorder::body.eq(&body),
                            payorder::out_trade_no.eq(new.out_trade_no),
                            payorder::total_fee.eq(total.to_string()),
                            payorder::spbill_create_ip.eq(new.client_ip),
                            payorder::trade_type.eq("NATIVE"),
                            payorder::trade_state.eq(state::NOTPAY),
                            payorder::user_id.eq(new.user_id),
                            payorder::total_fen.eq(total),
                            payorder::expires_at.eq(naive(new.expires_at)),
                            payorder::refund_pending.eq(false),
                            payorder::refunded_fen.eq(0),
                            payorder::created_at.eq(naive(now)),
                            payorder::updated_at.eq(naive(now)),
                        ))
                        .execute(conn)
                        .await?;
                    let row: OrderRow = payorder::table
                        .select(ORDER_COLUMNS)
                        .filter(payorder::out_trade_no.eq(new.out_trade_no))
                        .first(conn)
                        .await?;
                    for (product_id, name, unit, qty) in &lines {
                        diesel::insert_into(order_item::table)
                            .values((
                                order_item::order_id.eq(row.0),
                                order_item::product_id.eq(product_id),
                                order_item::name.eq(name),
                                order_item::unit_fen.eq(unit),
                                order_item::quantity.eq(qty),
                            ))
                            .execute(conn)
                            .await?;
                    }
                    conn.add_event(row.0, "created", &format!("{total} fen"), now)
                        .await?;
                    Ok(Created::Order(Box::new(order(row)), body))
                })
                .await;
                match result {
                    Ok(c) | Err(Abort::Created(c)) => Ok(c),
                    Err(Abort::Db(e)) => Err(DbError::from(e)),
                }
            })
        })
        .await
    }

    /// Stores what unifiedorder returned.
    pub async fn set_prepay(
        &self,
        order_id: i32,
        prepay_id: &str,
        code_url: &str,
    ) -> Result<(), DbError> {
        with_conn!(self, |conn| {
            diesel::update(payorder::table.filter(payorder::id.eq(order_id)))
                .set((
                    payorder::prepay_id.eq(prepay_id),
                    payorder::code_url.eq(code_url),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
    }

    /// The order with this number.
    pub async fn order_by_no(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, DbError> {
        let row: Option<OrderRow> = with_conn!(self, |conn| {
            Ok(payorder::table
                .select(ORDER_COLUMNS)
                .filter(payorder::out_trade_no.eq(out_trade_no))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(order))
    }

    /// A user's orders, newest first, one page; and how many there are.
    pub async fn orders_of(
        &self,
        user_id: i32,
        page: u32,
        page_size: u32,
    ) -> Result<(Vec<OrderRecord>, i64), DbError> {
        let offset = i64::from(page.saturating_sub(1)) * i64::from(page_size);
        let (rows, total): (Vec<OrderRow>, i64) = with_conn!(self, |conn| {
            let total: i64 = payorder::table
                .filter(payorder::user_id.eq(user_id))
                .count()
                .get_result(conn)
                .await?;
            let rows = payorder::table
                .select(ORDER_COLUMNS)
                .filter(payorder::user_id.eq(user_id))
                .order(payorder::id.desc())
                .limit(i64::from(page_size))
                .offset(offset)
                .load(conn)
                .await?;
            Ok((rows, total))
        })?;
        Ok((rows.into_iter().map(order).collect(), total))
    }

    /// The lines of some orders, by order id.
    pub async fn order_lines(&self, order_ids: &[i32]) -> Result<Vec<(i32, OrderLine)>, DbError> {
        let rows: Vec<(i32, i32, String, i64, i32)> = with_conn!(self, |conn| {
            Ok(order_item::table
                .select((
                    order_item::order_id,
                    order_item::product_id,
                    order_item::name,
                    order_item::unit_fen,
                    order_item::quantity,
                ))
                .filter(order_item::order_id.eq_any(order_ids))
                .order(order_item::id)
                .load(conn)
                .await?)
        })?;
        Ok(rows
            .into_iter()
            .map(|(order_id, product_id, name, unit_fen, quantity)| {
                (
                    order_id,
                    OrderLine {
                        product_id,
                        name,
                        unit_fen,
                        quantity,
                    },
                )
            })
            .collect())
    }

    /// Closes an order that is in one of `from` states and puts its stock
    /// back, in one transaction. False when it was in another state (paid
    /// meanwhile, or closed by someone else): then nothing changed.
    pub async fn close_order(
        &self,
        order_id: i32,
        from: &[&str],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                write_txn(conn, async |conn| {
                    let n = diesel::update(
                        payorder::table
                            .filter(payorder::id.eq(order_id))
                            .filter(payorder::trade_state.eq_any(from)),
                    )
                    .set((
                        payorder::trade_state.eq(state::CLOSED),
                        payorder::updated_at.eq(naive(now)),
                        payorder::claimed_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)
                    .await?;
                    if n != 1 {
                        return Ok(false);
                    }
                    conn.release_stock(order_id).await?;
                    conn.add_event(order_id, "closed", reason, now).await?;
                    Ok::<bool, DieselError>(true)
                })
                .await
                .map_err(DbError::from)
            })
        })
        .await
    }

    /// Records a payment exactly once: unpaid (or closing) becomes paid in
    /// one conditional update, with an event in the same transaction. A
    /// duplicate changes nothing. A payment for a closed order is recorded
    /// and flagged for refund, never lost.
    pub async fn record_payment(
        &self,
        p: &Payment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                write_txn(conn, async |conn| {
                    let current: Option<(i32, i64, Option<String>)> = payorder::table
                        .select((
                            payorder::id,
                            payorder::total_fen,
                            payorder::wx_transaction_id,
                        ))
                        .filter(payorder::out_trade_no.eq(p.out_trade_no))
                        .first(conn)
                        .await
                        .optional()?;
                    let Some((id, total_fen, transaction_id)) = current else {
                        return Ok(Recorded::UnknownOrder);
                    };
                    if total_fen != p.total_fen {
                        return Ok(Recorded::AmountMismatch);
                    }
                    if let Some(existing) = transaction_id {
                        return Ok(if existing == p.transaction_id {
                            Recorded::AlreadyPaid
                        } else {
                            Recorded::OtherTransaction
                        });
                    }
                    let facts = (
                        payorder::wx_transaction_id.eq(p.transaction_id),
                        payorder::paid_at.eq(naive(now)),
                        payorder::wx_bank_type.eq(p.bank_type),
                        payorder::wx_time_end.eq(p.time_end),
                        payorder::cash_fen.eq(p.cash_fen),
                        payorder::wx_openid.eq(p.openid),
                        payorder::updated_at.eq(naive(now)),
                    );
                    let paid = diesel::update(
                        payorder::table
                            .filter(payorder::id.eq(id))
                            .filter(payorder::wx_transaction_id.is_null())
                            .filter(payorder::trade_state.eq_any([state::NOTPAY, state::CLOSING])),
                    )
                    .set((
                        facts,
                        payorder::trade_state.eq(state::SUCCESS),
                        payorder::claimed_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)
                    .await?;
                    if paid == 1 {
                        conn.add_event(id, "paid", p.transaction_id, now).await?;
                        return Ok(Recorded::Paid);
                    }
                    let late = diesel::update(
                        payorder::table
                            .filter(payorder::id.eq(id))
                            .filter(payorder::wx_transaction_id.is_null()),
                    )
                    .set((facts, payorder::refund_pending.eq(true)))
                    .execute(conn)
                    .await?;
                    if late == 1 {
                        conn.add_event(id, "paid_after_close", p.transaction_id, now)
                            .await?;
                        return Ok(Recorded::PaidAfterClose);
                    }
                    // A concurrent transaction recorded it first.
                    Ok::<Recorded, DieselError>(Recorded::AlreadyPaid)
                })
                .await
                .map_err(DbError::from)
            })
        })
        .await
    }

    /// Claims up to `limit` unpaid orders past their expiry (and closings
    /// abandoned since `stale_before`) for this instance: each is moved to
    /// CLOSING by a conditional update, so of several instances exactly one
    /// claims an order.
    pub async fn claim_expired(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, DbError> {
        let candidates: Vec<OrderRow> = with_conn!(self, |conn| {
            Ok(payorder::table
                .select(ORDER_COLUMNS)
                .filter(
                    payorder::trade_state
                        .eq(state::NOTPAY)
                        .and(payorder::expires_at.lt(naive(now)))
                        .or(payorder::trade_state
                            .eq(state::CLOSING)
                            .and(payorder::claimed_at.lt(naive(stale_before)))),
                )
                .order(payorder::expires_at)
                .limit(limit)
                .load(conn)
                .await?)
        })?;
        let mut claimed = Vec::new();
        for row in candidates {
            let id = row.0;
            // Still unpaid, or still abandoned: otherwise someone else has it.
            let claimable = payorder::trade_state
                .eq(state::NOTPAY)
                .or(payorder::trade_state
                    .eq(state::CLOSING)
                    .and(payorder::claimed_at.lt(naive(stale_before))));
            let n = with_conn!(self, |conn| {
                Ok(diesel::update(
                    payorder::table
                        .filter(payorder::id.eq(id))
                        .filter(claimable),
                )
                .set((
                    payorder::trade_state.eq(state::CLOSING),
                    payorder::claimed_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?)
            })?;
            if n == 1 {
                let mut o = order(row);
                o.trade_state = state::CLOSING.to_owned();
                claimed.push(o);
            }
        }
        Ok(claimed)
    }

    /// Gives a claimed order back (its close could not be done now).
    pub async fn unclaim(&self, order_id: i32) -> Result<(), DbError> {
        with_conn!(self, |conn| {
            diesel::update(
                payorder::table
                    .filter(payorder::id.eq(order_id))
                    .filter(payorder::trade_state.eq(state::CLOSING)),
            )
            .set((
                payorder::trade_state.eq(state::NOTPAY),
                payorder::claimed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await?;
            Ok(())
        })
    }

    /// Reserves `fen` of a paid order for a refund (never more than was
    /// paid, counting every earlier refund) and records the refund as
    /// PROCESSING, in one transaction. False when it would exceed what is left.
    pub async fn reserve_refund(
        &self,
        order_id: i32,
        out_refund_no: &str,
        fen: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        retry_contention(|| async {
            with_conn!(self, |conn| {
                write_txn(conn, async |conn| {
                    let n = diesel::update(
                        payorder::table
                            .filter(payorder::id.eq(order_id))
                            .filter(payorder::wx_transaction_id.is_not_null())
                            .filter((payorder::refunded_fen + fen).le(payorder::total_fen)),
                    )
                    .set((
                        payorder::refunded_fen.eq(payorder::refunded_fen + fen),
                        payorder::updated_at.eq(naive(now)),
                    ))
                    .execute(conn)
                    .await?;
                    if n != 1 {
                        return Ok(false);
                    }
                    diesel::insert_into(refund::table)
                        .values((
                            refund::order_id.eq(order_id),
                            refund::out_refund_no.eq(out_refund_no),
                            refund::refund_fen.eq(fen),
                            refund::reason.eq(reason),
                            refund::state.eq("PROCESSING"),
                            refund::created_at.eq(naive(now)),
                            refund::updated_at.eq(naive(now)),
                        ))
                        .execute(conn)
                        .await?;
                    conn.add_event(
                        order_id,
                        "refund_requested",
                        &format!("{out_refund_no} {fen} fen"),
                        now,
                    )
                    .await?;
                    Ok::<bool, DieselError>(true)
                })
                .await
                .map_err(DbError::from)
            })
        })
        .await
    }

    /// Records WeChat's word on a refund. `PROCESSING` (accepted) and
    /// `SUCCESS`/`CHANGE` mark a paid order REFUND; `FAILED` or
    /// `REFUNDCLOSE` give the amount back to the order. Only a PROCESSING
    /// refund changes state, so a repeated notification changes nothing.
    /// `None` when there is no such refund.
    pub async fn settle_refund(
        &self,
        out_refund_no: &str,
        new_state: &str,
        refund_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundRecord>, DbError> {
        let failed = matches!(new_state, "FAILED" | "REFUNDCLOSE");
        retry_contention(|| async {
            with_conn!(self, |conn| {
                write_txn(conn, async |conn| {
                    let row: Option<(i32, i64, String)> = refund::table
                        .select((refund::order_id, refund::refund_fen, refund::state))
                        .filter(refund::out_refund_no.eq(out_refund_no))
                        .first(conn)
                        .await
                        .optional()?;
                    let Some((order_id, fen, current)) = row else {
                        return Ok(None);
                    };
                    let record = |state: &str| RefundRecord {
                        order_id,
                        out_refund_no: out_refund_no.to_owned(),
                        refund_fen: fen,
                        state: state.to_owned(),
                    };
                    if let Some(id) = refund_id {
                        diesel::update(
                            refund::table
                                .filter(refund::out_refund_no.eq(out_refund_no))
                                .filter(refund::refund_id.is_null()),
                        )
                        .set(refund::refund_id.eq(id))
                        .execute(conn)
                        .await?;
                    }
                    if current != "PROCESSING" {
                        return Ok(Some(record(&current)));
                    }
                    if new_state != "PROCESSING" {
                        let n = diesel::update(
                            refund::table
                                .filter(refund::out_refund_no.eq(out_refund_no))
                                .filter(refund::state.eq("PROCESSING")),
                        )
                        .set((
                            refund::state.eq(new_state),
                            refund::updated_at.eq(naive(now)),
                        ))
                        .execute(conn)
                        .await?;
                        if n != 1 {
                            return Ok(Some(record(&current)));
                        }
                        conn.add_event(
                            order_id,
                            "refund",
                            &format!("{out_refund_no} {new_state}"),
                            now,
                        )
                        .await?;
                    }
                    if failed {
                        diesel::update(payorder::table.filter(payorder::id.eq(order_id)))
                            .set(payorder::refunded_fen.eq(payorder::refunded_fen - fen))
                            .execute(conn)
                            .await?;
                    } else {
                        diesel::update(
                            payorder::table
                                .filter(payorder::id.eq(order_id))
                                .filter(payorder::trade_state.eq(state::SUCCESS)),
                        )
                        .set(payorder::trade_state.eq(state::REFUND))
                        .execute(conn)
                        .await?;
                    }
                    Ok::<Option<RefundRecord>, DieselError>(Some(record(new_state)))
                })
                .await
                .map_err(DbError::from)
            })
        })
        .await
    }

    /// How many events of `kind` an order has (audit and tests).
    pub async fn order_events(&self, order_id: i32, kind: &str) -> Result<i64, DbError> {
        with_conn!(self, |conn| {
            Ok(order_event::table
                .filter(order_event::order_id.eq(order_id))
                .filter(order_event::kind.eq(kind))
                .count()
                .get_result(conn)
                .await?)
        })
    }
}

/// What the payer sees on the WeChat payment page (≤ 128 bytes).
fn order_body(lines: &[(i32, String, i64, i32)]) -> String {
    let first = lines.first().map(|l| l.1.as_str()).unwrap_or("商品");
    let mut body = format!("乐淘-{first}");
    let count: i32 = lines.iter().map(|l| l.3).sum();
    if lines.len() > 1 || count > 1 {
        body.push_str(&format!(" 等{count}件"));
    }
    if body.len() > 128 {
        let mut cut = 125;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
        while body.len() > 128 {
            body.pop();
        }
    }
    body
}
