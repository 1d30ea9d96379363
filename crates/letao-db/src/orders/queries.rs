//! Reading orders, their lines and their history.

use crate::orders::OrderRecordRow;
use crate::schema::payorder;
use crate::{Db, DbError, OrderRecord};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_shop::store::Opening;
#[cfg(feature = "test-utils")]
use {
    crate::OrderLine,
    crate::orders::OrderLineRow,
    crate::schema::{order_event, order_item},
    letao_domain::order::EventKind,
};

impl Db {
    /// What the order was opened at WeChat with.
    pub async fn opening(&self, order_id: i32) -> Result<Option<Opening>, DbError> {
        read_conn!(self, |conn| {
            let Some((trade_type, body, client_ip, nonce_str)) = payorder::table
                .select((
                    payorder::trade_type,
                    payorder::body,
                    payorder::spbill_create_ip,
                    payorder::nonce_str,
                ))
                .filter(payorder::id.eq(order_id))
                .first::<(String, String, String, String)>(conn)
                .await
                .optional()?
            else {
                return Ok(None);
            };
            let product_id = crate::schema::order_item::table
                .select(crate::schema::order_item::product_id)
                .filter(crate::schema::order_item::order_id.eq(order_id))
                .order(crate::schema::order_item::id)
                .first::<i32>(conn)
                .await
                .optional()?
                .unwrap_or(0);
            Ok(Some(Opening {
                trade_type,
                body,
                client_ip,
                product_id,
                nonce_str,
            }))
        })
    }

    /// The order with this number.
    pub async fn order_by_no(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, DbError> {
        read_conn!(self, |conn| {
            Ok(payorder::table
                .select(OrderRecordRow::as_select())
                .filter(payorder::out_trade_no.eq(out_trade_no))
                .first::<OrderRecordRow>(conn)
                .await
                .optional()?
                .map(Into::into))
        })
    }

    /// The lines of some orders, in the order they were placed.
    #[cfg(feature = "test-utils")]
    pub async fn order_lines(&self, order_ids: &[i32]) -> Result<Vec<OrderLine>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_item::table
                .select(OrderLineRow::as_select())
                .filter(order_item::order_id.eq_any(order_ids))
                .order(order_item::id)
                .load::<OrderLineRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// How many events of `kind` an order has (audit and tests).
    #[cfg(feature = "test-utils")]
    pub async fn order_events(&self, order_id: i32, kind: EventKind) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            Ok(order_event::table
                .filter(order_event::order_id.eq(order_id))
                .filter(order_event::kind.eq(kind.as_str()))
                .count()
                .get_result(conn)
                .await?)
        })
    }

    /// The details of an order's events of `kind`, oldest first.
    #[cfg(feature = "test-utils")]
    pub async fn order_event_details(
        &self,
        order_id: i32,
        kind: EventKind,
    ) -> Result<Vec<String>, DbError> {
        read_conn!(self, |conn| {
            Ok(order_event::table
                .select(order_event::detail)
                .filter(order_event::order_id.eq(order_id))
                .filter(order_event::kind.eq(kind.as_str()))
                .order(order_event::id)
                .load(conn)
                .await?)
        })
    }
}
