//! The audit log: every owner write, in the same transaction as the write.

use crate::columns::{UtcTime, naive};
use crate::schema::audit_log;
use crate::{AuditEntry, AuditRecord};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::AuditAction;

/// An entry as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub(crate) struct AuditRecordRow {
    /// Id, increasing.
    id: i64,
    /// When.
    #[diesel(deserialize_as = UtcTime)]
    at: DateTime<Utc>,
    /// Who (none: the command line).
    actor_id: Option<i32>,
    /// Their username then.
    actor_name: Option<String>,
    /// What.
    #[diesel(deserialize_as = String)]
    action: AuditAction,
    /// On what.
    target: String,
    /// Before/after.
    detail: String,
}

impl From<AuditRecordRow> for AuditRecord {
    fn from(r: AuditRecordRow) -> Self {
        AuditRecord {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            target: r.target,
            detail: r.detail,
        }
    }
}

/// Writing an entry inside a caller's write transaction.
pub(crate) trait AuditOps {
    /// Appends `entry` at `now`.
    fn audit(
        &mut self,
        entry: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl_for_each_conn!(AuditOps {
    async fn audit(&mut self, entry: &AuditEntry<'_>, now: DateTime<Utc>) -> Result<(), DieselError> {
        let target: String = entry.target.chars().take(100).collect();
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(naive(now)),
                audit_log::actor_id.eq(entry.actor.id),
                audit_log::actor_name.eq(entry.actor.name.as_deref()),
                audit_log::action.eq(entry.action.as_str()),
                audit_log::target.eq(target),
                audit_log::detail.eq(&entry.detail),
            ))
            .execute(self)
            .await?;
        Ok(())
    }
});

impl Db {
    /// A page of the audit log, newest first: entries older than `before`
    /// (an id from the previous page), else from `offset`.
    pub async fn audit_page(
        &self,
        before: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, DbError> {
        read_conn!(self, |conn| {
            let mut q = audit_log::table
                .select(AuditRecordRow::as_select())
                .order(audit_log::id.desc())
                .limit(limit)
                .into_boxed();
            q = match before {
                Some(id) => q.filter(audit_log::id.lt(id)),
                None => q.offset(offset),
            };
            Ok(q.load::<AuditRecordRow>(conn)
                .await?
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>())
        })
    }

    /// How many entries there are.
    pub async fn audit_count(&self) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            Ok(audit_log::table.count().get_result(conn).await?)
        })
    }
}
