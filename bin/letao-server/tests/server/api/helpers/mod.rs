//! `TestApp`: the real application on a fresh database, called in-process.

use actix_web::test;
use letao_api::{AppState, Services, app};
use letao_auth::FakeClock;
use letao_db::testing::{Fixture, TestDatabase};
use letao_db::{Backend, Db};
use letao_server::compose::Parts;
use letao_server::{Application, Settings};
use letao_shop::media::MediaStore;
use letao_shop::payments::PaymentGateway;
use letao_shop::payments::v2::WechatV2;
use letao_shop::payments::v3::WechatV3;
use letao_sms::FakeSender;
use secrecy::SecretString;
use std::collections::HashMap;
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

/// Runs each test body once per backend (see `letao_db::each_backend!`),
/// on actix's runtime.
macro_rules! each_backend {
    ($($body:tt)*) => {
        letao_db::each_backend!(#[actix_web::test] $($body)*);
    };
}

impl Fixture for TestApp {
    async fn fixture(backend: Backend) -> Self {
        TestApp::spawn(backend).await
    }
}

/// A test app on WeChat Pay API v3 (public-key mode).
pub struct V3App(pub TestApp);

impl Fixture for V3App {
    async fn fixture(backend: Backend) -> Self {
        V3App(
            TestApp::builder(backend)
                .payments(Payments::V3 {
                    platform_cert_mode: false,
                })
                .build()
                .await,
        )
    }
}

/// The application the binary builds, over a fresh migrated database
/// holding the demo data, with a fake SMS sender, a clock the test moves,
/// and WeChat Pay at a simulator.
pub struct TestApp {
    /// What the routes reach, for calls in-process.
    pub state: AppState,
    /// The use cases, for calls without HTTP (job rounds, reconciliation).
    pub services: Services,
    /// The database the application runs on.
    pub db: Db,
    /// A second instance of the application on the same database (its
    /// own pools and caches), as a second server would be.
    pub second: AppState,
    /// The second instance's use cases.
    pub second_services: Services,
    pub database: TestDatabase,
    pub sms: Arc<FakeSender>,
    pub clock: Arc<FakeClock>,
    /// The WeChat Pay simulator this app's orders go to.
    pub sim: wechat_pay_sim::RunningSim,
    /// Where the app listens (for the simulator's notifications).
    pub addr: std::net::SocketAddr,
    server: actix_web::dev::ServerHandle,
    second_server: actix_web::dev::ServerHandle,
    _media: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; the servers wind down by themselves.
        drop(self.server.stop(false));
        drop(self.second_server.stop(false));
    }
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a [`TestApp`] is built: which database (a new one of a backend, one
/// prepared by the test, or one reached through another URL), which
/// WeChat Pay API, and settings beside the test defaults.
pub struct TestAppBuilder {
    database: TestDatabase,
    url: Option<String>,
    payments: Payments,
    vars: Vec<(String, String)>,
    media: Option<Arc<dyn MediaStore>>,
}

impl TestAppBuilder {
    /// Keeps uploaded images in `media` (default: a folder of the test's).
    pub fn media(mut self, media: Arc<dyn MediaStore>) -> Self {
        self.media = Some(media);
        self
    }

    /// Reaches the database through `url` (a proxy the test controls).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Speaks `payments` to the simulator.
    pub fn payments(mut self, payments: Payments) -> Self {
        self.payments = payments;
        self
    }

    /// Sets a configuration variable (`LETAO__SECTION__KEY`).
    pub fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.push((key.to_owned(), value.into()));
        self
    }

    /// Builds the application as the binary does (`Application::builder`),
    /// and a second instance on the same database.
    pub async fn build(self) -> TestApp {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("debug,actix_server=warn")
                .try_init();
        }
        let sms = Arc::new(FakeSender::new());
        let clock = Arc::new(FakeClock::new(chrono::Utc::now()));
        let mut sim_config = wechat_pay_sim::SimConfig::new(APPID, MCH_ID, WECHAT_KEY);
        sim_config.retry_scale = 0.001;
        if let Payments::V3 { platform_cert_mode } = self.payments {
            let mut v3 = wechat_pay_sim::V3Settings::new(APIV3_KEY, test_key("platform"));
            v3.merchant_public_key = Some(test_key("merchant").public_key());
            v3.merchant_serial = Some(MERCHANT_SERIAL.into());
            v3.platform_cert_mode = platform_cert_mode;
            sim_config.v3 = Some(v3);
        }
        let sim = wechat_pay_sim::Simulator::new(sim_config)
            .start("127.0.0.1:0")
            .expect("simulator");
        let media = TempDir(
            std::env::temp_dir().join(format!("letao_media_{:016x}", rand::random::<u64>())),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (notify, refund_notify) = match self.payments {
            Payments::V2 => ("/pay/notify", "/pay/refund_notify"),
            Payments::V3 { .. } => ("/pay/v3/notify", "/pay/v3/refund_notify"),
        };
        let url = self.url.unwrap_or_else(|| self.database.url().to_owned());
        let mut vars: HashMap<String, String> = [
            ("LETAO_ENV", "test".to_owned()),
            ("LETAO__SERVER__ADDR", "127.0.0.1:0".to_owned()),
            ("LETAO__SERVER__WORKERS", "1".to_owned()),
            (
                "LETAO__SERVER__STATIC_DIR",
                static_dir().display().to_string(),
            ),
            ("LETAO__SERVER__MEDIA_DIR", media.0.display().to_string()),
            ("LETAO__DATABASE__URL", url),
            ("LETAO__AUTH__JWT_SECRET", JWT_SECRET.to_owned()),
            ("LETAO__CATALOGUE__CACHE_TTL_MS", "0".to_owned()),
            ("LETAO__WECHAT_PAY__APPID", APPID.to_owned()),
            ("LETAO__WECHAT_PAY__MCH_ID", MCH_ID.to_owned()),
            ("LETAO__WECHAT_PAY__API_KEY", WECHAT_KEY.to_owned()),
            ("LETAO__WECHAT_PAY__BASE_URL", sim.base_url()),
            (
                "LETAO__WECHAT_PAY__NOTIFY_URL",
                format!("http://{addr}{notify}"),
            ),
            (
                "LETAO__WECHAT_PAY__REFUND_NOTIFY_URL",
                format!("http://{addr}{refund_notify}"),
            ),
            (
                "LETAO__WECHAT__OAUTH_REDIRECT_URL",
                format!("http://{addr}/wechat/oauth/callback"),
            ),
            ("LETAO__WECHAT__OAUTH_BASE_URL", sim.base_url()),
            ("LETAO__WECHAT__API_BASE_URL", sim.base_url()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        vars.extend(self.vars);
        let settings = Settings::load_with(&config_dir(), vars).expect("test settings");
        let parts = |gateway: Arc<dyn PaymentGateway>| Parts {
            stores: None,
            sms: Some(sms.clone()),
            gateway: Some(gateway),
            clock: Some(clock.clone()),
            media: self.media.clone(),
        };
        let app = Application::builder(&settings)
            .parts(parts(test_gateway(&sim.base_url(), self.payments)))
            .listener(listener)
            .without_jobs()
            .build()
            .await
            .expect("the application starts");
        let second_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let second = Application::builder(&settings)
            .parts(parts(test_gateway(&sim.base_url(), self.payments)))
            .listener(second_listener)
            .without_jobs()
            .build()
            .await
            .expect("the second instance starts");
        let (state, db) = (app.state().clone(), app.db().expect("a database").clone());
        let second_state = second.state().clone();
        let (server, second_server) = (app.handle(), second.handle());
        actix_web::rt::spawn(app.run_until_stopped());
        actix_web::rt::spawn(second.run_until_stopped());
        TestApp {
            services: state.services(),
            state,
            db,
            second_services: second_state.services(),
            second: second_state,
            database: self.database,
            sms,
            clock,
            sim,
            addr,
            server,
            second_server,
            _media: media,
        }
    }
}

/// The repository's `static/` folder.
pub fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static")
}

/// The repository's configuration folder.
fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

/// WeChat Pay at the simulator at `base`, as a merchant's client speaks it
/// (v3: certificates may rotate within the test, so none is kept back).
fn test_gateway(base: &str, payments: Payments) -> Arc<dyn PaymentGateway> {
    match payments {
        Payments::V2 => Arc::new(
            WechatV2::new(wechat_pay::Config {
                merchant: merchant(),
                base_url: base.to_owned(),
                timeout: Duration::from_secs(5),
                client_identity: None,
                root_certs_pem: None,
            })
            .expect("client"),
        ),
        Payments::V3 { .. } => {
            let client =
                wechat_pay::v3::AsyncClient::new(v3_config(base, payments)).expect("v3 client");
            Arc::new(WechatV3::new(client))
        }
    }
}

impl TestApp {
    /// A builder over a new database of `backend` (migrated and given the
    /// demo catalogue by the application, as the binary does).
    pub fn builder(backend: Backend) -> TestAppBuilder {
        TestApp::over(TestDatabase::create(backend))
    }

    /// A builder over a database the test prepared (migrated on start, and
    /// given the demo catalogue only if it has none).
    pub fn over(database: TestDatabase) -> TestAppBuilder {
        TestAppBuilder {
            database,
            url: None,
            payments: Payments::V2,
            vars: Vec::new(),
            media: None,
        }
    }

    /// The application over a new database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::builder(backend).build().await
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
