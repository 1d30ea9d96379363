//! Catalogue replies, with the original server's field names.

use super::OK;
use bytes::Bytes;
use letao_domain::money::serialize_as_yuan;
use letao_domain::{Brand, Category, Fen, HomeItem, Product, Sku};
use letao_shop::{CatalogueData, Listing};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// `{id, img_src}` of `/gridlist` and `/banners`.
#[derive(Serialize, ToSchema)]
pub struct HomeItemView<'a> {
    pub id: i32,
    pub img_src: &'a str,
}

impl<'a> From<&'a HomeItem> for HomeItemView<'a> {
    fn from(item: &'a HomeItem) -> Self {
        HomeItemView {
            id: item.id,
            img_src: &item.img_src,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GridListReply<'a> {
    pub status: u16,
    #[serde(rename = "gridList")]
    pub grid_list: Vec<HomeItemView<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct BannersReply<'a> {
    pub status: u16,
    #[serde(rename = "swipeList")]
    pub swipe_list: Vec<HomeItemView<'a>>,
}

/// A product in the home page's sports section.
#[derive(Serialize, ToSchema)]
pub struct SportView<'a> {
    pub id: i32,
    pub name: &'a str,
    pub img: &'a str,
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    #[serde(rename = "oldPrice", serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub old_price: Fen,
}

