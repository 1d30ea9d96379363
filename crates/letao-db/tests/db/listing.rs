//! Pages of orders: their lines from the order row, and the migration that
//! filled it for orders placed before.

use crate::support::{Seeded, placed, user};
use letao_db::testing::{Fixture, TestDatabase};
use letao_db::{Backend, Db, each_backend};
use letao_shop::store::{OrderFilter, PageStart};

/// A database as the release before `payorder.items` left it.
pub struct BeforeItems {
    database: TestDatabase,
    db: Db,
}

impl Fixture for BeforeItems {
    async fn fixture(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        database.migrate_before("_order_items");
        // No demo catalogue: it is seeded by this release's code, which
        // writes tables that release had not.
        let db = database.pool();
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
        assert_eq!(b.db.migrate().await.unwrap(), ["20260401000001", "20260501000001", "20260601000001", "20260701000001", "20260715000001"], "the items migration and those after were left");
        let listed = b.db.orders_page(&only("LT-OLD1"), PageStart::Offset(0), 10).await.unwrap();
        let got: Vec<(i32, &str, i64, i32)> = listed[0]
            .lines
            .iter()
            .map(|l| (l.product_id, l.name.as_str(), l.unit.get(), l.quantity))
            .collect();
        assert_eq!(got, [(9, r#"跑鞋 "9" 42"#, 19_900, 1), (5, "second", 29_950, 2)], "in the order placed");
        assert_eq!(listed[0].lines, b.db.order_lines(&[listed[0].order.id]).await.unwrap(), "as order_item has them");
        let bare = b.db.orders_page(&only("LT-OLD2"), PageStart::Offset(0), 10).await.unwrap();
        assert!(bare[0].lines.is_empty(), "an order without lines lists none");
        // Placed after the migration by an instance of the release before
        // it (no `items`): its lines come from `order_item`.
        b.database.execute_sql(&[order("LT-OLD3"), line("LT-OLD3", 6, "late", 45_900, 1)].concat());
        let page = b.db.orders_page(&OrderFilter::default(), PageStart::Offset(0), 10).await.unwrap();
        let lines: Vec<(&str, usize)> = page.iter().map(|o| (o.order.out_trade_no.as_str(), o.lines.len())).collect();
        assert_eq!(lines, [("LT-OLD3", 1), ("LT-OLD2", 0), ("LT-OLD1", 2)]);
        assert_eq!(page[0].lines[0].name, "late");
    }

    async fn new_orders_list_the_same_lines_as_order_item(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000007").await;
        let order = placed(&m.db, buyer, "LT-L1", &[(6, 1), (5, 2)]).await;
        let listed = m.db.orders_page(&only("LT-L1"), PageStart::Offset(0), 10).await.unwrap();
        assert_eq!(listed[0].lines.len(), 2);
        // The image is kept with the order row only.
        let images: Vec<Option<&str>> = listed[0].lines.iter().map(|l| l.img.as_deref()).collect();
        assert_eq!(images, [Some("/images/product6.svg"), Some("/images/product5.svg")]);
        let mut lines = listed[0].lines.clone();
        lines.iter_mut().for_each(|l| l.img = None);
        assert_eq!(lines, m.db.order_lines(&[order.id]).await.unwrap());
        let sizes: Vec<(Option<&str>, Option<&str>)> = lines.iter().map(|l| (l.size.as_deref(), l.code.as_deref())).collect();
        assert_eq!(sizes, [(Some("40"), Some("P6-40")), (Some("40"), Some("P5-40"))], "as placed");
    }
}
