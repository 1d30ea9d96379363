//! Placing an order: priced from the database, stock reserved, one
//! transaction (its statements in `steps.rs`, its rows in `rows.rs`).

mod rows;
mod steps;

use self::rows::SetPrepay;
use self::steps::CreateOrder;
use crate::{Created, NewOrder};

use crate::columns::naive;
use crate::schema::product;
use crate::txn::Abort;
use crate::{Db, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Queryable, Selectable};
use letao_domain::order::{PricedLine, Quantity, order_total};
use letao_domain::{DeliveryAddress, Fen, Id, Product};

#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
struct Priced {
    id: i32,
    name: String,
    #[diesel(column_name = price_fen, deserialize_as = i64)]
    price: Fen,
}

/// Everything the transaction needs.
struct Job {
    /// The lines in lock order (product id), and their ids.
    items: Vec<(Id<Product>, Quantity)>,
    ids: Vec<i32>,
    out_trade_no: String,
    nonce_str: String,
    appid: String,
    mch_id: String,
    user_id: i32,
    client_ip: String,
    expires_at: NaiveDateTime,
    address: Option<DeliveryAddress>,
    now: DateTime<Utc>,
}

impl Job {
    fn new(new: &NewOrder<'_>, now: DateTime<Utc>) -> Job {
        // One lock order for every transaction: no deadlocks between orders.
        let items = new.items.in_lock_order();
        Job {
            ids: items.iter().map(|(id, _)| id.get()).collect(),
            items,
            out_trade_no: new.out_trade_no.to_owned(),
            nonce_str: new.nonce_str.to_owned(),
            appid: new.appid.to_owned(),
            mch_id: new.mch_id.to_owned(),
            user_id: new.user_id,
            client_ip: new.client_ip.to_owned(),
            expires_at: naive(new.expires_at),
            address: new.address.cloned(),
            now,
        }
    }

    /// The lines at the prices found and their total, or why the order
    /// cannot be placed.
    fn price(&self, found: &[Priced]) -> Result<(Vec<PricedLine>, Fen), Abort<Created>> {
        let mut lines = Vec::with_capacity(self.items.len());
        for (id, quantity) in &self.items {
            let Some(p) = found.iter().find(|p| p.id == id.get()) else {
                return Err(Abort::Rollback(Created::UnknownProduct(*id)));
            };
            lines.push(PricedLine {
                product_id: *id,
                name: p.name.clone(),
                unit: p.price,
                quantity: *quantity,
            });
        }
        let total = order_total(&lines).map_err(|e| Abort::Rollback(Created::Unpriceable(e)))?;
        Ok((lines, total))
    }
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
        let job = Job::new(new, now);
        write_txn!(self, |conn| conn.create(&job).await)
    }

    /// Stores what WeChat answered to the order (its prepay id and QR content).
    pub async fn set_prepay(
        &self,
        order_id: i32,
        prepay_id: Option<&str>,
        code_url: &str,
    ) -> Result<(), DbError> {
        use diesel_async::RunQueryDsl;
        let _writer = self.write_gate().await;
        let update = SetPrepay {
            order_id,
            prepay_id: prepay_id.map(str::to_owned),
            code_url: code_url.to_owned(),
        };
        with_conn!(self, |conn| {
            update.execute(conn).await?;
            Ok(())
        })
    }
}
