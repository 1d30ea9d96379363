//! Catalogue reads: categories, brands, home items and products.

use crate::PageStart;
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

impl Db {
    /// All categories, by id.
    pub async fn categories(&self) -> Result<Vec<Category>, DbError> {
        let rows: Vec<(i32, Option<String>)> = read_conn!(self, |conn| {
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
        let rows: Vec<BrandRow> = read_conn!(self, |conn| {
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
        let rows: Vec<BrandRow> = read_conn!(self, |conn| {
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
        let rows: Vec<(i32, String)> = read_conn!(self, |conn| {
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
        let rows: Vec<ProductRow> = read_conn!(self, |conn| {
            Ok(product::table
                .select(ProductRow::as_select())
                .filter(product::featured.eq(true))
                .filter(product::hidden.eq(false))
                .order((product::sort_order, product::id))
                .load(conn)
                .await?)
        })?;
        Ok(rows.into_iter().map(Product::from).collect())
    }

    /// One page of the products on sale (not hidden), optionally of one
    /// brand, by id: after a product id (keyset) or from an offset.
    pub async fn products(
        &self,
        brand: Option<Id<Brand>>,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<Product>, DbError> {
        let rows: Vec<ProductRow> = read_conn!(self, |conn| {
            let mut q = product::table
                .select(ProductRow::as_select())
                .filter(product::hidden.eq(false))
                .order(product::id)
                .limit(limit)
                .into_boxed();
            if let Some(b) = brand {
                q = q.filter(product::brand_id.eq(b.get()));
            }
            q = match start {
                PageStart::After(id) => {
                    q.filter(product::id.gt(i32::try_from(id).unwrap_or(i32::MAX)))
                }
                PageStart::Offset(n) => q.offset(n),
            };
            Ok(q.load(conn).await?)
        })?;
        Ok(rows.into_iter().map(Product::from).collect())
    }

    /// How many products are on sale, optionally of one brand (a count
    /// over the table: cache it).
    pub async fn count_products(&self, brand: Option<Id<Brand>>) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            let mut q = product::table
                .filter(product::hidden.eq(false))
                .into_boxed();
            if let Some(b) = brand {
                q = q.filter(product::brand_id.eq(b.get()));
            }
            Ok(q.count().get_result(conn).await?)
        })
    }

    /// One product on sale, `None` if there is no such id or it is hidden.
    pub async fn product(&self, id: Id<Product>) -> Result<Option<Product>, DbError> {
        let row: Option<ProductRow> = read_conn!(self, |conn| {
            Ok(product::table
                .select(ProductRow::as_select())
                .filter(product::id.eq(id.get()))
                .filter(product::hidden.eq(false))
                .first(conn)
                .await
                .optional()?)
        })?;
        Ok(row.map(Product::from))
    }
}
