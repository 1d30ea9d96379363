//! The bodies of the owner's product routes.

use super::{image_ref, invalid, keywords, narrow, optional, plain, sizes, yuan};
use crate::ApiError;
use crate::routes::admin_catalogue::stock::{SkuItemInput, check_skus};
use garde::Validate;
use letao_domain::Fen;
use letao_shop::store::{NewProduct, ProductChange, SkuInput};
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// The body of `POST /admin/products`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProductInput {
    /// An existing brand (400 naming `brandId` otherwise).
    #[serde(rename = "brandId")]
    #[garde(range(min = 1, max = 2_147_483_647))]
    #[schema(minimum = 1, maximum = 2147483647, example = 1)]
    brand_id: i64,
    /// 1 to 100 characters.
    #[garde(length(chars, min = 1, max = 100), custom(plain))]
    #[schema(min_length = 1, max_length = 100, example = "Air 1")]
    name: String,
    /// A path under `/images/` or `/media/` (lower-case letters, digits,
    /// `-_./`) or an http(s) URL.
    #[garde(length(chars, min = 1, max = 255), custom(image_ref))]
    #[schema(
        pattern = r"^(/images/|/media/|https?://)",
        max_length = 255,
        example = "/images/brand1.png"
    )]
    img: String,
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::yuan_input)]
    price: Box<RawValue>,
    #[serde(rename = "oldPrice")]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::yuan_input)]
    old_price: Box<RawValue>,
    /// 1 to 20 distinct sizes of 1 to 8 characters, without commas, that
    /// share `stock` as one pool (docs/stock.md); required without `skus`.
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::sizes)]
    sizes: Option<Vec<String>>,
    /// 0 to 1,000,000 units, the pool of `sizes`; required without `skus`.
    #[serde(default)]
    #[garde(inner(range(min = 0, max = 1_000_000)))]
    #[schema(minimum = 0, maximum = 1000000, example = 10)]
    stock: Option<i64>,
    /// SKUs with their own stock, instead of `sizes` and `stock`.
    #[serde(default)]
    #[garde(skip)]
    #[schema(min_items = 1, max_items = 60)]
    skus: Option<Vec<SkuItemInput>>,
    /// In the home page's sports section.
    #[serde(default)]
    #[garde(skip)]
    featured: bool,
    /// Display order (low first), -1,000,000 to 1,000,000.
    #[serde(default)]
    #[garde(range(min = -1_000_000, max = 1_000_000))]
    #[schema(minimum = -1000000, maximum = 1000000)]
    sort: i64,
    /// Words shoppers search for that the name lacks.
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::keywords)]
    keywords: Option<Vec<String>>,
}

/// A new product's fields, checked.
pub struct CheckedProduct {
    brand_id: i32,
    name: String,
    img: String,
    price: Fen,
    old_price: Fen,
    sizes: Vec<String>,
    stock: i32,
    skus: Option<Vec<SkuInput>>,
    featured: bool,
    sort: i32,
    keywords: Vec<String>,
}

impl CheckedProduct {
    /// The product to store.
    pub fn as_new(&self) -> NewProduct<'_> {
        NewProduct {
            brand_id: self.brand_id,
            name: &self.name,
            img: &self.img,
            price: self.price,
            old_price: self.old_price,
            sizes: &self.sizes,
            stock: self.stock,
            skus: self.skus.as_deref(),
            featured: self.featured,
            sort: self.sort,
            keywords: &self.keywords,
        }
    }
}

