//! `TestApp`: the real application on a fresh database, called in-process.

use actix_web::test;
use letao_api::{AppState, AppStateBuilder, app};
use letao_auth::{Argon2Settings, FakeClock};
use letao_db::Backend;
use letao_db::testing::{Fixture, TestDatabase};
use letao_domain::verification::CodePolicy;
use letao_shop::payments::PaymentGateway;
use letao_shop::payments::v2::WechatV2;
use letao_shop::payments::v3::WechatV3;
use letao_shop::{Accounts, AccountsConfig, LoginLimits, Orders, OrdersConfig};
use letao_sms::FakeSender;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod calls;
pub use calls::{TestResponse, mobile};

/// The merchant of the test apps' simulator.
pub const APPID: &str = "wx00000000000test1";
pub const MCH_ID: &str = "1900000001";
pub const WECHAT_KEY: &str = "test-wechat-key-0123456789abcdef";

/// The test merchant.
pub fn merchant() -> wechat_pay::Merchant {
    wechat_pay::Merchant {
        appid: APPID.into(),
        mch_id: MCH_ID.into(),
        api_key: SecretString::from(WECHAT_KEY),
        sign_type: wechat_pay::SignType::Md5,
    }
}

/// Which WeChat Pay API a test app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payments {
    /// XML, MD5 signatures.
    V2,
    /// JSON, RSA; the simulator signs with the public key or certificates.
    V3 {
        /// Verify with platform certificates instead of the public key.
        platform_cert_mode: bool,
    },
}

/// The APIv3 key of the test merchant.
pub const APIV3_KEY: &str = "test-apiv3-key-0123456789abcdefg";
/// The serial of the test merchant's API certificate.
pub const MERCHANT_SERIAL: &str = "5F1E2D3C4B5A69788796A5B4C3D2E1F001020304";

/// An RSA key made once per name and kept under the target folder.
pub fn test_key(name: &str) -> wechat_pay::v3::PrivateKey {
    wechat_pay::testing::cached_key(env!("CARGO_TARGET_TMPDIR").as_ref(), name)
}

/// v3 client settings for the test merchant against the simulator at `base`.
pub fn v3_config(base: &str, payments: Payments) -> wechat_pay::v3::Config {
    use secrecy::ExposeSecret;
    let pem = test_key("merchant").to_pkcs8_pem().expect("pem");
    let mut config = wechat_pay::v3::Config::new(
        APPID,
        MCH_ID,
        MERCHANT_SERIAL,
        SecretString::from(pem.expose_secret()),
        SecretString::from(APIV3_KEY),
    );
    if payments
        == (Payments::V3 {
            platform_cert_mode: false,
        })
    {
        config = config.with_public_key(
            wechat_pay_sim::DEFAULT_PUBLIC_KEY_ID,
            &test_key("platform").public_key().to_pem().expect("pem"),
        );
    }
    config.base_url = base.to_owned();
    config.timeout = Duration::from_secs(5);
    // Tests rotate certificates within seconds; WeChat does so with weeks
    // of notice (and the server's refresher downloads them twice a day).
    config.certificate_refresh_cooldown = Duration::ZERO;
    config
}

/// The token secret of test apps.
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef";

/// Account rules for tests: cheap hashing, the SPEC's limits.
pub fn accounts_config() -> AccountsConfig {
    AccountsConfig {
        argon2: Argon2Settings {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        },
        legacy_md5_secret: SecretString::from("letaoSecret"),
        jwt_secret: SecretString::from(JWT_SECRET),
        token_ttl: chrono::TimeDelta::hours(36),
        codes: CodePolicy::default(),
        login: LoginLimits::default(),
    }
}

/// Runs each test body once per backend (see `letao_db::each_backend!`),
/// on actix's runtime.
macro_rules! each_backend {
    ($($body:tt)*) => {
        letao_db::each_backend!(#[actix_web::test] $($body)*);
    };
}

impl Fixture for TestApp {
    async fn fixture(backend: Backend) -> Self {
        TestApp::spawn(backend, |b| b).await
    }
}

/// A test app on WeChat Pay API v3 (public-key mode).
pub struct V3App(pub TestApp);

impl Fixture for V3App {
    async fn fixture(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        let db = database.pool();
        db.migrate().await.expect("migrations apply");
        db.seed_demo_data().await.expect("demo data");
        V3App(TestApp::over_pool_with(
            database.pool(),
            database,
            accounts_config(),
            Payments::V3 {
                platform_cert_mode: false,
            },
            |b| b,
        ))
    }
}

/// The repository's `static/` folder.
pub fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static")
}

/// The application over a migrated database holding the demo data, with
/// a fake SMS sender and a clock the test moves.
pub struct TestApp {
    pub state: AppState,
    /// A second instance of the application on the same database (its
    /// own pool and caches), as a second server would be.
    pub second: AppState,
    pub database: TestDatabase,
    pub sms: Arc<FakeSender>,
    pub clock: Arc<FakeClock>,
    /// The WeChat Pay simulator this app's orders go to.
    pub sim: wechat_pay_sim::RunningSim,
    /// Where the app also listens (for the simulator's notifications).
    pub addr: std::net::SocketAddr,
    server: actix_web::dev::ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the server winds down by itself.
        drop(self.server.stop(false));
    }
}

