//! Replies of the owner's catalogue routes: the stored objects in the
//! public shape (`/oneCategory`, `/twoCategory`, `/products/{id}`), plus
//! the fields only the owner sees.

use super::{BrandView, CategoryView};
use letao_domain::money::serialize_as_yuan;
use letao_domain::{Fen, Sku};
use letao_shop::store::{AdminProduct, HomeItemRecord, LowStock};
use serde::Serialize;
use utoipa::ToSchema;

/// `POST /admin/categories`, `PUT /admin/categories/{id}`.
#[derive(Serialize, ToSchema)]
pub struct CategoryReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The stored category.
    pub category: CategoryView<'a>,
}

impl<'a> From<&'a letao_domain::Category> for CategoryReply<'a> {
    fn from(category: &'a letao_domain::Category) -> Self {
        CategoryReply {
            status: super::OK,
            category: CategoryView::from(category),
        }
    }
}

/// `POST /admin/brands`, `PUT /admin/brands/{id}`.
#[derive(Serialize, ToSchema)]
pub struct BrandReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The stored brand.
    pub brand: BrandView<'a>,
}

impl<'a> From<&'a letao_domain::Brand> for BrandReply<'a> {
    fn from(brand: &'a letao_domain::Brand) -> Self {
        BrandReply {
            status: super::OK,
            brand: BrandView::from(brand),
        }
    }
}

/// A product as `/products/{id}` shows it, plus `featured`, `hidden`, `sort`.
#[derive(Serialize, ToSchema)]
pub struct AdminProductView<'a> {
    /// Id.
    pub id: i32,
    /// Brand.
    #[serde(rename = "brandId")]
    pub brand_id: i32,
    /// Name.
    pub name: &'a str,
    /// Image.
    pub img: &'a str,
    /// Price in yuan.
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    /// Price before the discount, in yuan.
    #[serde(rename = "oldPrice", serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub old_price: Fen,
    /// Sizes on offer.
    pub sizes: &'a [String],
    /// Units in stock.
    pub stock: i32,
    /// In the sports section.
    pub featured: bool,
    /// Out of the shop (kept for old orders).
    pub hidden: bool,
    /// Display order (low first).
    pub sort: i32,
    /// Its SKUs share one pool, `stock`, until a size's stock is set.
    pub pooled: bool,
    /// Every SKU, inactive ones too.
    pub skus: Vec<AdminSkuView<'a>>,
    /// Words shoppers search for that the name lacks (`GET /search`).
    pub keywords: &'a [String],
}

/// A SKU as the owner sees it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "size": "42", "colour": null, "code": "P1-42", "price": null, "stock": 5, "active": true}))]
pub struct AdminSkuView<'a> {
    /// Id.
    pub id: i32,
    /// As printed on the box.
    pub size: &'a str,
    /// `null` for a one-colour product.
    pub colour: Option<&'a str>,
    /// Stock code.
    pub code: &'a str,
    /// Its own price in yuan; `null`: the product's.
    #[schema(value_type = Option<String>, example = "399.00")]
    pub price: Option<String>,
    /// Units (the pool while pooled).
    pub stock: i32,
    /// On sale.
    pub active: bool,
}

impl<'a> From<&'a Sku> for AdminSkuView<'a> {
    fn from(s: &'a Sku) -> Self {
        AdminSkuView {
            id: s.id.get(),
            size: &s.size,
            colour: s.colour.as_deref(),
            code: &s.code,
            price: s.price.map(|p| p.yuan_string()),
            stock: s.stock,
            active: s.active,
        }
    }
}

/// `GET /admin/stock/low`: a SKU short of stock.
#[derive(Serialize, ToSchema)]
pub struct LowStockView<'a> {
    /// SKU id.
    #[serde(rename = "skuId")]
    pub sku_id: i32,
    /// Product id.
    #[serde(rename = "productId")]
    pub product_id: i32,
    /// Product name.
    pub name: &'a str,
    /// Size.
    pub size: &'a str,
    /// Colour, where the product has several.
    pub colour: Option<&'a str>,
    /// Stock code.
    pub code: &'a str,
    /// Units left.
    pub stock: i32,
}

