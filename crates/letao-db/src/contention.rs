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
pub(crate) fn is_contention(err: &DbError) -> bool {
    matches!(err.fault(), Some(Fault::Contention | Fault::Refused))
}

/// Contention that outlasted the attempts, saying so in the log.
fn gave_up(err: DbError, attempts: u32) -> DbError {
    match err {
        DbError::Unavailable { fault, message } => DbError::Unavailable {
            fault,
            message: format!("{message} (after {attempts} attempts)"),
        },
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
pub(crate) async fn retry_contention<T, F, Fut>(mut op: F) -> Result<T, DbError>
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

    /// How many times `retry_contention` runs an operation that always
    /// fails with `fault`, and the error it ends with.
    async fn attempts_on(fault: Fault) -> (u32, DbError) {
        let calls = std::cell::Cell::new(0);
        let err = retry_contention(|| async {
            calls.set(calls.get() + 1);
            Err::<(), _>(DbError::fault_error(fault, "what the database said"))
        })
        .await
        .unwrap_err();
        (calls.get(), err)
    }

    #[tokio::test]
    async fn contention_is_retried_and_a_lost_connection_never() {
        let (n, err) = attempts_on(Fault::Contention).await;
        assert_eq!(n, ATTEMPTS);
        assert!(
            matches!(&err, DbError::Unavailable { fault: Fault::Contention, message }
                if message == "what the database said (after 5 attempts)"),
            "{err:?}"
        );
        let (n, _) = attempts_on(Fault::Refused).await;
        assert_eq!(n, ATTEMPTS, "1047 ran nothing: retried");
        let (n, err) = attempts_on(Fault::Lost).await;
        assert_eq!(n, 1, "a write is never run again after its connection went");
        assert_eq!(err.fault(), Some(Fault::Lost));
        let (n, _) = attempts_on(Fault::NotServing).await;
        assert_eq!(n, 1, "1180 at COMMIT is not retried");
        let (n, _) = attempts_on(Fault::NoConnection).await;
        assert_eq!(n, 1, "the pool waited its timeout already");
    }
}
