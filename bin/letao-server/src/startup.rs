//! Building and running the server from its settings.

use crate::settings::{ApiVersion, MediaBackend, Settings, SmsBackend};
use actix_web::HttpServer;
use actix_web::dev::Server;
use chrono::TimeDelta;
use letao_api::AppState;
use letao_auth::{Argon2Settings, SystemClock};
use letao_db::{Db, DbError};
use letao_domain::verification::CodePolicy;
use letao_media::{LocalMedia, S3Media};
use letao_shop::media::MediaStore;
use letao_shop::payments::PaymentGateway;
use letao_shop::payments::v2::WechatV2;
use letao_shop::payments::v3::WechatV3;
use letao_shop::{Accounts, AccountsConfig, LoginLimits, Orders, OrdersConfig};
use letao_sms::{OutboxSender, SmsSender, TencentConfig, TencentSender};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use wechat_pay::v3::CertificateRefresher;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database is unreachable or could not be migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// A part of the configuration cannot be used.
    #[error("configuration: {0}")]
    Config(String),
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: String,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// A running server: bound, migrated, serving.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    db: Db,
    /// Keeps platform certificates fresh while the server runs (v3).
    _refresher: Option<CertificateRefresher>,
}

/// Connects to the database and applies pending migrations.
pub async fn prepare_database(settings: &Settings) -> Result<Db, StartError> {
    let db = Db::connect(&settings.database.db_config(settings.server.worker_count()))?;
    let applied = db.migrate().await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(db)
}

/// The SMS backend the settings name.
pub fn sms_sender(settings: &Settings) -> Result<Arc<dyn SmsSender>, StartError> {
    Ok(match settings.sms.backend {
        SmsBackend::Outbox => Arc::new(OutboxSender::new(&settings.sms.outbox)),
        SmsBackend::Tencent => {
            let t = &settings.sms.tencent;
            Arc::new(
                TencentSender::new(TencentConfig {
                    secret_id: t.secret_id.clone(),
                    secret_key: t.secret_key.clone(),
                    sdk_app_id: t.sdk_app_id.clone(),
                    sign_name: t.sign_name.clone(),
                    template_id: t.template_id.clone(),
                    region: t.region.clone(),
                    endpoint: t.endpoint.clone(),
                    timeout: Duration::from_secs(t.timeout_secs.max(1)),
                })
                .map_err(|e| StartError::Config(format!("sms.tencent: {e}")))?,
            )
        }
    })
}

/// The media store the settings name.
pub fn media_store(settings: &Settings) -> Result<Arc<dyn MediaStore>, StartError> {
    Ok(match settings.media.backend {
        MediaBackend::Local => Arc::new(LocalMedia::new(&settings.server.media_dir)),
        MediaBackend::S3 => Arc::new(
            S3Media::new(settings.media.s3.config())
                .map_err(|e| StartError::Config(format!("media.s3.{e}")))?,
        ),
    })
}

/// A configured file, read whole.
fn read_file(what: &str, path: &std::path::Path) -> Result<Vec<u8>, StartError> {
    std::fs::read(path).map_err(|e| {
        StartError::Config(format!(
            "wechat_pay.{what}: cannot read {}: {e}",
            path.display()
        ))
    })
}

/// The payment gateway the settings name, and (platform-certificate mode)
/// the thread that keeps the certificates fresh.
pub fn gateway(
    settings: &Settings,
) -> Result<(Arc<dyn PaymentGateway>, Option<CertificateRefresher>), StartError> {
    let w = &settings.wechat_pay;
    if w.api_version == ApiVersion::V2 {
        return Ok((v2_gateway(settings)?, None));
    }
    let key = String::from_utf8(read_file("merchant_private_key", &w.merchant_private_key)?)
        .map_err(|_| {
            StartError::Config("wechat_pay.merchant_private_key is not PEM text".into())
        })?;
    let mut config = wechat_pay::v3::Config::new(
        &w.appid,
        &w.mch_id,
        &w.merchant_serial,
        secrecy::SecretString::from(key),
        w.apiv3_key.clone(),
    );
    if !w.platform_public_key.as_os_str().is_empty() {
        let pem = String::from_utf8(read_file("platform_public_key", &w.platform_public_key)?)
            .map_err(|_| {
                StartError::Config("wechat_pay.platform_public_key is not PEM text".into())
            })?;
        config = config.with_public_key(&w.platform_public_key_id, &pem);
    }
    let certificates = config.platform_certificates;
    config.base_url = w.base_url.clone();
    config.timeout = Duration::from_secs(w.timeout_secs.max(1));
    let client = wechat_pay::v3::Client::new(config)
        .map_err(|e| StartError::Config(format!("wechat_pay (v3): {e}")))?;
    let refresher = if certificates {
        Some(
            wechat_pay::v3::spawn_certificate_refresher(client.verifier(), CERTIFICATE_REFRESH)
                .map_err(|e| {
                    StartError::Config(format!("wechat_pay: certificate refresher: {e}"))
                })?,
        )
    } else {
        None
    };
    let notifications = client.notifications();
    Ok((
        Arc::new(WechatV3::new(Arc::new(client), notifications)),
        refresher,
    ))
}

