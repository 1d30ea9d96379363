//! Write transactions that behave the same on the three backends, and the
//! bounded retry of transactions the database aborted for contention.

use crate::DbError;
use crate::pool::SqliteConn;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, AsyncPgConnection, TransactionManager};
use std::time::Duration;

/// How a write transaction's body ends early: roll back and yield a value
/// (a business outcome such as "out of stock"), or fail on a database error.
pub(crate) enum Abort<T> {
    /// Roll back; the transaction's result is this value.
    Rollback(T),
    /// Roll back; the transaction failed.
    Db(DieselError),
}

impl<T> From<DieselError> for Abort<T> {
    fn from(e: DieselError) -> Self {
        Abort::Db(e)
    }
}

/// Begin/commit/rollback of a write transaction. SQLite takes its write
/// lock up front (`BEGIN IMMEDIATE`, waiting through `busy_timeout`), so a
/// transaction that reads before it writes cannot fail half-way with
/// SQLITE_BUSY; MySQL and PostgreSQL use a plain transaction and rely on
/// the row locks their UPDATEs take.
pub(crate) trait WriteTxn: AsyncConnection + Send {
    fn begin_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send;

    fn commit_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send {
        <Self as AsyncConnection>::TransactionManager::commit_transaction(self)
    }

    fn rollback_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send {
        <Self as AsyncConnection>::TransactionManager::rollback_transaction(self)
    }
}

impl WriteTxn for AsyncPgConnection {
    async fn begin_write(&mut self) -> Result<(), DieselError> {
        <Self as AsyncConnection>::TransactionManager::begin_transaction(self).await
    }
}

impl WriteTxn for AsyncMysqlConnection {
    async fn begin_write(&mut self) -> Result<(), DieselError> {
        <Self as AsyncConnection>::TransactionManager::begin_transaction(self).await
    }
}

impl WriteTxn for SqliteConn {
    async fn begin_write(&mut self) -> Result<(), DieselError> {
        self.spawn_blocking(|conn| {
            diesel::connection::AnsiTransactionManager::begin_transaction_sql(
                conn,
                "BEGIN IMMEDIATE",
            )
        })
        .await
    }
}

/// Runs `body` in a write transaction: committed when it returns `Ok`,
/// rolled back when it aborts. Use through the `write_txn!` macro, which
/// also retries on contention.
pub(crate) async fn run_write<C, T>(
    conn: &mut C,
    body: impl AsyncFnOnce(&mut C) -> Result<T, Abort<T>>,
) -> Result<T, DbError>
where
    C: WriteTxn,
{
    conn.begin_write().await?;
    let outcome = body(conn).await;
    let result = match outcome {
        Ok(value) => match conn.commit_write().await {
            Ok(()) => return Ok(value),
            Err(e) => Err(e.into()),
        },
        Err(Abort::Rollback(value)) => Ok(value),
        Err(Abort::Db(e)) => Err(e.into()),
    };
    // A failed rollback leaves the connection unusable; diesel marks it
    // broken and the pool drops it.
    let _ = conn.rollback_write().await;
    result
}

/// True for errors that mean "the database gave up on this transaction
/// because of another one; running it again may succeed": serialization
/// failures, deadlocks (MySQL 1213, PostgreSQL 40P01), lock wait timeouts,
/// SQLite's busy database, and a Galera certification failure.
pub fn is_contention(err: &DbError) -> bool {
    let DbError::Query(DieselError::DatabaseError(kind, info)) = err else {
        return false;
    };
    if matches!(kind, DatabaseErrorKind::SerializationFailure) {
        return true;
    }
    let msg = info.message();
    [
        "Deadlock found",
        "deadlock detected",
        "database is locked",
        "Lock wait timeout",
        "could not serialize",
    ]
    .iter()
    .any(|m| msg.contains(m))
}

/// Attempts before giving up on a contended transaction.
const ATTEMPTS: u32 = 5;

/// Runs `op` again (up to 5 attempts, with a growing random pause) while it
/// fails with a contention error; any other outcome is returned at once.
/// `op` must be a whole transaction, so a retry never applies part of it twice.
pub async fn retry_contention<T, F, Fut>(mut op: F) -> Result<T, DbError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DbError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match op().await {
            Err(e) if attempt < ATTEMPTS && is_contention(&e) => {
                let base = 5u64 << attempt;
                let jitter = rand::random_range(0..base);
                tracing::debug!(attempt, error = %e, "transaction aborted by contention; retrying");
                tokio::time::sleep(Duration::from_millis(base + jitter)).await;
            }
            other => return other,
        }
    }
}
