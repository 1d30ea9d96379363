//! Placing an order: priced from the database, stock reserved, one
//! transaction (its statements in `steps.rs`, its rows in `rows.rs`).

mod rows;
mod steps;

use self::rows::SetPrepay;
use self::steps::CreateOrder;
use crate::{Created, NewOrder};

use crate::columns::naive;
use crate::schema::product;
use crate::skus::SkuRow;
use crate::txn::Abort;
use crate::{Db, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::{Queryable, Selectable};
use letao_domain::order::{OrderItems, PlacedSku, PricedLine, choose_skus, order_total};
use letao_domain::{DeliveryAddress, Fen, Sku};

/// A product as an order reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
struct Priced {
    id: i32,
    name: String,
    img: String,
    #[diesel(column_name = price_fen, deserialize_as = i64)]
    price: Fen,
    sku_pool: bool,
}

/// A line's stock to take: from the product's pool while it is pooled,
/// else from its SKU.
#[derive(Debug, Clone, Copy)]
pub(super) struct Take {
    product_id: i32,
    sku_id: i32,
    quantity: i32,
    pooled: bool,
}

/// Everything the transaction needs.
struct Job {
    items: OrderItems,
    /// The products ordered, by id.
    ids: Vec<i32>,
    out_trade_no: String,
    nonce_str: String,
    appid: String,
    mch_id: String,
    user_id: i32,
    client_ip: String,
    trade_type: String,
    expires_at: NaiveDateTime,
    address: Option<DeliveryAddress>,
    /// The lines leave the buyer's cart with the order.
    from_cart: bool,
    now: DateTime<Utc>,
}

impl Job {
    fn new(new: &NewOrder<'_>, now: DateTime<Utc>) -> Job {
        Job {
            ids: new.items.product_ids(),
            items: new.items.clone(),
            out_trade_no: new.out_trade_no.to_owned(),
            nonce_str: new.nonce_str.to_owned(),
            appid: new.appid.to_owned(),
            mch_id: new.mch_id.to_owned(),
            user_id: new.user_id,
            client_ip: new.client_ip.to_owned(),
            trade_type: new.trade_type.to_owned(),
            expires_at: naive(new.expires_at),
            address: new.address.cloned(),
            from_cart: new.from_cart,
            now,
        }
    }

    /// The lines at the prices found, their total and the stock to take
    /// (in lock order: product, then SKU, so two orders never deadlock),
    /// or why the order cannot be placed.
    fn price(
        &self,
        found: &[Priced],
        sku_rows: &[SkuRow],
    ) -> Result<(Vec<PricedLine>, Fen, Vec<Take>), Abort<Created>> {
        for line in self.items.lines() {
            if !found.iter().any(|p| p.id == line.product.get()) {
                return Err(Abort::Rollback(Created::UnknownProduct(line.product)));
            }
        }
        let skus: Vec<Sku> = sku_rows.iter().map(|r| r.clone().into_sku(None)).collect();
        let chosen =
            choose_skus(&self.items, &skus).map_err(|e| Abort::Rollback(Created::BadLine(e)))?;
        let mut lines = Vec::with_capacity(chosen.len());
        let mut takes = Vec::with_capacity(chosen.len());
        for (line, sku) in self.items.lines().iter().zip(chosen) {
            let Some(p) = found.iter().find(|p| p.id == line.product.get()) else {
                return Err(Abort::Rollback(Created::UnknownProduct(line.product)));
            };
            lines.push(PricedLine {
                product_id: line.product,
                sku: PlacedSku::of(sku),
                name: p.name.clone(),
                img: p.img.clone(),
                unit: sku.price_or(p.price),
                quantity: line.quantity,
            });
            takes.push(Take {
                product_id: p.id,
                sku_id: sku.id.get(),
                quantity: line.quantity.get(),
                pooled: p.sku_pool,
            });
        }
        let total = order_total(&lines).map_err(|e| Abort::Rollback(Created::Unpriceable(e)))?;
        takes.sort_unstable_by_key(|t| (t.product_id, t.sku_id));
        Ok((lines, total, takes))
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
