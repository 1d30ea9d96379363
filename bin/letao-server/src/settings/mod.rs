//! Configuration: `config/default.toml`, then `config/<LETAO_ENV>.toml`,
//! then `LETAO__SECTION__KEY` environment variables (SPEC §8).

use secrecy::SecretString;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod validate;

/// The defaults, compiled in so the binary runs from any folder.
const DEFAULTS: &str = include_str!("../../../../config/default.toml");

/// Where the server runs; chosen by `LETAO_ENV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine (default).
    Development,
    /// Automated tests.
    Test,
    /// Serving customers: refuses development-only settings.
    Production,
}

impl Environment {
    /// The name used in `LETAO_ENV` and in the config file name.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Test => "test",
            Environment::Production => "production",
        }
    }

    fn parse(value: &str) -> Result<Self, SettingsError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "development" | "dev" => Ok(Environment::Development),
            "test" => Ok(Environment::Test),
            "production" | "prod" => Ok(Environment::Production),
            other => Err(SettingsError::Invalid(format!(
                "LETAO_ENV must be development, test or production, not `{other}`"
            ))),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the server reads from its configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Set from `LETAO_ENV`, not from the files.
    #[serde(skip, default = "development")]
    pub environment: Environment,
    /// HTTP listener.
    pub server: ServerSettings,
    /// Storage.
    pub database: DatabaseSettings,
    /// Passwords and tokens.
    pub auth: AuthSettings,
    /// SMS provider.
    pub sms: SmsSettings,
    /// Rate limits.
    pub limits: LimitSettings,
    /// WeChat Pay merchant account.
    pub wechat_pay: WechatPaySettings,
    /// The official account (OAuth for JSAPI).
    pub wechat: WechatSettings,
    /// Order lifetime.
    pub orders: OrderSettings,
    /// Catalogue cache.
    pub catalogue: CatalogueSettings,
    /// Where uploaded images are kept.
    pub media: MediaSettings,
    /// Daily reconciliation with WeChat's trade bill.
    pub reconcile: ReconcileSettings,
    /// Prometheus metrics.
    pub metrics: MetricsSettings,
    /// Logging.
    pub log: LogSettings,
}

fn development() -> Environment {
    Environment::Development
}

/// `[server]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address, `host:port`.
    pub addr: String,
    /// Folder of static files.
    pub static_dir: PathBuf,
    /// Folder of uploaded images, served under `/media/` (`media.backend = "local"`).
    pub media_dir: PathBuf,
    /// Worker threads; `None` = one per CPU.
    pub workers: Option<usize>,
    /// Grace period for in-flight requests on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Proxies whose `X-Forwarded-For` is believed.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<IpAddr>,
    /// Origins (`https://shop.example`) whose pages may call the API from
    /// a browser, or `*` for any; none by default.
    #[serde(deserialize_with = "list")]
    pub cors_origins: Vec<String>,
}

/// A list from a file (an array) or from a variable (`a,b`: a variable is
/// text, and config's own list parsing would also turn every numeric-looking
/// value, secrets included, into a number).
fn list<'de, D, T>(de: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr + Deserialize<'de>,
    T::Err: fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written<T> {
        List(Vec<T>),
        Text(String),
    }
    match Written::<T>::deserialize(de)? {
        Written::List(items) => Ok(items),
        Written::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse()
                    .map_err(|e| serde::de::Error::custom(format!("`{item}`: {e}")))
            })
            .collect(),
    }
}

impl ServerSettings {
    /// Worker threads: as set, or one per CPU (actix's default).
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
    }
}

/// The development JWT secret of `config/default.toml`, refused in production.
pub const PLACEHOLDER_JWT_SECRET: &str = "development-only-jwt-secret-change-me";

/// `[auth]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// HS256 key.
    pub jwt_secret: SecretString,
    /// Token lifetime, seconds.
    pub token_ttl_secs: u64,
    /// The original's MD5 salt.
    pub legacy_md5_secret: SecretString,
    /// argon2id memory, KiB.
    pub argon2_memory_kib: u32,
    /// argon2id passes.
    pub argon2_iterations: u32,
    /// argon2id lanes.
    pub argon2_parallelism: u32,
}

/// Which SMS backend sends codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsBackend {
    /// JSON lines in a local file (development only).
    Outbox,
    /// Tencent Cloud SMS.
    Tencent,
}

