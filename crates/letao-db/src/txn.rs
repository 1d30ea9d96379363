//! Write transactions that behave the same on the three backends (retried
//! on contention by `contention.rs`).

use crate::DbError;
use crate::checkout::Locked;
use crate::error::{Fault, Uncoded};
use crate::pool::SqliteConn;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{
    AsyncConnection, AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    TransactionManager,
};

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

    /// Checks, just before COMMIT, that the transaction is still open:
    /// `Ok(false)` when the server has ended it by itself.
    fn still_open(&mut self) -> impl Future<Output = Result<bool, DieselError>> + Send {
        std::future::ready(Ok(true))
    }

    fn commit_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send {
        <Self as AsyncConnection>::TransactionManager::commit_transaction(self)
    }

    fn rollback_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send {
        <Self as AsyncConnection>::TransactionManager::rollback_transaction(self)
    }

    /// Puts back what `begin_write` changed in the session, once the
    /// transaction has ended either way (or failed to begin).
    fn end_write(&mut self) -> impl Future<Output = Result<(), DieselError>> + Send {
        std::future::ready(Ok(()))
    }

    /// True for a statement error that only a transaction the server has
    /// ended by itself can get.
    fn ended_error(_err: &DieselError) -> bool {
        false
    }

    /// True when the server says it ended the transaction itself while the
    /// body ran: everything the transaction wrote was rolled back.
    fn ended_by_server(&mut self) -> impl Future<Output = bool> + Send {
        std::future::ready(false)
    }
}

impl WriteTxn for AsyncPgConnection {
    async fn begin_write(&mut self) -> Result<(), DieselError> {
        <Self as AsyncConnection>::TransactionManager::begin_transaction(self).await
    }
}

/// A Galera node can end a transaction that a replicated write conflicts
/// with without telling the session. Seen with two nodes writing one row: a
/// (prepared) SELECT in the transaction returned, the session was no longer
/// in a transaction, the statements after it committed on their own, and
/// the COMMIT "succeeded" with nothing left to commit. So while a write
/// transaction runs, the session's default is read-only and only the
/// transaction itself is READ WRITE: a write sent after the server ended it
/// fails (1792) instead of committing alone. And a savepoint set at BEGIN
/// is released just before COMMIT, in a plain text statement: a transaction
/// the server ended has no savepoint any more, and the release fails
/// (1305) instead of the COMMIT reporting success. (A prepared
/// `SELECT @@in_transaction` in that place made such silent ends far more
/// frequent: 826 acknowledged orders missing in one Galera check.)
const MYSQL_BEGIN: &str =
    "SET SESSION TRANSACTION READ ONLY; START TRANSACTION READ WRITE; SAVEPOINT letao_write";
const MYSQL_RELEASE: &str = "RELEASE SAVEPOINT letao_write";
const MYSQL_END: &str = "SET SESSION TRANSACTION READ WRITE";

impl WriteTxn for AsyncMysqlConnection {
    async fn begin_write(&mut self) -> Result<(), DieselError> {
        diesel_async::AnsiTransactionManager::begin_transaction_sql(self, MYSQL_BEGIN).await
    }

