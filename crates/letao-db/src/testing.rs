//! Throw-away databases for tests (feature `test-utils`).
//!
//! SQLite gets a file in a fresh temporary folder. MySQL and PostgreSQL get
//! a freshly created database on the server named by `TEST_MYSQL_URL` /
//! `TEST_POSTGRES_URL` (an account allowed to create databases).
//!
//! Tests of those two backends are marked `#[ignore]` by [`each_backend!`]
//! (and by hand elsewhere), so a plain `cargo nextest run` reports them as
//! skipped instead of passing them silently; `bash .ci/run` starts the
//! servers and runs them all (`--run-ignored all`). A test that runs without
//! its server's URL fails.

// Test support: failing loudly is the point.
#![allow(clippy::expect_used, clippy::panic)]

use crate::pool::{Backend, Db, DbConfig};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection};
use std::path::PathBuf;
use std::time::Duration;

/// The original server's DDL and data, as its notes give them (utf8
/// tables), for tests of adopting its database (MySQL).
pub const ORIGINAL_SCHEMA: &str = r#"
CREATE TABLE `category` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `categoryName` varchar(50) DEFAULT null,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert  into `category`(`id`,`categoryName`) values (1,'运动馆'),(2,'女士馆'),(3,'男士馆'),(4,'帆布馆'),(5,'户外管');
CREATE TABLE `brand` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `brandName` varchar(50) DEFAULT NULL,
  `categoryId` int(11) DEFAULT NULL,
  `brandLogo` varchar(200) DEFAULT NULL,
  `hot` int(4) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert  into `brand`(`id`,`brandName`,`categoryId`,`brandLogo`,`hot`) values (1,'耐克',1,'/images/brand1.png',1),(2,'阿迪',1,'/images/brand2.png',1),(3,'新百伦',1,'/images/brand3.png',1),(4,'哥伦比亚',1,'/images/brand4.png',0),(5,'匡威',1,'/images/brand5.png',1),(6,'阿萨德1',2,'/images/brand5.png',1),(7,'阿萨德2',2,'/images/brand5.png',1);
CREATE TABLE `user` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(50) DEFAULT NULL,
  `password` varchar(100) DEFAULT NULL,
  `mobile` char(11) DEFAULT NULL,
  `smscode` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert into `user` (username, password, mobile) values ('letao', 'ed5b2b5f8b9c3ac3bdd1b2d5a0e2d9f0', '13800138000');
create table payorder (
  `id` int NOT NULL auto_increment PRIMARY KEY,
  `appid` varchar(50) NOT NULL,
  `mch_id` varchar(50) NOT NULL,
  `nonce_str` varchar(50) NOT NULL,
  `body` varchar(100) NOT NULL,
  `out_trade_no` varchar(50) NOT NULL,
  `total_fee` varchar(50) NOT NULL,
  `spbill_create_ip` varchar(50) NOT NULL,
  `trade_type` varchar(20) NOT NULL,
  `trade_state` varchar(20) NOT null
);
insert into payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, trade_type, trade_state)
  values ('wx0000000000000000', '1000000000', 'abc', '乐淘商品', 'LT2021090100001', '1', '127.0.0.1', 'NATIVE', 'NOTPAY');
"#;

/// Something a test body can be given, made fresh for one backend: a bare
/// [`TestDatabase`], a migrated pool, or another crate's test application.
pub trait Fixture: Sized {
    /// A new one on `backend`.
    fn fixture(backend: Backend) -> impl Future<Output = Self>;
}

impl Fixture for TestDatabase {
    async fn fixture(backend: Backend) -> Self {
        TestDatabase::create(backend)
    }
}

/// A database migrated to the current schema, with its pool.
pub struct Migrated {
    /// The database (dropped with the fixture).
    pub database: TestDatabase,
    /// A pool on it.
    pub db: Db,
}

