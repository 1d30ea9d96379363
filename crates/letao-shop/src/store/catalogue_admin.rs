//! The owner's writes to the catalogue: categories, brands, products and
//! home items, each audited with the write.

use super::StoreError;
use super::audit::{Actor, AuditEntry};
use super::order_book::PageStart;
use chrono::{DateTime, Utc};
use letao_domain::{AuditAction, Brand, Category, Fen, HomeItemKind, Product, Sku};

/// How an owner's write is recorded: who, which action, and how the row
/// before and after reads in the log (compact JSON, made by the caller,
/// which knows what matters).
pub struct AuditNote<'a, T> {
    /// Who.
    pub actor: &'a Actor,
    /// What.
    pub action: AuditAction,
    /// The detail from the row before (none: created) and after (none: deleted).
    pub detail: &'a (dyn Fn(Option<&T>, Option<&T>) -> String + Sync),
}

/// How a catalogue write ended. Every outcome but `Done` changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit<T> {
    /// Stored; the row as it is now.
    Done(T),
    /// No such row.
    Missing,
    /// The category it names does not exist.
    NoCategory,
    /// The brand it names does not exist.
    NoBrand,
    /// A category that still has brands is not deleted.
    HasBrands,
    /// A brand that still has products (hidden ones too) is not deleted.
    HasProducts,
    /// The stock change would leave the allowed range; the stock as it is.
    Stock(i32),
    /// The product is sold in several sizes, each with its own stock: the
    /// change names no SKU.
    PerSize,
    /// The SKU at this position of the request is not one of the product's.
    UnknownSku(usize),
    /// Another SKU has this stock code.
    CodeTaken(String),
    /// The SKU at this position takes a size and colour another SKU of the
    /// product has.
    SizeTaken(usize),
}

/// A brand's fields as the owner sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandFields<'a> {
    /// Display name.
    pub name: &'a str,
    /// The category it is listed under (must exist).
    pub category_id: i32,
    /// Logo image, if any.
    pub logo: Option<&'a str>,
    /// 1 = hot, 0 = not.
    pub hot: i32,
}

/// A home item as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeItemRecord {
    /// Grid icon or banner.
    pub kind: HomeItemKind,
    /// Id (unique within its kind).
    pub id: i32,
    /// Image path or URL.
    pub img_src: String,
    /// Display order (low first).
    pub sort: i32,
}

/// A product as the owner sees it: the public fields and the owner's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminProduct {
    /// The product as shoppers see it, with every SKU (inactive ones too).
    pub product: Product,
    /// Left the shop (kept for old orders).
    pub hidden: bool,
    /// Display order in the sports section (low first).
    pub sort: i32,
    /// Its SKUs sell from one pool, the product's stock, until the owner
    /// first sets a size's stock (docs/stock.md).
    pub pooled: bool,
    /// Words shoppers search for that the name lacks (跑鞋, 板鞋).
    pub keywords: Vec<String>,
}

/// A SKU as the owner sets it (`PUT /admin/products/{id}/skus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuInput {
    /// An existing SKU of the product; `None`: matched by size and colour,
    /// else created.
    pub id: Option<i32>,
    /// As printed on the box.
    pub size: String,
    /// `None` for a one-colour product.
    pub colour: Option<String>,
    /// The stock code; `None` keeps an existing SKU's, or makes one.
    pub code: Option<String>,
    /// Its own price; `None`: the product's.
    pub price: Option<Fen>,
    /// Applied to SKUs created, and to every SKU named while the product
    /// is pooled (which ends the pool); otherwise stock changes by deltas.
    pub stock: i32,
    /// On sale.
    pub active: bool,
}

/// A SKU at or below a stock threshold, for the owner's low-stock list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowStock {
    /// The SKU, its stock the pool's while pooled.
    pub sku: Sku,
    /// Its product's name.
    pub name: String,
}

/// A product to create.
#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    /// Its brand (must exist).
    pub brand_id: i32,
    /// Display name.
    pub name: &'a str,
    /// Image path or URL.
    pub img: &'a str,
    /// Price.
    pub price: Fen,
    /// Price before the discount.
    pub old_price: Fen,
    /// Sizes on offer, sharing `stock` as one pool (when `skus` is `None`).
    pub sizes: &'a [String],
    /// Units in stock, the pool of `sizes`.
    pub stock: i32,
    /// SKUs with their own stock, instead of `sizes` and `stock`.
    pub skus: Option<&'a [SkuInput]>,
    /// In the sports section.
    pub featured: bool,
    /// Display order.
    pub sort: i32,
    /// Words shoppers search for that the name lacks.
    pub keywords: &'a [String],
}

