//! Embedded migrations, one set per backend.

use crate::pool::Backend;
use crate::{Db, DbError, Fault};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
#[cfg(feature = "test-utils")]
use std::error::Error;

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
                .map_err(|e| DbError::fault_error(Fault::NoConnection, &e.to_string()))?;
            conn.batch_execute(crate::pool::SQLITE_PRAGMAS)?;
            run(&mut conn, SQLITE)
        }
        Backend::Mysql => {
            let mut conn = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(url)
                .map_err(|e| DbError::fault_error(Fault::NoConnection, &e.to_string()))?;
            conn.batch_execute(crate::pool::MYSQL_SESSION)?;
            let pending = conn
                .pending_migrations(MYSQL)
                .map_err(|e| DbError::Migration(e.to_string()))?;
            let pending: Vec<String> = pending.iter().map(|m| m.name().to_string()).collect();
            if pending.iter().any(|m| m.ends_with("_accounts")) {
                refuse_duplicate_users(&mut conn)?;
            }
            let orders_pending = pending.iter().any(|m| m.ends_with("_orders"));
            if orders_pending && !mysql_columns(&mut conn, "payorder")?.is_empty() {
                let dups = find_duplicates(&mut conn, "payorder", "out_trade_no", "out_trade_no")?;
                refuse("payorder", &[("out_trade_no", dups)])?;
            }
            let draft_payorder = orders_pending && adopt_draft_payorder(&mut conn)?;
            let applied = run(&mut conn, MYSQL)?;
            if draft_payorder {
                copy_draft_payment_facts(&mut conn)?;
            }
            Ok(applied)
        }
        Backend::Postgres => {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(url)
                .map_err(|e| DbError::fault_error(Fault::NoConnection, &e.to_string()))?;
            conn.batch_execute(crate::pool::POSTGRES_SESSION)?;
            run(&mut conn, POSTGRES)
        }
    }
}

