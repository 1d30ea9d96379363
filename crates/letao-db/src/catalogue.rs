//! Catalogue reads: categories, brands, home items and products.

use crate::PageStart;
use crate::schema::{brand, category, home_item, product};
use crate::skus::{SkuRow, skus_of};
use crate::{Db, DbError};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::RunQueryDsl;
use letao_domain::sku::on_sale;
use letao_domain::{Brand, Category, Fen, HomeItem, HomeItemKind, Id, Product};

/// A product row (the owner's row adds the owner's columns to it).
#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
pub(crate) struct ProductRow {
    pub(crate) id: i32,
    brand_id: i32,
    name: String,
    img: String,
    price_fen: i64,
    old_price_fen: i64,
    stock: i32,
    featured: bool,
    pub(crate) sku_pool: bool,
}

impl ProductRow {
    /// The product with its SKUs in `skus` (sorted by product): the
    /// shoppers' reads give the active ones, the owner's every one.
    pub(crate) fn with_skus(self, skus: &[SkuRow]) -> Product {
        let pool = self.sku_pool.then_some(self.stock);
        let skus = skus_of(skus, self.id, pool);
        let (sizes, stock) = on_sale(pool, &skus);
        Product {
            id: Id::from_db(self.id),
            brand_id: Id::from_db(self.brand_id),
            name: self.name,
            img: self.img,
            price: Fen::new(self.price_fen),
            old_price: Fen::new(self.old_price_fen),
            sizes,
            stock,
            featured: self.featured,
            skus,
        }
    }
}

/// Products read with their active SKUs, in the products' order.
fn assemble(rows: Vec<ProductRow>, skus: &[SkuRow]) -> Vec<Product> {
    rows.into_iter().map(|row| row.with_skus(skus)).collect()
}

/// The active SKUs of `products` (rows with an `id`), as
/// `active_skus_of!`.
macro_rules! active_skus {
    ($conn:expr, $rows:expr) => {{
        let ids: Vec<i32> = $rows.iter().map(|r| r.id).collect();
        active_skus_of!($conn, &ids)
    }};
}

/// A product id read by SQL of its own.
#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
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
        let (rows, skus) = read_conn!(self, |conn| {
            let rows: Vec<ProductRow> = product::table
                .select(ProductRow::as_select())
                .filter(product::featured.eq(true))
                .filter(product::hidden.eq(false))
                .order((product::sort_order, product::id))
                .load(conn)
                .await?;
            let skus = active_skus!(conn, rows);
            Ok((rows, skus))
        })?;
        Ok(assemble(rows, &skus))
    }

    /// One page of the products on sale (not hidden), optionally of one
    /// brand, by id: after a product id (keyset) or from an offset.
    pub async fn products(
        &self,
        brand: Option<Id<Brand>>,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<Product>, DbError> {
        let after = match start {
            PageStart::After(id) => Some(i32::try_from(id).unwrap_or(i32::MAX)),
            PageStart::Offset(0) => None,
            // A numbered page skips its offset in the index alone, then
            // reads only its own rows: a deep page costs index entries,
            // not whole rows.
            PageStart::Offset(n) => {
                let ids = self.page_ids(brand, n, limit).await?;
                return self.products_by_id(ids).await;
            }
        };
        let (rows, skus) = read_conn!(self, |conn| {
            let mut q = product::table
                .select(ProductRow::as_select())
                .filter(product::hidden.eq(false))
                .order(product::id)
                .limit(limit)
                .into_boxed();
            if let Some(b) = brand {
                q = q.filter(product::brand_id.eq(b.get()));
            }
            if let Some(after) = after {
                q = q.filter(product::id.gt(after));
            }
            let rows: Vec<ProductRow> = q.load(conn).await?;
            let skus = active_skus!(conn, rows);
            Ok((rows, skus))
        })?;
        Ok(assemble(rows, &skus))
    }

    /// The ids of the products on sale from `offset`, from the list's
    /// index (`product_on_sale`, or `product_all_on_sale` without a
    /// brand). MariaDB is told that index: from a prepared statement's
    /// second execution on, it takes `product_brand` for the order and
    /// reads every skipped row as well.
    async fn page_ids(
        &self,
        brand: Option<Id<Brand>>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<i32>, DbError> {
        macro_rules! ids {
            ($conn:ident) => {{
                let mut q = product::table
                    .select(product::id)
                    .filter(product::hidden.eq(false))
                    .order(product::id)
                    .limit(limit)
                    .offset(offset)
                    .into_boxed();
                if let Some(b) = brand {
                    q = q.filter(product::brand_id.eq(b.get()));
                }
                Ok(q.load::<i32>($conn).await?)
            }};
        }
        read_conn!(self,
            sqlite: |conn| ids!(conn),
            mysql: |conn| {
                let rows: Vec<IdRow> = match brand {
                    Some(b) => {
                        diesel::sql_query(
                            "SELECT id FROM product FORCE INDEX (product_on_sale) \
                             WHERE brand_id = ? AND hidden = FALSE ORDER BY id LIMIT ? OFFSET ?",
                        )
                        .bind::<Integer, _>(b.get())
                        .bind::<BigInt, _>(limit)
                        .bind::<BigInt, _>(offset)
                        .load(conn)
                        .await?
                    }
                    None => {
                        diesel::sql_query(
                            "SELECT id FROM product FORCE INDEX (product_all_on_sale) \
                             WHERE hidden = FALSE ORDER BY id LIMIT ? OFFSET ?",
                        )
                        .bind::<BigInt, _>(limit)
                        .bind::<BigInt, _>(offset)
                        .load(conn)
                        .await?
                    }
                };
                Ok(rows.into_iter().map(|r| r.id).collect())
            },
            postgres: |conn| ids!(conn),
        )
    }

    /// The products of `ids` with their active SKUs, in id order, by
    /// primary key only (with the list's filters as well, MariaDB walks
    /// the filter's index up to the offset again to find them).
    async fn products_by_id(&self, ids: Vec<i32>) -> Result<Vec<Product>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (rows, skus) = read_conn!(self, |conn| {
            let rows: Vec<ProductRow> = product::table
                .select(ProductRow::as_select())
                .filter(product::id.eq_any(&ids))
                .order(product::id)
                .load(conn)
                .await?;
            let skus = active_skus!(conn, rows);
            Ok((rows, skus))
        })?;
        Ok(assemble(rows, &skus))
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
        let (rows, skus) = read_conn!(self, |conn| {
            let rows: Vec<ProductRow> = product::table
                .select(ProductRow::as_select())
                .filter(product::id.eq(id.get()))
                .filter(product::hidden.eq(false))
                .limit(1)
                .load(conn)
                .await?;
            let skus = active_skus!(conn, rows);
            Ok((rows, skus))
        })?;
        Ok(assemble(rows, &skus).pop())
    }
}
