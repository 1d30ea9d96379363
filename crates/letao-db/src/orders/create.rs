//! Placing an order: priced from the database, stock reserved, one transaction.

use super::delivery::DeliveryOps;
use super::{OrderOps, OrderRecord};
use crate::columns::naive;
use crate::schema::{order_item, payorder, product};
use crate::txn::Abort;
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::order::{
    EventKind, OrderItems, PricedLine, PricingError, TradeState, order_total, wechat_body,
};
use letao_domain::{DeliveryAddress, Fen, Id, Product};

/// The trade type of every order: WeChat Native (QR code).
const NATIVE: &str = "NATIVE";

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
    /// The lines.
    pub items: &'a OrderItems,
    /// Unpaid orders close then.
    pub expires_at: DateTime<Utc>,
    /// Where it ships, when the buyer chose an address already.
    pub address: Option<&'a DeliveryAddress>,
}

/// How creating an order ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Created, stock reserved; the body text for WeChat.
    Order(Box<OrderRecord>, String),
    /// No such product.
    UnknownProduct(Id<Product>),
    /// Not enough stock of this product.
    OutOfStock(Id<Product>),
    /// The lines cannot be priced (a total too large, a product without price).
    Unpriceable(PricingError),
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
struct Priced {
    id: i32,
    name: String,
    #[diesel(column_name = price_fen, deserialize_as = i64)]
    price: Fen,
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
        // One lock order for every transaction: no deadlocks between orders.
        let items = new.items.in_lock_order();
        let ids: Vec<i32> = items.iter().map(|(id, _)| id.get()).collect();
        write_txn!(self, |conn| {
            let found: Vec<Priced> = product::table
                .select(Priced::as_select())
                .filter(product::id.eq_any(&ids))
                .filter(product::hidden.eq(false))
                .load(conn)
                .await?;
            let mut lines = Vec::with_capacity(items.len());
            for (id, quantity) in &items {
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
            let total =
                order_total(&lines).map_err(|e| Abort::Rollback(Created::Unpriceable(e)))?;
            for line in &lines {
                let qty = line.quantity.get();
                let taken = diesel::update(
                    product::table
                        .filter(product::id.eq(line.product_id.get()))
                        .filter(product::stock.ge(qty)),
                )
                .set(product::stock.eq(product::stock - qty))
                .execute(conn)
                .await?;
                if taken != 1 {
                    return Err(Abort::Rollback(Created::OutOfStock(line.product_id)));
                }
            }
            let body = wechat_body(&lines);
            diesel::insert_into(payorder::table)
                .values((
                    payorder::appid.eq(new.appid),
                    payorder::mch_id.eq(new.mch_id),
                    payorder::nonce_str.eq(new.nonce_str),
                    payorder::body.eq(&body),
                    payorder::out_trade_no.eq(new.out_trade_no),
                    payorder::total_fee.eq(total.get().to_string()),
                    payorder::spbill_create_ip.eq(new.client_ip),
                    payorder::trade_type.eq(NATIVE),
                    payorder::trade_state.eq(TradeState::NotPay.as_str()),
                    payorder::user_id.eq(new.user_id),
                    payorder::total_fen.eq(total.get()),
                    payorder::expires_at.eq(naive(new.expires_at)),
                    payorder::refund_pending.eq(false),
                    payorder::refunded_fen.eq(0),
                    payorder::created_at.eq(naive(now)),
                    payorder::updated_at.eq(naive(now)),
                ))
                .execute(conn)
                .await?;
            let order: OrderRecord = payorder::table
                .select(OrderRecord::as_select())
                .filter(payorder::out_trade_no.eq(new.out_trade_no))
                .first(conn)
                .await?;
            for line in &lines {
                diesel::insert_into(order_item::table)
                    .values((
                        order_item::order_id.eq(order.id),
                        order_item::product_id.eq(line.product_id.get()),
                        order_item::name.eq(&line.name),
                        order_item::unit_fen.eq(line.unit.get()),
                        order_item::quantity.eq(line.quantity.get()),
                    ))
                    .execute(conn)
                    .await?;
            }
            conn.put_address(order.id, new.address).await?;
            conn.add_event(order.id, EventKind::Created, &total.to_string(), now)
                .await?;
            Ok(Created::Order(Box::new(order), body))
        })
    }

    /// Stores what WeChat answered to the order (its prepay id and QR content).
    pub async fn set_prepay(
        &self,
        order_id: i32,
        prepay_id: Option<&str>,
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
}
