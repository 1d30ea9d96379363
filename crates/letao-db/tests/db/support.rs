//! Fixtures shared by the modules.

use chrono::{DateTime, TimeDelta, Utc};
use letao_db::testing::{Fixture, Migrated};
use letao_db::{Backend, Db};
use letao_domain::order::OrderItems;
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
pub fn stock(m: &Migrated, product: i32) -> i64 {
    m.database
        .scalar_i64(&format!("SELECT stock FROM product WHERE id = {product}"))
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
    let items = OrderItems::new(lines).unwrap();
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
