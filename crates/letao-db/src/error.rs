//! Errors of the persistence layer.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached (no connection, pool timeout, connection lost).
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

impl DbError {
    /// True when the connection that produced this error should not be reused.
    pub(crate) fn poisons_connection(err: &DieselError) -> bool {
        matches!(
            err,
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    // mysql_async reports lost connections as Unknown.
                    | DatabaseErrorKind::Unknown,
                _
            ) | DieselError::BrokenTransactionManager
        )
    }
}

impl From<DieselError> for DbError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => DbError::Unavailable(info.message().to_owned()),
            _ => DbError::Query(err),
        }
    }
}

impl<E: std::fmt::Display> From<deadpool::managed::PoolError<E>> for DbError {
    fn from(err: deadpool::managed::PoolError<E>) -> Self {
        DbError::Unavailable(err.to_string())
    }
}
