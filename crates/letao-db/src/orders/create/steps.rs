//! The statements of the order transaction, one body for every backend.
//!
//! SQLite runs the whole transaction in one call on its blocking thread
//! (one hop instead of one per statement, so its write lock is held only
//! while the statements run); MySQL and PostgreSQL run it over their async
//! connections. SQLite and PostgreSQL read the new order back with
//! `RETURNING`, MySQL (which has none) with a `SELECT`.

use super::rows::{EventRow, OrderRow, TakeStock, line_rows};
use super::{Created, Job, Priced};
use crate::orders::OrderRecord;
use crate::orders::delivery::address_columns;
use crate::schema::{order_delivery, order_event, order_item, payorder, product};
use crate::txn::Abort;
use diesel::result::Error as DieselError;
use diesel::{ExpressionMethods, QueryDsl, SelectableHelper, SqliteConnection};
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection};
use letao_domain::order::wechat_body;

/// The transaction's body on `$conn`: the products read, one conditional
/// stock decrement per line (in id order), the order inserted and read
/// back (by `$insert_order`), its lines, its delivery row and its `created`
/// event. `$($aw)*` is `.await` on the async connections and nothing on
/// SQLite's, so every backend runs the same statements. A one-line order
/// (the usual kind) reads its product with `id = ?` and inserts its line as
/// a single row: statements of a fixed shape stay in the connection's
/// statement cache, while an `IN (...)` list or a multi-row insert is
/// prepared anew each time (on MySQL, one more round trip).
macro_rules! order_statements {
    ($conn:ident, $job:expr, $insert_order:path, [$($aw:tt)*]) => {{
        let job: &Job = $job;
        let products = product::table
            .select(Priced::as_select())
            .filter(product::hidden.eq(false));
        let found: Vec<Priced> = match job.ids[..] {
            [id] => products.filter(product::id.eq(id)).load($conn) $($aw)* ?,
            _ => products.filter(product::id.eq_any(&job.ids)).load($conn) $($aw)* ?,
        };
        let (lines, total) = job.price(&found)?;
        let body = wechat_body(&lines);
        let order = $insert_order($conn, OrderRow::unpaid(job, &body, &lines, total)) $($aw)* ?;
        let items = diesel::insert_into(order_item::table);
        match &line_rows(order.id, &lines)[..] {
            [row] => items.values(row).execute($conn) $($aw)* ?,
            rows => items.values(rows).execute($conn) $($aw)* ?,
        };
        let delivery = diesel::insert_into(order_delivery::table);
        match &job.address {
            Some(a) => {
                let row = (order_delivery::order_id.eq(order.id), address_columns(a));
                delivery.values(row).execute($conn) $($aw)* ?
            }
            None => {
                let row = order_delivery::order_id.eq(order.id);
                delivery.values(row).execute($conn) $($aw)* ?
            }
        };
        diesel::insert_into(order_event::table)
            .values(EventRow::created(order.id, total, crate::columns::naive(job.now)))
            .execute($conn) $($aw)* ?;
        // Last, so that the product rows stay locked only until the commit
        // that follows: every order of a popular product waits on its row.
        for line in &lines {
            if TakeStock::of(line).execute($conn) $($aw)* ? != 1 {
                return Err(Abort::Rollback(Created::OutOfStock(line.product_id)));
            }
        }
        Ok(Created::Order(Box::new(order), body))
    }};
}

/// The whole transaction on SQLite, on the blocking thread that owns the
/// connection: `BEGIN IMMEDIATE` (the write lock up front), the statements,
/// `COMMIT`; rolled back on a business refusal or an error.
pub(super) fn on_sqlite(conn: &mut SqliteConnection, job: &Job) -> Result<Created, DieselError> {
    use diesel::RunQueryDsl;
    fn insert_order(
        conn: &mut SqliteConnection,
        row: OrderRow<'_>,
    ) -> Result<OrderRecord, DieselError> {
        diesel::insert_into(payorder::table)
            .values(row)
            .returning(OrderRecord::as_returning())
            .get_result(conn)
    }
    let outcome = conn.immediate_transaction(|conn| order_statements!(conn, job, insert_order, []));
    match outcome {
        Ok(created) | Err(Abort::Rollback(created)) => Ok(created),
        Err(Abort::Db(e)) => Err(e),
    }
}

/// The transaction's statements over an async connection (MySQL,
/// PostgreSQL), between the `BEGIN` and `COMMIT` of `txn::run_write`.
pub(super) trait CreateOrder {
    /// The order placed, or why not (rolled back).
    fn create(&mut self, job: &Job)
    -> impl Future<Output = Result<Created, Abort<Created>>> + Send;
}

impl CreateOrder for AsyncPgConnection {
    async fn create(&mut self, job: &Job) -> Result<Created, Abort<Created>> {
        use diesel_async::RunQueryDsl;
        async fn insert_order(
            conn: &mut AsyncPgConnection,
            row: OrderRow<'_>,
        ) -> Result<OrderRecord, DieselError> {
            diesel::insert_into(payorder::table)
                .values(row)
                .returning(OrderRecord::as_returning())
                .get_result(conn)
                .await
        }
        let conn = self;
        order_statements!(conn, job, insert_order, [.await])
    }
}

impl CreateOrder for AsyncMysqlConnection {
    async fn create(&mut self, job: &Job) -> Result<Created, Abort<Created>> {
        use diesel_async::RunQueryDsl;
        async fn insert_order(
            conn: &mut AsyncMysqlConnection,
            row: OrderRow<'_>,
        ) -> Result<OrderRecord, DieselError> {
            let out_trade_no = row.out_trade_no;
            diesel::insert_into(payorder::table)
                .values(row)
                .execute(conn)
                .await?;
            payorder::table
                .select(OrderRecord::as_select())
                .filter(payorder::out_trade_no.eq(out_trade_no))
                .first(conn)
                .await
        }
        let conn = self;
        order_statements!(conn, job, insert_order, [.await])
    }
}