/// `[sms]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// The backend.
    pub backend: SmsBackend,
    /// Outbox file.
    pub outbox: PathBuf,
    /// Tencent Cloud account.
    pub tencent: TencentSettings,
}

/// `[sms.tencent]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentSettings {
    /// `SecretId`.
    pub secret_id: String,
    /// `SecretKey`.
    pub secret_key: SecretString,
    /// `SmsSdkAppId`.
    pub sdk_app_id: String,
    /// `SignName`.
    pub sign_name: String,
    /// `TemplateId`.
    pub template_id: String,
    /// API region.
    pub region: String,
    /// Base URL.
    pub endpoint: String,
    /// Request timeout, seconds.
    pub timeout_secs: u64,
}

/// The development WeChat Pay key of `config/default.toml` (the
/// simulator's), refused in production.
pub const PLACEHOLDER_WECHAT_KEY: &str = "letao-dev-wechat-pay-key-0000000";

/// `[wechat_pay]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatPaySettings {
    /// App id.
    pub appid: String,
    /// Merchant id.
    pub mch_id: String,
    /// API v2 key.
    pub api_key: SecretString,
    /// `MD5` or `HMAC-SHA256`.
    pub sign_type: String,
    /// Base URL.
    pub base_url: String,
    /// Payment notification URL.
    pub notify_url: String,
    /// Refund notification URL (empty: none).
    pub refund_notify_url: String,
    /// Merchant certificate PEM file (empty: none).
    pub client_cert: PathBuf,
    /// Merchant key PEM file (empty: none).
    pub client_key: PathBuf,
    /// Call timeout, seconds.
    pub timeout_secs: u64,
    /// Which WeChat Pay API the shop speaks.
    pub api_version: ApiVersion,
    /// API v3: the 32-byte APIv3 key.
    pub apiv3_key: SecretString,
    /// API v3: PEM file of the merchant API private key.
    pub merchant_private_key: PathBuf,
    /// API v3: serial of the merchant API certificate.
    pub merchant_serial: String,
    /// API v3: PEM file of the WeChat Pay public key (empty: verify with
    /// platform certificates downloaded and refreshed from WeChat).
    pub platform_public_key: PathBuf,
    /// API v3: its id, `PUB_KEY_ID_...`.
    pub platform_public_key_id: String,
    /// H5: the site's registered H5 domain (an absolute URL).
    pub h5_domain: String,
}

/// The development AppSecret of `config/default.toml` (the simulator's),
/// refused in production.
pub const PLACEHOLDER_OA_SECRET: &str = "letao-dev-oa-secret";

/// `[wechat]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatSettings {
    /// The official account's appid (empty: `wechat_pay.appid`).
    pub oa_appid: String,
    /// Its AppSecret.
    pub oa_secret: SecretString,
    /// This server's OAuth callback, absolute.
    pub oauth_redirect_url: String,
    /// WeChat's OAuth pages.
    pub oauth_base_url: String,
    /// WeChat's API (the code exchange).
    pub api_base_url: String,
}

impl Settings {
    /// The official account's appid: `wechat.oa_appid`, else the pay appid.
    pub fn oa_appid(&self) -> &str {
        if self.wechat.oa_appid.is_empty() {
            &self.wechat_pay.appid
        } else {
            &self.wechat.oa_appid
        }
    }
}

/// The WeChat Pay API in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// XML, MD5/HMAC-SHA256 signatures with the API key.
    V2,
    /// JSON, RSA signatures, AES-GCM notifications.
    V3,
}

/// The development APIv3 key (the simulator's default); production refuses it.
pub const PLACEHOLDER_APIV3_KEY: &str = "letao-dev-apiv3-key-000000000000";

/// `[orders]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSettings {
    /// Unpaid order lifetime, seconds.
    pub ttl_secs: u64,
    /// Expiry round interval, seconds.
    pub expiry_interval_secs: u64,
    /// Shipped orders count as received this many days after shipping.
    pub auto_receive_days: u32,
}

/// `[limits]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Seconds between codes to one mobile.
    pub sms_cooldown_secs: u32,
    /// Codes per mobile per day.
    pub sms_per_mobile_per_day: u32,
    /// Codes per client IP per day.
    pub sms_per_ip_per_day: u32,
    /// Login failures per account per window.
    pub login_failures_per_account: u32,
    /// Login failures per IP per window.
    pub login_failures_per_ip: u32,
    /// Login window, seconds.
    pub login_window_secs: u32,
}

