//! Errors of the persistence layer, and the one place that tells a failed
//! statement from a fault of the database or of the connection to it.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use std::fmt;

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot serve the request now: no connection, pool
    /// timeout, connection lost, a node outside its cluster, or contention
    /// that outlasted the retries.
    #[error("database unavailable ({fault}): {message}")]
    Unavailable {
        /// What kind of fault.
        fault: Fault,
        /// What the driver or the database said.
        message: String,
    },
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

/// Why the database cannot serve now: each kind says whether the
/// connection can be reused and whether the work may be run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No connection could be had in time (the pool's wait, or opening
    /// one): nothing ran.
    NoConnection,
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

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::NoConnection => "no connection",
            Fault::Lost => "connection lost",
            Fault::Refused => "node not ready",
            Fault::NotServing => "not serving",
            Fault::Contention => "contention",
        })
    }
}

impl Fault {
    /// The fault an error reports the same way on every backend: diesel's
    /// kinds (from the drivers' codes) and the SQLSTATE of a server error.
    fn of(err: &DieselError) -> Option<Fault> {
        match err {
            DieselError::DatabaseError(kind, info) => match kind {
                // tokio-postgres errors without an SQLSTATE (the connection
                // closed), and diesel's own closed connection.
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    Some(Fault::Lost)
                }
                // PostgreSQL 40001; MySQL 1213 (deadlock, also Galera's
                // certification failure).
                DatabaseErrorKind::SerializationFailure => Some(Fault::Contention),
                _ => Fault::of_sqlstate(info.as_ref()),
            },
            // A COMMIT or ROLLBACK failed half-way (the connection went).
            DieselError::BrokenTransactionManager => Some(Fault::Lost),
            _ => None,
        }
    }

    /// The fault a server's SQLSTATE names. MySQL shares three SQLSTATEs
    /// between errors that are different faults, and diesel-async passes on
    /// its SQLSTATE but not its error number: for those three, the message
    /// tells them apart, in English whatever the server's language (each
    /// session sets `lc_messages = 'en_US'`, see `pool.rs`).
    fn of_sqlstate(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Fault> {
        let state = info.sqlstate()?;
        let message = info.message();
        match state.as_str() {
            // PostgreSQL deadlock_detected, serialization_failure.
            "40P01" | "40001" => Some(Fault::Contention),
            // PostgreSQL admin_shutdown (terminated), crash_shutdown,
            // idle_session_timeout.
            "57P01" | "57P02" | "57P05" => Some(Fault::Lost),
            // MariaDB 70100: 1927 ER_CONNECTION_KILLED, or 1317
            // ER_QUERY_INTERRUPTED (KILL QUERY), after which the connection
            // serves on.
            "70100" if message.starts_with("Connection was killed") => Some(Fault::Lost),
            // PostgreSQL cannot_connect_now: starting, stopping, recovering.
            "57P03" => Some(Fault::NotServing),
            // MySQL 08S01: 1047 from a Galera node outside the Primary
            // Component (nothing ran) or 1053 ER_SERVER_SHUTDOWN.
            "08S01" if message.starts_with("WSREP has not yet prepared node") => {
                Some(Fault::Refused)
            }
            // Any connection exception.
            s if s.starts_with("08") => Some(Fault::Lost),
            // MySQL HY000 (a general error): 1205 ER_LOCK_WAIT_TIMEOUT, 1180
            // ER_ERROR_DURING_COMMIT from a Galera node that lost the
            // Primary Component ("... Not connected to Primary Component").
            "HY000" if message.starts_with("Lock wait timeout") => Some(Fault::Contention),
            "HY000" if message.contains("Not connected to Primary Component") => {
                Some(Fault::NotServing)
            }
            _ => None,
        }
    }

    /// True when the connection that reported it must not be reused (and
    /// those opened before it are suspect).
    pub(crate) fn breaks_connection(self) -> bool {
        !matches!(self, Fault::Contention | Fault::NoConnection)
    }
}

