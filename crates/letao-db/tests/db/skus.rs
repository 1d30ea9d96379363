//! Stock per size: the upgrade that makes today's products pooled SKUs,
//! orders of one size, the owner's SKUs and deltas racing orders, and the
//! end of a pool (docs/stock.md).

use crate::support::{Seeded, at, t0, user};
use futures_util::future::join_all;
use letao_db::testing::{Fixture, TestDatabase};
use letao_db::{Backend, Db, each_backend};
use letao_domain::order::{OrderItems, RawLine, TradeState};
use letao_domain::{AuditAction, Fen};
use letao_shop::store::{
    Actor, AdminProduct, AuditNote, Created, Edit, NewOrder, NewProduct, SkuInput,
};

const OWNER: Actor = Actor {
    id: Some(7),
    name: None,
};

fn note(action: AuditAction) -> AuditNote<'static, AdminProduct> {
    AuditNote {
        actor: &OWNER,
        action,
        detail: &|_, _| "{}".to_owned(),
    }
}

/// Places one line of `quantity` of `product` in `size`, numbered `no`.
async fn order(db: &Db, buyer: i32, no: &str, product: i64, size: &str, quantity: i64) -> Created {
    let line = RawLine {
        product_id: product,
        size: Some(size),
        quantity,
        ..RawLine::default()
    };
    let items = OrderItems::from_raw(&[line]).unwrap();
    let new = NewOrder {
        out_trade_no: no,
        nonce_str: "n",
        appid: "wx-test",
        mch_id: "1900000001",
        user_id: buyer,
        client_ip: "127.0.0.1",
        items: &items,
        expires_at: at(7200),
        address: None,
        from_cart: false,
        trade_type: "NATIVE",
    };
    db.create_order(&new, t0()).await.unwrap()
}

/// A pooled product of brand 1 in `sizes` sharing `stock`; its id.
async fn pooled(db: &Db, sizes: &[&str], stock: i32) -> i32 {
    let sizes: Vec<String> = sizes.iter().map(|s| (*s).to_owned()).collect();
    let new = NewProduct {
        brand_id: 1,
        name: "池",
        img: "/images/product1.svg",
        price: Fen::new(100),
        old_price: Fen::new(100),
        sizes: &sizes,
        stock,
        skus: None,
        featured: false,
        sort: 0,
        keywords: &[],
    };
    match db
        .create_product(&new, &note(AuditAction::ProductCreate), t0())
        .await
        .unwrap()
    {
        Edit::Done(p) => p.product.id.get(),
        other => panic!("{other:?}"),
    }
}

async fn product(db: &Db, id: i32) -> AdminProduct {
    db.admin_product(id).await.unwrap().unwrap()
}

/// `(size, stock, active)` of each SKU of a product, in the owner's order.
async fn grid(db: &Db, id: i32) -> Vec<(String, i32, bool)> {
    product(db, id)
        .await
        .product
        .skus
        .iter()
        .map(|s| (s.size.clone(), s.stock, s.active))
        .collect()
}

fn sku(id: Option<i32>, size: &str, stock: i32) -> SkuInput {
    SkuInput {
        id,
        size: size.to_owned(),
        colour: None,
        code: None,
        price: None,
        stock,
        active: true,
    }
}

async fn set(db: &Db, id: i32, skus: &[SkuInput]) -> Edit<AdminProduct> {
    db.set_skus(id, skus, &note(AuditAction::ProductSkus), t0())
        .await
        .unwrap()
}

async fn delta(db: &Db, sku: i32, d: i32) -> Edit<AdminProduct> {
    db.adjust_stock(sku, d, 1_000_000, &note(AuditAction::SkuStock), t0())
        .await
        .unwrap()
}

fn sku_id(p: &AdminProduct, size: &str) -> i32 {
    p.product
        .skus
        .iter()
        .find(|s| s.size == size)
        .unwrap()
        .id
        .get()
}

/// A database as the release before SKUs left it, with a shop's products
/// and an unpaid order of the old kind.
pub struct BeforeSkus {
    db: Db,
    _database: TestDatabase,
}

impl Fixture for BeforeSkus {
    async fn fixture(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        database.migrate_before("_skus");
        database.execute_sql(
            "INSERT INTO brand (id, hot) VALUES (1, 0);\
             INSERT INTO product (id, brand_id, name, img, price_fen, old_price_fen, sizes, stock) VALUES \
               (1, 1, 'listed', '/images/product1.svg', 100, 100, '39, 40,40,41.5', 7),\
               (2, 1, 'one size', '/images/product1.svg', 200, 200, '', 3);\
             INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, \
               trade_type, trade_state, total_fen, items) VALUES ('wx', '1900000001', 'n', 'b', 'LT-OLD', '200', \
               '127.0.0.1', 'NATIVE', 'NOTPAY', 200, '[{\"product_id\":1,\"name\":\"listed\",\"unit_fen\":100,\"quantity\":2}]');\
             INSERT INTO order_item (order_id, product_id, name, unit_fen, quantity) \
               SELECT id, 1, 'listed', 100, 2 FROM payorder WHERE out_trade_no = 'LT-OLD';",
        );
        let db = database.pool();
        BeforeSkus {
            db,
            _database: database,
        }
    }
}