impl<'a> From<&'a LowStock> for LowStockView<'a> {
    fn from(l: &'a LowStock) -> Self {
        LowStockView {
            sku_id: l.sku.id.get(),
            product_id: l.sku.product_id.get(),
            name: &l.name,
            size: &l.sku.size,
            colour: l.sku.colour.as_deref(),
            code: &l.sku.code,
            stock: l.sku.stock,
        }
    }
}

/// `GET /admin/stock/low`.
#[derive(Serialize, ToSchema)]
pub struct LowStockReply<'a> {
    /// Always 200.
    pub status: u16,
    /// By SKU id.
    pub skus: Vec<LowStockView<'a>>,
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
}

impl<'a> From<&'a AdminProduct> for AdminProductView<'a> {
    fn from(a: &'a AdminProduct) -> Self {
        let p = &a.product;
        AdminProductView {
            id: p.id.get(),
            brand_id: p.brand_id.get(),
            name: &p.name,
            img: &p.img,
            price: p.price,
            old_price: p.old_price,
            sizes: &p.sizes,
            stock: p.stock,
            featured: p.featured,
            hidden: a.hidden,
            sort: a.sort,
            pooled: a.pooled,
            skus: p.skus.iter().map(AdminSkuView::from).collect(),
            keywords: &a.keywords,
        }
    }
}

/// `GET /admin/products`.
#[derive(Serialize, ToSchema)]
pub struct AdminProductsReply<'a> {
    /// Always 200.
    pub status: u16,
    /// One page, by id.
    pub products: Vec<AdminProductView<'a>>,
    /// Page number (1 when paging by cursor).
    pub page: u32,
    /// Page size.
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    /// Matching products in all pages (counted at most every few seconds).
    pub total: i64,
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
}

/// `POST /admin/products`, `PUT /admin/products/{id}`.
#[derive(Serialize, ToSchema)]
pub struct AdminProductReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The stored product.
    pub product: AdminProductView<'a>,
}

impl<'a> From<&'a AdminProduct> for AdminProductReply<'a> {
    fn from(product: &'a AdminProduct) -> Self {
        AdminProductReply {
            status: super::OK,
            product: AdminProductView::from(product),
        }
    }
}

/// A home item as `/gridlist` and `/banners` show it, plus its kind and order.
#[derive(Serialize, ToSchema)]
pub struct HomeItemAdminView<'a> {
    /// Id (unique within its kind).
    pub id: i32,
    /// `grid` or `banner`.
    #[schema(schema_with = crate::openapi::schemas::home_kind)]
    pub kind: &'static str,
    /// Image.
    pub img_src: &'a str,
    /// Display order (low first).
    pub sort: i32,
}

impl<'a> From<&'a HomeItemRecord> for HomeItemAdminView<'a> {
    fn from(i: &'a HomeItemRecord) -> Self {
        HomeItemAdminView {
            id: i.id,
            kind: i.kind.as_str(),
            img_src: &i.img_src,
            sort: i.sort,
        }
    }
}

/// `GET /admin/home-items`.
#[derive(Serialize, ToSchema)]
pub struct HomeItemsReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The grid's, then the banners', each in display order.
    pub items: Vec<HomeItemAdminView<'a>>,
}

/// `POST /admin/home-items`, `PUT /admin/home-items/{id}`.
#[derive(Serialize, ToSchema)]
pub struct HomeItemReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The stored item.
    pub item: HomeItemAdminView<'a>,
}

/// `POST /admin/images`.
#[derive(Serialize, ToSchema)]
pub struct ImageReply {
    /// Always 200.
    pub status: u16,
    /// Where the stored image is served, `/media/<sha256>.<ext>`.
    pub url: String,
}