/// How a connection type's errors that carry no SQLSTATE tell a fault.
pub(crate) trait Uncoded {
    /// The fault of a database error without an SQLSTATE, if it is one.
    fn uncoded_fault(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Fault>;
}

impl Uncoded for diesel_async::AsyncMysqlConnection {
    /// A MySQL error without an SQLSTATE did not come from the server: it
    /// is the driver's (a socket that failed, a closed connection, a
    /// packet out of order), so the connection is gone.
    fn uncoded_fault(_: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Fault> {
        Some(Fault::Lost)
    }
}

impl Uncoded for diesel_async::AsyncPgConnection {
    /// PostgreSQL's server errors all carry an SQLSTATE, and its driver's
    /// own are `UnableToSendCommand`: nothing else is a fault.
    fn uncoded_fault(_: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Fault> {
        None
    }
}

impl Uncoded for crate::pool::SqliteConn {
    /// SQLITE_BUSY and SQLITE_LOCKED. Diesel keeps SQLite's result code
    /// only for constraint kinds; the message it keeps is SQLite's own
    /// fixed text of the code (`sqlite3_errstr`), which SQLite never
    /// translates.
    fn uncoded_fault(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> Option<Fault> {
        matches!(
            info.message(),
            "database is locked" | "database table is locked"
        )
        .then_some(Fault::Contention)
    }
}

impl DbError {
    /// The fault this error reports, if it is one.
    pub(crate) fn fault(&self) -> Option<Fault> {
        match self {
            DbError::Unavailable { fault, .. } => Some(*fault),
            _ => None,
        }
    }

    /// A fault, with its message.
    pub(crate) fn fault_error(fault: Fault, message: &str) -> DbError {
        DbError::Unavailable {
            fault,
            message: message.to_owned(),
        }
    }

    /// This error as connection type `C` tells it: a failed statement
    /// without an SQLSTATE may be a fault of that backend's driver.
    pub(crate) fn on<C: Uncoded>(self) -> DbError {
        match self {
            DbError::Query(DieselError::DatabaseError(kind, info)) if info.sqlstate().is_none() => {
                match C::uncoded_fault(info.as_ref()) {
                    Some(fault) => DbError::fault_error(fault, info.message()),
                    None => DbError::Query(DieselError::DatabaseError(kind, info)),
                }
            }
            other => other,
        }
    }
}

/// Every fault becomes `Unavailable` (the API's 503) here and in
/// [`DbError::on`], and nowhere else; any other error is a failed statement
/// (`Query`, the API's 500).
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
        DbError::fault_error(Fault::NoConnection, &err.to_string())
    }
}

#[cfg(test)]
mod tests {
    // Tests fail loudly.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::pool::SqliteConn;
    use diesel::result::SqlState;
    use diesel_async::{AsyncMysqlConnection, AsyncPgConnection};

    /// A server error as the drivers pass it on: a message and an SQLSTATE.
    struct Server(&'static str, &'static str);

    impl DatabaseErrorInformation for Server {
        fn message(&self) -> &str {
            self.1
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
        fn sqlstate(&self) -> Option<SqlState> {
            self.0.parse().ok()
        }
    }

    fn server(state: &'static str, message: &'static str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(Server(state, message)))
    }

    /// An error without an SQLSTATE (a driver's own, or SQLite's).
    fn uncoded(message: &str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    fn fault_on<C: Uncoded>(err: DieselError) -> Option<Fault> {
        DbError::from(err).on::<C>().fault()
    }

    /// Whatever the message says (here in another language), the code
    /// decides.
    #[test]
    fn postgres_faults_are_told_by_sqlstate() {
        for (state, fault) in [
            ("57P01", Fault::Lost),
            ("57P02", Fault::Lost),
            ("57P05", Fault::Lost),
            ("08006", Fault::Lost),
            ("57P03", Fault::NotServing),
            ("40P01", Fault::Contention),
            ("40001", Fault::Contention),
        ] {
            let err = server(state, "sortie de la connexion");
            assert_eq!(fault_on::<AsyncPgConnection>(err), Some(fault), "{state}");
        }
        // tokio-postgres without an SQLSTATE: the connection closed.
        let closed = DieselError::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new("connection closed".to_owned()),
        );
        assert_eq!(fault_on::<AsyncPgConnection>(closed), Some(Fault::Lost));
        assert_eq!(
            fault_on::<AsyncPgConnection>(DieselError::BrokenTransactionManager),
            Some(Fault::Lost)
        );
        // pg_cancel_backend (57014) and a unique violation leave the
        // connection usable: statement errors.
        for err in [
            server("57014", "canceling statement due to user request"),
            server("23505", "duplicate key value violates unique constraint"),
            uncoded("unexpected"),
        ] {
            let err = DbError::from(err).on::<AsyncPgConnection>();
            assert!(matches!(err, DbError::Query(_)), "{err:?}");
        }
    }