/// Applies the pending migrations that come before the one whose name ends
/// with `stop`, and no others: a database as an earlier release left it,
/// for the tests of a migration.
#[cfg(feature = "test-utils")]
pub(crate) fn migrate_before(backend: Backend, url: &str, stop: &str) -> Result<(), DbError> {
    fn before<DB, C>(
        conn: &mut C,
        migrations: EmbeddedMigrations,
        stop: &str,
    ) -> Result<(), DbError>
    where
        DB: diesel::backend::Backend,
        C: MigrationHarness<DB>,
    {
        let failed = |e: Box<dyn Error + Send + Sync>| DbError::Migration(e.to_string());
        for m in conn.pending_migrations(migrations).map_err(failed)? {
            if m.name().to_string().ends_with(stop) {
                break;
            }
            conn.run_migration(&*m).map_err(failed)?;
        }
        Ok(())
    }
    let unavailable =
        |e: diesel::ConnectionError| DbError::fault_error(Fault::NoConnection, &e.to_string());
    match backend {
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(url).map_err(unavailable)?;
            before(&mut conn, SQLITE, stop)
        }
        Backend::Mysql => {
            let mut conn = AsyncConnectionWrapper::<AsyncMysqlConnection>::establish(url)
                .map_err(unavailable)?;
            before(&mut conn, MYSQL, stop)
        }
        Backend::Postgres => {
            let mut conn =
                AsyncConnectionWrapper::<AsyncPgConnection>::establish(url).map_err(unavailable)?;
            before(&mut conn, POSTGRES, stop)
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
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// The columns of `table` in this database (none when it does not exist).
fn mysql_columns(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
    table: &str,
) -> Result<Vec<String>, DbError> {
    use diesel::RunQueryDsl;
    let cols: Vec<Column> = diesel::sql_query(
        "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind::<diesel::sql_types::Text, _>(table)
    .load(conn)?;
    Ok(cols.into_iter().map(|c| c.name).collect())
}

/// The lecture notes show two `payorder` tables: an early draft filled from
/// payment notifications (transaction_id, bank_type, openid, time_end, ...;
/// no body or trade_state), and the final one filled when an order is
/// placed. The orders migration extends the final one; a draft table is
/// first given the final table's columns (its rows were paid orders) and
/// its notification-only columns made optional. Nothing is dropped.
/// Returns whether the table was a draft one.
fn adopt_draft_payorder(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
) -> Result<bool, DbError> {
    let cols = mysql_columns(conn, "payorder")?;
    if cols.is_empty() || cols.iter().any(|c| c == "body") {
        return Ok(false);
    }
    let mut changes = vec![
        "ADD COLUMN `body` varchar(100) NOT NULL DEFAULT ''".to_owned(),
        "ADD COLUMN `spbill_create_ip` varchar(50) NOT NULL DEFAULT ''".to_owned(),
        "ADD COLUMN `trade_state` varchar(20) NOT NULL DEFAULT 'SUCCESS'".to_owned(),
    ];
    for col in [
        "bank_type",
        "cash_fee",
        "fee_type",
        "is_subscribe",
        "openid",
        "sign",
        "time_end",
        "transaction_id",
    ] {
        if cols.iter().any(|c| c == col) {
            changes.push(format!("MODIFY `{col}` varchar(50) DEFAULT NULL"));
        }
    }
    conn.batch_execute(&format!("ALTER TABLE `payorder` {}", changes.join(", ")))?;
    tracing::info!("adopted the draft payorder table (notification columns kept)");
    Ok(true)
}

/// After the orders migration, a draft table's payment facts are copied to
/// the columns the server reads.
fn copy_draft_payment_facts(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
) -> Result<(), DbError> {
    conn.batch_execute(
        "UPDATE `payorder` SET \
           `wx_transaction_id` = `transaction_id`, \
           `wx_time_end` = LEFT(`time_end`, 14), \
           `wx_bank_type` = LEFT(`bank_type`, 32), \
           `wx_openid` = LEFT(`openid`, 128), \
           `cash_fen` = CASE WHEN `cash_fee` REGEXP '^[0-9]+$' THEN CAST(`cash_fee` AS SIGNED) END \
         WHERE `wx_transaction_id` IS NULL AND `transaction_id` IS NOT NULL AND `transaction_id` <> ''",
    )?;
    Ok(())
}

/// Values of `table.column` held by more than one row, grouped by the
/// expression `group_by` (the comparison the new unique key will use).
fn find_duplicates(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
    table: &str,
    column: &str,
    group_by: &str,
) -> Result<Vec<Duplicate>, DbError> {
    use diesel::RunQueryDsl;
    Ok(diesel::sql_query(format!(
        "SELECT CONVERT(`{column}` USING utf8mb4) AS value, \
         CAST(GROUP_CONCAT(id ORDER BY id) AS CHAR) AS ids FROM `{table}` \
         WHERE `{column}` IS NOT NULL GROUP BY {group_by} HAVING COUNT(*) > 1"
    ))
    .load(conn)?)
}

/// Stops the upgrade, naming every duplicate, when there are any. Nothing
/// has been changed at that point; no row is ever dropped.
fn refuse(table: &str, found: &[(&str, Vec<Duplicate>)]) -> Result<(), DbError> {
    let list: Vec<String> = found
        .iter()
        .flat_map(|(column, dups)| {
            dups.iter()
                .map(move |d| format!("{column} {:?} (ids {})", d.value, d.ids))
        })
        .collect();
    if list.is_empty() {
        return Ok(());
    }
    Err(DbError::Adoption(format!(
        "the {table} table has duplicates that the new unique keys would refuse: {}. \
         Nothing was changed; merge or rename these rows, then start again.",
        list.join("; ")
    )))
}

/// An original `user` table may hold rows the new unique keys would
/// refuse: usernames compared exactly (utf8mb4_bin), and mobiles.
fn refuse_duplicate_users(
    conn: &mut AsyncConnectionWrapper<AsyncMysqlConnection>,
) -> Result<(), DbError> {
    if mysql_columns(conn, "user")?.is_empty() {
        return Ok(());
    }
    let usernames = find_duplicates(
        conn,
        "user",
        "username",
        "CONVERT(username USING utf8mb4) COLLATE utf8mb4_bin",
    )?;
    let mobiles = find_duplicates(conn, "user", "mobile", "mobile")?;
    refuse("user", &[("username", usernames), ("mobile", mobiles)])
}
