//! The bounded retry of transactions the database aborted for contention.

use crate::DbError;
use crate::error::Fault;
use std::time::Duration;

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
    #![allow(clippy::unwrap_used)]

    use super::*;
    use diesel::result::Error as DieselError;

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
}