    #[test]
    fn mysql_faults_are_told_by_sqlstate_and_the_drivers_own_errors_are_lost() {
        // What mysql_async passed on against MariaDB 10.11 for a connection
        // killed idle or in a transaction, and the server stopped or killed:
        // errors of the driver, with no SQLSTATE.
        for message in [
            "Input/output error: Input/output error: Broken pipe (os error 32)",
            "Input/output error: Input/output error: connection closed",
            "Driver error: `Connection to the server is closed.'",
        ] {
            assert_eq!(
                fault_on::<AsyncMysqlConnection>(uncoded(message)),
                Some(Fault::Lost),
                "{message}"
            );
        }
        // 1213 (deadlock, Galera certification failure) is diesel's
        // SerializationFailure, from its error number.
        let deadlock = DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new(Server("40001", "Deadlock found when trying to get lock")),
        );
        assert_eq!(
            fault_on::<AsyncMysqlConnection>(deadlock),
            Some(Fault::Contention)
        );
        for (state, message, fault) in [
            ("70100", "Connection was killed", Fault::Lost),
            ("08S01", "Server shutdown in progress", Fault::Lost),
            (
                "08S01",
                "WSREP has not yet prepared node for application use",
                Fault::Refused,
            ),
            (
                "HY000",
                "Lock wait timeout exceeded; try restarting transaction",
                Fault::Contention,
            ),
            (
                "HY000",
                "Error while appending streaming replication fragment(provider status: Not connected to Primary Component)",
                Fault::NotServing,
            ),
        ] {
            assert_eq!(
                fault_on::<AsyncMysqlConnection>(server(state, message)),
                Some(fault),
                "{message}"
            );
        }
        for err in [
            server("70100", "Query execution was interrupted"),
            server("23000", "Duplicate entry 'x' for key 'username'"),
            server("HY000", "Some other general error"),
            server("42000", "You have an error in your SQL syntax"),
        ] {
            let err = DbError::from(err).on::<AsyncMysqlConnection>();
            assert!(matches!(err, DbError::Query(_)), "{err:?}");
        }
    }

    #[test]
    fn sqlite_busy_and_locked_are_contention_and_other_errors_are_statements() {
        assert_eq!(
            fault_on::<SqliteConn>(uncoded("database is locked")),
            Some(Fault::Contention)
        );
        assert_eq!(
            fault_on::<SqliteConn>(uncoded("database table is locked")),
            Some(Fault::Contention)
        );
        let err = DbError::from(uncoded("no such table: nope")).on::<SqliteConn>();
        assert!(matches!(err, DbError::Query(_)), "{err:?}");
    }

    #[test]
    fn contention_is_told_apart_from_lost_connections() {
        let contention = DbError::from(server("40P01", "deadlock detected"));
        assert!(crate::contention::is_contention(&contention));
        let refused = DbError::from(server(
            "08S01",
            "WSREP has not yet prepared node for application use",
        ));
        assert!(
            crate::contention::is_contention(&refused),
            "1047 ran nothing: retried"
        );
        let lost = DbError::from(uncoded("connection closed")).on::<AsyncMysqlConnection>();
        assert!(
            !crate::contention::is_contention(&lost),
            "a lost COMMIT is never retried"
        );
        assert!(lost.fault().is_some_and(Fault::breaks_connection));
        assert!(!contention.fault().is_some_and(Fault::breaks_connection));
    }

    #[test]
    fn faults_carry_their_kind_and_the_message() {
        let lost = DbError::from(server(
            "57P01",
            "terminating connection due to administrator command",
        ));
        assert!(
            matches!(&lost, DbError::Unavailable { fault: Fault::Lost, message } if message == "terminating connection due to administrator command"),
            "{lost:?}"
        );
        assert_eq!(
            lost.to_string(),
            "database unavailable (connection lost): terminating connection due to administrator command"
        );
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
        let err = DbError::from(err).on::<SqliteConn>();
        assert!(
            matches!(&err, DbError::Unavailable { fault: Fault::Contention, message } if message == "database is locked"),
            "{err:?}"
        );
        drop((holder, other));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pool_errors_are_no_connection_and_keep_no_connection_from_the_pool() {
        let err = DbError::fault_error(
            Fault::NoConnection,
            "Timeout occurred while waiting for a slot",
        );
        assert_eq!(err.fault(), Some(Fault::NoConnection));
        assert!(!Fault::NoConnection.breaks_connection());
        assert!(!crate::contention::is_contention(&err));
    }
}