/// How often platform certificates are downloaded again (WeChat rotates
/// them with weeks of overlap; an unknown serial also triggers a download).
const CERTIFICATE_REFRESH: Duration = Duration::from_secs(12 * 3600);

/// The v2 gateway: the XML client and the merchant that verifies notifications.
fn v2_gateway(settings: &Settings) -> Result<Arc<dyn PaymentGateway>, StartError> {
    let w = &settings.wechat_pay;
    let merchant = wechat_pay::Merchant {
        appid: w.appid.clone(),
        mch_id: w.mch_id.clone(),
        api_key: w.api_key.clone(),
        sign_type: wechat_pay::SignType::parse(&w.sign_type).unwrap_or_default(),
    };
    let client_identity = match (
        w.client_cert.as_os_str().is_empty(),
        w.client_key.as_os_str().is_empty(),
    ) {
        (true, true) => None,
        (false, false) => {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| {
                    StartError::Config(format!("wechat_pay: cannot read {}: {e}", p.display()))
                })
            };
            let key = String::from_utf8(read(&w.client_key)?)
                .map_err(|_| StartError::Config("wechat_pay.client_key is not PEM text".into()))?;
            Some(wechat_pay::ClientIdentity {
                cert_pem: read(&w.client_cert)?,
                key_pem: secrecy::SecretString::from(key),
            })
        }
        _ => {
            return Err(StartError::Config(
                "wechat_pay.client_cert and client_key go together".into(),
            ));
        }
    };
    let client = wechat_pay::Client::new(wechat_pay::Config {
        merchant: merchant.clone(),
        base_url: w.base_url.clone(),
        timeout: Duration::from_secs(w.timeout_secs.max(1)),
        client_identity,
        root_certs_pem: None,
    })
    .map_err(|e| StartError::Config(format!("wechat_pay: {e}")))?;
    Ok(Arc::new(WechatV2::new(Arc::new(client), merchant)))
}

/// The order service over `gateway`.
pub fn orders(settings: &Settings, db: Db, gateway: Arc<dyn PaymentGateway>) -> Orders {
    let w = &settings.wechat_pay;
    let config = OrdersConfig {
        appid: w.appid.clone(),
        mch_id: w.mch_id.clone(),
        notify_url: w.notify_url.clone(),
        refund_notify_url: Some(w.refund_notify_url.clone()).filter(|u| !u.is_empty()),
        ttl: TimeDelta::seconds(i64::try_from(settings.orders.ttl_secs).unwrap_or(7200)),
        auto_receive: TimeDelta::days(i64::from(settings.orders.auto_receive_days)),
        totals_ttl: letao_shop::TOTALS_TTL,
    };
    Orders::new(db, config, gateway, Arc::new(SystemClock))
}

/// The account rules as configured.
pub fn accounts_config(settings: &Settings) -> AccountsConfig {
    let a = &settings.auth;
    let l = &settings.limits;
    AccountsConfig {
        argon2: Argon2Settings {
            memory_kib: a.argon2_memory_kib,
            iterations: a.argon2_iterations,
            parallelism: a.argon2_parallelism,
        },
        legacy_md5_secret: a.legacy_md5_secret.clone(),
        jwt_secret: a.jwt_secret.clone(),
        token_ttl: TimeDelta::seconds(i64::try_from(a.token_ttl_secs).unwrap_or(i64::MAX / 1000)),
        codes: CodePolicy {
            cooldown: TimeDelta::seconds(i64::from(l.sms_cooldown_secs)),
            daily_per_mobile: l.sms_per_mobile_per_day,
            daily_per_ip: l.sms_per_ip_per_day,
            ..CodePolicy::default()
        },
        login: LoginLimits {
            per_account: l.login_failures_per_account,
            per_ip: l.login_failures_per_ip,
            window: TimeDelta::seconds(i64::from(l.login_window_secs)),
        },
    }
}

