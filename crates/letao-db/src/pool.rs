//! The connection pool for whichever backend the URL names.

use crate::DbError;
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
use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

/// SQLite through diesel's synchronous driver, run on blocking threads.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection, crate::checkout::Detached>;

/// The database products supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (bundled library).
    Sqlite,
    /// MySQL 8 or MariaDB 10.11.
    Mysql,
    /// PostgreSQL 15 or newer.
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, DbError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "mysql" | "mariadb" => Ok(Backend::Mysql),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(DbError::BadUrl(format!(
                "expected sqlite://, mysql:// or postgres://, got `{}`",
                redact_url(url)
            ))),
        }
    }

    /// A lower-case name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Mysql => "mysql",
            Backend::Postgres => "postgres",
        }
    }

    /// Pool size used when the configuration names none. SQLite serialises
    /// writers anyway, so a few connections are enough for concurrent reads.
    pub const fn default_pool_size(self) -> usize {
        match self {
            Backend::Sqlite => 4,
            Backend::Mysql | Backend::Postgres => 10,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The pool's size and use at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Most connections the pool opens.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Open and idle.
    pub available: usize,
    /// Requests waiting for one.
    pub waiting: usize,
}

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
    /// pool: on MySQL and PostgreSQL each thread that queries has a pool of
    /// its own, of `pool_size / workers` connections (rounded up).
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

/// Where a [`Db`] keeps its connections.
///
/// SQLite's calls run on blocking threads, and any thread may use any of
/// its connections: one pool. A MySQL or PostgreSQL connection is
/// registered with the I/O driver of the runtime that opened it, and each
/// actix worker is a runtime of its own: a worker using a connection that
/// another one opened hears of every reply through that other worker's
/// event loop, a thread switch each way (the owner's order list on MariaDB
/// ran 18-42% slower for it, `bench/README.md`). So each thread that
/// queries these gets a pool of its own, opened on first use. The set owns
/// the pools: they close with the last clone of the [`Db`], or with their
/// thread.
struct PoolSet {
    /// SQLite's one pool.
    shared: Option<Arc<Pools>>,
    backend: Backend,
    /// The URL the driver connects with (also for migrations, which use
    /// their own connection).
    driver_url: String,
    /// Connections of each thread's pool.
    per_thread: usize,
    timeout: Duration,
    /// Shared by every thread's pool: after a connection failure, all of
    /// them refuse the connections opened before it.
    suspect: Arc<SuspectBefore>,
    /// Every thread's pool.
    opened: Mutex<Vec<Arc<Pools>>>,
}

/// A thread's pools, one per [`PoolSet`] it has queried; when the thread
/// ends, its pools leave their sets and close.
#[derive(Default)]
struct ThreadPools(Vec<(Weak<PoolSet>, Weak<Pools>)>);

impl Drop for ThreadPools {
    fn drop(&mut self) {
        for (set, pools) in self.0.drain(..) {
            if let Some(set) = set.upgrade() {
                set.opened()
                    .retain(|p| !std::ptr::eq(Arc::as_ptr(p), pools.as_ptr()));
            }
        }
    }
}

thread_local! {
    static LOCAL: RefCell<ThreadPools> = RefCell::default();
}

impl PoolSet {
    /// A new pool of this set's backend.
    fn build(&self) -> Result<Pools, DbError> {
        let (url, size, timeout, suspect) = (
            self.driver_url.as_str(),
            self.per_thread,
            self.timeout,
            self.suspect.clone(),
        );
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

    fn opened(&self) -> MutexGuard<'_, Vec<Arc<Pools>>> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The calling thread's pool (SQLite's one pool).
    fn pools(self: &Arc<Self>) -> Result<Arc<Pools>, DbError> {
        if let Some(pools) = &self.shared {
            return Ok(pools.clone());
        }
        let this = Arc::as_ptr(self);
        let mine = LOCAL.try_with(|local| {
            local
                .borrow()
                .0
                .iter()
                .find(|(set, _)| std::ptr::eq(set.as_ptr(), this))
                .and_then(|(_, pools)| pools.upgrade())
        });
        if let Ok(Some(pools)) = mine {
            return Ok(pools);
        }
        let pools = Arc::new(self.build()?);
        let kept = LOCAL.try_with(|local| {
            let mut local = local.borrow_mut();
            local.0.retain(|(set, _)| set.strong_count() > 0);
            local.0.push((Arc::downgrade(self), Arc::downgrade(&pools)));
        });
        // A thread being torn down gets a pool for this one call.
        if kept.is_ok() {
            self.opened().push(pools.clone());
        }
        Ok(pools)
    }

    /// Every thread's pool.
    fn all(&self) -> Vec<Arc<Pools>> {
        match &self.shared {
            Some(pools) => vec![pools.clone()],
            None => self.opened().clone(),
        }
    }
}

/// Connections to one database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pools: Arc<PoolSet>,
    display_url: std::sync::Arc<str>,
    config: std::sync::Arc<DbConfig>,
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
            shared: None,
            backend,
            driver_url,
            per_thread: match backend {
                Backend::Sqlite => size,
                Backend::Mysql | Backend::Postgres => size.div_ceil(config.workers.max(1)),
            },
            timeout: config.timeout,
            suspect: Arc::new(SuspectBefore::new()),
            opened: Default::default(),
        };
        // Built once here to refuse a bad configuration at start.
        let first = set.build()?;
        if backend == Backend::Sqlite {
            set.shared = Some(Arc::new(first));
        }
        Ok(Db {
            pools: Arc::new(set),
            display_url: redact_url(&config.url).into(),
            config: std::sync::Arc::new(config.clone()),
            write_gate: (backend == Backend::Sqlite).then(Default::default),
        })
    }

    /// Connections of their own on the same database, as a second
    /// instance of the server has.
    pub fn fresh_pool(&self) -> Result<Db, DbError> {
        Db::connect(&self.config)
    }

    /// Which database product this is.
    pub fn backend(&self) -> Backend {
        self.pools.backend
    }

    /// The URL with any password replaced by `***`, for logs.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// The calling thread's pool (see [`PoolSet`]).
    pub(crate) fn pools(&self) -> Result<Arc<Pools>, DbError> {
        self.pools.pools()
    }

    pub(crate) fn driver_url(&self) -> &str {
        &self.pools.driver_url
    }

    /// The pools' size and use now (every thread's together), for metrics.
    pub fn pool_status(&self) -> PoolStatus {
        let mut total = PoolStatus::default();
        for pools in self.pools.all() {
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

/// The URL in the form the driver wants.
fn driver_url(backend: Backend, url: &str) -> Result<String, DbError> {
    match backend {
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or_default();
            if path.is_empty() {
                return Err(DbError::BadUrl("sqlite:// needs a file path".into()));
            }
            Ok(path.to_owned())
        }
        Backend::Mysql => {
            let mut parsed = url::Url::parse(url).map_err(|e| DbError::BadUrl(format!("{e}")))?;
            if parsed.scheme() == "mariadb" {
                let rest = url.trim_start_matches("mariadb");
                parsed = url::Url::parse(&format!("mysql{rest}"))
                    .map_err(|e| DbError::BadUrl(format!("{e}")))?;
            }
            // mysql_async moves to the server's unix socket after connecting
            // unless told not to; keep the TCP address we were given.
            if !parsed.query_pairs().any(|(k, _)| k == "prefer_socket") {
                parsed
                    .query_pairs_mut()
                    .append_pair("prefer_socket", "false");
            }
            Ok(parsed.to_string())
        }
        Backend::Postgres => Ok(url.to_owned()),
    }
}

/// The URL with its password masked, safe for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL (e.g. a bare path): nothing to mask, but never echo
        // something that might hold credentials in an unusual shape.
        Err(_) if url.contains('@') => "<unparseable url>".to_owned(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("mysql://u:p@h/db").ok(),
            Some(Backend::Mysql)
        );
        assert_eq!(
            Backend::from_url("postgres://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("redis://h").is_err());
        assert!(Backend::from_url("data/x.db").is_err());
    }

    #[test]
    fn redaction_hides_the_password_only() {
        assert_eq!(
            redact_url("mysql://root:s3cret@127.0.0.1:3306/letao"),
            "mysql://root:***@127.0.0.1:3306/letao"
        );
        assert_eq!(
            redact_url("sqlite://data/letao.db"),
            "sqlite://data/letao.db"
        );
        assert!(!redact_url("postgres://u:pa%40ss@h/db").contains("pa"));
    }

    #[test]
    fn mysql_urls_stay_on_tcp() -> Result<(), DbError> {
        let url = driver_url(Backend::Mysql, "mysql://root:pw@127.0.0.1:3306/letao")?;
        assert!(url.ends_with("?prefer_socket=false"), "{url}");
        let kept = driver_url(Backend::Mysql, "mysql://h/db?prefer_socket=true")?;
        assert!(kept.ends_with("?prefer_socket=true"), "{kept}");
        Ok(())
    }

    #[test]
    fn sqlite_urls_name_a_path() -> Result<(), DbError> {
        assert_eq!(
            driver_url(Backend::Sqlite, "sqlite://data/letao.db")?,
            "data/letao.db"
        );
        assert_eq!(
            driver_url(Backend::Sqlite, "sqlite:///tmp/x.db")?,
            "/tmp/x.db"
        );
        assert!(driver_url(Backend::Sqlite, "sqlite://").is_err());
        Ok(())
    }
}
