//! The owner's side: who may do what, and the audit log. The owner's use
//! cases on orders live with the orders (`orders/admin.rs`), those on the
//! catalogue in `owners/catalogue.rs` and `owners/images.rs`.

pub mod catalogue;
pub mod images;

use crate::ShopError;
use crate::media::MediaStore;
use crate::store::{
    Actor, AuditRecord, AuditStore, CatalogueAdminStore, PageStart, ProductFilter, UserRecord,
};
use crate::totals::Totals;
use letao_auth::Clock;
use letao_domain::{Permission, Role};
use std::sync::Arc;
use std::time::Duration;

/// A user with an owner role, as read from the database for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// User id.
    pub id: i32,
    /// Username.
    pub username: Option<String>,
    /// Role.
    pub role: Role,
}

impl Owner {
    /// The owner a user is, if they have a role.
    pub fn of(user: &UserRecord) -> Option<Owner> {
        Some(Owner {
            id: user.id,
            username: user.username.clone(),
            role: user.role?,
        })
    }

    /// `Forbidden` unless the role allows `what`.
    pub fn require(&self, what: Permission) -> Result<(), ShopError> {
        if self.role.may(what) {
            Ok(())
        } else {
            Err(ShopError::Forbidden)
        }
    }

    /// The audit log's actor.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id),
            name: self.username.clone(),
        }
    }
}

/// One page of a list, newest or lowest first, with the total.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Rows in all pages (up to a few seconds stale).
    pub total: i64,
    /// The cursor of the next page, when this one is full.
    pub next: Option<i64>,
}

/// The owner's tools that are not about one order: the catalogue, the
/// uploaded images, the audit log.
pub struct Owners {
    catalogue: Arc<dyn CatalogueAdminStore>,
    audit: Arc<dyn AuditStore>,
    clock: Arc<dyn Clock>,
    audit_total: Totals<()>,
    product_totals: Totals<ProductFilter>,
    media: Arc<dyn MediaStore>,
}

impl Owners {
    /// The service over the owner's catalogue and the audit log, keeping
    /// uploaded images in `media`; list totals are kept for `totals_ttl`.
    pub fn new(
        catalogue: Arc<dyn CatalogueAdminStore>,
        audit: Arc<dyn AuditStore>,
        clock: Arc<dyn Clock>,
        totals_ttl: Duration,
        media: Arc<dyn MediaStore>,
    ) -> Owners {
        Owners {
            audit_total: Totals::new(totals_ttl, clock.clone()),
            product_totals: Totals::new(totals_ttl, clock.clone()),
            media,
            catalogue,
            audit,
            clock,
        }
    }

    /// The store uploaded images are kept in (and served from).
    pub fn media(&self) -> &dyn MediaStore {
        self.media.as_ref()
    }

    /// A page of the audit log, newest first.
    pub async fn audit(
        &self,
        owner: &Owner,
        start: PageStart,
        size: i64,
    ) -> Result<Page<AuditRecord>, ShopError> {
        owner.require(Permission::ReadAudit)?;
        let (before, offset) = match start {
            PageStart::After(id) => (Some(id), 0),
            PageStart::Offset(n) => (None, n),
        };
        let items = self.audit.audit_page(before, offset, size).await?;
        let total = self
            .audit_total
            .get(&(), async || self.audit.audit_count().await)
            .await?;
        let next = next_cursor(&items, size, |e| e.id);
        Ok(Page { items, total, next })
    }
}

/// The cursor after the last row of a full page.
pub fn next_cursor<T>(items: &[T], size: i64, id: impl Fn(&T) -> i64) -> Option<i64> {
    let full = i64::try_from(items.len()).is_ok_and(|n| n >= size);
    if full { items.last().map(id) } else { None }
}
