//! The connection pool for whichever backend the URL names.

mod backend;
mod slots;

pub use backend::{Backend, redact_url};

use self::backend::driver_url;
use self::slots::Slots;
use crate::DbError;
use crate::PoolStatus;
use crate::checkout::{Conns, SuspectBefore};
use deadpool::managed::{Hook, HookError};
use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// SQLite through diesel's synchronous driver, run on blocking threads.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, crate::checkout::Detached>;

/// How to reach the database.
#[derive(Clone)]
pub struct DbConfig {
    /// `sqlite://PATH`, `mysql://...` or `postgres://...`.
    pub url: String,
    /// Maximum number of pooled connections; `None` picks a default per
    /// backend ([`Backend::default_pool_size`]).
    pub pool_size: Option<usize>,
    /// Longest wait for a connection (and to open one) before giving up.
    pub timeout: Duration,
    /// How many async runtimes (actix workers) serve requests from this
    /// pool: on MySQL and PostgreSQL, `pool_size` is cut into this many
    /// slots and one more (for the runtime that starts the server: its
    /// migrations, demo data and background jobs), one thread's pool each
    /// (`slots.rs`); all threads together never hold more than `pool_size`.
    pub workers: usize,
}

impl fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .field("workers", &self.workers)
            .finish()
    }
}

pub(crate) enum Pools {
    Sqlite(Conns<SqliteConn>),
    Mysql(Conns<AsyncMysqlConnection>),
    Postgres(Conns<AsyncPgConnection>),
}

/// What a [`Db`] and its clones share.
struct PoolSet {
    backend: Backend,
    /// The URL the driver connects with (also for migrations, which use
    /// their own connection).
    driver_url: String,
    timeout: Duration,
    /// Shared by every pool: after a connection failure, all of them refuse
    /// the connections opened before it.
    suspect: Arc<SuspectBefore>,
    /// SQLite's one pool, or MySQL's and PostgreSQL's slots (`slots.rs`).
    pools: Place,
}

enum Place {
    Shared(Arc<Pools>),
    Slots(Arc<Slots>),
}

impl PoolSet {
    /// A new pool of `size` connections of this set's backend.
    fn build(&self, size: usize) -> Result<Pools, DbError> {
        let (url, timeout, suspect) =
            (self.driver_url.as_str(), self.timeout, self.suspect.clone());
        Ok(match self.backend {
            Backend::Sqlite => {
                Pools::Sqlite(build_pool(url, SQLITE_PRAGMAS, size, timeout, suspect)?)
            }
            Backend::Mysql => Pools::Mysql(build_pool(url, MYSQL_SESSION, size, timeout, suspect)?),
            Backend::Postgres => {
                Pools::Postgres(build_pool(url, POSTGRES_SESSION, size, timeout, suspect)?)
            }
        })
    }
}

/// Connections to one database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pools: Arc<PoolSet>,
    display_url: std::sync::Arc<str>,
    /// SQLite only: where this pool's writers take turns (see [`Db::write_gate`]).
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.pools.backend)
            .field("url", &self.display_url)
            .finish()
    }
}

