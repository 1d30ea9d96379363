//! Orders: creation, payment, closing, expiry claims and refunds.

use crate::support::{Seeded, at, place, placed, sku40, stock, t0, user};
use letao_db::each_backend;
use letao_domain::AuditAction;
use letao_domain::order::{
    EventKind, Fulfilment, PaymentSource, PricingError, RefundEvent, RefundState, TradeState,
};
use letao_domain::{Fen, Id};
use letao_shop::store::{Actor, AuditEntry, Created, OrderFilter, PageStart, Payment, Recorded};

fn payment<'a>(no: &'a str, tx: &'a str, total: i64) -> Payment<'a> {
    Payment {
        out_trade_no: no,
        transaction_id: tx,
        total: Fen::new(total),
        bank_type: Some("CFT"),
        time_end: Some("20300101120000"),
        cash: Some(Fen::new(total)),
        openid: Some("o-payer"),
        source: PaymentSource::Notification,
    }
}

/// An admin's audit entry for refunds.
pub struct RefundAudit(Actor);

pub fn refund_audit() -> RefundAudit {
    RefundAudit(Actor {
        id: Some(1),
        name: Some("boss".into()),
    })
}

impl RefundAudit {
    pub fn entry(&self) -> AuditEntry<'_> {
        AuditEntry {
            actor: &self.0,
            action: AuditAction::OrderRefund,
            target: "order".into(),
            detail: "{}".into(),
        }
    }
}