    async fn still_open(&mut self) -> Result<bool, DieselError> {
        match self.batch_execute(MYSQL_RELEASE).await {
            Ok(()) => Ok(true),
            // 1305 ER_SP_DOES_NOT_EXIST: 42000, shared with syntax errors,
            // so the (English, `pool.rs`) message too.
            Err(DieselError::DatabaseError(_, info))
                if info.sqlstate().is_some_and(|s| s.as_str() == "42000")
                    && info.message().starts_with("SAVEPOINT")
                    && info.message().ends_with("does not exist") =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    async fn end_write(&mut self) -> Result<(), DieselError> {
        self.batch_execute(MYSQL_END).await
    }

    /// 1792: a write outside our READ WRITE transaction.
    fn ended_error(err: &DieselError) -> bool {
        matches!(
            err,
            DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _)
        )
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
    C: WriteTxn + Uncoded,
{
    let result = match conn.begin_write().await {
        // SQLite's write lock is held from here: its statements run on
        // this thread (the other drivers are async, and unaffected).
        Ok(()) => Locked::new(commit_or_roll_back(conn, body)).await,
        Err(e) => Err(e.into()),
    }
    .map_err(DbError::on::<C>);
    match conn.end_write().await {
        Ok(()) => result,
        // The connection failed already, and is dropped: its own error
        // says more than the reset that failed after it.
        Err(_) if matches!(&result, Err(e) if e.fault().is_some_and(|f| f.breaks_connection())) => {
            result
        }
        // A session that may still be read-only must not be reused: this
        // error drops the connection, even after a COMMIT that worked
        // (whose outcome the caller then cannot know, as with a COMMIT
        // whose connection was lost).
        Err(e) => Err(DbError::fault_error(
            Fault::Lost,
            &format!("the session could not be reset after a write transaction: {e}"),
        )),
    }
}

async fn commit_or_roll_back<C, T>(
    conn: &mut C,
    body: impl AsyncFnOnce(&mut C) -> Result<T, Abort<T>>,
) -> Result<T, DbError>
where
    C: WriteTxn,
{
    let outcome = body(conn).await;
    let result = match outcome {
        Ok(value) => match conn.still_open().await {
            Ok(true) => match conn.commit_write().await {
                Ok(()) => return Ok(value),
                Err(e) => Err(e.into()),
            },
            Ok(false) => Err(ended_by_server()),
            Err(e) => Err(e.into()),
        },
        Err(Abort::Rollback(value)) => Ok(value),
        Err(Abort::Db(e)) if C::ended_error(&e) => Err(ended_by_server()),
        // A transaction ended that way can also show up as an empty read (a
        // row it had just inserted, read back, is missing). If the server
        // says the transaction is no longer open, it was rolled back, and
        // the body stopped at this read.
        Err(Abort::Db(DieselError::NotFound)) if conn.ended_by_server().await => {
            Err(ended_by_server())
        }
        Err(Abort::Db(e)) => Err(e.into()),
    };
    // A failed rollback leaves the connection unusable; diesel marks it
    // broken and the pool drops it.
    let _ = conn.rollback_write().await;
    result
}

/// A transaction the server ended by itself before its COMMIT: nothing of
/// it was committed (its writes after that point were refused), so it is
/// run again.
fn ended_by_server() -> DbError {
    tracing::warn!("the server ended a write transaction by itself before its COMMIT");
    DbError::fault_error(
        Fault::Contention,
        "the server ended the transaction by itself before its COMMIT",
    )
}

#[cfg(test)]
mod tests {
    // Tests fail loudly.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::contention::is_contention;
    use crate::pool::Pools;
    use crate::testing::{Fixture, Migrated};
    use diesel::sql_types::BigInt;
    use diesel_async::SimpleAsyncConnection;

    /// Runs `body` through `run_write` on a MySQL connection of `m`, then
    /// an autocommit UPDATE on the same connection (refused if the session
    /// was left read-only, even though it matches no row).
    async fn on_mysql<T>(
        m: &Migrated,
        body: impl AsyncFnOnce(&mut AsyncMysqlConnection) -> Result<T, Abort<T>>,
    ) -> Result<T, DbError> {
        let pools = m.db.pools()?;
        let Pools::Mysql(conns) = &*pools else {
            panic!("a MySQL pool");
        };
        let mut obj = conns.get().await.unwrap();
        let result = run_write(&mut *obj, body).await;
        obj.batch_execute("UPDATE category SET categoryName = 'x' WHERE id = -1")
            .await
            .expect("the session is read-write again");
        result
    }

    fn categories(m: &Migrated, ids: &str) -> i64 {
        m.database.scalar_i64(&format!(
            "SELECT COUNT(*) FROM category WHERE id IN ({ids})"
        ))
    }

    /// What Galera does to a transaction a replicated write aborts without
    /// telling the session, seen from the session: it is no longer in a
    /// transaction. ROLLBACK sent behind diesel's back stands in for that.
    #[tokio::test]
    #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    async fn a_transaction_the_server_ended_commits_nothing_and_is_contention() {
        let m = Migrated::fixture(crate::Backend::Mysql).await;
        // A read that then finds nothing.
        let err = on_mysql(&m, async |c| {
            c.batch_execute("INSERT INTO category (id, categoryName) VALUES (91, 'a'); ROLLBACK")
                .await?;
            diesel::select(diesel::dsl::sql::<BigInt>("id FROM category WHERE id = 91"))
                .get_result::<i64>(c)
                .await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(is_contention(&err), "{err:?}");
        // A write after it: refused, never committed on its own.
        let err = on_mysql(&m, async |c| {
            c.batch_execute("INSERT INTO category (id, categoryName) VALUES (92, 'a'); ROLLBACK")
                .await?;
            c.batch_execute("INSERT INTO category (id, categoryName) VALUES (93, 'stray')")
                .await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(is_contention(&err), "{err:?}");
        // Nothing after it at all: the COMMIT is not sent as if it worked.
        let err = on_mysql(&m, async |c| {
            c.batch_execute("INSERT INTO category (id, categoryName) VALUES (94, 'a'); ROLLBACK")
                .await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(is_contention(&err), "{err:?}");
        assert_eq!(categories(&m, "91, 92, 93, 94"), 0);
    }

    #[tokio::test]
    #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    async fn an_empty_read_in_an_open_transaction_is_a_plain_miss() {
        let m = Migrated::fixture(crate::Backend::Mysql).await;
        let err = on_mysql(&m, async |c| {
            diesel::select(diesel::dsl::sql::<BigInt>("id FROM category WHERE id = -1"))
                .get_result::<i64>(c)
                .await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(
            matches!(err, DbError::Query(DieselError::NotFound)),
            "{err:?}"
        );
        let n = on_mysql(&m, async |c| {
            Ok(
                diesel::sql_query("INSERT INTO category (id, categoryName) VALUES (95, 'kept')")
                    .execute(c)
                    .await?,
            )
        })
        .await
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(categories(&m, "95"), 1);
    }
}
