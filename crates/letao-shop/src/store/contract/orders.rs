//! The [`OrderStore`] contract: placing with stock reserved and never
//! oversold, closing and expiry, payments recorded exactly once, refunds
//! never beyond what was paid.

use crate::store::{Actor, AuditEntry, Created, NewOrder, OrderStore, Payment, Recorded};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;
use letao_domain::order::{OrderItems, PaymentSource, RefundEvent, RefundState, TradeState};
use letao_domain::{AuditAction, Fen, Id};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What an order store contract test runs on.
#[async_trait::async_trait]
pub trait OrderSubject: Send + Sync {
    /// The store under test.
    fn store(&self) -> Arc<dyn OrderStore>;
    /// A product on sale at `price` with `stock` units; its id.
    async fn product(&self, price: Fen, stock: i32) -> i32;
    /// The stock of product `id` now.
    async fn stock(&self, id: i32) -> i32;
    /// The id of the one SKU a product of [`OrderSubject::product`] is sold in.
    async fn sku_of(&self, id: i32) -> i32;
}

/// `order_store_contract!(make, #[attrs]...)`: one test per rule.
#[macro_export]
macro_rules! order_store_contract {
    ($make:expr $(, #[$meta:meta])* $(,)?) => {
        $crate::store_contract_tests!(orders, [$(#[$meta])*] $make;
            placing_prices_the_lines_and_reserves_their_stock,
            an_unknown_product_or_short_stock_places_nothing,
            concurrent_orders_never_take_stock_below_zero,
            closing_releases_the_stock_once,
            expired_orders_are_claimed_once_and_can_be_given_back,
            a_payment_is_recorded_exactly_once,
            a_payment_after_close_is_kept_for_a_refund,
            refunds_never_exceed_what_was_paid,
            settling_a_refund_applies_once_and_a_refusal_gives_the_amount_back
        );
    };
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// An order number no other test used.
fn number() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "CT{}x{}x{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Places `lines` for buyer 7, expiring at `expires`; the number and outcome.
async fn place(
    s: &dyn OrderSubject,
    lines: &[(i32, i64)],
    expires: DateTime<Utc>,
) -> (String, Created) {
    let no = number();
    let raw: Vec<(i64, i64)> = lines.iter().map(|(id, q)| (i64::from(*id), *q)).collect();
    let items = OrderItems::new(&raw).unwrap();
    let new = NewOrder {
        out_trade_no: &no,
        nonce_str: "n",
        appid: "wx0000000000000000",
        mch_id: "1900000000",
        user_id: 7,
        client_ip: "127.0.0.1",
        items: &items,
        expires_at: expires,
        address: None,
        from_cart: false,
        trade_type: "NATIVE",
    };
    let created = s.store().create_order(&new, t0()).await.unwrap();
    (no, created)
}

fn payment<'a>(no: &'a str, tx: &'a str, total: Fen) -> Payment<'a> {
    Payment {
        out_trade_no: no,
        transaction_id: tx,
        total,
        bank_type: None,
        time_end: None,
        cash: Some(total),
        openid: None,
        source: PaymentSource::Notification,
    }
}

const OWNER: Actor = Actor {
    id: None,
    name: None,
};

fn audit() -> AuditEntry<'static> {
    AuditEntry {
        actor: &OWNER,
        action: AuditAction::OrderRefund,
        target: "order".into(),
        detail: "{}".into(),
    }
}

/// A placed and paid order of one unit at `price`: its id and number.
async fn paid(s: &dyn OrderSubject, price: i64) -> (i32, String) {
    let p = s.product(Fen::new(price), 5).await;
    let (no, created) = place(s, &[(p, 1)], t0() + TimeDelta::hours(2)).await;
    let Created::Order(order, _) = created else {
        panic!("not placed: {created:?}");
    };
    let tx = format!("4200{no}");
    let recorded = s
        .store()
        .record_payment(&payment(&no, &tx, Fen::new(price)), t0())
        .await
        .unwrap();
    assert_eq!(recorded, Recorded::Paid);
    (order.id, no)
}

/// An order is priced from the store and its stock taken, all at once.
pub async fn placing_prices_the_lines_and_reserves_their_stock(s: &dyn OrderSubject) {
    let a = s.product(Fen::new(19_900), 5).await;
    let b = s.product(Fen::new(250), 3).await;
    let expires = t0() + TimeDelta::hours(2);
    let (no, created) = place(s, &[(b, 2), (a, 1)], expires).await;
    let Created::Order(order, body) = created else {
        panic!("not placed: {created:?}");
    };
    assert_eq!(order.total, Fen::new(20_400));
    assert!(!body.is_empty());
    assert_eq!((s.stock(a).await, s.stock(b).await), (4, 1));
    let stored = s.store().order_by_no(&no).await.unwrap().expect("stored");
    assert_eq!(stored.id, order.id);
    assert_eq!(stored.trade_state, TradeState::NotPay);
    assert_eq!(stored.total, Fen::new(20_400));
    assert_eq!(stored.user_id, Some(7));
    assert_eq!(stored.expires_at, Some(expires));
    assert_eq!(stored.refunded, Fen::new(0));
    assert!(stored.transaction_id.is_none());
    s.store()
        .set_prepay(order.id, Some("wx-prepay"), "weixin://x")
        .await
        .unwrap();
    assert_eq!(s.store().order_by_no(&no).await.unwrap(), Some(stored));
    assert_eq!(s.store().order_by_no("CT-none").await.unwrap(), None);
}

/// Nothing is reserved for an order that cannot be placed.
pub async fn an_unknown_product_or_short_stock_places_nothing(s: &dyn OrderSubject) {
    let a = s.product(Fen::new(100), 5).await;
    let b = s.product(Fen::new(100), 1).await;
    let expires = t0() + TimeDelta::hours(2);
    let (no, created) = place(s, &[(a, 1), (i32::MAX, 1)], expires).await;
    assert_eq!(created, Created::UnknownProduct(Id::from_db(i32::MAX)));
    let (_, short) = place(s, &[(a, 2), (b, 2)], expires).await;
    assert_eq!(short, Created::OutOfStock(Id::from_db(s.sku_of(b).await)));
    assert_eq!(
        (s.stock(a).await, s.stock(b).await),
        (5, 1),
        "all or nothing"
    );
    assert_eq!(s.store().order_by_no(&no).await.unwrap(), None);
}

/// Of 20 orders for 3 units at once, exactly 3 are placed.
pub async fn concurrent_orders_never_take_stock_below_zero(s: &dyn OrderSubject) {
    let p = s.product(Fen::new(100), 3).await;
    let expires = t0() + TimeDelta::hours(2);
    let outcomes =
        join_all((0..20).map(|_| async move { place(s, &[(p, 1)], expires).await.1 })).await;
    let placed = outcomes
        .iter()
        .filter(|c| matches!(c, Created::Order(..)))
        .count();
    assert_eq!(placed, 3, "{outcomes:?}");
    let short = Created::OutOfStock(Id::from_db(s.sku_of(p).await));
    assert!(
        outcomes
            .iter()
            .all(|c| matches!(c, Created::Order(..)) || *c == short)
    );
    assert_eq!(s.stock(p).await, 0);
}

/// A close puts the stock back once; a paid order is not closed.
pub async fn closing_releases_the_stock_once(s: &dyn OrderSubject) {
    let p = s.product(Fen::new(100), 5).await;
    let (no, created) = place(s, &[(p, 2)], t0() + TimeDelta::hours(2)).await;
    let Created::Order(order, _) = created else {
        panic!("{created:?}");
    };
    let store = s.store();
    assert!(
        !store
            .close_order(order.id, TradeState::Success, "x", t0())
            .await
            .unwrap()
    );
    assert!(
        store
            .close_order(order.id, TradeState::NotPay, "x", t0())
            .await
            .unwrap()
    );
    assert_eq!(s.stock(p).await, 5);
    assert!(
        !store
            .close_order(order.id, TradeState::NotPay, "again", t0())
            .await
            .unwrap()
    );
    assert_eq!(s.stock(p).await, 5, "released once");
    let closed = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(closed.trade_state, TradeState::Closed);
    let (_, paid_no) = paid(s, 300).await;
    let paid_order = store.order_by_no(&paid_no).await.unwrap().unwrap();
    assert!(
        !store
            .close_order(paid_order.id, TradeState::NotPay, "x", t0())
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .order_by_no(&paid_no)
            .await
            .unwrap()
            .unwrap()
            .trade_state,
        TradeState::Success
    );
}

/// An order past its expiry is claimed by one caller, and a claim left
/// behind is claimed again after it went stale.
pub async fn expired_orders_are_claimed_once_and_can_be_given_back(s: &dyn OrderSubject) {
    let p = s.product(Fen::new(100), 5).await;
    let store = s.store();
    let soon = t0() + TimeDelta::minutes(1);
    let (due_no, _) = place(s, &[(p, 1)], soon).await;
    let (later_no, _) = place(s, &[(p, 1)], t0() + TimeDelta::days(30)).await;
    let at = soon + TimeDelta::seconds(1);
    let mine = |v: Vec<crate::store::OrderRecord>| {
        v.into_iter()
            .filter(|o| o.out_trade_no == due_no || o.out_trade_no == later_no)
            .map(|o| (o.out_trade_no, o.trade_state))
            .collect::<Vec<_>>()
    };
    let first = mine(
        store
            .claim_expired(at, at - TimeDelta::minutes(15), 1000)
            .await
            .unwrap(),
    );
    assert_eq!(first, [(due_no.clone(), TradeState::Closing)]);
    let again = mine(
        store
            .claim_expired(at, at - TimeDelta::minutes(15), 1000)
            .await
            .unwrap(),
    );
    assert!(again.is_empty(), "claimed once: {again:?}");
    // Given back, it is due again; claimed and abandoned, it is due once stale.
    let due = store.order_by_no(&due_no).await.unwrap().unwrap();
    store.unclaim(due.id).await.unwrap();
    assert_eq!(
        store
            .order_by_no(&due_no)
            .await
            .unwrap()
            .unwrap()
            .trade_state,
        TradeState::NotPay
    );
    let retaken = mine(
        store
            .claim_expired(at, at - TimeDelta::minutes(15), 1000)
            .await
            .unwrap(),
    );
    assert_eq!(retaken.len(), 1);
    let later = at + TimeDelta::minutes(20);
    let stale = mine(
        store
            .claim_expired(later, later - TimeDelta::minutes(15), 1000)
            .await
            .unwrap(),
    );
    assert_eq!(stale, [(due_no.clone(), TradeState::Closing)]);
    // A claimed order closes as one still unpaid would.
    assert!(
        store
            .close_order(due.id, TradeState::Closing, "expired", later)
            .await
            .unwrap()
    );
    assert_eq!(s.stock(p).await, 4, "the later order keeps its unit");
}

/// One transition however often, and by whom, a payment is reported.
pub async fn a_payment_is_recorded_exactly_once(s: &dyn OrderSubject) {
    let p = s.product(Fen::new(500), 5).await;
    let (no, _) = place(s, &[(p, 1)], t0() + TimeDelta::hours(2)).await;
    let store = s.store();
    let tx = format!("4200{no}");
    let outcomes = join_all((0..10).map(|_| {
        let store = store.clone();
        let (no, tx) = (no.clone(), tx.clone());
        async move {
            store
                .record_payment(&payment(&no, &tx, Fen::new(500)), t0())
                .await
                .unwrap()
        }
    }))
    .await;
    assert_eq!(
        outcomes.iter().filter(|r| **r == Recorded::Paid).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|r| matches!(r, Recorded::Paid | Recorded::AlreadyPaid))
    );
    let order = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.trade_state, TradeState::Success);
    assert_eq!(order.transaction_id.as_deref(), Some(tx.as_str()));
    assert_eq!(order.paid_at, Some(t0()));
    let other = store
        .record_payment(&payment(&no, "4200other", Fen::new(500)), t0())
        .await
        .unwrap();
    assert_eq!(other, Recorded::OtherTransaction);
    let wrong = store
        .record_payment(&payment(&no, &tx, Fen::new(499)), t0())
        .await
        .unwrap();
    assert_eq!(wrong, Recorded::AmountMismatch);
    let unknown = store
        .record_payment(&payment("CT-none", &tx, Fen::new(500)), t0())
        .await
        .unwrap();
    assert_eq!(unknown, Recorded::UnknownOrder);
}

/// A payment for a closed order is recorded and flagged, never lost.
pub async fn a_payment_after_close_is_kept_for_a_refund(s: &dyn OrderSubject) {
    let p = s.product(Fen::new(500), 5).await;
    let (no, created) = place(s, &[(p, 1)], t0() + TimeDelta::hours(2)).await;
    let Created::Order(order, _) = created else {
        panic!("{created:?}");
    };
    let store = s.store();
    assert!(
        store
            .close_order(order.id, TradeState::NotPay, "x", t0())
            .await
            .unwrap()
    );
    let late = store
        .record_payment(&payment(&no, "4200late", Fen::new(500)), t0())
        .await
        .unwrap();
    assert_eq!(late, Recorded::PaidAfterClose);
    let stored = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(stored.trade_state, TradeState::Closed);
    assert!(stored.refund_pending);
    assert_eq!(stored.transaction_id.as_deref(), Some("4200late"));
    let again = store
        .record_payment(&payment(&no, "4200late", Fen::new(500)), t0())
        .await
        .unwrap();
    assert_eq!(again, Recorded::AlreadyPaid);
}

/// Reservations never add up to more than was paid, even at once.
pub async fn refunds_never_exceed_what_was_paid(s: &dyn OrderSubject) {
    let store = s.store();
    let p = s.product(Fen::new(100), 5).await;
    let (unpaid_no, created) = place(s, &[(p, 1)], t0() + TimeDelta::hours(2)).await;
    let Created::Order(unpaid, _) = created else {
        panic!("{created:?}");
    };
    let entry = audit();
    assert!(
        !store
            .reserve_refund(
                unpaid.id,
                &format!("RF{unpaid_no}"),
                Fen::new(1),
                "x",
                &entry,
                t0()
            )
            .await
            .unwrap(),
        "not paid"
    );
    let (id, no) = paid(s, 100).await;
    let outcomes = join_all((0..10).map(|n| {
        let store = store.clone();
        let refund_no = format!("RF{no}{n}");
        async move {
            let entry = audit();
            store
                .reserve_refund(id, &refund_no, Fen::new(30), "x", &entry, t0())
                .await
                .unwrap()
        }
    }))
    .await;
    assert_eq!(
        outcomes.iter().filter(|ok| **ok).count(),
        3,
        "3 x 30 fit in 100"
    );
    let order = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.refunded, Fen::new(90));
    assert!(
        store
            .reserve_refund(id, &format!("RF{no}last"), Fen::new(10), "x", &entry, t0())
            .await
            .unwrap()
    );
    assert!(
        !store
            .reserve_refund(id, &format!("RF{no}over"), Fen::new(1), "x", &entry, t0())
            .await
            .unwrap()
    );
}

