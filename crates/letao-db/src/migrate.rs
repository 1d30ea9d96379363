//! Embedded migrations, one set per backend.

use crate::pool::Backend;
use crate::{Db, DbError};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const MYSQL: EmbeddedMigrations = embed_migrations!("../../migrations/mysql");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

impl Db {
    /// Applies every pending migration and returns the names of those applied.
    ///
    /// diesel's migration harness is synchronous. It runs on a thread of its
    /// own with its own connection: the async wrapper would otherwise block
    /// on (and, on a current-thread runtime, deadlock) the caller's runtime.
    pub async fn migrate(&self) -> Result<Vec<String>, DbError> {
        let backend = self.backend();
        let url = self.driver_url().to_owned();
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("letao-migrate".into())
            .spawn(move || {
                let _ = tx.send(migrate_blocking(backend, &url));
            })
            .map_err(|e| DbError::Migration(format!("cannot start the migration thread: {e}")))?;
        rx.await
            .map_err(|_| DbError::Migration("the migration thread stopped".into()))?
    }
}

fn migrate_blocking(backend: Backend, url: &str) -> Result<Vec<String>, DbError> {
    match backend {
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(url)
                .map_err(|e| DbError::Unavailable(e.to_string()))?;
            conn.batch_execute(crate::pool::SQLITE_PRAGMAS)?;
            run(&mut conn, SQLITE)
        }
        Backend::Mysql => {
            let mut conn = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(url)
                .map_err(|e| DbError::Unavailable(e.to_string()))?;
            conn.batch_execute(crate::pool::MYSQL_SESSION)?;
            let pending = conn
                .pending_migrations(MYSQL)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            if pending
                .iter()
                .any(|m| m.name().to_string().ends_with("_accounts"))
            {
                refuse_duplicate_users(&mut conn)?;
            }
            run(&mut conn, MYSQL)
        }
        Backend::Postgres => {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(url)
                .map_err(|e| DbError::Unavailable(e.to_string()))?;
            conn.batch_execute(crate::pool::POSTGRES_SESSION)?;
            run(&mut conn, POSTGRES)
        }
    }
}

fn run<DB, C>(conn: &mut C, migrations: EmbeddedMigrations) -> Result<Vec<String>, DbError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
{
    let applied = conn
        .run_pending_migrations(migrations)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

#[derive(diesel::QueryableByName)]
struct Duplicate {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    ids: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// An original `user` table may hold rows the new unique keys would
/// refuse. Stop before changing anything and name them, so an operator can
/// decide; never drop or change a row.
fn refuse_duplicate_users(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
) -> Result<(), DbError> {
    use diesel::RunQueryDsl;
    let exists: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = 'user'",
    )
    .get_result(conn)?;
    if exists.n == 0 {
        return Ok(());
    }
    // Grouped the way the new keys compare: usernames exactly (utf8mb4_bin).
    let usernames: Vec<Duplicate> = diesel::sql_query(
        "SELECT CONVERT(username USING utf8mb4) COLLATE utf8mb4_bin AS value, \
         CAST(GROUP_CONCAT(id ORDER BY id) AS CHAR) AS ids FROM `user` \
         WHERE username IS NOT NULL \
         GROUP BY CONVERT(username USING utf8mb4) COLLATE utf8mb4_bin HAVING COUNT(*) > 1",
    )
    .load(conn)?;
    let mobiles: Vec<Duplicate> = diesel::sql_query(
        "SELECT CONVERT(mobile USING utf8mb4) AS value, \
         CAST(GROUP_CONCAT(id ORDER BY id) AS CHAR) AS ids FROM `user` \
         WHERE mobile IS NOT NULL GROUP BY mobile HAVING COUNT(*) > 1",
    )
    .load(conn)?;
    if usernames.is_empty() && mobiles.is_empty() {
        return Ok(());
    }
    let list = |kind: &str, dups: &[Duplicate]| {
        dups.iter()
            .map(|d| format!("{kind} {:?} (user ids {})", d.value, d.ids))
            .collect::<Vec<_>>()
    };
    let mut found = list("username", &usernames);
    found.extend(list("mobile", &mobiles));
    Err(DbError::Adoption(format!(
        "the user table has duplicates that the new unique keys would refuse: {}. \
         Nothing was changed; merge or rename these rows, then start again.",
        found.join("; ")
    )))
}
