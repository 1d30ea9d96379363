//! Fixtures shared by the modules.

use chrono::{DateTime, TimeDelta, Utc};
use letao_db::testing::{Fixture, Migrated};
use letao_db::{Backend, Db};
use letao_domain::order::{OrderItems, RawLine};
use letao_domain::verification::{CodePolicy, SmsPurpose};
use letao_shop::store::{Created, NewOrder, NewUser, OrderRecord, Registration};

/// A migrated database holding the demo catalogue.
pub struct Seeded(pub Migrated);

impl Fixture for Seeded {
    async fn fixture(backend: Backend) -> Self {
        let m = Migrated::fixture(backend).await;
        assert!(
            m.db.seed_demo_data().await.unwrap(),
            "an empty catalogue is seeded"
        );
        Seeded(m)
    }
}

impl std::ops::Deref for Seeded {
    type Target = Migrated;
    fn deref(&self) -> &Migrated {
        &self.0
    }
}

/// A fixed instant for tests.
pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_900_000_000, 0).unwrap()
}

/// `t0` plus `secs`.
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

/// Stock of a product, read by SQL.
/// The stock an order of `product` by [`items`] takes from: the pool while
/// pooled, else its SKU in size 40 (each demo size has the product's
/// listed stock), else its first SKU.
pub fn stock(m: &Migrated, product: i32) -> i64 {
    m.database.scalar_i64(&format!(
        "SELECT CASE WHEN p.sku_pool THEN p.stock ELSE COALESCE(\
           (SELECT s.stock FROM sku s WHERE s.product_id = p.id AND s.size = '40'), \
           (SELECT MIN(s.stock) FROM sku s WHERE s.product_id = p.id)) END \
         FROM product p WHERE p.id = {product}"
    ))
}

/// The id of `product`'s SKU in size 40.
pub fn sku40(m: &Migrated, product: i32) -> i32 {
    let id = m.database.scalar_i64(&format!(
        "SELECT id FROM sku WHERE product_id = {product} AND size = '40'"
    ));
    i32::try_from(id).unwrap()
}

/// Order lines of `(product, quantity)`, each naming the product's active
/// SKU in size 40 (or its first one); a product that does not exist
/// names none.
pub async fn items(db: &Db, lines: &[(i64, i64)]) -> OrderItems {
    let mut skus = Vec::with_capacity(lines.len());
    for &(product, _) in lines {
        let found = match i32::try_from(product) {
            Ok(id) => db.admin_product(id).await.unwrap(),
            Err(_) => None,
        };
        let sku = found.and_then(|p| {
            let active = || p.product.skus.iter().filter(|s| s.active);
            active()
                .find(|s| s.size == "40")
                .or_else(|| active().next())
                .map(|s| i64::from(s.id.get()))
        });
        skus.push(sku);
    }
    let raw: Vec<RawLine<'_>> = lines
        .iter()
        .zip(&skus)
        .map(|(&(product_id, quantity), sku)| RawLine {
            product_id,
            sku_id: *sku,
            quantity,
            ..RawLine::default()
        })
        .collect();
    OrderItems::from_raw(&raw).unwrap()
}

/// A registered user's id.
pub async fn user(db: &Db, name: &str, mobile: &str) -> i32 {
    let policy = CodePolicy::default();
    db.issue_code(
        letao_shop::store::NewCode {
            mobile,
            purpose: SmsPurpose::Register,
            code_hash: "h",
            client_ip: "127.0.0.1",
        },
        &[],
        t0(),
    )
    .await
    .unwrap()
    .unwrap();
    let new = NewUser {
        username: name,
        mobile,
        password_hash: "argon2id-hash",
    };
    match db.register(new, "h", &policy, t0()).await.unwrap() {
        Registration::Created(id) => id,
        other => panic!("not registered: {other:?}"),
    }
}

/// Places an order of `lines` for `user`, numbered `no`.
pub async fn place(db: &Db, user: i32, no: &str, lines: &[(i64, i64)]) -> Created {
    let items = items(db, lines).await;
    db.create_order(
        &NewOrder {
            out_trade_no: no,
            nonce_str: "nonce",
            appid: "wx-test",
            mch_id: "1900000001",
            user_id: user,
            client_ip: "127.0.0.1",
            items: &items,
            expires_at: at(7200),
            address: None,
            from_cart: false,
            trade_type: "NATIVE",
        },
        t0(),
    )
    .await
    .unwrap()
}

/// Places an order that must succeed.
pub async fn placed(db: &Db, user: i32, no: &str, lines: &[(i64, i64)]) -> OrderRecord {
    match place(db, user, no, lines).await {
        Created::Order(order, _) => *order,
        other => panic!("not placed: {other:?}"),
    }
}