each_backend! {
    #[tokio::test]

    async fn an_order_is_priced_stocked_and_recorded_in_one_transaction(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000001").await;
        let (s5, s6) = (stock(&m, 5), stock(&m, 6));
        let order = placed(&m.db, buyer, "LT-A", &[(6, 1), (5, 2)]).await;
        assert_eq!(order.total, Fen::new(45_900 + 2 * 39_900));
        assert_eq!(order.trade_state, TradeState::NotPay);
        assert_eq!(order.user_id, Some(buyer));
        assert_eq!((stock(&m, 5), stock(&m, 6)), (s5 - 2, s6 - 1));
        let lines = m.db.order_lines(&[order.id]).await.unwrap();
        let got: Vec<(i32, i64, i32)> = lines.iter().map(|l| (l.product_id, l.unit.get(), l.quantity)).collect();
        assert_eq!(got, [(6, 45_900, 1), (5, 39_900, 2)], "in the buyer's order, priced now");
        assert_eq!(m.db.order_events(order.id, EventKind::Created).await.unwrap(), 1);
        assert_eq!(m.db.order_by_no("LT-A").await.unwrap(), Some(order));
        m.db.set_prepay(m.db.order_by_no("LT-A").await.unwrap().unwrap().id, Some("wx-prepay"), "weixin://x").await.unwrap();
        let stored = "SELECT COUNT(*) FROM payorder WHERE out_trade_no = 'LT-A' AND prepay_id = 'wx-prepay' AND code_url = 'weixin://x'";
        assert_eq!(m.database.scalar_i64(stored), 1);
    }

    async fn a_refused_order_changes_nothing(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000002").await;
        let before = (stock(&m, 5), stock(&m, 6));
        assert_eq!(place(&m.db, buyer, "LT-B", &[(6, 1), (999, 1)]).await, Created::UnknownProduct(Id::from_db(999)));
        m.database.execute_sql("UPDATE sku SET stock = 1 WHERE product_id = 6 AND size = '40'");
        // Product 5's decrement comes first and is rolled back with the rest.
        assert_eq!(place(&m.db, buyer, "LT-C", &[(6, 2), (5, 1)]).await, Created::OutOfStock(Id::from_db(sku40(&m, 6))));
        assert_eq!(stock(&m, 5), before.0);
        assert_eq!(stock(&m, 6), 1);
        m.database.execute_sql("UPDATE product SET price_fen = 9223372036854775000 WHERE id = 7");
        assert_eq!(place(&m.db, buyer, "LT-D", &[(7, 2)]).await, Created::Unpriceable(PricingError::TooLarge));
        m.database.execute_sql("UPDATE product SET price_fen = 0 WHERE id = 8");
        assert_eq!(place(&m.db, buyer, "LT-E", &[(8, 1)]).await, Created::Unpriceable(PricingError::NoPrice(Id::from_db(8))));
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM payorder"), 0);
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM order_event"), 0);
    }

    async fn a_payment_is_recorded_once_and_names_its_source(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000003").await;
        let order = placed(&m.db, buyer, "LT-P", &[(1, 1)]).await;
        assert_eq!(m.db.record_payment(&payment("LT-P", "tx1", 99), at(1)).await.unwrap(), Recorded::AmountMismatch);
        assert_eq!(m.db.record_payment(&payment("LT-X", "tx1", 100), at(1)).await.unwrap(), Recorded::UnknownOrder);
        assert_eq!(m.db.record_payment(&payment("LT-P", "tx1", 100), at(2)).await.unwrap(), Recorded::Paid);
        assert_eq!(m.db.record_payment(&payment("LT-P", "tx1", 100), at(3)).await.unwrap(), Recorded::AlreadyPaid);
        assert_eq!(m.db.record_payment(&payment("LT-P", "tx2", 100), at(3)).await.unwrap(), Recorded::OtherTransaction);
        let paid = m.db.order_by_no("LT-P").await.unwrap().unwrap();
        assert_eq!(paid.trade_state, TradeState::Success);
        assert_eq!(paid.transaction_id.as_deref(), Some("tx1"));
        assert_eq!(paid.paid_at, Some(at(2)));
        assert_eq!(m.db.order_event_details(order.id, EventKind::Paid).await.unwrap(), ["notify tx1"]);
        assert!(!m.db.close_order(order.id, TradeState::NotPay, "late", at(4)).await.unwrap(), "a paid order is not closed");
    }

    async fn closing_releases_stock_once_and_a_late_payment_is_kept(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000004").await;
        let before = stock(&m, 6);
        let order = placed(&m.db, buyer, "LT-L", &[(6, 3)]).await;
        assert!(m.db.close_order(order.id, TradeState::NotPay, "closed by the buyer", at(1)).await.unwrap());
        assert!(!m.db.close_order(order.id, TradeState::NotPay, "again", at(2)).await.unwrap());
        assert_eq!(stock(&m, 6), before, "released once");
        let late = Payment { source: PaymentSource::Query, ..payment("LT-L", "tx-late", 3 * 45_900) };
        assert_eq!(m.db.record_payment(&late, at(3)).await.unwrap(), Recorded::PaidAfterClose);
        let kept = m.db.order_by_no("LT-L").await.unwrap().unwrap();
        assert_eq!(kept.trade_state, TradeState::Closed);
        assert!(kept.refund_pending);
        assert_eq!(m.db.order_event_details(order.id, EventKind::PaidAfterClose).await.unwrap(), ["query tx-late"]);
        assert_eq!(stock(&m, 6), before, "a late payment takes no stock");
    }

    async fn expired_orders_are_claimed_by_one_caller(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000005").await;
        let order = placed(&m.db, buyer, "LT-E1", &[(2, 1)]).await;
        placed(&m.db, buyer, "LT-E2", &[(3, 1)]).await;
        assert!(m.db.claim_expired(at(7199), t0(), 10).await.unwrap().is_empty(), "not due yet");
        let due = at(7201);
        let first = m.db.claim_expired(due, t0(), 1).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].trade_state, TradeState::Closing);
        let second = m.db.claim_expired(due, t0(), 10).await.unwrap();
        assert_eq!(second.len(), 1, "the other one only");
        assert!(m.db.claim_expired(due, t0(), 10).await.unwrap().is_empty());
        // An abandoned claim is retaken after the stale time.
        assert_eq!(m.db.claim_expired(at(8000), at(7300), 10).await.unwrap().len(), 2);
        m.db.unclaim(order.id).await.unwrap();
        assert_eq!(m.db.order_by_no("LT-E1").await.unwrap().unwrap().trade_state, TradeState::NotPay);
        let closing = m.db.order_by_no("LT-E2").await.unwrap().unwrap();
        assert!(m.db.close_order(closing.id, TradeState::Closing, "expired", at(8001)).await.unwrap());
    }

    async fn refunds_never_exceed_the_payment_and_settle_once(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000006").await;
        let order = placed(&m.db, buyer, "LT-R", &[(5, 1)]).await;
        let audit = refund_audit();
        let audit = audit.entry();
        assert!(!m.db.reserve_refund(order.id, "RF0", Fen::new(1), "unpaid", &audit, at(1)).await.unwrap());
        m.db.record_payment(&payment("LT-R", "tx-r", 39_900), at(1)).await.unwrap();
        assert!(m.db.reserve_refund(order.id, "RF1", Fen::new(30_000), "size", &audit, at(2)).await.unwrap());
        assert!(!m.db.reserve_refund(order.id, "RF2", Fen::new(10_000), "too much", &audit, at(3)).await.unwrap());
        assert!(m.db.reserve_refund(order.id, "RF2", Fen::new(9_900), "rest", &audit, at(3)).await.unwrap());
        assert_eq!(m.db.audit_count().await.unwrap(), 2, "one audit entry per refund reserved");
        let accepted = m.db.settle_refund("RF1", RefundEvent::Accepted, Some("wx-r1"), at(4)).await.unwrap().unwrap();
        assert_eq!(accepted.state, RefundState::Processing);
        assert_eq!(m.db.order_by_no("LT-R").await.unwrap().unwrap().trade_state, TradeState::Refund);
        let refused = m.db.settle_refund("RF2", RefundEvent::Refused, None, at(5)).await.unwrap().unwrap();
        assert_eq!(refused.state, RefundState::Failed);
        assert_eq!(m.db.order_by_no("LT-R").await.unwrap().unwrap().refunded, Fen::new(30_000), "given back");
        let done = m.db.settle_refund("RF1", RefundEvent::Succeeded, None, at(6)).await.unwrap().unwrap();
        assert_eq!(done.state, RefundState::Success);
        // Repeats change nothing (a final refund stays final).
        let again = m.db.settle_refund("RF1", RefundEvent::Closed, None, at(7)).await.unwrap().unwrap();
        assert_eq!(again.state, RefundState::Success);
        assert_eq!(m.db.order_by_no("LT-R").await.unwrap().unwrap().refunded, Fen::new(30_000));
        assert_eq!(m.db.order_events(order.id, EventKind::Refund).await.unwrap(), 2);
        let refunds = m.db.refunds_of(order.id).await.unwrap();
        assert_eq!(refunds.len(), 2);
        assert_eq!(refunds[0].reason, "size");
        let history: Vec<EventKind> = m.db.events_of(order.id).await.unwrap().iter().map(|e| e.kind).collect();
        assert_eq!(history[0], EventKind::Created);
        assert!(history.contains(&EventKind::RefundRequested));
        assert!(m.db.settle_refund("RF9", RefundEvent::Succeeded, None, at(8)).await.unwrap().is_none());
    }

    async fn order_lists_filter_and_page_newest_first(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000007").await;
        let other = user(&m.db, "other", "13900000008").await;
        for n in 0..3 {
            placed(&m.db, buyer, &format!("LT-O{n}"), &[(9, 1)]).await;
        }
        placed(&m.db, other, "LT-OX", &[(9, 1)]).await;
        let mine = OrderFilter { user_id: Some(buyer), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&mine).await.unwrap(), 3);
        let page = m.db.orders_page(&mine, PageStart::Offset(0), 2).await.unwrap();
        let nos: Vec<&str> = page.iter().map(|o| o.order.out_trade_no.as_str()).collect();
        assert_eq!(nos, ["LT-O2", "LT-O1"]);
        let rest = m.db.orders_page(&mine, PageStart::After(i64::from(page[1].order.id)), 2).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest, m.db.orders_page(&mine, PageStart::Offset(2), 2).await.unwrap());
        assert_eq!(m.db.record_payment(&payment("LT-O1", "tx-o1", 59_900), at(1)).await.unwrap(), Recorded::Paid);
        let paid = OrderFilter { trade_state: Some(TradeState::Success), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&paid).await.unwrap(), 1);
        let unpaid = OrderFilter { trade_state: Some(TradeState::NotPay), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&unpaid).await.unwrap(), 3);
        let to_ship = OrderFilter { fulfilment: Some(Fulfilment::Unshipped), ..paid.clone() };
        assert_eq!(m.db.orders_page(&to_ship, PageStart::Offset(0), 10).await.unwrap()[0].order.out_trade_no, "LT-O1");
        let by_no = OrderFilter { out_trade_no: Some("LT-OX".into()), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&by_no).await.unwrap(), 1);
        let found = m.db.users_matching("13900000008").await.unwrap();
        assert_eq!(found, [other]);
        let theirs = OrderFilter { user_ids: Some(found), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&theirs).await.unwrap(), 1);
        let nobody = OrderFilter { user_ids: Some(vec![]), ..OrderFilter::default() };
        assert_eq!(m.db.count_orders(&nobody).await.unwrap(), 0);
        let listed = &m.db.orders_page(&theirs, PageStart::Offset(0), 10).await.unwrap()[0];
        assert_eq!(listed.order.out_trade_no, "LT-OX");
        let buyers = m.db.buyers(&[listed.order.user_id.unwrap(), -1]).await.unwrap();
        assert_eq!(buyers.len(), 1, "only users that exist: {buyers:?}");
        assert_eq!((buyers[0].id, buyers[0].username.as_deref(), buyers[0].mobile.as_deref()), (other, Some("other"), Some("13900000008")));
        assert_eq!(listed.lines.len(), 1);
        assert_eq!(listed.lines[0].product_id, 9);
        assert!(listed.delivery.as_ref().is_some_and(|d| !d.has_address()));
        let all = m.db.orders_page(&OrderFilter::default(), PageStart::Offset(1), 2).await.unwrap();
        let nos: Vec<&str> = all.iter().map(|o| o.order.out_trade_no.as_str()).collect();
        assert_eq!(nos, ["LT-O2", "LT-O1"]);
        assert!(all.iter().all(|o| o.lines.len() == 1 && o.lines[0].order_id == o.order.id));
    }
}
