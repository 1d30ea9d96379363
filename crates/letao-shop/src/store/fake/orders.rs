//! [`FakeOrders`]: orders, their lines, refunds and the stock they reserve.

use super::lock;
use crate::store::{
    AuditEntry, Created, NewOrder, Opening, OrderRecord, OrderStore, Payment, Recorded,
    RefundRecord, StoreError,
};
use chrono::{DateTime, Utc};
use letao_domain::order::{
    Fulfilment, FulfilmentEvent, PlacedSku, PricedLine, RefundEvent, RefundState, TradeEvent,
    TradeState, choose_skus, order_total, wechat_body,
};
use letao_domain::sku::ONE_SIZE;
use letao_domain::{Fen, Id, Sku};
use std::collections::HashMap;
use std::sync::Mutex;

/// A product as the fake keeps it: sold in one SKU, which holds its stock
/// (pools of SKUs are the database's, tested there).
#[derive(Debug, Clone)]
struct Product {
    name: String,
    price: Fen,
    sku: Sku,
}

#[derive(Debug, Default)]
struct State {
    products: HashMap<i32, Product>,
    next_product: i32,
    orders: Vec<(OrderRecord, Vec<PricedLine>)>,
    /// Trade type and client address of each order, by row id.
    openings: HashMap<i32, (String, String, String)>,
    claimed_at: HashMap<i32, DateTime<Utc>>,
    refunds: Vec<RefundRecord>,
}

/// Orders in memory, over products added by the test.
#[derive(Debug, Default)]
pub struct FakeOrders {
    state: Mutex<State>,
}

impl FakeOrders {
    /// No products, no orders.
    pub fn new() -> FakeOrders {
        FakeOrders::default()
    }

    /// A product on sale at `price` in one size with `stock` units; its id
    /// (its SKU's id is the product's plus 1,000).
    pub fn add_product(&self, name: &str, price: Fen, stock: i32) -> i32 {
        let mut s = lock(&self.state);
        s.next_product += 1;
        let id = s.next_product;
        let sku = Sku {
            id: Id::from_db(id + 1_000),
            product_id: Id::from_db(id),
            size: ONE_SIZE.to_owned(),
            colour: None,
            code: format!("F{id}"),
            price: None,
            stock,
            active: true,
        };
        s.products.insert(
            id,
            Product {
                name: name.to_owned(),
                price,
                sku,
            },
        );
        id
    }

    /// The stock of a product now.
    pub fn stock(&self, id: i32) -> Option<i32> {
        lock(&self.state).products.get(&id).map(|p| p.sku.stock)
    }

    /// The id of a product's SKU.
    pub fn sku_of(&self, id: i32) -> Option<i32> {
        lock(&self.state).products.get(&id).map(|p| p.sku.id.get())
    }
}

impl State {
    fn order_mut(&mut self, id: i32) -> Option<&mut (OrderRecord, Vec<PricedLine>)> {
        self.orders.iter_mut().find(|(o, _)| o.id == id)
    }

    fn release(&mut self, order_id: i32) {
        let lines = self
            .orders
            .iter()
            .find(|(o, _)| o.id == order_id)
            .map(|(_, lines)| lines.clone())
            .unwrap_or_default();
        for line in lines {
            if let Some(p) = self.products.get_mut(&line.product_id.get()) {
                p.sku.stock += line.quantity.get();
            }
        }
    }
}