/// WeChat's word on a refund changes it once; a refused refund's amount
/// can be refunded again; an accepted one marks the order refunded.
pub async fn settling_a_refund_applies_once_and_a_refusal_gives_the_amount_back(
    s: &dyn OrderSubject,
) {
    let store = s.store();
    let (id, no) = paid(s, 200).await;
    let entry = audit();
    let (first, second) = (format!("RF{no}a"), format!("RF{no}b"));
    assert!(
        store
            .reserve_refund(id, &first, Fen::new(200), "x", &entry, t0())
            .await
            .unwrap()
    );
    let refused = store
        .settle_refund(&first, RefundEvent::Refused, None, t0())
        .await
        .unwrap()
        .expect("the refund");
    assert_eq!(
        (refused.state, refused.amount),
        (RefundState::Failed, Fen::new(200))
    );
    let again = store
        .settle_refund(&first, RefundEvent::Succeeded, None, t0())
        .await
        .unwrap();
    assert_eq!(
        again.map(|r| r.state),
        Some(RefundState::Failed),
        "final: unchanged"
    );
    let order = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.refunded, Fen::new(0), "given back");
    assert_eq!(order.trade_state, TradeState::Success);

    assert!(
        store
            .reserve_refund(id, &second, Fen::new(200), "x", &entry, t0())
            .await
            .unwrap()
    );
    let accepted = store
        .settle_refund(&second, RefundEvent::Accepted, Some("wx-refund"), t0())
        .await
        .unwrap();
    assert_eq!(accepted.map(|r| r.state), Some(RefundState::Processing));
    let order = store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(
        (order.trade_state, order.refunded),
        (TradeState::Refund, Fen::new(200))
    );
    assert_eq!(
        order.fulfilment,
        letao_domain::order::Fulfilment::Cancelled,
        "refunded in full before shipping"
    );
    let done = store
        .settle_refund(&second, RefundEvent::Succeeded, None, t0())
        .await
        .unwrap();
    assert_eq!(done.map(|r| r.state), Some(RefundState::Success));
    assert_eq!(
        store.order_by_no(&no).await.unwrap().unwrap().refunded,
        Fen::new(200)
    );
    assert_eq!(
        store
            .settle_refund("RF-none", RefundEvent::Succeeded, None, t0())
            .await
            .unwrap(),
        None
    );
}