impl TestApp {
    /// A new database for `backend`, migrated and seeded, and the state
    /// built over it; `configure` adjusts the state (defaults: no cache).
    pub async fn spawn(
        backend: Backend,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> TestApp {
        let database = TestDatabase::create(backend);
        let db = database.pool();
        db.migrate().await.expect("migrations apply");
        db.seed_demo_data().await.expect("demo data");
        TestApp::over(database, configure)
    }

    /// The state over an existing database, as it is.
    pub fn over(
        database: TestDatabase,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> TestApp {
        TestApp::over_pool(database.pool(), database, accounts_config(), configure)
    }

    /// The state over `pool` (which may reach `database` another way).
    pub fn over_pool(
        pool: letao_db::Db,
        database: TestDatabase,
        accounts: AccountsConfig,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> TestApp {
        TestApp::over_pool_with(pool, database, accounts, Payments::V2, configure)
    }

    /// Like [`TestApp::over_pool`], speaking `payments` to the simulator.
    pub fn over_pool_with(
        pool: letao_db::Db,
        database: TestDatabase,
        accounts: AccountsConfig,
        payments: Payments,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("debug,actix_server=warn")
                .try_init();
        }
        let sms = Arc::new(FakeSender::new());
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut sim_config = wechat_pay_sim::SimConfig::new(APPID, MCH_ID, WECHAT_KEY);
        sim_config.retry_scale = 0.001;
        if let Payments::V3 { platform_cert_mode } = payments {
            let mut v3 = wechat_pay_sim::V3Settings::new(APIV3_KEY, test_key("platform"));
            v3.merchant_public_key = Some(test_key("merchant").public_key());
            v3.merchant_serial = Some(MERCHANT_SERIAL.into());
            v3.platform_cert_mode = platform_cert_mode;
            sim_config.v3 = Some(v3);
        }
        let sim = wechat_pay_sim::Simulator::new(sim_config)
            .start("127.0.0.1:0")
            .expect("simulator");
        let sim_url = sim.base_url();
        let make_state = |pool: letao_db::Db| {
            let accounts =
                Accounts::new(pool.clone(), accounts.clone(), sms.clone(), clock.clone())
                    .expect("accounts");
            let (gateway, notify, refund_notify) = match payments {
                Payments::V2 => {
                    let client = wechat_pay::Client::new(wechat_pay::Config {
                        merchant: merchant(),
                        base_url: sim_url.clone(),
                        timeout: Duration::from_secs(5),
                        client_identity: None,
                        root_certs_pem: None,
                    })
                    .expect("client");
                    let gateway: Arc<dyn PaymentGateway> =
                        Arc::new(WechatV2::new(Arc::new(client), merchant()));
                    (gateway, "/pay/notify", "/pay/refund_notify")
                }
                Payments::V3 { .. } => {
                    let client = wechat_pay::v3::Client::new(v3_config(&sim_url, payments))
                        .expect("v3 client");
                    let notifications = client.notifications();
                    let gateway: Arc<dyn PaymentGateway> =
                        Arc::new(WechatV3::new(Arc::new(client), notifications));
                    (gateway, "/pay/v3/notify", "/pay/v3/refund_notify")
                }
            };
            let orders = Orders::new(
                pool.clone(),
                OrdersConfig {
                    appid: APPID.into(),
                    mch_id: MCH_ID.into(),
                    notify_url: format!("http://{addr}{notify}"),
                    refund_notify_url: Some(format!("http://{addr}{refund_notify}")),
                    ttl: chrono::TimeDelta::hours(2),
                    auto_receive: chrono::TimeDelta::days(10),
                    totals_ttl: Duration::from_secs(5),
                },
                gateway,
                clock.clone(),
            );
            AppState::builder(pool, Arc::new(accounts), Arc::new(orders))
                .catalogue_ttl(Duration::ZERO)
                .clock(clock.clone())
                .static_dir(static_dir())
        };
        // The listening server runs on its own runtime: it gets its own
        // pool, as connections belong to the runtime that opened them.
        let served = make_state(pool.fresh_pool().expect("pool")).build();
        let second = make_state(pool.fresh_pool().expect("pool")).build();
        let state = configure(make_state(pool)).build();
        let server = actix_web::HttpServer::new(move || app(served.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listen")
            .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            state,
            second,
            database,
            sms,
            clock,
            sim,
            addr,
            server: handle,
        }
    }

    /// Sends one request through the whole application.
    pub async fn call(&self, req: test::TestRequest) -> TestResponse {
        let service = test::init_service(app(self.state.clone())).await;
        let res = test::call_service(&service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.call(test::TestRequest::get().uri(uri)).await
    }
}
