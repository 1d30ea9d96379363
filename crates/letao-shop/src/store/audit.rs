//! The audit log: every owner write, kept with the write.

use super::StoreError;
use chrono::{DateTime, Utc};
use letao_domain::AuditAction;

/// Who made a change: an owner's account, or the command line (no account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, when the change came through the API.
    pub id: Option<i32>,
    /// Their username at the time (kept even if it changes later).
    pub name: Option<String>,
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Who.
    pub actor: &'a Actor,
    /// What.
    pub action: AuditAction,
    /// On what, e.g. `product 12` or `order LT2026...`.
    pub target: String,
    /// A compact before/after (JSON text).
    pub detail: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Id, increasing.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none: the command line).
    pub actor_id: Option<i32>,
    /// Their username then.
    pub actor_name: Option<String>,
    /// What.
    pub action: AuditAction,
    /// On what.
    pub target: String,
    /// Before/after.
    pub detail: String,
}

impl Actor {
    /// The command line, run by whoever operates the server.
    pub const CLI: Actor = Actor {
        id: None,
        name: None,
    };
}

/// Reading the audit log, and writing an entry that goes with no other write.
#[async_trait::async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry for an owner action that changes no row (an
    /// uploaded image).
    async fn record_audit(
        &self,
        entry: &AuditEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A page of the log, newest first: entries older than `before` (an id
    /// from the previous page), else from `offset`.
    async fn audit_page(
        &self,
        before: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// Entries in the log.
    async fn audit_count(&self) -> Result<i64, StoreError>;
}
