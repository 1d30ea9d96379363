//! Building and running the server from its settings.

use crate::compose::{self, Parts};
use crate::settings::Settings;
use actix_web::HttpServer;
use actix_web::dev::Server;
use letao_api::{AppState, Services, Web};
use letao_db::{Db, DbError};
use std::net::{SocketAddr, TcpListener};
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
    state: AppState,
    shop_db: Option<Db>,
    /// Keeps platform certificates fresh while the server runs (v3).
    _refresher: Option<CertificateRefresher>,
}

/// How an [`Application`] is built: from its settings, with any part
/// swapped (tests), on a listener of its own or one given.
pub struct ApplicationBuilder<'a> {
    settings: &'a Settings,
    parts: Parts,
    listener: Option<TcpListener>,
    jobs: bool,
}

impl ApplicationBuilder<'_> {
    /// Runs with these parts instead of the configured ones.
    pub fn parts(mut self, parts: Parts) -> Self {
        self.parts = parts;
        self
    }

    /// Serves on `listener` instead of binding `server.addr`.
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Leaves the background jobs (expiry, receipts, reconciliation) off:
    /// tests run their rounds themselves.
    pub fn without_jobs(mut self) -> Self {
        self.jobs = false;
        self
    }

    /// Assembles the shop (`compose::shop`), binds and starts serving (the
    /// returned value must be awaited through
    /// [`Application::run_until_stopped`]).
    pub async fn build(self) -> Result<Application, StartError> {
        let settings = self.settings;
        let shop = compose::shop(settings, self.parts).await?;
        let metrics = metrics_handle();
        let web = Web {
            static_dir: settings.server.static_dir.clone(),
            trusted_proxies: settings.server.trusted_proxies.clone(),
            cors: letao_api::CorsOrigins::parse(&settings.server.cors_origins)
                .map_err(|e| StartError::Config(format!("server.cors_origins: {e}")))?,
            metrics,
        };
        let private_state = AppState::new(shop.services.clone(), web);
        let state = if settings.metrics.public {
            private_state.clone()
        } else {
            private_state.clone().without_metrics()
        };
        let bind_err = |source| StartError::Bind {
            addr: settings.server.addr.clone(),
            source,
        };
        let listener = match self.listener {
            Some(listener) => listener,
            None => TcpListener::bind(&settings.server.addr).map_err(bind_err)?,
        };
        let addr = listener.local_addr().map_err(bind_err)?;
        let served = state.clone();
        // Signals are handled in `run_until_stopped`, which logs them.
        let server = HttpServer::new(move || letao_api::app(served.clone()))
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
        if self.jobs {
            spawn_jobs(settings, &shop.services)?;
        }
        tracing::info!(
            %addr,
            backend = shop.services.probe.name(),
            sms = ?settings.sms.backend,
            database = %letao_db::redact_url(&settings.database.url),
            environment = %settings.environment,
            "letao-server listening"
        );
        if let Some(metrics) = metrics_server {
            actix_web::rt::spawn(metrics);
        }
        Ok(Application {
            addr,
            server,
            state,
            shop_db: shop.db,
            _refresher: shop.refresher,
        })
    }
}

/// The background jobs: expiry, automatic receipt, the daily reconciliation.
fn spawn_jobs(settings: &Settings, services: &Services) -> Result<(), StartError> {
    let interval = Duration::from_secs(settings.orders.expiry_interval_secs);
    actix_web::rt::spawn(letao_shop::jobs::run_expiry(
        services.orders.clone(),
        interval,
    ));
    actix_web::rt::spawn(letao_shop::jobs::run_receipts(
        services.desk.clone(),
        interval,
    ));
    let daily = letao_shop::reconcile::DailyReconciliation {
        at: settings
            .reconcile
            .time()
            .map_err(|e| StartError::Config(e.to_string()))?,
        ..letao_shop::reconcile::DailyReconciliation::default()
    };
    actix_web::rt::spawn(letao_shop::reconcile::run_daily(
        services.reconciler.clone(),
        daily,
        Duration::from_secs(60),
    ));
    Ok(())
}

impl Application {
    /// The server as the settings say, with every part built from them.
    pub async fn build(settings: &Settings) -> Result<Application, StartError> {
        Application::builder(settings).build().await
    }

    /// A builder, to swap parts or give a listener.
    pub fn builder(settings: &Settings) -> ApplicationBuilder<'_> {
        ApplicationBuilder {
            settings,
            parts: Parts::default(),
            listener: None,
            jobs: true,
        }
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The database, when the shop runs on the configured one.
    pub fn db(&self) -> Option<&Db> {
        self.shop_db.as_ref()
    }

    /// What the routes reach (for calls in-process).
    pub fn state(&self) -> &AppState {
        &self.state
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
