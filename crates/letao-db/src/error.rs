//! Errors of the persistence layer, and the one place that tells a failed
//! statement from a fault of the database or of the connection to it.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot serve the request now: no connection, pool
    /// timeout, connection lost, a node outside its cluster, or contention
    /// that outlasted the retries. The message starts with the kind of
    /// fault (`connection lost: …`, `contention: …`).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A statement failed.
    #[error("database query failed")]
    Query(#[source] DieselError),
    /// The database URL is not one of the supported forms.
    #[error("unsupported database url: {0}")]
    BadUrl(String),
    /// A migration could not be applied.
    #[error("migration failed: {0}")]
    Migration(String),
    /// An existing database holds data the schema upgrade cannot accept as is.
    #[error("cannot upgrade the existing database: {0}")]
    Adoption(String),
}

/// A failure of the database or of the connection, as opposed to a
/// statement the database rejected: each kind says whether the connection
/// can be reused and whether the work may be run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The connection is gone: reset, closed, killed, the server died or is
    /// shutting down. Nothing more runs on it, and a COMMIT in flight has an
    /// unknown outcome, so a write is never run again after this.
    Lost,
    /// The node refused the statement before running it: a Galera node
    /// outside the Primary Component (MySQL 1047). Nothing was committed,
    /// so a whole transaction may be run again.
    Refused,
    /// The server is up but cannot serve: a COMMIT on a Galera node that
    /// lost the Primary Component (1180, rolled back), PostgreSQL starting
    /// up or in recovery (57P03).
    NotServing,
    /// Another transaction won and this one was rolled back: deadlock,
    /// serialization or certification failure, lock wait timeout, SQLite
    /// still busy after its busy timeout. Running it again may succeed.
    Contention,
}

/// Texts of each fault, matched against the error's message. The drivers
/// keep no error codes: diesel-async passes on MySQL's message alone, and
/// PostgreSQL's SQLSTATE only as a few kinds. Texts marked "seen" were
/// observed against MariaDB 10.11 and PostgreSQL 15 (KILL,
/// pg_terminate_backend, SIGTERM and SIGKILL of the server).
const TEXTS: &[(Fault, Match, &str)] = &[
    // mysql_async, any socket failure (seen, behind this prefix): "Broken
    // pipe (os error 32)", "Connection reset by peer (os error 104)",
    // "connection closed", "Driver error: `Connection to the server is closed.'".
    (Fault::Lost, Match::Start, "Input/output error"),
    (
        Fault::Lost,
        Match::Within,
        "Connection to the server is closed",
    ),
    (Fault::Lost, Match::Within, "Packet out of order"),
    // MySQL 1927 ER_CONNECTION_KILLED, 1053 ER_SERVER_SHUTDOWN.
    (Fault::Lost, Match::Start, "Connection was killed"),
    (Fault::Lost, Match::Start, "Server shutdown in progress"),
    // MySQL client codes 2006 and 2013, as proxies (ProxySQL, MaxScale)
    // relay them: "MySQL server has gone away", "Lost connection to server
    // during query".
    (Fault::Lost, Match::Within, "server has gone away"),
    (Fault::Lost, Match::Start, "Lost connection to"),
    // PostgreSQL 57P01 admin_shutdown (seen: "terminating connection due to
    // administrator command"), 57P02 crash_shutdown ("… because of crash of
    // another server process"), 57P05 idle_session_timeout.
    (Fault::Lost, Match::Start, "terminating connection"),
    // MySQL 1047 from a Galera node that is not in the Primary Component.
    (
        Fault::Refused,
        Match::Start,
        "WSREP has not yet prepared node for application use",
    ),
    // MySQL 1180 from a COMMIT on a Galera node that lost the Primary
    // Component: "Error while appending streaming replication
    // fragment(provider status: Not connected to Primary Component)".
    (
        Fault::NotServing,
        Match::Within,
        "Not connected to Primary Component",
    ),
    // PostgreSQL 57P03 cannot_connect_now (seen at connect: "the database
    // system is shutting down", "… is in recovery mode", "… is not yet
    // accepting connections").
    (Fault::NotServing, Match::Start, "the database system is"),
    // MySQL 1213 (also Galera's certification failure), 1205.
    (Fault::Contention, Match::Start, "Deadlock found"),
    (
        Fault::Contention,
        Match::Start,
        "WSREP detected deadlock/conflict",
    ),
    (Fault::Contention, Match::Start, "Lock wait timeout"),
    // PostgreSQL 40P01, 40001 (also reported as SerializationFailure).
    (Fault::Contention, Match::Start, "deadlock detected"),
    (Fault::Contention, Match::Start, "could not serialize"),
    // SQLite SQLITE_BUSY / SQLITE_LOCKED after `busy_timeout`.
    (Fault::Contention, Match::Start, "database is locked"),
    (Fault::Contention, Match::Start, "database table is locked"),
];