each_backend! {
    #[tokio::test]

    async fn the_upgrade_makes_listed_sizes_pooled_skus_inventing_no_stock(b: BeforeSkus) {
        // Later migrations follow; the SKU one comes first.
        let applied = b.db.migrate().await.unwrap();
        assert_eq!(applied.first().map(String::as_str), Some("20260701000001"), "{applied:?}");
        // Products from before search are indexed at the first start.
        assert_eq!(b.db.rebuild_search_index(false).await.unwrap(), Some(2));
        assert_eq!(b.db.rebuild_search_index(false).await.unwrap(), None, "once");
        let found = b.db.search_matches(&["listed".to_owned()], &Default::default(), 10).await.unwrap();
        assert_eq!(found.iter().map(|m| (m.product_id, m.weights.clone())).collect::<Vec<_>>(), [(1, vec![3])]);
        let listed = product(&b.db, 1).await;
        assert!(listed.pooled);
        let skus: Vec<(&str, &str, i32)> = listed.product.skus.iter().map(|s| (s.size.as_str(), s.code.as_str(), s.stock)).collect();
        assert_eq!(skus, [("39", "P1-39", 7), ("40", "P1-40", 7), ("41.5", "P1-41.5", 7)], "each size shows the pool");
        assert_eq!((listed.product.sizes.clone(), listed.product.stock), (vec!["39".to_owned(), "40".to_owned(), "41.5".to_owned()], 7));
        let one = product(&b.db, 2).await;
        assert_eq!((one.product.skus.len(), one.product.skus[0].size.as_str(), one.product.stock), (1, "均码", 3));
        // Of the pool of 7, at most 7 pairs sell in all sizes.
        let buyer = user(&b.db, "buyer", "13900000301").await;
        assert!(matches!(order(&b.db, buyer, "LT-S1", 1, "40", 4).await, Created::Order(..)));
        assert!(matches!(order(&b.db, buyer, "LT-S2", 1, "41.5", 3).await, Created::Order(..)));
        assert!(matches!(order(&b.db, buyer, "LT-S3", 1, "39", 1).await, Created::OutOfStock(_)));
        assert_eq!(product(&b.db, 1).await.product.sizes, Vec::<String>::new(), "sold out in every size");
        // The old order's pairs go back to the pool.
        let old = b.db.order_by_no("LT-OLD").await.unwrap().unwrap();
        assert!(b.db.close_order(old.id, TradeState::NotPay, "expired", t0()).await.unwrap());
        assert_eq!(product(&b.db, 1).await.product.stock, 2);
        assert!(matches!(order(&b.db, buyer, "LT-S4", 2, "均码", 3).await, Created::Order(..)));
    }
}