impl Db {
    /// Builds the pool. No connection is opened until one is needed.
    pub fn connect(config: &DbConfig) -> Result<Db, DbError> {
        let backend = Backend::from_url(&config.url)?;
        let size = config
            .pool_size
            .unwrap_or(backend.default_pool_size())
            .max(1);
        let driver_url = driver_url(backend, &config.url)?;
        if backend == Backend::Sqlite
            && let Some(dir) = std::path::Path::new(&driver_url).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError::BadUrl(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut set = PoolSet {
            backend,
            driver_url,
            timeout: config.timeout,
            suspect: Arc::new(SuspectBefore::new()),
            // A slot per worker, and one for the runtime that started the
            // server (migrations, demo data, background jobs).
            pools: Place::Slots(Arc::new(Slots::new(size, config.workers + 1))),
        };
        // Built once here to refuse a bad configuration at start.
        let first = set.build(size)?;
        if backend == Backend::Sqlite {
            set.pools = Place::Shared(Arc::new(first));
        }
        Ok(Db {
            pools: Arc::new(set),
            display_url: redact_url(&config.url).into(),
            write_gate: (backend == Backend::Sqlite).then(Default::default),
        })
    }

    /// Which database product this is.
    pub fn backend(&self) -> Backend {
        self.pools.backend
    }

    /// The URL with any password replaced by `***`, for logs.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// The calling thread's pool (see `slots.rs`).
    pub(crate) fn pools(&self) -> Result<Arc<Pools>, DbError> {
        match &self.pools.pools {
            Place::Shared(pools) => Ok(pools.clone()),
            Place::Slots(slots) => slots.pools(|size| self.pools.build(size)),
        }
    }

    pub(crate) fn driver_url(&self) -> &str {
        &self.pools.driver_url
    }

    /// The pools' size and use now (every thread's together), for metrics.
    pub fn pool_status(&self) -> PoolStatus {
        let mut total = PoolStatus::default();
        let all = match &self.pools.pools {
            Place::Shared(pools) => vec![pools.clone()],
            Place::Slots(slots) => slots.all(),
        };
        for pools in all {
            let s = match &*pools {
                Pools::Sqlite(p) => p.status(),
                Pools::Mysql(p) => p.status(),
                Pools::Postgres(p) => p.status(),
            };
            total.max_size += s.max_size;
            total.size += s.size;
            total.available += s.available;
            total.waiting += s.waiting;
        }
        total
    }

    /// Waits for this pool's turn to write, on SQLite; at once elsewhere.
    /// SQLite has one writer at a time, and a writer that finds the
    /// database locked polls it in sleeps of 1 to 100 ms (`busy_timeout`),
    /// so under load writers waited long after the lock was free. Writers
    /// of this pool queue here instead, in order, and the lock is always
    /// free when one starts (`busy_timeout` still covers other processes).
    /// Hold the guard until the write has committed. MySQL and PostgreSQL
    /// writers run side by side, ordered by their row locks.
    pub(crate) async fn write_gate(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// Runs a trivial query; `Err` when the database cannot be reached.
    /// Never retried: `/ready` reports what one attempt finds.
    pub async fn ping(&self) -> Result<(), DbError> {
        use diesel::IntoSql;
        use diesel_async::RunQueryDsl;
        with_conn!(self, |conn| {
            diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>())
                .get_result::<i32>(conn)
                .await?;
            Ok(())
        })
    }
}

// The busy timeout comes first, so that the pragmas after it wait for a
// writer (a connection closing after a cancelled request, say) too.
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
// Timestamps are stored in UTC; strict mode turns silent truncation into
// errors; messages in English, for the few faults that share an SQLSTATE
// (error.rs).
pub(crate) const MYSQL_SESSION: &str = "SET time_zone = '+00:00', NAMES utf8mb4, \
     sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO', \
     lc_messages = 'en_US'";
pub(crate) const POSTGRES_SESSION: &str = "SET TIME ZONE 'UTC'";

/// A pool of `C` connections, each set up with `session_sql` when opened.
/// Recycling skips the test query (fast path); broken connections are
/// dropped by [`crate::checkout::Checkout::finish`] instead, and
/// connections opened before the last such failure are refused when taken
/// from the pool.
fn build_pool<C>(
    url: &str,
    session_sql: &'static str,
    size: usize,
    timeout: Duration,
    suspect: Arc<SuspectBefore>,
) -> Result<Conns<C>, DbError>
where
    C: PoolableConnection + SimpleAsyncConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager<Type = C>,
{
    let suspect_in_hook = suspect.clone();
    let mut mc = ManagerConfig::<C>::default();
    mc.recycling_method = RecyclingMethod::Fast;
    mc.custom_setup = Box::new(move |url| {
        async move {
            let mut conn = C::establish(url).await?;
            conn.batch_execute(session_sql)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<C>::new_with_config(url, mc);
    let pool = Pool::builder(manager)
        .max_size(size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .pre_recycle(Hook::sync_fn(move |_, metrics| {
            if suspect_in_hook.covers(metrics.created) {
                Err(HookError::message("opened before a connection failure"))
            } else {
                Ok(())
            }
        }))
        .build()
        .map_err(|e| DbError::BadUrl(e.to_string()))?;
    Ok(Conns::new(pool, suspect))
}

#[cfg(test)]
mod tests {
    /// Cached statements stay prepared: the bundled SQLite is built with
    /// the query planner stability guarantee (`.cargo/config.toml`),
    /// without which every statement with `LIMIT ?` is prepared again each
    /// time it runs.
    #[test]
    fn sqlite_plans_do_not_depend_on_bound_values() -> Result<(), Box<dyn std::error::Error>> {
        use diesel::{Connection, RunQueryDsl, SqliteConnection, sql_types::Integer};
        let mut conn = SqliteConnection::establish(":memory:")?;
        let used: i32 = diesel::select(diesel::dsl::sql::<Integer>(
            "sqlite_compileoption_used('ENABLE_QPSG')",
        ))
        .get_result(&mut conn)?;
        assert_eq!(used, 1);
        Ok(())
    }
}