impl Fixture for Migrated {
    async fn fixture(backend: Backend) -> Self {
        let database = TestDatabase::create(backend);
        let db = database.pool();
        db.migrate().await.expect("migrations apply");
        Migrated { database, db }
    }
}

/// Runs each test body once per backend, as `<name>::sqlite`,
/// `<name>::mysql` and `<name>::postgres`, under the given test attribute
/// (`#[tokio::test]`, `#[actix_web::test]`). The argument's type says what
/// the body gets: anything that implements [`Fixture`]. The MySQL and
/// PostgreSQL variants are `#[ignore]`d: `bash .ci/run` runs them.
#[macro_export]
macro_rules! each_backend {
    (#[$test:meta] $(async fn $name:ident($arg:ident : $ty:ty) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::testing::Fixture as _;

            async fn run_body($arg: $ty) $body

            #[$test]
            async fn sqlite() {
                run_body(<$ty>::fixture($crate::Backend::Sqlite).await).await
            }
            #[$test]
            #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
            async fn mysql() {
                run_body(<$ty>::fixture($crate::Backend::Mysql).await).await
            }
            #[$test]
            #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
            async fn postgres() {
                run_body(<$ty>::fixture($crate::Backend::Postgres).await).await
            }
        }
    )*};
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    backend: Backend,
    url: String,
    admin_url: Option<String>,
    name: String,
    dir: Option<PathBuf>,
}

/// The environment variable naming the server for `backend`'s tests.
pub fn env_var(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Mysql => Some("TEST_MYSQL_URL"),
        Backend::Postgres => Some("TEST_POSTGRES_URL"),
    }
}

fn unique_name() -> String {
    format!("letao_t_{:016x}", rand::random::<u64>())
}

/// `url` with its database (path) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(_) => panic!("unparseable test database url"),
    }
}

impl TestDatabase {
    /// A new empty database; panics when the backend's server is not
    /// configured.
    pub fn create(backend: Backend) -> TestDatabase {
        let name = unique_name();
        match env_var(backend) {
            None => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create a temporary folder");
                let url = format!("sqlite://{}", dir.join("letao.db").display());
                TestDatabase {
                    backend,
                    url,
                    admin_url: None,
                    name,
                    dir: Some(dir),
                }
            }
            Some(var) => {
                let admin_url = match std::env::var(var) {
                    Ok(v) if !v.is_empty() => v,
                    _ => panic!(
                        "{var} is not set: run the {backend} tests through `bash .ci/run`, \
                         or export it (`eval \"$(bash .ci/run --dbs-only)\"`)"
                    ),
                };
                admin_execute(backend, &admin_url, &create_sql(backend, &name));
                TestDatabase {
                    backend,
                    url: with_database(&admin_url, &name),
                    admin_url: Some(admin_url),
                    name,
                    dir: None,
                }
            }
        }
    }

    /// The database URL, in the configuration's format.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The `user` table's name quoted for raw SQL on this backend (a
    /// reserved word on PostgreSQL, quoted otherwise on MySQL).
    pub fn quoted_user(&self) -> &'static str {
        match self.backend {
            Backend::Mysql => "`user`",
            _ => "\"user\"",
        }
    }

    /// A pool on this database (not yet migrated).
    pub fn pool(&self) -> Db {
        Db::connect(&DbConfig {
            url: self.url.clone(),
            pool_size: None,
            timeout: Duration::from_secs(10),
            workers: 1,
        })
        .expect("a pool on the test database")
    }

    /// Applies the migrations before the one whose name ends with `stop`
    /// (a database as an earlier release left it); `Db::migrate` applies
    /// the rest.
    pub fn migrate_before(&self, stop: &str) {
        let url = self.pool().driver_url().to_owned();
        let (backend, stop) = (self.backend, stop.to_owned());
        // On a thread of its own: the async connections' wrapper runs a
        // runtime, which cannot start inside the test's.
        std::thread::spawn(move || crate::migrate::migrate_before(backend, &url, &stop))
            .join()
            .expect("the migration thread")
            .expect("the earlier migrations");
    }

    /// Runs raw SQL on this database over its own connection, to set up
    /// states the application itself would never create.
    pub fn execute_sql(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let mut conn = diesel::SqliteConnection::establish(path).expect("open sqlite");
                conn.batch_execute(sql).expect("test sql");
            }
            _ => admin_execute(self.backend, &self.url, sql),
        }
    }
}