#[derive(Clone, Copy)]
enum Match {
    Start,
    Within,
}

impl Fault {
    const ALL: [Fault; 4] = [
        Fault::Lost,
        Fault::Refused,
        Fault::NotServing,
        Fault::Contention,
    ];

    /// The fault a driver error reports, if it is one.
    pub(crate) fn of(err: &DieselError) -> Option<Fault> {
        match err {
            DieselError::DatabaseError(kind, info) => match kind {
                // tokio-postgres errors without an SQLSTATE ("connection
                // closed", seen), and diesel's own closed connection.
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    Some(Fault::Lost)
                }
                DatabaseErrorKind::SerializationFailure => Some(Fault::Contention),
                _ => Fault::of_message(info.message()),
            },
            // A COMMIT or ROLLBACK failed half-way (the connection went).
            DieselError::BrokenTransactionManager => Some(Fault::Lost),
            _ => None,
        }
    }

    fn of_message(message: &str) -> Option<Fault> {
        TEXTS
            .iter()
            .find(|(_, how, text)| match how {
                Match::Start => message.starts_with(text),
                Match::Within => message.contains(text),
            })
            .map(|&(fault, _, _)| fault)
    }

    /// The prefix of an `Unavailable` message for this fault.
    const fn label(self) -> &'static str {
        match self {
            Fault::Lost => "connection lost",
            Fault::Refused => "node not ready",
            Fault::NotServing => "not serving",
            Fault::Contention => "contention",
        }
    }

    /// True when the connection that reported it must not be reused (and
    /// those opened before it are suspect).
    pub(crate) fn breaks_connection(self) -> bool {
        !matches!(self, Fault::Contention)
    }
}

impl DbError {
    /// The fault this error reports, if it is one (pool errors are not:
    /// they already waited their timeout).
    pub(crate) fn fault(&self) -> Option<Fault> {
        let DbError::Unavailable(message) = self else {
            return None;
        };
        Fault::ALL.into_iter().find(|f| {
            message
                .strip_prefix(f.label())
                .is_some_and(|rest| rest.starts_with(": "))
        })
    }

    /// A fault, with its message.
    pub(crate) fn fault_error(fault: Fault, message: &str) -> DbError {
        DbError::Unavailable(format!("{}: {message}", fault.label()))
    }
}

/// Every fault becomes `Unavailable` (the API's 503) here and nowhere else;
/// any other error is a failed statement (`Query`, the API's 500).
impl From<DieselError> for DbError {
    fn from(err: DieselError) -> Self {
        match Fault::of(&err) {
            Some(fault) => {
                let message = match &err {
                    DieselError::DatabaseError(_, info) => info.message().to_owned(),
                    other => other.to_string(),
                };
                DbError::fault_error(fault, &message)
            }
            None => DbError::Query(err),
        }
    }
}

