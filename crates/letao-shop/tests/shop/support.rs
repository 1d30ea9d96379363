//! A shop over a fresh database: accounts and orders with fakes.

use crate::gateway::FakeGateway;
use chrono::TimeDelta;
use letao_auth::{Argon2Settings, FakeClock};
use letao_db::Backend;
use letao_db::testing::{Fixture, Migrated};
use letao_domain::Role;
use letao_domain::verification::CodePolicy;
use letao_shop::{Accounts, AccountsConfig, LoginLimits, Orders, OrdersConfig, Owner};
use letao_sms::FakeSender;
use secrecy::SecretString;
use std::sync::Arc;

pub struct Shop {
    pub m: Migrated,
    pub accounts: Accounts,
    pub orders: Orders,
    pub gateway: Arc<FakeGateway>,
    pub sms: Arc<FakeSender>,
    pub clock: Arc<FakeClock>,
    /// An owner with the admin role.
    pub admin: Owner,
}

impl Fixture for Shop {
    async fn fixture(backend: Backend) -> Self {
        let m = Migrated::fixture(backend).await;
        m.db.seed_demo_data().await.unwrap();
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let sms = Arc::new(FakeSender::new());
        let gateway = Arc::new(FakeGateway::default());
        let accounts = Accounts::new(
            m.db.clone(),
            AccountsConfig {
                argon2: Argon2Settings {
                    memory_kib: 256,
                    iterations: 1,
                    parallelism: 1,
                },
                legacy_md5_secret: SecretString::from("letaoSecret"),
                jwt_secret: SecretString::from("shop-test-secret-0123456789abcdef"),
                token_ttl: TimeDelta::hours(36),
                codes: CodePolicy::default(),
                login: LoginLimits::default(),
            },
            sms.clone(),
            clock.clone(),
        )
        .unwrap();
        let orders = Orders::new(
            m.db.clone(),
            OrdersConfig {
                appid: "wx-test".into(),
                mch_id: "1900000001".into(),
                notify_url: "http://127.0.0.1:1/pay/notify".into(),
                refund_notify_url: None,
                ttl: TimeDelta::hours(2),
                auto_receive: TimeDelta::days(10),
                totals_ttl: std::time::Duration::from_secs(5),
            },
            gateway.clone(),
            clock.clone(),
        );
        let admin = Owner {
            id: 0,
            username: Some("boss".into()),
            role: Role::Admin,
        };
        Shop {
            admin,
            m,
            accounts,
            orders,
            gateway,
            sms,
            clock,
        }
    }
}

impl Shop {
    /// Stock of a product.
    pub fn stock(&self, product: i32) -> i64 {
        self.m
            .database
            .scalar_i64(&format!("SELECT stock FROM product WHERE id = {product}"))
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