impl TestDatabase {
    /// The single integer a `SELECT` returns (e.g. a `COUNT(*)`).
    pub fn scalar_i64(&self, select: &str) -> i64 {
        // Whatever integer type the expression has, read it as a BIGINT.
        let sql = match self.backend {
            Backend::Sqlite => format!("SELECT ({select}) AS v"),
            Backend::Mysql => format!("SELECT CAST(({select}) AS SIGNED) AS v"),
            Backend::Postgres => format!("SELECT CAST(({select}) AS BIGINT) AS v"),
        };
        let url = match self.backend {
            Backend::Sqlite => self.url.trim_start_matches("sqlite://").to_owned(),
            Backend::Mysql => mysql_tcp(&self.url),
            Backend::Postgres => self.url.clone(),
        };
        let backend = self.backend;
        std::thread::spawn(move || {
            use diesel::RunQueryDsl;
            match backend {
                Backend::Sqlite => {
                    let mut c = diesel::SqliteConnection::establish(&url).expect("open sqlite");
                    diesel::sql_query(&sql)
                        .get_result::<Scalar>(&mut c)
                        .expect("scalar")
                        .v
                }
                Backend::Mysql => {
                    let mut c = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(&url)
                        .expect("connect");
                    diesel::sql_query(&sql)
                        .get_result::<Scalar>(&mut c)
                        .expect("scalar")
                        .v
                }
                Backend::Postgres => {
                    let mut c = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
                        .expect("connect");
                    diesel::sql_query(&sql)
                        .get_result::<Scalar>(&mut c)
                        .expect("scalar")
                        .v
                }
            }
        })
        .join()
        .expect("scalar thread")
    }
}

#[derive(diesel::QueryableByName)]
struct Scalar {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    v: i64,
}

fn mysql_tcp(url: &str) -> String {
    if url.contains("prefer_socket") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&prefer_socket=false")
    } else {
        format!("{url}?prefer_socket=false")
    }
}

fn create_sql(backend: Backend, name: &str) -> String {
    match backend {
        Backend::Mysql => {
            format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        }
        _ => format!("CREATE DATABASE \"{name}\""),
    }
}

/// Runs `sql` over a synchronous connection on a thread of its own (so it
/// works from inside any async runtime).
fn admin_execute(backend: Backend, url: &str, sql: &str) {
    let url = url.to_owned();
    let sql = sql.to_owned();
    std::thread::spawn(move || match backend {
        Backend::Mysql => {
            let url = mysql_tcp(&url);
            let mut conn = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(&url)
                .expect("connect to the MySQL test server");
            conn.batch_execute(&sql).expect("test sql");
        }
        Backend::Postgres => {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
                .expect("connect to the PostgreSQL test server");
            conn.batch_execute(&sql).expect("test sql");
        }
        Backend::Sqlite => unreachable!("sqlite needs no admin connection"),
    })
    .join()
    .expect("test sql thread");
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(admin) = &self.admin_url {
            let sql = match self.backend {
                Backend::Mysql => format!("DROP DATABASE IF EXISTS `{}`", self.name),
                _ => format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            };
            // Best effort: a leftover database on a test server is harmless.
            let backend = self.backend;
            let admin = admin.clone();
            let _ = std::thread::spawn(move || {
                std::panic::catch_unwind(|| admin_execute(backend, &admin, &sql))
            })
            .join();
        }
    }
}