#[async_trait::async_trait]
impl OrderStore for FakeOrders {
    async fn create_order(
        &self,
        new: &NewOrder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Created, StoreError> {
        let mut s = lock(&self.state);
        let mut skus = Vec::new();
        for line in new.items.lines() {
            let Some(p) = s.products.get(&line.product.get()) else {
                return Ok(Created::UnknownProduct(line.product));
            };
            skus.push(p.sku.clone());
        }
        let chosen = match choose_skus(new.items, &skus) {
            Ok(chosen) => chosen,
            Err(e) => return Ok(Created::BadLine(e)),
        };
        let mut lines = Vec::new();
        for (line, sku) in new.items.lines().iter().zip(chosen) {
            let Some(p) = s.products.get(&line.product.get()) else {
                return Ok(Created::UnknownProduct(line.product));
            };
            lines.push(PricedLine {
                product_id: line.product,
                sku: PlacedSku::of(sku),
                name: p.name.clone(),
                img: String::new(),
                unit: sku.price_or(p.price),
                quantity: line.quantity,
            });
        }
        let total = match order_total(&lines) {
            Ok(total) => total,
            Err(e) => return Ok(Created::Unpriceable(e)),
        };
        for line in &lines {
            let stock = s
                .products
                .get(&line.product_id.get())
                .map_or(0, |p| p.sku.stock);
            if stock < line.quantity.get() {
                return Ok(Created::OutOfStock(line.sku.id));
            }
        }
        for line in &lines {
            if let Some(p) = s.products.get_mut(&line.product_id.get()) {
                p.sku.stock -= line.quantity.get();
            }
        }
        let order = OrderRecord {
            id: i32::try_from(s.orders.len()).unwrap_or(i32::MAX - 1) + 1,
            out_trade_no: new.out_trade_no.to_owned(),
            user_id: Some(new.user_id),
            total,
            trade_state: TradeState::NotPay,
            expires_at: Some(new.expires_at),
            transaction_id: None,
            paid_at: None,
            refund_pending: false,
            refunded: Fen::new(0),
            created_at: now,
            fulfilment: Fulfilment::Unshipped,
        };
        let body = wechat_body(&lines);
        s.openings.insert(
            order.id,
            (
                new.trade_type.to_owned(),
                new.client_ip.to_owned(),
                new.nonce_str.to_owned(),
            ),
        );
        s.orders.push((order.clone(), lines));
        Ok(Created::Order(Box::new(order), body))
    }

    async fn set_prepay(
        &self,
        _order_id: i32,
        _prepay_id: Option<&str>,
        _code_url: &str,
    ) -> Result<(), StoreError> {
        // Kept by the database for the owner's eyes only: nothing reads it.
        Ok(())
    }

    async fn opening(&self, order_id: i32) -> Result<Option<Opening>, StoreError> {
        let s = lock(&self.state);
        let Some((_, lines)) = s.orders.iter().find(|(o, _)| o.id == order_id) else {
            return Ok(None);
        };
        let (trade_type, client_ip, nonce_str) =
            s.openings.get(&order_id).cloned().unwrap_or_default();
        Ok(Some(Opening {
            trade_type,
            body: wechat_body(lines),
            client_ip,
            product_id: lines.first().map_or(0, |l| l.product_id.get()),
            nonce_str,
        }))
    }

    async fn order_by_no(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, StoreError> {
        Ok(lock(&self.state)
            .orders
            .iter()
            .find(|(o, _)| o.out_trade_no == out_trade_no)
            .map(|(o, _)| o.clone()))
    }

    async fn close_order(
        &self,
        order_id: i32,
        from: TradeState,
        _reason: &str,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if from.apply(TradeEvent::Close).is_err() {
            return Ok(false);
        }
        let mut s = lock(&self.state);
        let Some((order, _)) = s.order_mut(order_id) else {
            return Ok(false);
        };
        if order.trade_state != from {
            return Ok(false);
        }
        order.trade_state = TradeEvent::Close.to_state();
        s.claimed_at.remove(&order_id);
        s.release(order_id);
        Ok(true)
    }

    async fn claim_expired(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let mut s = lock(&self.state);
        let State {
            orders, claimed_at, ..
        } = &mut *s;
        let mut due: Vec<&mut OrderRecord> = orders
            .iter_mut()
            .map(|(o, _)| o)
            .filter(|o| match o.trade_state {
                TradeState::NotPay => o.expires_at.is_some_and(|at| at < now),
                TradeState::Closing => claimed_at.get(&o.id).is_some_and(|at| *at < stale_before),
                _ => false,
            })
            .collect();
        due.sort_by_key(|o| o.expires_at);
        let mut claimed = Vec::new();
        for o in due.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
            o.trade_state = TradeEvent::Claim.to_state();
            claimed_at.insert(o.id, now);
            claimed.push(o.clone());
        }
        Ok(claimed)
    }

    async fn unclaim(&self, order_id: i32) -> Result<(), StoreError> {
        let mut s = lock(&self.state);
        if let Some((order, _)) = s.order_mut(order_id)
            && let Ok(next) = order.trade_state.apply(TradeEvent::Unclaim)
        {
            order.trade_state = next;
            s.claimed_at.remove(&order_id);
        }
        Ok(())
    }

    async fn record_payment(
        &self,
        p: &Payment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        let mut s = lock(&self.state);
        let Some((order, _)) = s
            .orders
            .iter_mut()
            .find(|(o, _)| o.out_trade_no == p.out_trade_no)
        else {
            return Ok(Recorded::UnknownOrder);
        };
        if order.total != p.total {
            return Ok(Recorded::AmountMismatch);
        }
        if let Some(existing) = &order.transaction_id {
            return Ok(if existing == p.transaction_id {
                Recorded::AlreadyPaid
            } else {
                Recorded::OtherTransaction
            });
        }
        let id = order.id;
        let recorded = if let Ok(next) = order.trade_state.apply(TradeEvent::Pay) {
            order.trade_state = next;
            Recorded::Paid
        } else if order.trade_state.apply(TradeEvent::PayAfterClose).is_ok() {
            order.refund_pending = true;
            Recorded::PaidAfterClose
        } else {
            return Ok(Recorded::AlreadyPaid);
        };
        order.transaction_id = Some(p.transaction_id.to_owned());
        order.paid_at = Some(now);
        s.claimed_at.remove(&id);
        Ok(recorded)
    }

    async fn reserve_refund(
        &self,
        order_id: i32,
        out_refund_no: &str,
        amount: Fen,
        _reason: &str,
        _audit: &AuditEntry<'_>,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut s = lock(&self.state);
        let Some((order, _)) = s.order_mut(order_id) else {
            return Ok(false);
        };
        let after = order.refunded.get() + amount.get();
        if order.transaction_id.is_none() || after > order.total.get() {
            return Ok(false);
        }
        order.refunded = Fen::new(after);
        s.refunds.push(RefundRecord {
            order_id,
            out_refund_no: out_refund_no.to_owned(),
            amount,
            state: RefundState::Processing,
        });
        Ok(true)
    }

    async fn settle_refund(
        &self,
        out_refund_no: &str,
        event: RefundEvent,
        _refund_id: Option<&str>,
        _now: DateTime<Utc>,
    ) -> Result<Option<RefundRecord>, StoreError> {
        let mut s = lock(&self.state);
        let Some(refund) = s
            .refunds
            .iter_mut()
            .find(|r| r.out_refund_no == out_refund_no)
        else {
            return Ok(None);
        };
        let Ok(next) = refund.state.apply(event) else {
            return Ok(Some(refund.clone()));
        };
        refund.state = next;
        let record = refund.clone();
        if let Some((order, _)) = s.order_mut(record.order_id) {
            if event.releases_amount() {
                order.refunded = Fen::new(order.refunded.get() - record.amount.get());
            } else {
                if let Ok(state) = order.trade_state.apply(TradeEvent::Refunded) {
                    order.trade_state = state;
                }
                if order.refunded >= order.total
                    && let Ok(f) = order.fulfilment.apply(FulfilmentEvent::Cancel)
                {
                    order.fulfilment = f;
                }
            }
        }
        Ok(Some(record))
    }
}
