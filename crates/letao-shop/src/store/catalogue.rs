//! The catalogue as shoppers see it, and its version: a number every
//! catalogue write moves, so caches on every instance know they are stale.

use super::StoreError;
use super::order_book::PageStart;
use letao_domain::{Brand, Category, HomeItem, HomeItemKind, Id, Product};

/// Reading the shop's catalogue.
#[async_trait::async_trait]
pub trait CatalogueStore: Send + Sync {
    /// Every category, by id.
    async fn categories(&self) -> Result<Vec<Category>, StoreError>;

    /// Every brand, by id.
    async fn brands(&self) -> Result<Vec<Brand>, StoreError>;

    /// The brands of one category, by id.
    async fn brands_of_category(&self, category: Id<Category>) -> Result<Vec<Brand>, StoreError>;

    /// The home items of one kind, in display order.
    async fn home_items(&self, kind: HomeItemKind) -> Result<Vec<HomeItem>, StoreError>;

    /// The featured products on sale, in display order.
    async fn featured_products(&self) -> Result<Vec<Product>, StoreError>;

    /// One page of products on sale (of one brand, or all), by id.
    async fn products(
        &self,
        brand: Option<Id<Brand>>,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<Product>, StoreError>;

    /// How many products are on sale (of one brand, or all).
    async fn count_products(&self, brand: Option<Id<Brand>>) -> Result<i64, StoreError>;

    /// One product on sale.
    async fn product(&self, id: Id<Product>) -> Result<Option<Product>, StoreError>;

    /// The catalogue's version: it moves with every catalogue write.
    async fn catalogue_version(&self) -> Result<i64, StoreError>;
}