impl<E: std::fmt::Display> From<deadpool::managed::PoolError<E>> for DbError {
    fn from(err: deadpool::managed::PoolError<E>) -> Self {
        DbError::Unavailable(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    // Tests fail loudly.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    fn unknown(message: &str) -> DieselError {
        db_error(DatabaseErrorKind::Unknown, message)
    }

    fn fault_of(err: DieselError) -> Option<Fault> {
        DbError::from(err).fault()
    }

    /// What mysql_async (through diesel-async) returned against MariaDB
    /// 10.11: a connection killed idle, during `SLEEP`, inside a
    /// transaction before COMMIT, and the server stopped or killed.
    #[test]
    fn mysql_lost_connections_as_seen_are_lost() {
        for message in [
            "Input/output error: Input/output error: Broken pipe (os error 32)",
            "Input/output error: Input/output error: connection closed",
            "Input/output error: Input/output error: Connection reset by peer (os error 104)",
            "Input/output error: Input/output error: Driver error: `Connection to the server is closed.'",
            "Driver error: `Connection to the server is closed.'",
            "Connection was killed",
            "Server shutdown in progress",
            "MySQL server has gone away",
            "Lost connection to server during query",
        ] {
            assert_eq!(fault_of(unknown(message)), Some(Fault::Lost), "{message}");
        }
    }

    #[test]
    fn postgres_lost_connections_as_seen_are_lost() {
        assert_eq!(
            fault_of(db_error(
                DatabaseErrorKind::UnableToSendCommand,
                "connection closed"
            )),
            Some(Fault::Lost)
        );
        for message in [
            "terminating connection due to administrator command",
            "terminating connection because of crash of another server process",
        ] {
            assert_eq!(fault_of(unknown(message)), Some(Fault::Lost), "{message}");
        }
        assert_eq!(
            fault_of(DieselError::BrokenTransactionManager),
            Some(Fault::Lost)
        );
    }

    #[test]
    fn galera_refusals_and_lost_quorum_are_faults() {
        assert_eq!(
            fault_of(unknown(
                "WSREP has not yet prepared node for application use"
            )),
            Some(Fault::Refused)
        );
        assert_eq!(
            fault_of(unknown(
                "Error while appending streaming replication fragment(provider status: \
                 Not connected to Primary Component)"
            )),
            Some(Fault::NotServing)
        );
        assert_eq!(
            fault_of(unknown("the database system is in recovery mode")),
            Some(Fault::NotServing)
        );
    }

    #[test]
    fn contention_is_told_apart_from_lost_connections() {
        for message in [
            "Deadlock found when trying to get lock; try restarting transaction",
            "Lock wait timeout exceeded; try restarting transaction",
            "deadlock detected",
            "database is locked",
        ] {
            let err = DbError::from(unknown(message));
            assert_eq!(err.fault(), Some(Fault::Contention), "{message}");
            assert!(crate::is_contention(&err), "{message}");
        }
        let serial = DbError::from(db_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize access due to concurrent update",
        ));
        assert!(crate::is_contention(&serial));
        let refused = DbError::from(unknown(
            "WSREP has not yet prepared node for application use",
        ));
        assert!(crate::is_contention(&refused), "1047 ran nothing: retried");
        let lost = DbError::from(unknown(
            "Input/output error: Input/output error: connection closed",
        ));
        assert!(
            !crate::is_contention(&lost),
            "a lost COMMIT is never retried"
        );
    }

    #[test]
    fn faults_are_unavailable_and_statement_errors_are_not() {
        let lost = DbError::from(unknown(
            "Input/output error: Input/output error: Broken pipe (os error 32)",
        ));
        assert!(
            matches!(&lost, DbError::Unavailable(m) if m == "connection lost: Input/output error: \
                Input/output error: Broken pipe (os error 32)"),
            "{lost:?}"
        );
        // KILL QUERY and pg_cancel_backend leave the connection usable.
        for message in [
            "Query execution was interrupted",
            "canceling statement due to user request",
        ] {
            let err = DbError::from(unknown(message));
            assert!(matches!(err, DbError::Query(_)), "{message}");
            assert_eq!(err.fault(), None);
        }
        let dup = DbError::from(db_error(
            DatabaseErrorKind::UniqueViolation,
            "Duplicate entry 'x' for key 'username'",
        ));
        assert!(matches!(dup, DbError::Query(_)));
        assert!(matches!(
            DbError::from(DieselError::NotFound),
            DbError::Query(_)
        ));
    }

    /// SQLite's own error for a write lock it could not get in time.
    #[test]
    fn sqlite_busy_as_seen_is_contention() {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let dir = std::env::temp_dir().join(format!("letao_busy_{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("busy.db");
        let path = path.to_str().unwrap();
        let mut holder = diesel::SqliteConnection::establish(path).unwrap();
        holder
            .batch_execute("PRAGMA journal_mode = WAL; BEGIN IMMEDIATE")
            .unwrap();
        let mut other = diesel::SqliteConnection::establish(path).unwrap();
        let err = other
            .batch_execute("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE")
            .unwrap_err();
        let err = DbError::from(err);
        assert_eq!(err.fault(), Some(Fault::Contention), "{err:?}");
        assert!(matches!(&err, DbError::Unavailable(m) if m == "contention: database is locked"));
        drop((holder, other));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pool_errors_are_unavailable_but_no_statement_fault() {
        let err = DbError::Unavailable(
            "Timeout occurred while waiting for a slot to become available".into(),
        );
        assert_eq!(err.fault(), None);
        // A message that merely starts like a label is not one.
        assert_eq!(
            DbError::Unavailable("connection lost forever".into()).fault(),
            None
        );
    }
}
