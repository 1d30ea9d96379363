//! The search index: products on sale found by their tokens
//! (`letao_domain::search`), kept in the same transaction as every
//! catalogue write (docs/search.md).

use super::StoreError;
use letao_domain::{Fen, Product};
use std::collections::HashMap;

/// What a search keeps besides its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only this brand's.
    pub brand_id: Option<i32>,
    /// Only the brands of this category.
    pub category_id: Option<i32>,
    /// Only products with an active SKU of this size in stock.
    pub size: Option<String>,
    /// At least this price.
    pub min_price: Option<Fen>,
    /// At most this price.
    pub max_price: Option<Fen>,
}

/// An order the database pages through (every match, by keyset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredSort {
    /// Newest first (highest id first).
    Newest,
    /// Cheapest first, then by id.
    PriceAsc,
    /// Dearest first, then by id.
    PriceDesc,
}

/// Where a page starts: after the row with this sort value and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The sort's value of that row (its price in fen, its score; its id
    /// for `Newest`).
    pub value: i64,
    /// Its product id.
    pub id: i32,
}

/// A product that holds every term, with the weight of the best field each
/// term was found in (`letao_domain::search::Field`), in the terms' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchMatch {
    /// The product.
    pub product_id: i32,
    /// One weight per term.
    pub weights: Vec<i16>,
}

/// Searching the catalogue.
#[async_trait::async_trait]
pub trait SearchStore: Send + Sync {
    /// The newest `limit` products on sale that hold every one of `terms`
    /// (none: every product) and pass `filter`, newest first.
    async fn search_matches(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        limit: i64,
    ) -> Result<Vec<SearchMatch>, StoreError>;

    /// One page of the products on sale that hold every one of `terms`
    /// and pass `filter`, in `sort` order, after `after`.
    async fn search_page(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        sort: StoredSort,
        after: Option<SortKey>,
        limit: i64,
    ) -> Result<Vec<Product>, StoreError>;

    /// Products on sale with their active SKUs, in the order of `ids`
    /// (ids not on sale are left out).
    async fn products_by_ids(&self, ids: &[i32]) -> Result<Vec<Product>, StoreError>;

    /// Units sold (in paid orders) of each of `ids` that sold any.
    async fn units_sold(&self, ids: &[i32]) -> Result<HashMap<i32, i64>, StoreError>;

    /// Names of products on sale whose name has a token in `from..to`
    /// (`to` `None`: no upper bound), by token, at most `limit` rows.
    async fn suggest_names(
        &self,
        from: &str,
        to: Option<&str>,
        limit: i64,
    ) -> Result<Vec<String>, StoreError>;

    /// The product that has a SKU with this stock code, hidden or not.
    async fn product_id_by_code(&self, code: &str) -> Result<Option<i32>, StoreError>;

    /// Rebuilds the index of every product when `force`, or when it was
    /// written by another tokenizer version; the products indexed, `None`
    /// when the index was current.
    async fn rebuild_search_index(&self, force: bool) -> Result<Option<u64>, StoreError>;
}