impl Application {
    /// Connects, migrates, seeds demo data when configured, binds the
    /// listener and starts serving (the returned value must be awaited
    /// through [`Application::run_until_stopped`]).
    pub async fn build(settings: &Settings) -> Result<Application, StartError> {
        let db = prepare_database(settings).await?;
        if settings.database.demo_data && db.seed_demo_data().await? {
            tracing::info!("empty catalogue filled with demo data");
        }
        let accounts = Accounts::new(
            db.clone(),
            accounts_config(settings),
            sms_sender(settings)?,
            Arc::new(SystemClock),
        )
        .map_err(|e| StartError::Config(format!("auth: {e}")))?;
        let (gateway, refresher) = gateway(settings)?;
        let orders = Arc::new(orders(settings, db.clone(), gateway));
        let state = AppState::builder(db.clone(), Arc::new(accounts), orders.clone())
            .catalogue_ttl(settings.catalogue_ttl())
            .static_dir(&settings.server.static_dir)
            .media(media_store(settings)?)
            .trusted_proxies(settings.server.trusted_proxies.clone())
            .cors_origins(
                letao_api::CorsOrigins::parse(&settings.server.cors_origins)
                    .map_err(|e| StartError::Config(format!("server.cors_origins: {e}")))?,
            );
        let metrics = metrics_handle();
        let private_state = state.metrics(metrics.clone()).build();
        let state = if settings.metrics.public {
            private_state.clone()
        } else {
            private_state.clone().without_metrics()
        };
        let bind_err = |source| StartError::Bind {
            addr: settings.server.addr.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.server.addr).map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        // Signals are handled in `run_until_stopped`, which logs them.
        let server = HttpServer::new(move || letao_api::app(state.clone()))
            .disable_signals()
            .shutdown_timeout(settings.server.shutdown_timeout_secs)
            // The count the database pools were split for.
            .workers(settings.server.worker_count());
        let server = server.listen(listener).map_err(bind_err)?.run();
        let metrics_server = if settings.metrics.addr.trim().is_empty() {
            None
        } else {
            let addr = settings.metrics.addr.trim().to_owned();
            let err = |source| StartError::Bind {
                addr: addr.clone(),
                source,
            };
            let listener = TcpListener::bind(&addr).map_err(err)?;
            let bound = listener.local_addr().map_err(err)?;
            let server = HttpServer::new(move || letao_api::metrics_app(private_state.clone()))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .map_err(err)?
                .run();
            tracing::info!(addr = %bound, "metrics listening");
            Some(server)
        };
        let interval = Duration::from_secs(settings.orders.expiry_interval_secs);
        actix_web::rt::spawn(letao_shop::jobs::run_expiry(orders.clone(), interval));
        actix_web::rt::spawn(letao_shop::jobs::run_receipts(orders.clone(), interval));
        let daily = letao_shop::reconcile::DailyReconciliation {
            at: settings
                .reconcile
                .time()
                .map_err(|e| StartError::Config(e.to_string()))?,
            ..letao_shop::reconcile::DailyReconciliation::default()
        };
        actix_web::rt::spawn(letao_shop::reconcile::run_daily(
            orders,
            daily,
            Duration::from_secs(60),
        ));
        tracing::info!(
            %addr,
            backend = db.backend().name(),
            sms = ?settings.sms.backend,
            media = ?settings.media.backend,
            database = db.display_url(),
            environment = %settings.environment,
            "letao-server listening"
        );
        if let Some(metrics) = metrics_server {
            actix_web::rt::spawn(metrics);
        }
        Ok(Application {
            addr,
            server,
            db,
            _refresher: refresher,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (or a handle's stop), letting in-flight
    /// requests finish within the configured grace period.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = std::pin::pin!(self.server);
        tokio::select! {
            result = &mut server => result?,
            signal = shutdown_signal() => {
                tracing::info!(signal, "shutdown signal received; finishing in-flight requests");
                // The command is sent now; the server future (polled below)
                // carries it out.
                drop(handle.stop(true));
                server.await?;
            }
        }
        tracing::info!("letao-server stopped");
        Ok(())
    }
}

/// Waits for SIGINT or SIGTERM; the name of the one that came. Where a
/// handler cannot be installed, waits forever (stop through a handle).
async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot listen for shutdown signals");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
}

/// How often histogram samples are folded into their buckets.
const METRICS_UPKEEP: Duration = Duration::from_secs(1);

/// The process's metrics recorder, installed once (a second
/// application in one process, as in tests, shares it).
fn metrics_handle() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let latency = [
                0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
            ];
            let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&latency)
                .and_then(|b| b.install_recorder())
                .map_err(|e| tracing::warn!(error = %e, "metrics are off"))
                .ok()?;
            // Histogram samples wait in a queue until upkeep folds them
            // into the buckets: without it they pile up between scrapes
            // (or forever, when nothing scrapes), tens of MiB per million
            // requests.
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(METRICS_UPKEEP);
                        upkeep.run_upkeep();
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "metrics are off: no upkeep thread");
                return None;
            }
            Some(handle)
        })
        .clone()
}