impl NewProductInput {
    /// Checks every field.
    pub fn check(&self) -> Result<CheckedProduct, ApiError> {
        self.validate().map_err(invalid)?;
        let (sizes, stock, skus) = match (&self.skus, &self.sizes, self.stock) {
            (Some(skus), None, None) => (Vec::new(), 0, Some(check_skus(skus)?)),
            (Some(_), _, _) => {
                return Err(ApiError::invalid(
                    "skus",
                    "are given instead of sizes and stock, not with them",
                ));
            }
            (None, Some(list), Some(stock)) => (sizes(list)?, narrow("stock", stock)?, None),
            (None, None, _) => return Err(ApiError::invalid("sizes", "are required (or skus)")),
            (None, Some(_), None) => {
                return Err(ApiError::invalid("stock", "is required with sizes"));
            }
        };
        Ok(CheckedProduct {
            brand_id: narrow("brandId", self.brand_id)?,
            name: self.name.trim().to_owned(),
            img: self.img.clone(),
            featured: self.featured,
            price: yuan("price", &self.price)?,
            old_price: yuan("oldPrice", &self.old_price)?,
            sizes,
            stock,
            skus,
            sort: narrow("sort", self.sort)?,
            keywords: self
                .keywords
                .as_deref()
                .map(keywords)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// The body of `PUT /admin/products/{id}`: any of the fields.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1, example = json!({"price": "359.00", "stockDelta": 5}))]
pub struct ProductPatchInput {
    /// An existing brand.
    #[serde(rename = "brandId", default)]
    #[garde(range(min = 1, max = 2_147_483_647))]
    #[schema(minimum = 1, maximum = 2147483647)]
    brand_id: Option<i64>,
    /// 1 to 100 characters.
    #[serde(default)]
    #[garde(length(chars, min = 1, max = 100), custom(optional(plain)))]
    #[schema(min_length = 1, max_length = 100)]
    name: Option<String>,
    /// As for a new product.
    #[serde(default)]
    #[garde(length(chars, min = 1, max = 255), custom(optional(image_ref)))]
    #[schema(pattern = r"^(/images/|/media/|https?://)", max_length = 255)]
    img: Option<String>,
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::yuan_input)]
    price: Option<Box<RawValue>>,
    #[serde(rename = "oldPrice", default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::yuan_input)]
    old_price: Option<Box<RawValue>>,
    /// Replaces the sizes.
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::sizes)]
    sizes: Option<Vec<String>>,
    /// In the sports section.
    #[serde(default)]
    #[garde(skip)]
    featured: Option<bool>,
    /// Out of the shop (`false` puts it back).
    #[serde(default)]
    #[garde(skip)]
    hidden: Option<bool>,
    /// Display order.
    #[serde(default)]
    #[garde(range(min = -1_000_000, max = 1_000_000))]
    #[schema(minimum = -1000000, maximum = 1000000)]
    sort: Option<i64>,
    /// Units to add (negative: to remove), applied to the stock as it then
    /// is; 409 if it would fall below zero.
    #[serde(rename = "stockDelta", default)]
    #[garde(range(min = -1_000_000, max = 1_000_000))]
    #[schema(minimum = -1000000, maximum = 1000000)]
    stock_delta: Option<i64>,
    /// Replaces the search keywords (`[]` clears them).
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::keywords)]
    keywords: Option<Vec<String>>,
}

impl ProductPatchInput {
    /// The checked change; a body that names no field is refused.
    pub fn change(&self) -> Result<ProductChange, ApiError> {
        self.validate().map_err(invalid)?;
        let change = ProductChange {
            brand_id: self.brand_id.map(|b| narrow("brandId", b)).transpose()?,
            name: self.name.as_deref().map(|n| n.trim().to_owned()),
            img: self.img.clone(),
            price: self
                .price
                .as_deref()
                .map(|p| yuan("price", p))
                .transpose()?,
            old_price: self
                .old_price
                .as_deref()
                .map(|p| yuan("oldPrice", p))
                .transpose()?,
            sizes: self.sizes.as_deref().map(sizes).transpose()?,
            featured: self.featured,
            hidden: self.hidden,
            sort: self.sort.map(|s| narrow("sort", s)).transpose()?,
            stock_delta: self
                .stock_delta
                .map(|d| narrow("stockDelta", d))
                .transpose()?,
            keywords: self.keywords.as_deref().map(keywords).transpose()?,
        };
        if change == ProductChange::default() {
            return Err(ApiError::invalid("body", "names no field to change"));
        }
        Ok(change)
    }
}
