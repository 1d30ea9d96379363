//! Write transactions that behave the same on the three backends, and the
//! bounded retry of transactions the database aborted for contention.

use crate::DbError;
use crate::error::Fault;
use crate::pool::SqliteConn;
use diesel::result::Error as DieselError;
use diesel_async::{
    AsyncConnection, AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl, TransactionManager,
};
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

    /// True when the server reports that it ended our transaction itself
    /// (rolled it back) while the body ran.
    fn ended_by_server(&mut self) -> impl Future<Output = bool> + Send {
        std::future::ready(false)
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

    /// MariaDB's `@@in_transaction` is 0 once the server has rolled the
    /// transaction back (MySQL has no such variable: unknown, so false).
    async fn ended_by_server(&mut self) -> bool {
        use diesel::sql_types::BigInt;
        diesel::select(diesel::dsl::sql::<BigInt>(
            "CAST(@@in_transaction AS SIGNED)",
        ))
        .get_result::<i64>(self)
        .await
        .is_ok_and(|open| open == 0)
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
        // On Galera a transaction aborted by a replicated write can show
        // up as an empty read (a row it had just inserted, read back, is
        // missing) instead of 1213. If the server says the transaction is
        // no longer open, it was rolled back: nothing of it was committed,
        // and the body stopped at this read, so it is contention.
        Err(Abort::Db(DieselError::NotFound)) if conn.ended_by_server().await => {
            tracing::warn!(
                "a read inside a transaction found nothing and the server had rolled the transaction back"
            );
            Err(DbError::fault_error(
                Fault::Contention,
                "the server rolled the transaction back while it ran (a read in it found nothing)",
            ))
        }
        Err(Abort::Db(e)) => Err(e.into()),
    };
    // A failed rollback leaves the connection unusable; diesel marks it
    // broken and the pool drops it.
    let _ = conn.rollback_write().await;
    result
}

/// True for errors that mean "the database gave up on this transaction
/// and committed nothing; running it again may succeed": serialization
/// failures, deadlocks (MySQL 1213, also Galera's certification failure;
/// PostgreSQL 40P01), lock wait timeouts, SQLite still busy, and a Galera
/// node outside the Primary Component (1047, raised before anything runs).
/// Never a lost connection: its COMMIT may have happened.
pub fn is_contention(err: &DbError) -> bool {
    matches!(err.fault(), Some(Fault::Contention | Fault::Refused))
}

/// Contention that outlasted the attempts, saying so in the log.
fn gave_up(err: DbError, attempts: u32) -> DbError {
    match err {
        DbError::Unavailable(message) => {
            DbError::Unavailable(format!("{message} (after {attempts} attempts)"))
        }
        other => other,
    }
}

/// Attempts before giving up on a contended transaction.
const ATTEMPTS: u32 = 5;

/// Runs `op` again (up to 5 attempts, with a growing random pause) while it
/// fails with a contention error; any other outcome is returned at once.
/// `op` must be a whole transaction, so a retry never applies part of it
/// twice. Contention that outlasts the attempts stays `Unavailable` (503:
/// try again later).
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
            Err(e) if is_contention(&e) => return Err(gave_up(e, attempt)),
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    // Tests fail loudly.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::pool::Pools;
    use crate::testing::{Fixture, Migrated};
    use diesel::sql_types::BigInt;
    use diesel_async::SimpleAsyncConnection;

    fn server_error(message: &str) -> DbError {
        DbError::from(DieselError::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new(message.to_owned()),
        ))
    }

    /// How many times `retry_contention` runs an operation that always
    /// fails with `message`, and the error it ends with.
    async fn attempts_on(message: &str) -> (u32, DbError) {
        let calls = std::cell::Cell::new(0);
        let err = retry_contention(|| async {
            calls.set(calls.get() + 1);
            Err::<(), _>(server_error(message))
        })
        .await
        .unwrap_err();
        (calls.get(), err)
    }

    #[tokio::test]
    async fn contention_is_retried_and_a_lost_connection_never() {
        let (n, err) =
            attempts_on("Deadlock found when trying to get lock; try restarting transaction").await;
        assert_eq!(n, ATTEMPTS);
        assert!(
            matches!(&err, DbError::Unavailable(m) if m.starts_with("contention: Deadlock found")
                && m.ends_with("(after 5 attempts)")),
            "{err:?}"
        );
        let (n, _) = attempts_on("WSREP has not yet prepared node for application use").await;
        assert_eq!(n, ATTEMPTS, "1047 ran nothing: retried");
        let (n, err) =
            attempts_on("Input/output error: Input/output error: connection closed").await;
        assert_eq!(n, 1, "a write is never run again after its connection went");
        assert!(matches!(&err, DbError::Unavailable(m) if m.starts_with("connection lost: ")));
        let (n, _) = attempts_on(
            "Error while appending streaming replication fragment(provider status: \
             Not connected to Primary Component)",
        )
        .await;
        assert_eq!(n, 1, "1180 at COMMIT is not retried");
    }

    /// `run_write` on a MySQL connection of `m`, with a body that reads a
    /// row that does not exist after `before` ran inside the transaction.
    async fn missing_row_after(m: &Migrated, before: &'static str) -> Result<(), DbError> {
        let Pools::Mysql(conns) = m.db.pools() else {
            panic!("a MySQL pool");
        };
        let mut obj = conns.get().await.unwrap();
        run_write(&mut *obj, async |c: &mut AsyncMysqlConnection| {
            c.batch_execute(before).await?;
            diesel::select(diesel::dsl::sql::<BigInt>("id FROM payorder WHERE id = -1"))
                .get_result::<i64>(c)
                .await?;
            Ok(())
        })
        .await
    }

    /// What Galera does to a transaction a replicated write aborts, seen
    /// from the session: it is no longer in a transaction. A read that
    /// then finds nothing is contention, retried whole.
    #[tokio::test]
    #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    async fn an_empty_read_after_the_server_ended_the_transaction_is_contention() {
        let m = Migrated::fixture(crate::Backend::Mysql).await;
        // ROLLBACK sent behind diesel's back stands in for the abort.
        let err = missing_row_after(&m, "ROLLBACK").await.unwrap_err();
        assert!(is_contention(&err), "{err:?}");
        // The same read inside a transaction still open is a plain miss.
        let err = missing_row_after(&m, "DO 1").await.unwrap_err();
        assert!(
            matches!(err, DbError::Query(DieselError::NotFound)),
            "{err:?}"
        );
    }
}
