//! Catalogue reads: categories, brands, home items and products.

use crate::schema::{brand, category, home_item, product};
use crate::{Db, DbError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use letao_domain::catalogue::sizes_from_column;
use letao_domain::{Brand, Category, Fen, HomeItem, HomeItemKind, Id, Product};

/// A product row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
struct ProductRow {
    id: i32,
    brand_id: i32,
    name: String,
    img: String,
    price_fen: i64,
    old_price_fen: i64,
    sizes: String,
    stock: i32,
    featured: bool,
}

impl From<ProductRow> for Product {
    fn from(row: ProductRow) -> Self {
        Product {
            id: Id::from_db(row.id),
            brand_id: Id::from_db(row.brand_id),
            name: row.name,
            img: row.img,
            price: Fen::new(row.price_fen),
            old_price: Fen::new(row.old_price_fen),
            sizes: sizes_from_column(&row.sizes),
            stock: row.stock,
            featured: row.featured,
        }
    }
}

/// A brand row (the original table).
#[derive(Queryable, Selectable)]
#[diesel(table_name = brand)]
struct BrandRow {
    id: i32,
    brand_name: Option<String>,
    category_id: Option<i32>,
    brand_logo: Option<String>,
    hot: Option<i32>,
}

impl From<BrandRow> for Brand {
    fn from(row: BrandRow) -> Self {
        Brand {
            id: Id::from_db(row.id),
            name: row.brand_name,
            category_id: row.category_id,
            logo: row.brand_logo,
            hot: row.hot,
        }
    }
}

/// One page of a product listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    /// The products on this page, in display order.
    pub items: Vec<Product>,
    /// How many products match in all pages.
    pub total: i64,
}

impl Db {
    /// All categories, by id.
    pub async fn categories(&self) -> Result<Vec<Category>, DbError> {
        let rows: Vec<(i32, Option<String>)> = with_conn!(self, |conn| {
            Ok(category::table
                .select((category::id, category::category_name))
                .order(category::id)
                .load(conn)
                .await?)
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| Category {
                id: Id::from_db(id),
                name,
            })
            .collect())
    }

    /// All brands, by id.
    pub async fn brands(&self) -> Result<Vec<Brand>, DbError> {
        let rows: Vec<BrandRow> = with_conn!(self, |conn| {
            Ok(brand::table
                .select(BrandRow::as_select())
                .order(brand::id)
                .load(conn)
                .await?)
        })?;
        Ok(rows.into_iter().map(Brand::from).collect())
    }

    /// The brands listed under one category, by id; empty for an unknown category.
    pub async fn brands_of_category(&self, category: Id<Category>) -> Result<Vec<Brand>, DbError> {
        let rows: Vec<BrandRow> = with_conn!(self, |conn| {
            Ok(brand::table
                .select(BrandRow::as_select())
                .filter(brand::category_id.eq(category.get()))
                .order(brand::id)
                .load(conn)
                .await?)
        })?;
        Ok(rows.into_iter().map(Brand::from).collect())
    }

    /// The home items of one kind, in display order.
    pub async fn home_items(&self, kind: HomeItemKind) -> Result<Vec<HomeItem>, DbError> {
        let rows: Vec<(i32, String)> = with_conn!(self, |conn| {
            Ok(home_item::table
                .select((home_item::id, home_item::img_src))
                .filter(home_item::kind.eq(kind.as_str()))
                .order((home_item::sort_order, home_item::id))
                .load(conn)
                .await?)
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, img_src)| HomeItem { id, img_src })
            .collect())
    }

    /// Featured products (the home page's sports section), in display order.
    pub async fn featured_products(&self) -> Result<Vec<Product>, DbError> {
        let rows: Vec<ProductRow> = with_conn!(self, |conn| {
            Ok(product::table
                .select(ProductRow::as_select())
                .filter(product::featured.eq(true))
                .order((product::sort_order, product::id))
                .load(conn)
                .await?)
        })?;
        Ok(rows.into_iter().map(Product::from).collect())
    }

    /// One page of products, optionally of one brand, by id.
    /// `page` counts from 1; both arguments are assumed already validated.
    pub async fn products(
        &self,
        brand: Option<Id<Brand>>,
        page: u32,
        page_size: u32,
    ) -> Result<ProductPage, DbError> {
        let offset = i64::from(page.saturating_sub(1)) * i64::from(page_size);
        let limit = i64::from(page_size);
        let (rows, total): (Vec<ProductRow>, i64) = with_conn!(self, |conn| {
            let mut list = product::table.select(ProductRow::as_select()).into_boxed();
            let mut count = product::table.count().into_boxed();
            if let Some(b) = brand {
                list = list.filter(product::brand_id.eq(b.get()));
                count = count.filter(product::brand_id.eq(b.get()));
            }
            let total: i64 = count.get_result(conn).await?;
            let rows = if offset >= total {
                Vec::new()
            } else {
                list.order(product::id)
                    .limit(limit)
                    .offset(offset)
                    .load(conn)
                    .await?
            };
            Ok((rows, total))
        })?;
        Ok(ProductPage {
            items: rows.into_iter().map(Product::from).collect(),
            total,
        })
    }

    /// One product, `None` if there is no such id.
    pub async fn product(&self, id: Id<Product>) -> Result<Option<Product>, DbError> {
        let row: Option<ProductRow> = with_conn!(self, |conn| {
            Ok(product::table
                .select(ProductRow::as_select())
                .filter(product::id.eq(id.get()))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(Product::from))
    }
}
