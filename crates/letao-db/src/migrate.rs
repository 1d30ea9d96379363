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
