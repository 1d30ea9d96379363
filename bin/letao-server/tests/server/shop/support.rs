//! A shop over a fresh database: accounts and orders with fakes.

use letao_api::Services;
use letao_auth::FakeClock;
use letao_db::Backend;
use letao_db::testing::{Fixture, Migrated};
use letao_domain::Role;
use letao_server::Settings;
use letao_server::compose::{self, Parts};
use letao_shop::media::{MediaStore, MemoryMedia};
use letao_shop::payments::fake::FakeGateway;
use letao_shop::store::Stores;
use letao_shop::{Accounts, OrderDesk, Orders, Owner};
use letao_sms::FakeSender;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Shop {
    pub m: Migrated,
    pub accounts: Arc<Accounts>,
    pub orders: Arc<Orders>,
    pub desk: Arc<OrderDesk>,
    pub services: Services,
    pub gateway: Arc<FakeGateway>,
    pub sms: Arc<FakeSender>,
    pub clock: Arc<FakeClock>,
    /// An owner with the admin role.
    pub admin: Owner,
}

/// Test settings over `database_url`.
pub fn settings(database_url: &str) -> Settings {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let vars = [
        ("LETAO_ENV", "test".to_owned()),
        ("LETAO__DATABASE__URL", database_url.to_owned()),
        (
            "LETAO__AUTH__JWT_SECRET",
            "shop-test-secret-0123456789abcdef".to_owned(),
        ),
        ("LETAO__WECHAT_PAY__APPID", "wx-test".to_owned()),
        ("LETAO__WECHAT_PAY__MCH_ID", "1900000001".to_owned()),
        (
            "LETAO__WECHAT_PAY__NOTIFY_URL",
            "http://127.0.0.1:1/pay/notify".to_owned(),
        ),
        ("LETAO__WECHAT_PAY__REFUND_NOTIFY_URL", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Settings::load_with(&root.join("config"), vars).unwrap()
}

impl Shop {
    /// The shop as the binary composes it, over `m`'s database, with a
    /// fake gateway, SMS sender and clock, and `media` for images.
    pub async fn over(m: Migrated, media: Arc<dyn MediaStore>) -> Shop {
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let sms = Arc::new(FakeSender::new());
        let gateway = Arc::new(FakeGateway::default());
        let parts = Parts {
            stores: Some(Stores::all(m.db.clone())),
            sms: Some(sms.clone()),
            gateway: Some(gateway.clone()),
            clock: Some(clock.clone()),
            media: Some(media),
        };
        let shop = compose::shop(&settings(m.database.url()), parts)
            .await
            .unwrap();
        let admin = Owner {
            id: 0,
            username: Some("boss".into()),
            role: Role::Admin,
        };
        let services = shop.services;
        Shop {
            admin,
            m,
            accounts: services.accounts.clone(),
            orders: services.orders.clone(),
            desk: services.desk.clone(),
            services,
            gateway,
            sms,
            clock,
        }
    }
}

impl Fixture for Shop {
    async fn fixture(backend: Backend) -> Self {
        let m = Migrated::fixture(backend).await;
        m.db.seed_demo_data().await.unwrap();
        Shop::over(m, Arc::new(MemoryMedia::new())).await
    }
}

impl Shop {
    /// The id of a demo product's SKU in size 40.
    pub fn sku40(&self, product: i32) -> i32 {
        let id = self.m.database.scalar_i64(&format!(
            "SELECT id FROM sku WHERE product_id = {product} AND size = '40'"
        ));
        i32::try_from(id).unwrap()
    }

    /// Stock of a product: its pool, or its size 40 (the size tests order).
    pub fn stock(&self, product: i32) -> i64 {
        self.m
            .database
            .scalar_i64(&format!("SELECT CASE WHEN p.sku_pool THEN p.stock ELSE (SELECT s.stock FROM sku s WHERE s.product_id = p.id AND s.size = '40') END FROM product p WHERE p.id = {product}"))
    }

    /// A registered user's id.
    pub async fn user(&self, name: &str, mobile: &str) -> i32 {
        let mobile = mobile.parse().unwrap();
        self.accounts
            .send_code(
                &mobile,
                letao_domain::verification::SmsPurpose::Register,
                "10.0.0.9".parse().unwrap(),
            )
            .await
            .unwrap();
        let code = self.sms.last_params_to(mobile.as_str()).unwrap()[0].clone();
        self.accounts
            .register(letao_shop::RegisterRequest {
                username: name.parse().unwrap(),
                password: SecretString::from("a-password"),
                mobile,
                code,
            })
            .await
            .unwrap()
    }
}