each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]

    async fn a_hundred_orders_for_ten_of_one_size_place_ten_and_leave_the_others(m: Seeded) {
        let buyer = user(&m.db, "crowd", "13900000302").await;
        m.database.execute_sql("UPDATE sku SET stock = 10 WHERE product_id = 5 AND size = '42'");
        let before = grid(&m.db, 5).await;
        let outcomes = join_all((0..100).map(|n| {
            let db = m.db.clone();
            async move { order(&db, buyer, &format!("LT-H{n}"), 5, "42", 1).await }
        }))
        .await;
        let placed = outcomes.iter().filter(|c| matches!(c, Created::Order(..))).count();
        assert_eq!(placed, 10);
        let size42 = sku_id(&product(&m.db, 5).await, "42");
        assert!(outcomes.iter().all(|c| matches!(c, Created::Order(..)) || matches!(c, Created::OutOfStock(id) if id.get() == size42)));
        let after = grid(&m.db, 5).await;
        for (b, a) in before.iter().zip(&after) {
            let expected = if b.0 == "42" { 0 } else { b.1 };
            assert_eq!(a.1, expected, "size {}", a.0);
        }
    }

    async fn the_owners_skus_keep_reservations_and_retire_what_orders_name(m: Seeded) {
        let id = pooled(&m.db, &["40", "41"], 10).await;
        let buyer = user(&m.db, "buyer", "13900000303").await;
        assert!(matches!(order(&m.db, buyer, "LT-P1", i64::from(id), "41", 2).await, Created::Order(..)));
        // The first per-size stock ends the pool: each size as told.
        let p = product(&m.db, id).await;
        let (s40, s41) = (sku_id(&p, "40"), sku_id(&p, "41"));
        let Edit::Done(p) = set(&m.db, id, &[sku(Some(s40), "40", 5), sku(None, "41", 1), sku(None, "42", 4)]).await else { panic!() };
        assert!(!p.pooled);
        assert_eq!(grid(&m.db, id).await, [("40".into(), 5, true), ("41".into(), 1, true), ("42".into(), 4, true)]);
        assert_eq!(sku_id(&p, "41"), s41, "matched by size, id kept");
        // A pair placed from the pool goes back to its size once the pool ended.
        let placed = m.db.order_by_no("LT-P1").await.unwrap().unwrap();
        assert!(m.db.close_order(placed.id, TradeState::NotPay, "expired", t0()).await.unwrap());
        assert_eq!(grid(&m.db, id).await[1].1, 3);
        // Not pooled: the stock given for an existing SKU is not applied;
        // an order since the owner looked is never overwritten.
        assert!(matches!(order(&m.db, buyer, "LT-P2", i64::from(id), "40", 1).await, Created::Order(..)));
        let Edit::Done(_) = set(&m.db, id, &[sku(Some(s40), "40", 5), sku(None, "42", 99)]).await else { panic!() };
        assert_eq!(grid(&m.db, id).await, [("40".into(), 4, true), ("42".into(), 4, true), ("41".into(), 3, false)],
            "41 is named by an order: kept, inactive, last");
        // 42 was never ordered: it goes when left out.
        let Edit::Done(_) = set(&m.db, id, &[sku(Some(s40), "40", 0)]).await else { panic!() };
        let left: Vec<String> = grid(&m.db, id).await.into_iter().map(|g| g.0).collect();
        assert_eq!(left, ["40", "41"]);
        assert!(matches!(order(&m.db, buyer, "LT-P3", i64::from(id), "41", 1).await, Created::BadLine(_)), "inactive");
        // Refusals: another product's SKU, a code another SKU has.
        assert_eq!(set(&m.db, id, &[sku(Some(sku_id(&product(&m.db, 1).await, "40")), "40", 0)]).await, Edit::UnknownSku(0));
        let mut taken = sku(None, "45", 1);
        taken.code = Some("P1-40".into());
        assert_eq!(set(&m.db, id, &[taken]).await, Edit::CodeTaken("P1-40".into()));
        assert_eq!(set(&m.db, 99_999, &[sku(None, "40", 0)]).await, Edit::Missing);
    }

    async fn a_delta_on_a_pooled_size_ends_the_pool_and_races_lose_nothing(m: Seeded) {
        let id = pooled(&m.db, &["40", "41"], 10).await;
        let p = product(&m.db, id).await;
        let (s40, s41) = (sku_id(&p, "40"), sku_id(&p, "41"));
        assert_eq!(delta(&m.db, s41, -1).await, Edit::Stock(0), "the pool ends first: nothing to remove");
        assert!(product(&m.db, id).await.pooled, "refused: the pool stays");
        let buyer = user(&m.db, "race", "13900000304").await;
        // 20 orders of size 40 race the owner's +6 on size 41 (which ends the pool).
        let orders = join_all((0..20).map(|n| {
            let db = m.db.clone();
            async move { order(&db, buyer, &format!("LT-R{n}"), i64::from(id), "40", 1).await }
        }));
        let (orders, ended) = futures_util::future::join(orders, delta(&m.db, s41, 6)).await;
        assert!(matches!(ended, Edit::Done(ref p) if !p.pooled), "{ended:?}");
        let placed = orders.iter().filter(|c| matches!(c, Created::Order(..))).count();
        assert!(orders.iter().all(|c| matches!(c, Created::Order(..)) || matches!(c, Created::OutOfStock(s) if s.get() == s40)));
        // Every order was placed from the pool before it ended (size 40 has
        // no stock of its own after): never more than the pool held.
        assert!(placed <= 10, "{placed}");
        assert_eq!(grid(&m.db, id).await, [("40".into(), 0, true), ("41".into(), 6, true)]);
        // Concurrent deltas and orders on one size: the arithmetic result.
        let buys = join_all((0..15).map(|n| {
            let db = m.db.clone();
            async move { order(&db, buyer, &format!("LT-Q{n}"), i64::from(id), "41", 1).await }
        }));
        let adds = join_all((0..30).map(|n| delta(&m.db, s41, if n % 2 == 0 { 2 } else { -1 })));
        let (buys, adds) = futures_util::future::join(buys, adds).await;
        let bought = buys.iter().filter(|c| matches!(c, Created::Order(..))).count();
        let added: i32 = adds.iter().zip(0..).filter(|(e, _)| matches!(e, Edit::Done(_))).map(|(_, n)| if n % 2 == 0 { 2 } else { -1 }).sum();
        assert_eq!(i64::from(grid(&m.db, id).await[1].1), 6 + i64::from(added) - bought as i64);
        // The low-stock list: size 40 of this product is out.
        let low = m.db.low_stock(0, 0, 100).await.unwrap();
        assert!(low.iter().any(|l| l.sku.id.get() == s40 && l.sku.stock == 0 && l.name == "池"));
        assert!(low.iter().all(|l| l.sku.stock == 0));
    }
}
