//! Pages of orders: their lines from the order row, the migration that
//! filled it for orders placed before, and the role check made by the
//! page's own statement.

use crate::support::{Seeded, placed, t0, user};
use letao_db::testing::{Fixture, TestDatabase};
use letao_db::{Actor, Backend, Db, OrderFilter, PageStart, Rendered, RoleGuard, each_backend};
use letao_domain::order::TradeState;
use letao_domain::{Permission, Role};

/// A database as the release before `payorder.items` left it, with the
/// demo catalogue.
pub struct BeforeItems {
    database: TestDatabase,
    db: Db,
}

impl Fixture for BeforeItems {
    async fn fixture(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        database.migrate_before("_order_items");
        let db = database.pool();
        assert!(db.seed_demo_data().await.unwrap());
        BeforeItems { database, db }
    }
}

fn only(no: &str) -> OrderFilter {
    OrderFilter {
        out_trade_no: Some(no.to_owned()),
        ..OrderFilter::default()
    }
}

each_backend! {
    #[tokio::test]

    async fn orders_placed_before_the_items_column_list_the_lines_they_had(b: BeforeItems) {
        let order = |no: &str| format!(
            "INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, \
             spbill_create_ip, trade_type, trade_state, total_fen) VALUES \
             ('wx0000000000000000', '1900000000', 'n', 'shoes', '{no}', '79800', '127.0.0.1', \
             'NATIVE', 'NOTPAY', 79800);"
        );
        let line = |no: &str, product: i32, name: &str, unit: i64, quantity: i32| format!(
            "INSERT INTO order_item (order_id, product_id, name, unit_fen, quantity) \
             SELECT id, {product}, '{name}', {unit}, {quantity} FROM payorder WHERE out_trade_no = '{no}';"
        );
        b.database.execute_sql(&[
            order("LT-OLD1"),
            line("LT-OLD1", 9, r#"跑鞋 "9" 42"#, 19_900, 1),
            line("LT-OLD1", 5, "second", 29_950, 2),
            order("LT-OLD2"),
        ].concat());
        assert_eq!(b.db.migrate().await.unwrap(), ["20260401000001", "20260501000001"], "the items migration and the one after were left");
        let listed = b.db.orders_page(&only("LT-OLD1"), None, PageStart::Offset(0), 10).await.unwrap();
        let got: Vec<(i32, &str, i64, i32)> = listed[0]
            .lines
            .iter()
            .map(|l| (l.product_id, l.name.as_str(), l.unit.get(), l.quantity))
            .collect();
        assert_eq!(got, [(9, r#"跑鞋 "9" 42"#, 19_900, 1), (5, "second", 29_950, 2)], "in the order placed");
        assert_eq!(listed[0].lines, b.db.order_lines(&[listed[0].order.id]).await.unwrap(), "as order_item has them");
        let bare = b.db.orders_page(&only("LT-OLD2"), None, PageStart::Offset(0), 10).await.unwrap();
        assert!(bare[0].lines.is_empty(), "an order without lines lists none");
        // Placed after the migration by an instance of the release before
        // it (no `items`): its lines come from `order_item`.
        b.database.execute_sql(&[order("LT-OLD3"), line("LT-OLD3", 6, "late", 45_900, 1)].concat());
        let page = b.db.orders_page(&OrderFilter::default(), None, PageStart::Offset(0), 10).await.unwrap();
        let lines: Vec<(&str, usize)> = page.iter().map(|o| (o.order.out_trade_no.as_str(), o.lines.len())).collect();
        assert_eq!(lines, [("LT-OLD3", 1), ("LT-OLD2", 0), ("LT-OLD1", 2)]);
        assert_eq!(page[0].lines[0].name, "late");
    }

    async fn renderings_are_read_back_only_at_the_revision_they_were_made_from(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000007").await;
        let boss = user(&m.db, "boss", "13900000008").await;
        assert!(m.db.set_role("boss", Some(Role::Staff), &Actor::CLI, t0()).await.unwrap());
        let order = placed(&m.db, buyer, "LT-R1", &[(6, 1)]).await;
        let rendered = async || {
            let guard = RoleGuard { user_id: boss, permission: Permission::ReadOrders };
            let page = m.db.order_listings(&OrderFilter::default(), Some(&guard), PageStart::Offset(0), 10).await.unwrap();
            assert_eq!(page.len(), 1);
            assert_eq!((page[0].id, page[0].user_id), (order.id, Some(buyer)));
            page[0].rendered.clone()
        };
        assert_eq!(rendered().await, None, "never rendered");
        let rev = m.db.orders_page(&only("LT-R1"), None, PageStart::Offset(0), 1).await.unwrap()[0].rev;
        let keep = |rev: i32, text: &str| [Rendered { id: order.id, rev, text: text.to_owned() }];
        m.db.keep_listings(&keep(rev, "first")).await.unwrap();
        assert_eq!(rendered().await.as_deref(), Some("first"));
        // A change makes a new revision: the rendering is stale, and one
        // made from the order as it was is not kept.
        assert!(m.db.close_order(order.id, TradeState::NotPay, "test", t0()).await.unwrap());
        assert_eq!(rendered().await, None);
        m.db.keep_listings(&keep(rev, "late")).await.unwrap();
        assert_eq!(rendered().await, None, "made before the change");
        let now = m.db.orders_page(&only("LT-R1"), None, PageStart::Offset(0), 1).await.unwrap()[0].rev;
        assert_ne!(now, rev);
        m.db.keep_listings(&keep(now, "second")).await.unwrap();
        assert_eq!(rendered().await.as_deref(), Some("second"));
        // The role is checked by the same statement.
        let guard = RoleGuard { user_id: buyer, permission: Permission::ReadOrders };
        assert!(m.db.order_listings(&OrderFilter::default(), Some(&guard), PageStart::Offset(0), 10).await.unwrap().is_empty());
    }

    async fn new_orders_list_the_same_lines_as_order_item(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000007").await;
        let order = placed(&m.db, buyer, "LT-L1", &[(6, 1), (5, 2)]).await;
        let listed = m.db.orders_page(&only("LT-L1"), None, PageStart::Offset(0), 10).await.unwrap();
        assert_eq!(listed[0].lines.len(), 2);
        assert_eq!(listed[0].lines, m.db.order_lines(&[order.id]).await.unwrap());
    }

    async fn a_guarded_page_shows_rows_only_while_the_role_allows(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000007").await;
        let boss = user(&m.db, "boss", "13900000008").await;
        placed(&m.db, buyer, "LT-G1", &[(9, 1)]).await;
        let rows = async |user_id: i32, permission: Permission| {
            let guard = RoleGuard { user_id, permission };
            m.db.orders_page(&OrderFilter::default(), Some(&guard), PageStart::Offset(0), 10).await.unwrap().len()
        };
        let set = async |role: Option<Role>| assert!(m.db.set_role("boss", role, &Actor::CLI, t0()).await.unwrap());
        assert_eq!(rows(buyer, Permission::ReadOrders).await, 0, "a shopper sees nothing");
        assert_eq!(rows(boss, Permission::ReadOrders).await, 0);
        set(Some(Role::Staff)).await;
        assert_eq!(rows(boss, Permission::ReadOrders).await, 1);
        assert_eq!(rows(boss, Permission::Refund).await, 0, "staff may not refund");
        set(Some(Role::Admin)).await;
        assert_eq!(rows(boss, Permission::Refund).await, 1);
        set(None).await;
        assert_eq!(rows(boss, Permission::ReadOrders).await, 0, "revoked at once");
        assert_eq!(rows(i32::MAX, Permission::ReadOrders).await, 0, "no such user");
    }
}
