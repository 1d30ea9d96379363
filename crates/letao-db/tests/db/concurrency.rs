//! Many writers on one row: conditional updates plus the contention retry
//! leave exactly one consistent outcome.

use crate::support::{Seeded, place, sku40, stock, user};
use letao_db::each_backend;
use letao_domain::Fen;
use letao_domain::order::{EventKind, PaymentSource};
use letao_shop::store::{Created, Payment, Recorded};

each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]

    async fn twenty_concurrent_orders_never_oversell(m: Seeded) {
        let buyer = user(&m.db, "crowd", "13900000011").await;
        m.database.execute_sql("UPDATE sku SET stock = 5 WHERE product_id = 10 AND size = '40'");
        let tasks: Vec<_> = (0..20)
            .map(|n| {
                let db = m.db.clone();
                tokio::spawn(async move { place(&db, buyer, &format!("LT-C{n}"), &[(10, 1), (11, 1)]).await })
            })
            .collect();
        let mut placed = 0;
        for t in tasks {
            match t.await.unwrap() {
                Created::Order(..) => placed += 1,
                Created::OutOfStock(id) => assert!(id.get() == sku40(&m, 10) || id.get() == sku40(&m, 11)),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(placed, 5);
        assert_eq!(stock(&m, 10), 0);
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM payorder"), 5);
        assert_eq!(m.database.scalar_i64("SELECT COUNT(*) FROM order_item WHERE product_id = 11"), 5);
    }

    async fn twenty_concurrent_payments_of_one_order_record_one(m: Seeded) {
        let buyer = user(&m.db, "payer", "13900000012").await;
        let Created::Order(order, _) = place(&m.db, buyer, "LT-DUP", &[(12, 1)]).await else {
            panic!("not placed");
        };
        let total = order.total.get();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let db = m.db.clone();
                tokio::spawn(async move {
                    let p = Payment {
                        out_trade_no: "LT-DUP",
                        transaction_id: "tx-dup",
                        total: Fen::new(total),
                        bank_type: None,
                        time_end: None,
                        cash: None,
                        openid: None,
                        source: PaymentSource::Notification,
                    };
                    db.record_payment(&p, crate::support::t0()).await.unwrap()
                })
            })
            .collect();
        let mut paid = 0;
        for t in tasks {
            match t.await.unwrap() {
                Recorded::Paid => paid += 1,
                Recorded::AlreadyPaid => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(paid, 1);
        assert_eq!(m.db.order_events(order.id, EventKind::Paid).await.unwrap(), 1);
    }
}

each_backend! {
    #[tokio::test]

    async fn queries_cancelled_half_way_leave_the_pool_usable(m: Seeded) {
        // On a single-threaded runtime, as actix's workers are: a dropped
        // query must neither panic nor hand a half-used connection back.
        for n in 0..50u64 {
            let cut = std::time::Duration::from_micros(n * 37 % 400);
            let _ = tokio::time::timeout(cut, m.db.products(None, letao_shop::store::PageStart::Offset(0), 100)).await;
            let _ = tokio::time::timeout(cut, place(&m.db, 1, &format!("LT-X{n}"), &[(13, 1)])).await;
        }
        let all = m.db.products(None, letao_shop::store::PageStart::Offset(0), 100).await.unwrap();
        assert_eq!(all.len(), 21);
        // Whatever got through is whole: every order has its line and event.
        // Each check is one statement, so it reads one snapshot: on SQLite a
        // cancelled COMMIT still runs to its end on its blocking thread and
        // may land between two separate reads.
        let orders = "(SELECT COUNT(*) FROM payorder)";
        let missing_lines = format!("SELECT {orders} - (SELECT COUNT(*) FROM order_item)");
        assert_eq!(m.database.scalar_i64(&missing_lines), 0);
        let missing_events = format!("SELECT {orders} - (SELECT COUNT(*) FROM order_event)");
        assert_eq!(m.database.scalar_i64(&missing_events), 0);
        let taken = format!("SELECT stock + {orders} FROM sku WHERE product_id = 13 AND size = '40'");
        assert_eq!(m.database.scalar_i64(&taken), 70, "stock taken exactly by the orders that exist");
    }
}