impl<'a> From<&'a Product> for SportView<'a> {
    fn from(p: &'a Product) -> Self {
        SportView {
            id: p.id.get(),
            name: &p.name,
            img: &p.img,
            price: p.price,
            old_price: p.old_price,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SportsReply<'a> {
    pub status: u16,
    pub sports: Vec<SportView<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView<'a> {
    pub id: i32,
    #[serde(rename = "categoryName")]
    pub category_name: Option<&'a str>,
}

impl<'a> From<&'a Category> for CategoryView<'a> {
    fn from(c: &'a Category) -> Self {
        CategoryView {
            id: c.id.get(),
            category_name: c.name.as_deref(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OneCategoryReply<'a> {
    pub status: u16,
    #[serde(rename = "oneCategoryList")]
    pub one_category_list: Vec<CategoryView<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct BrandView<'a> {
    pub id: i32,
    #[serde(rename = "brandName")]
    pub brand_name: Option<&'a str>,
    #[serde(rename = "categoryId")]
    pub category_id: Option<i32>,
    #[serde(rename = "brandLogo")]
    pub brand_logo: Option<&'a str>,
    pub hot: Option<i32>,
}

impl<'a> From<&'a Brand> for BrandView<'a> {
    fn from(b: &'a Brand) -> Self {
        BrandView {
            id: b.id.get(),
            brand_name: b.name.as_deref(),
            category_id: b.category_id,
            brand_logo: b.logo.as_deref(),
            hot: b.hot,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TwoCategoryReply<'a> {
    pub status: u16,
    #[serde(rename = "twoCategoryList")]
    pub two_category_list: Vec<BrandView<'a>>,
}

/// A product with everything a product page shows.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "brandId": 1, "name": "李宁闪击篮球鞋", "img": "/images/product/1.jpg", "price": 399.00, "oldPrice": 599.00, "sizes": ["40", "41", "42"], "stock": 20}))]
pub struct ProductView<'a> {
    pub id: i32,
    #[serde(rename = "brandId")]
    pub brand_id: i32,
    pub name: &'a str,
    pub img: &'a str,
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    #[serde(rename = "oldPrice", serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub old_price: Fen,
    /// The sizes on sale with stock (of the active SKUs).
    pub sizes: &'a [String],
    /// What can be bought in all sizes.
    pub stock: i32,
    /// Its active SKUs, sold-out ones included (`GET /products/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<SkuView<'a>>>,
}

impl<'a> From<&'a Product> for ProductView<'a> {
    fn from(p: &'a Product) -> Self {
        ProductView {
            id: p.id.get(),
            brand_id: p.brand_id.get(),
            name: &p.name,
            img: &p.img,
            price: p.price,
            old_price: p.old_price,
            sizes: &p.sizes,
            stock: p.stock,
            skus: None,
        }
    }
}

impl<'a> ProductView<'a> {
    /// The product page's view: with its SKUs.
    pub fn with_skus(p: &'a Product) -> Self {
        ProductView {
            skus: Some(p.skus.iter().map(|s| SkuView::of(s, p.price)).collect()),
            ..ProductView::from(p)
        }
    }
}

/// A SKU as shoppers see it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "size": "42", "colour": null, "code": "P1-42", "price": 399.00, "stock": 5}))]
pub struct SkuView<'a> {
    pub id: i32,
    /// As printed on the box.
    pub size: &'a str,
    /// `null` for a one-colour product.
    pub colour: Option<&'a str>,
    /// The shop's stock code.
    pub code: &'a str,
    /// Its own price, else the product's (yuan).
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    /// What can be bought now (0: sold out).
    pub stock: i32,
}

impl<'a> SkuView<'a> {
    /// `sku` of a product priced `product_price`.
    pub fn of(sku: &'a Sku, product_price: Fen) -> Self {
        SkuView {
            id: sku.id.get(),
            size: &sku.size,
            colour: sku.colour.as_deref(),
            code: &sku.code,
            price: sku.price_or(product_price),
            stock: sku.stock,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductsReply<'a> {
    pub status: u16,
    pub products: Vec<ProductView<'a>>,
    pub page: u32,
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    pub total: i64,
    /// The cursor of the next page (`after=`), when this one is full.
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProductReply<'a> {
    pub status: u16,
    pub product: ProductView<'a>,
}

/// The catalogue lists as ready JSON bodies, rendered once per cache reload.
pub struct RenderedCatalogue {
    grid: Bytes,
    banners: Bytes,
    sports: Bytes,
    categories: Bytes,
    brands_by_category: HashMap<i32, Bytes>,
    no_brands: Bytes,
}

impl RenderedCatalogue {
    /// Renders every list of `data`.
    pub fn render(data: &CatalogueData) -> RenderedCatalogue {
        let mut by_category: HashMap<i32, Vec<&Brand>> = HashMap::new();
        for b in &data.brands {
            if let Some(c) = b.category_id {
                by_category.entry(c).or_default().push(b);
            }
        }
        RenderedCatalogue {
            grid: to_bytes(&GridListReply {
                status: OK,
                grid_list: data.grid.iter().map(HomeItemView::from).collect(),
            }),
            banners: to_bytes(&BannersReply {
                status: OK,
                swipe_list: data.banners.iter().map(HomeItemView::from).collect(),
            }),
            sports: to_bytes(&SportsReply {
                status: OK,
                sports: data.featured.iter().map(SportView::from).collect(),
            }),
            categories: to_bytes(&OneCategoryReply {
                status: OK,
                one_category_list: data.categories.iter().map(CategoryView::from).collect(),
            }),
            brands_by_category: by_category
                .into_iter()
                .map(|(c, list)| (c, render_brands(list)))
                .collect(),
            no_brands: render_brands(Vec::new()),
        }
    }

    /// The body of `listing`.
    pub fn body(&self, listing: Listing) -> Bytes {
        match listing {
            Listing::Grid => self.grid.clone(),
            Listing::Banners => self.banners.clone(),
            Listing::Sports => self.sports.clone(),
            Listing::Categories => self.categories.clone(),
            Listing::BrandsOf(id) => self
                .brands_by_category
                .get(&id.get())
                .unwrap_or(&self.no_brands)
                .clone(),
        }
    }
}

fn to_bytes<T: Serialize>(value: &T) -> Bytes {
    // Serialising these plain structs cannot fail; an empty body would show it.
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

fn render_brands(brands: Vec<&Brand>) -> Bytes {
    to_bytes(&TwoCategoryReply {
        status: OK,
        two_category_list: brands.into_iter().map(BrandView::from).collect(),
    })
}

/// A reply rendered once and kept in a product cache.
pub struct CachedJson(pub Option<Bytes>);

impl letao_shop::products::CacheWeight for CachedJson {
    fn weight(&self) -> u64 {
        self.0.as_ref().map_or(0, |b| b.len() as u64)
    }
}

impl CachedJson {
    /// `GET /products/{id}`: the product, or `None` for a 404.
    pub fn product(p: Option<&Product>) -> CachedJson {
        CachedJson(p.map(|p| {
            to_bytes(&ProductReply {
                status: OK,
                product: ProductView::with_skus(p),
            })
        }))
    }

    /// `GET /products?...`: one page.
    pub fn page(
        page: &letao_shop::Page<Product>,
        key: &letao_shop::products::ListKey,
    ) -> CachedJson {
        CachedJson(Some(to_bytes(&ProductsReply {
            status: OK,
            products: page.items.iter().map(ProductView::from).collect(),
            page: key.page,
            page_size: key.size,
            total: page.total,
            next: page.next.map(|n| n.to_string()),
        })))
    }
}
