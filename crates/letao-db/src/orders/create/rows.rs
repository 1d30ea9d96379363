//! The rows and statements of placing an order, each of a shape that the
//! connections' prepared-statement caches keep.

use crate::columns::naive;
use crate::schema::{order_event, order_item, payorder};
use chrono::NaiveDateTime;
use diesel::Insertable;
use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Integer, Nullable, Text};
use letao_domain::Fen;
use letao_domain::order::{EventKind, PricedLine, TradeState};

use super::Take;

// `treat_none_as_default_value = false` keeps the inserts of the row structs
// below in the prepared-statement caches: by default the derive wraps every
// field in an `Option`, and diesel does not cache an insert that might say
// `DEFAULT` for a `None`. None of these fields is optional.

/// The order row as inserted.
#[derive(Insertable)]
#[diesel(table_name = payorder, treat_none_as_default_value = false)]
pub(super) struct OrderRow<'a> {
    appid: &'a str,
    mch_id: &'a str,
    nonce_str: &'a str,
    body: &'a str,
    pub(super) out_trade_no: &'a str,
    total_fee: String,
    spbill_create_ip: &'a str,
    trade_type: &'a str,
    trade_state: &'a str,
    user_id: i32,
    total_fen: i64,
    expires_at: NaiveDateTime,
    refund_pending: bool,
    refunded_fen: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    items: String,
}

impl<'a> OrderRow<'a> {
    /// A new unpaid order of `lines` for `total`, created at `now`.
    pub(super) fn unpaid(
        job: &'a super::Job,
        body: &'a str,
        lines: &[PricedLine],
        total: Fen,
    ) -> OrderRow<'a> {
        let now = naive(job.now);
        OrderRow {
            appid: &job.appid,
            mch_id: &job.mch_id,
            nonce_str: &job.nonce_str,
            body,
            out_trade_no: &job.out_trade_no,
            total_fee: total.get().to_string(),
            spbill_create_ip: &job.client_ip,
            trade_type: &job.trade_type,
            trade_state: TradeState::NotPay.as_str(),
            user_id: job.user_id,
            total_fen: total.get(),
            expires_at: job.expires_at,
            refund_pending: false,
            refunded_fen: 0,
            created_at: now,
            updated_at: now,
            items: crate::orders::items::encode(lines),
        }
    }
}

/// A line row as inserted.
#[derive(Insertable)]
#[diesel(table_name = order_item, treat_none_as_default_value = false)]
pub(super) struct LineRow<'a> {
    order_id: i32,
    product_id: i32,
    name: &'a str,
    unit_fen: i64,
    quantity: i32,
    sku_id: Option<i32>,
    size: Option<&'a str>,
    colour: Option<&'a str>,
    code: Option<&'a str>,
}

/// The rows of an order's lines.
pub(super) fn line_rows(order_id: i32, lines: &[PricedLine]) -> Vec<LineRow<'_>> {
    lines
        .iter()
        .map(|line| LineRow {
            order_id,
            product_id: line.product_id.get(),
            name: &line.name,
            unit_fen: line.unit.get(),
            quantity: line.quantity.get(),
            sku_id: Some(line.sku.id.get()),
            size: Some(&line.sku.size),
            colour: line.sku.colour.as_deref(),
            code: Some(&line.sku.code),
        })
        .collect()
}

/// The `created` event row.
#[derive(Insertable)]
#[diesel(table_name = order_event, treat_none_as_default_value = false)]
pub(super) struct EventRow {
    order_id: i32,
    kind: &'static str,
    detail: String,
    created_at: NaiveDateTime,
}

impl EventRow {
    /// The event of an order of `total` created at `now`.
    pub(super) fn created(order_id: i32, total: Fen, now: NaiveDateTime) -> EventRow {
        EventRow {
            order_id,
            kind: EventKind::Created.as_str(),
            detail: total.to_string(),
            created_at: now,
        }
    }
}

