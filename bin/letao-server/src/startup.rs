//! Building and running the server from its settings.

use crate::settings::Settings;
use actix_web::HttpServer;
use actix_web::dev::Server;
use letao_api::AppState;
use letao_db::{Db, DbError};
use std::net::{SocketAddr, TcpListener};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database is unreachable or could not be migrated.
    #[error(transparent)]
    Database(#[from] DbError),
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
}

/// Connects to the database and applies pending migrations.
pub async fn prepare_database(settings: &Settings) -> Result<Db, StartError> {
    let db = Db::connect(&settings.database.db_config())?;
    let applied = db.migrate().await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(db)
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
        let state = AppState::builder(db.clone())
            .catalogue_ttl(settings.catalogue_ttl())
            .static_dir(&settings.server.static_dir)
            .build();
        let bind_err = |source| StartError::Bind {
            addr: settings.server.addr.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.server.addr).map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let mut server = HttpServer::new(move || letao_api::app(state.clone()))
            .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if let Some(workers) = settings.server.workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener).map_err(bind_err)?.run();
        tracing::info!(
            %addr,
            backend = db.backend().name(),
            database = db.display_url(),
            environment = %settings.environment,
            "letao-server listening"
        );
        Ok(Application { addr, server, db })
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
        self.server.await?;
        tracing::info!("letao-server stopped");
        Ok(())
    }
}
