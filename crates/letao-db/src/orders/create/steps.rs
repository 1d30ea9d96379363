//! The statements of the order transaction, one body for every backend.
//! SQLite and PostgreSQL read the new order back with `RETURNING`, MySQL
//! (which has none) with a `SELECT`.

use super::rows::{EventRow, OrderRow, TakePool, TakeSku, line_rows};
use super::{Job, Priced};
use crate::orders::OrderRecordRow;
use crate::{Created, OrderRecord};

use crate::orders::delivery::address_columns;
use crate::pool::SqliteConn;
use crate::schema::{cart_line, order_delivery, order_event, order_item, payorder, product, sku};
use crate::skus::SkuRow;
use crate::txn::Abort;
use diesel::result::Error as DieselError;
use diesel::{ExpressionMethods, QueryDsl, SelectableHelper};
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl};
use letao_domain::order::wechat_body;

/// Inserts the order row and reads it back, as the backend can.
pub(super) trait InsertOrder {
    /// The stored order.
    fn insert_order(
        &mut self,
        row: OrderRow<'_>,
    ) -> impl Future<Output = Result<OrderRecord, DieselError>> + Send;
}

impl InsertOrder for SqliteConn {
    async fn insert_order(&mut self, row: OrderRow<'_>) -> Result<OrderRecord, DieselError> {
        diesel::insert_into(payorder::table)
            .values(row)
            .returning(OrderRecordRow::as_returning())
            .get_result::<OrderRecordRow>(self)
            .await
            .map(Into::into)
    }
}

impl InsertOrder for AsyncPgConnection {
    async fn insert_order(&mut self, row: OrderRow<'_>) -> Result<OrderRecord, DieselError> {
        diesel::insert_into(payorder::table)
            .values(row)
            .returning(OrderRecordRow::as_returning())
            .get_result::<OrderRecordRow>(self)
            .await
            .map(Into::into)
    }
}

impl InsertOrder for AsyncMysqlConnection {
    async fn insert_order(&mut self, row: OrderRow<'_>) -> Result<OrderRecord, DieselError> {
        let out_trade_no = row.out_trade_no;
        diesel::insert_into(payorder::table)
            .values(row)
            .execute(self)
            .await?;
        payorder::table
            .select(OrderRecordRow::as_select())
            .filter(payorder::out_trade_no.eq(out_trade_no))
            .first::<OrderRecordRow>(self)
            .await
            .map(Into::into)
    }
}

/// The statements of placing an order, between the `BEGIN` and `COMMIT` of
/// `txn::run_write`.
pub(super) trait CreateOrder {
    /// The order placed, or why not (rolled back).
    fn create(&mut self, job: &Job)
    -> impl Future<Output = Result<Created, Abort<Created>>> + Send;
}

impl_for_each_conn!(CreateOrder {
    /// The products and their SKUs read, the order inserted and read back,
    /// its lines, its delivery row, its `created` event and one conditional
    /// stock decrement per line (lock order). A one-line order (the usual
    /// kind) reads its product with `id = ?`, and lines are inserted one row at a time:
    /// statements of a fixed shape stay in the connection's statement
    /// cache, while an `IN (...)` list or a multi-row insert is prepared
    /// anew each time (on MySQL, one more round trip).
    async fn create(&mut self, job: &Job) -> Result<Created, Abort<Created>> {
        let products = product::table
            .select(Priced::as_select())
            .filter(product::hidden.eq(false));
        let skus = sku::table.select(SkuRow::as_select());
        let (found, sku_rows): (Vec<Priced>, Vec<SkuRow>) = match job.ids[..] {
            [id] => (
                products.filter(product::id.eq(id)).load(self).await?,
                skus.filter(sku::product_id.eq(id)).load(self).await?,
            ),
            _ => (
                products.filter(product::id.eq_any(&job.ids)).load(self).await?,
                skus.filter(sku::product_id.eq_any(&job.ids)).load(self).await?,
            ),
        };
        let (lines, total, takes) = job.price(&found, &sku_rows)?;
        let body = wechat_body(&lines);
        let order = self
            .insert_order(OrderRow::unpaid(job, &body, &lines, total))
            .await?;
        for row in &line_rows(order.id, &lines) {
            diesel::insert_into(order_item::table)
                .values(row)
                .execute(self)
                .await?;
        }
        let delivery = diesel::insert_into(order_delivery::table);
        match &job.address {
            Some(a) => {
                let row = (order_delivery::order_id.eq(order.id), address_columns(a));
                delivery.values(row).execute(self).await?
            }
            None => {
                let row = order_delivery::order_id.eq(order.id);
                delivery.values(row).execute(self).await?
            }
        };
        diesel::insert_into(order_event::table)
            .values(EventRow::created(order.id, total, crate::columns::naive(job.now)))
            .execute(self)
            .await?;
        if job.from_cart {
            let mut ordered: Vec<i32> = takes.iter().map(|t| t.sku_id).collect();
            ordered.sort_unstable();
            ordered.dedup();
            let lines = ordered.len();
            let taken = diesel::delete(
                cart_line::table
                    .filter(cart_line::user_id.eq(job.user_id))
                    .filter(cart_line::sku_id.eq_any(ordered)),
            )
            .execute(self)
            .await?;
            // The cart was read before this transaction: a line already
            // gone went into another order placed meanwhile (the same cart
            // ordered twice at once), which this one must not repeat.
            if taken != lines {
                return Err(Abort::Rollback(Created::CartChanged));
            }
        }
        // Last, so that the rows stay locked only until the commit that
        // follows: every order of a popular size waits on its row. A pooled
        // line whose pool the owner ended since it was read finds its
        // product no longer pooled and takes from its SKU.
        for take in &takes {
            let pooled = take.pooled && TakePool::of(take).execute(self).await? == 1;
            if !pooled && TakeSku::of(take).execute(self).await? != 1 {
                return Err(Abort::Rollback(Created::OutOfStock(
                    letao_domain::Id::from_db(take.sku_id),
                )));
            }
        }
        Ok(Created::Order(Box::new(order), body))
    }
});