/// `UPDATE product SET stock = stock - ? WHERE id = ? AND sku_pool AND
/// stock >= ?`: a line's conditional decrement of its product's pool.
/// Diesel prepares every `UPDATE` anew, never from its statement cache (a
/// changeset may leave out `None` fields, so it does not trust their SQL to
/// stay the same): on MySQL one more round trip and a parse per statement,
/// on SQLite a parse. These statements have one shape each, so they are
/// query nodes of their own (one type per SQL text: the caches key them by
/// type), which the caches keep.
#[derive(Debug, Clone, Copy, QueryId)]
pub(super) struct TakePool {
    product_id: i32,
    quantity: i32,
}

/// `UPDATE sku SET stock = stock - ? WHERE id = ? AND stock >= ?`: a
/// line's conditional decrement of its SKU's stock (see [`TakePool`]).
#[derive(Debug, Clone, Copy, QueryId)]
pub(super) struct TakeSku {
    sku_id: i32,
    quantity: i32,
}

impl TakePool {
    /// The decrement for one line.
    pub(super) fn of(take: &Take) -> TakePool {
        TakePool {
            product_id: take.product_id,
            quantity: take.quantity,
        }
    }
}

impl TakeSku {
    /// The decrement for one line.
    pub(super) fn of(take: &Take) -> TakeSku {
        TakeSku {
            sku_id: take.sku_id,
            quantity: take.quantity,
        }
    }
}

/// `UPDATE {table} SET stock = stock - ? WHERE id = ?{extra} AND stock >= ?`.
fn walk_take<'b, DB>(
    mut out: AstPass<'_, 'b, DB>,
    table: &str,
    id: &'b i32,
    quantity: &'b i32,
    pooled_only: bool,
) -> QueryResult<()>
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    out.push_sql("UPDATE ");
    out.push_identifier(table)?;
    out.push_sql(" SET ");
    out.push_identifier("stock")?;
    out.push_sql(" = ");
    out.push_identifier("stock")?;
    out.push_sql(" - ");
    out.push_bind_param::<Integer, _>(quantity)?;
    out.push_sql(" WHERE ");
    out.push_identifier("id")?;
    out.push_sql(" = ");
    out.push_bind_param::<Integer, _>(id)?;
    if pooled_only {
        out.push_sql(" AND ");
        out.push_identifier("sku_pool")?;
        // `= TRUE` reads the same on the three backends.
        out.push_sql(" = TRUE");
    }
    out.push_sql(" AND ");
    out.push_identifier("stock")?;
    out.push_sql(" >= ");
    out.push_bind_param::<Integer, _>(quantity)?;
    Ok(())
}

impl<DB> QueryFragment<DB> for TakePool
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        walk_take(out, "product", &self.product_id, &self.quantity, true)
    }
}

impl<DB> QueryFragment<DB> for TakeSku
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        walk_take(out, "sku", &self.sku_id, &self.quantity, false)
    }
}

impl diesel::query_dsl::RunQueryDslSupport for TakePool {}
impl diesel::query_dsl::RunQueryDslSupport for TakeSku {}

/// `UPDATE payorder SET prepay_id = ?, code_url = ? WHERE id = ?` (see
/// [`TakePool`] for why it is a query node of its own).
#[derive(Debug, Clone, QueryId)]
pub(super) struct SetPrepay {
    pub(super) order_id: i32,
    pub(super) prepay_id: Option<String>,
    pub(super) code_url: String,
}

impl<DB> QueryFragment<DB> for SetPrepay
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
    Option<String>: ToSql<Nullable<Text>, DB>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier("payorder")?;
        out.push_sql(" SET ");
        out.push_identifier("prepay_id")?;
        out.push_sql(" = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.prepay_id)?;
        out.push_sql(", ");
        out.push_identifier("code_url")?;
        out.push_sql(" = ");
        out.push_bind_param::<Text, _>(&self.code_url)?;
        out.push_sql(" WHERE ");
        out.push_identifier("id")?;
        out.push_sql(" = ");
        out.push_bind_param::<Integer, _>(&self.order_id)?;
        Ok(())
    }
}

impl diesel::query_dsl::RunQueryDslSupport for SetPrepay {}
