//! The use cases over the in-memory stores, a fake gateway, SMS sender
//! and clock: no database, no network.

use chrono::TimeDelta;
use letao_auth::{Argon2Settings, FakeClock};
use letao_domain::Fen;
use letao_domain::order::OrderItems;
use letao_domain::verification::{CodePolicy, SmsPurpose};
use letao_shop::payments::fake::FakeGateway;
use letao_shop::store::fake::{FakeAccounts, FakeOrders};
use letao_shop::{
    Accounts, AccountsConfig, LoginLimits, Orders, OrdersConfig, Owner, RegisterRequest,
};
use letao_sms::FakeSender;
use secrecy::SecretString;
use std::net::IpAddr;
use std::sync::Arc;

pub fn ip() -> IpAddr {
    "10.0.0.3".parse().unwrap()
}

/// The order lifecycle over fakes, with two products on sale.
pub struct OrderShop {
    pub orders: Orders,
    pub store: Arc<FakeOrders>,
    pub gateway: Arc<FakeGateway>,
    pub clock: Arc<FakeClock>,
    /// 199.00 yuan, 5 in stock.
    pub shoe: i32,
    /// 2.50 yuan, 3 in stock.
    pub laces: i32,
    pub admin: Owner,
}

impl OrderShop {
    pub fn new() -> OrderShop {
        let store = Arc::new(FakeOrders::new());
        let shoe = store.add_product("跑鞋", Fen::new(19_900), 5);
        let laces = store.add_product("鞋带", Fen::new(250), 3);
        let gateway = Arc::new(FakeGateway::default());
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let orders = Orders::new(
            store.clone(),
            OrdersConfig {
                appid: "wx-test".into(),
                mch_id: "1900000001".into(),
                notify_url: "http://127.0.0.1:1/pay/notify".into(),
                refund_notify_url: None,
                h5_wap_url: "https://m.shop.example".into(),
                h5_wap_name: "乐淘".into(),
                h5_public_ip_only: true,
                ttl: TimeDelta::hours(2),
                auto_receive: TimeDelta::days(10),
                totals_ttl: std::time::Duration::from_secs(5),
            },
            gateway.clone(),
            clock.clone(),
        );
        OrderShop {
            orders,
            store,
            gateway,
            clock,
            shoe,
            laces,
            admin: Owner {
                id: 1,
                username: Some("boss".into()),
                role: letao_domain::Role::Admin,
            },
        }
    }

    pub fn items(&self, lines: &[(i32, i64)]) -> OrderItems {
        let raw: Vec<(i64, i64)> = lines.iter().map(|(p, q)| (i64::from(*p), *q)).collect();
        OrderItems::new(&raw).unwrap()
    }

    pub fn stock(&self, product: i32) -> i32 {
        self.store.stock(product).unwrap()
    }
}

/// Accounts over fakes.
pub struct AccountShop {
    pub accounts: Accounts,
    pub sms: Arc<FakeSender>,
    pub clock: Arc<FakeClock>,
}

impl AccountShop {
    pub fn new() -> AccountShop {
        let sms = Arc::new(FakeSender::new());
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let accounts = Accounts::new(
            Arc::new(FakeAccounts::new()),
            AccountsConfig {
                argon2: Argon2Settings {
                    memory_kib: 256,
                    iterations: 1,
                    parallelism: 1,
                },
                legacy_md5_secret: SecretString::from("letaoSecret"),
                jwt_secret: SecretString::from("unit-test-secret-0123456789abcdef"),
                token_ttl: TimeDelta::hours(36),
                codes: CodePolicy::default(),
                login: LoginLimits::default(),
            },
            sms.clone(),
            clock.clone(),
        )
        .unwrap();
        AccountShop {
            accounts,
            sms,
            clock,
        }
    }

    /// The code the fake SMS sender last sent to `mobile`.
    pub fn code_sent_to(&self, mobile: &str) -> String {
        self.sms.last_params_to(mobile).expect("a code was sent")[0].clone()
    }

    /// Registers `name` with `password` and a fresh code; the id.
    pub async fn registered(&self, name: &str, password: &str, mobile: &str) -> i32 {
        let m = mobile.parse().unwrap();
        self.accounts
            .send_code(&m, SmsPurpose::Register, ip())
            .await
            .unwrap();
        let code = self.code_sent_to(mobile);
        self.accounts
            .register(RegisterRequest {
                username: name.parse().unwrap(),
                password: SecretString::from(password),
                mobile: m,
                code,
            })
            .await
            .unwrap()
    }
}
