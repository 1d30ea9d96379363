//! Configuration: `config/default.toml`, then `config/<LETAO_ENV>.toml`,
//! then `LETAO__SECTION__KEY` environment variables (SPEC §8).

use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The defaults, compiled in so the binary runs from any folder.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

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
    /// Catalogue cache.
    pub catalogue: CatalogueSettings,
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
    /// Worker threads; `None` = one per CPU.
    pub workers: Option<usize>,
    /// Grace period for in-flight requests on shutdown.
    pub shutdown_timeout_secs: u64,
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
    /// The pool configuration.
    pub fn db_config(&self) -> letao_db::DbConfig {
        letao_db::DbConfig {
            url: self.url.clone(),
            pool_size: self.pool_size,
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
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

    fn validate(&self) -> Result<(), SettingsError> {
        letao_db::Backend::from_url(&self.database.url)
            .map_err(|e| SettingsError::Invalid(format!("database.url: {e}")))?;
        if self.server.workers == Some(0) {
            return Err(SettingsError::Invalid(
                "server.workers must be at least 1".into(),
            ));
        }
        if self.database.pool_size == Some(0) {
            return Err(SettingsError::Invalid(
                "database.pool_size must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The catalogue cache lifetime.
    pub fn catalogue_ttl(&self) -> Duration {
        Duration::from_millis(self.catalogue.cache_ttl_ms)
    }
}