/// A change of some of a product's fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChange {
    /// Another brand (must exist).
    pub brand_id: Option<i32>,
    /// Display name.
    pub name: Option<String>,
    /// Image.
    pub img: Option<String>,
    /// Price.
    pub price: Option<Fen>,
    /// Price before the discount.
    pub old_price: Option<Fen>,
    /// Sizes on offer.
    pub sizes: Option<Vec<String>>,
    /// In the sports section.
    pub featured: Option<bool>,
    /// Out of the shop, or back in.
    pub hidden: Option<bool>,
    /// Display order.
    pub sort: Option<i32>,
    /// Units to add (negative: remove) to whatever the stock is then.
    pub stock_delta: Option<i32>,
    /// Words shoppers search for that the name lacks.
    pub keywords: Option<Vec<String>>,
}

/// Which products the owner's list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ProductFilter {
    /// Only this brand's.
    pub brand_id: Option<i32>,
    /// Only hidden ones (true) or only those on sale (false).
    pub hidden: Option<bool>,
}

impl<T> AuditNote<'_, T> {
    /// The entry for `target` changing from `before` to `after`.
    pub fn entry(&self, target: String, before: Option<&T>, after: Option<&T>) -> AuditEntry<'_> {
        AuditEntry {
            actor: self.actor,
            action: self.action,
            target,
            detail: (self.detail)(before, after),
        }
    }
}

/// The owner's catalogue: every write is one transaction with its audit
/// entry, moves the catalogue's version, and changes stock only by deltas
/// (never losing an order's concurrent reservation).
#[async_trait::async_trait]
pub trait CatalogueAdminStore: Send + Sync {
    /// Creates a category.
    async fn create_category(
        &self,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Category, StoreError>;

    /// Renames a category.
    async fn rename_category(
        &self,
        id: i32,
        name: &str,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, StoreError>;

    /// Deletes a category without brands.
    async fn delete_category(
        &self,
        id: i32,
        note: &AuditNote<'_, Category>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Category>, StoreError>;

    /// Creates a brand in an existing category.
    async fn create_brand(
        &self,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError>;

    /// Changes a brand.
    async fn update_brand(
        &self,
        id: i32,
        fields: &BrandFields<'_>,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError>;

    /// Deletes a brand without products (hidden ones count).
    async fn delete_brand(
        &self,
        id: i32,
        note: &AuditNote<'_, Brand>,
        now: DateTime<Utc>,
    ) -> Result<Edit<Brand>, StoreError>;

    /// Every home item, by kind and display order.
    async fn all_home_items(&self) -> Result<Vec<HomeItemRecord>, StoreError>;

    /// The kinds that have an item of id `id`.
    async fn home_item_kinds(&self, id: i32) -> Result<Vec<HomeItemKind>, StoreError>;

    /// Creates a home item.
    async fn create_home_item(
        &self,
        kind: HomeItemKind,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<HomeItemRecord, StoreError>;

    /// Changes a home item.
    async fn update_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        img_src: &str,
        sort: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, StoreError>;

    /// Deletes a home item.
    async fn delete_home_item(
        &self,
        kind: HomeItemKind,
        id: i32,
        note: &AuditNote<'_, HomeItemRecord>,
        now: DateTime<Utc>,
    ) -> Result<Edit<HomeItemRecord>, StoreError>;

    /// One page of products, hidden ones too, by id.
    async fn admin_products(
        &self,
        filter: ProductFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<AdminProduct>, StoreError>;

    /// How many products match `filter`.
    async fn count_admin_products(&self, filter: ProductFilter) -> Result<i64, StoreError>;

    /// One product, hidden or not.
    async fn admin_product(&self, id: i32) -> Result<Option<AdminProduct>, StoreError>;

    /// Creates a product of an existing brand.
    async fn create_product(
        &self,
        new: &NewProduct<'_>,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError>;

    /// Changes some of a product's fields; its stock by `change.stock_delta`,
    /// kept within `0..=max_stock`.
    async fn update_product(
        &self,
        id: i32,
        change: &ProductChange,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError>;

    /// Sets a product's SKUs: named ones changed (their stock only while
    /// pooled, which ends the pool), new ones created with their stock,
    /// unnamed ones deleted, or deactivated when an order or a cart names
    /// them.
    async fn set_skus(
        &self,
        product_id: i32,
        skus: &[SkuInput],
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError>;

    /// Adds `delta` (negative: removes) to a SKU's stock as it is then,
    /// kept within `0..=max_stock`; on a pooled product this first ends
    /// the pool. The product as it is after.
    async fn adjust_stock(
        &self,
        sku_id: i32,
        delta: i32,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError>;

    /// Active SKUs of products on sale with at most `threshold` units, by
    /// SKU id after `after`.
    async fn low_stock(
        &self,
        threshold: i32,
        after: i32,
        limit: i64,
    ) -> Result<Vec<LowStock>, StoreError>;

    /// Takes a product out of the shop (kept for old orders).
    async fn hide_product(
        &self,
        id: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, StoreError>;
}
