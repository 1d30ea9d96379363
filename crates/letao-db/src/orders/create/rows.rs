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

/// The trade type of every order: WeChat Native (QR code).
const NATIVE: &str = "NATIVE";

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
    /// A new unpaid Native order of `lines` for `total`, created at `now`.
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
            trade_type: NATIVE,
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

/// `UPDATE product SET stock = stock - ? WHERE id = ? AND stock >= ?`: a
/// line's conditional stock decrement. Diesel prepares every `UPDATE`
/// anew, never from its statement cache (a changeset may leave out `None`
/// fields, so it does not trust their SQL to stay the same): on MySQL one
/// more round trip and a parse per statement, on SQLite a parse. These
/// statements have one shape, so they are written as query nodes of their
/// own, which the caches keep.
#[derive(Debug, Clone, Copy, QueryId)]
pub(super) struct TakeStock {
    product_id: i32,
    quantity: i32,
}

impl TakeStock {
    /// The decrement for one line.
    pub(super) fn of(line: &PricedLine) -> TakeStock {
        TakeStock {
            product_id: line.product_id.get(),
            quantity: line.quantity.get(),
        }
    }
}

impl<DB> QueryFragment<DB> for TakeStock
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier("product")?;
        out.push_sql(" SET ");
        out.push_identifier("stock")?;
        out.push_sql(" = ");
        out.push_identifier("stock")?;
        out.push_sql(" - ");
        out.push_bind_param::<Integer, _>(&self.quantity)?;
        out.push_sql(" WHERE ");
        out.push_identifier("id")?;
        out.push_sql(" = ");
        out.push_bind_param::<Integer, _>(&self.product_id)?;
        out.push_sql(" AND ");
        out.push_identifier("stock")?;
        out.push_sql(" >= ");
        out.push_bind_param::<Integer, _>(&self.quantity)?;
        Ok(())
    }
}

impl diesel::query_dsl::RunQueryDslSupport for TakeStock {}

/// `UPDATE payorder SET prepay_id = ?, code_url = ? WHERE id = ?` (see
/// [`TakeStock`] for why it is a query node of its own).
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
