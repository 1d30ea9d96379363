//! The owner's writes to the catalogue: categories, brands, products and
//! home items.
//!
//! Each write is one transaction that first counts a catalogue change
//! (`VersionOps::bump_catalogue`), then makes the change with conditional
//! statements, then appends the audit entry with the rows as they were
//! and are. Bumping first also serialises catalogue writes on the
//! version row (SQLite's write lock does the same), so the existence
//! checks and the next home-item id read inside one write cannot be
//! invalidated by another catalogue write before it commits. Stock
//! changes are deltas applied by a conditional update, so they never
//! lose an order's concurrent reservation.

mod brands;
mod categories;
mod home_items;
mod products;
mod skus;

use crate::AuditEntry;
use crate::audit::AuditOps;
use crate::pool::SqliteConn;
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::dsl::{select, sql};
use diesel::result::Error as DieselError;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl};

/// The id the connection's last INSERT gave its row: read straight after
/// the insert, inside the same transaction.
trait InsertedId {
    fn inserted_id(&mut self) -> impl Future<Output = Result<i32, DieselError>> + Send;
}

/// An id read as a BIGINT, as a row id.
fn to_id(id: i64) -> Result<i32, DieselError> {
    i32::try_from(id).map_err(|e| DieselError::DeserializationError(Box::new(e)))
}

impl InsertedId for SqliteConn {
    async fn inserted_id(&mut self) -> Result<i32, DieselError> {
        to_id(
            select(sql::<BigInt>("last_insert_rowid()"))
                .get_result(self)
                .await?,
        )
    }
}

impl InsertedId for AsyncMysqlConnection {
    async fn inserted_id(&mut self) -> Result<i32, DieselError> {
        to_id(
            select(sql::<BigInt>("CAST(LAST_INSERT_ID() AS SIGNED)"))
                .get_result(self)
                .await?,
        )
    }
}

impl InsertedId for AsyncPgConnection {
    async fn inserted_id(&mut self) -> Result<i32, DieselError> {
        // The sequence value this session's last insert took.
        to_id(select(sql::<BigInt>("lastval()")).get_result(self).await?)
    }
}

impl Db {
    /// Appends an audit entry for an owner action that changes no row
    /// (an uploaded image), in a transaction of its own.
    pub async fn record_audit(
        &self,
        entry: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        write_txn!(self, |conn| {
            conn.audit(entry, now).await?;
            Ok(())
        })
    }
}
