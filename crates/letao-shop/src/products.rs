//! Product pages and product lists for shoppers.

use crate::ShopError;
use crate::owners::{Page, next_cursor};
use crate::totals::Totals;
use letao_auth::Clock;
use letao_db::{Db, PageStart};
use letao_domain::{Brand, Id, Product};
use std::sync::Arc;
use std::time::Duration;

/// Reads of products on sale.
pub struct Products {
    db: Db,
    totals: Totals<Option<i32>>,
}

impl Products {
    /// The service over `db`; list totals are kept for `totals_ttl`.
    pub fn new(db: Db, clock: Arc<dyn Clock>, totals_ttl: Duration) -> Products {
        Products {
            db,
            totals: Totals::new(totals_ttl, clock),
        }
    }

    /// One page of products on sale, optionally of one brand, by id.
    pub async fn list(
        &self,
        brand: Option<Id<Brand>>,
        start: PageStart,
        size: i64,
    ) -> Result<Page<Product>, ShopError> {
        let items = self.db.products(brand, start, size).await?;
        let next = next_cursor(&items, size, |p| i64::from(p.id.get()));
        let total = self
            .totals
            .get(&brand.map(Id::get), async || {
                self.db.count_products(brand).await
            })
            .await?;
        Ok(Page { items, total, next })
    }

    /// One product on sale.
    pub async fn get(&self, id: Id<Product>) -> Result<Product, ShopError> {
        self.db
            .product(id)
            .await?
            .ok_or(ShopError::NotFound("product"))
    }

    /// Forgets cached totals (after a change made through this instance).
    pub fn changed(&self) {
        self.totals.clear();
    }
}