/// `[database]`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Database URL; may hold a password, so Debug redacts it.
    pub url: String,
    /// Pool size; `None` = backend default.
    pub pool_size: Option<usize>,
    /// Connection wait limit, seconds.
    pub timeout_secs: u64,
    /// Seed an empty catalogue with demo data.
    pub demo_data: bool,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &letao_db::redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("timeout_secs", &self.timeout_secs)
            .field("demo_data", &self.demo_data)
            .finish()
    }
}

impl DatabaseSettings {
    /// The pool configuration, for a server of `workers` workers.
    pub fn db_config(&self, workers: usize) -> letao_db::DbConfig {
        letao_db::DbConfig {
            url: self.url.clone(),
            pool_size: self.pool_size,
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            workers,
        }
    }
}

/// `[catalogue]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSettings {
    /// Cache lifetime of catalogue replies, milliseconds (0 = no cache).
    pub cache_ttl_ms: u64,
}

/// Where uploaded images are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaBackend {
    /// The folder `server.media_dir` (one machine, or a shared file system).
    Local,
    /// A bucket of an S3-compatible object store (`[media.s3]`).
    S3,
}

/// `[media]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSettings {
    /// The backend.
    pub backend: MediaBackend,
    /// The object store, when the backend is `s3`.
    pub s3: MediaS3Settings,
}

/// `[media.s3]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaS3Settings {
    /// Base URL; objects are `ENDPOINT/BUCKET/NAME` (path style).
    pub endpoint: String,
    /// Bucket (it must exist).
    pub bucket: String,
    /// Region signatures name.
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: SecretString,
    /// Per call, seconds.
    pub timeout_secs: u64,
}

impl MediaS3Settings {
    /// The store's configuration.
    pub fn config(&self) -> letao_media::S3Config {
        letao_media::S3Config {
            endpoint: self.endpoint.clone(),
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
        }
    }
}

/// `[metrics]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `/metrics` on the main listener.
    pub public: bool,
    /// Also (or only) serve `/metrics` on this address, e.g. `127.0.0.1:9100`
    /// (empty: no second listener).
    pub addr: String,
}

/// `[reconcile]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSettings {
    /// `HH:MM`, China time: from then on, yesterday is reconciled.
    pub daily_at: String,
}

impl ReconcileSettings {
    /// The time of day, or why it is not one.
    pub fn time(&self) -> Result<chrono::NaiveTime, SettingsError> {
        chrono::NaiveTime::parse_from_str(self.daily_at.trim(), "%H:%M").map_err(|_| {
            SettingsError::Invalid("reconcile.daily_at must be a time like 10:30".into())
        })
    }
}

/// `[log]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// tracing filter directive.
    pub level: String,
    /// JSON lines instead of text.
    pub json: bool,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file is unreadable or a value has the wrong type, or a key is unknown.
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    /// A value is readable but not acceptable.
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Reads the configuration from `config_dir` and the process environment.
    pub fn load(config_dir: &Path) -> Result<Settings, SettingsError> {
        Settings::load_with(config_dir, std::env::vars().collect())
    }

    /// Reads the configuration from `config_dir` and the given variables
    /// instead of the process environment (for tests).
    pub fn load_with(
        config_dir: &Path,
        vars: HashMap<String, String>,
    ) -> Result<Settings, SettingsError> {
        let environment = Environment::parse(vars.get("LETAO_ENV").map_or("", String::as_str))?;
        let layered = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::from(config_dir.join("default.toml")).required(false))
            .add_source(
                config::File::from(config_dir.join(format!("{environment}.toml"))).required(false),
            )
            .add_source(
                config::Environment::with_prefix("LETAO")
                    .prefix_separator("__")
                    .separator("__")
                    .source(Some(vars.into_iter().collect())),
            )
            .build()?;
        let mut settings: Settings = layered.try_deserialize()?;
        settings.environment = environment;
        settings.validate()?;
        Ok(settings)
    }

    /// The catalogue cache lifetime.
    pub fn catalogue_ttl(&self) -> Duration {
        Duration::from_millis(self.catalogue.cache_ttl_ms)
    }
}
