//! Products: the owner's list (hidden ones included), create, change
//! (stock by delta), hide.

use super::InsertedId;
use super::brands::BrandRows;
use super::skus::SkuOps;
use crate::audit::AuditOps;
use crate::catalogue::ProductRow;
use crate::columns::naive;
use crate::schema::product;
use crate::schema::sku;
use crate::search::{SearchOps, join_keywords};
use crate::skus::SkuRow;
use crate::txn::Abort;
use crate::versions::VersionOps;
use crate::{AdminProduct, AuditNote, Edit, NewProduct, PageStart, ProductChange, ProductFilter};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Fen;

/// A product row as the owner reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = product)]
struct Row {
    #[diesel(embed)]
    product: ProductRow,
    hidden: bool,
    sort_order: i32,
    keywords: String,
}

impl Row {
    /// The product with every SKU of it in `skus` (sorted by product).
    fn with_skus(self, skus: &[SkuRow]) -> AdminProduct {
        AdminProduct {
            pooled: self.product.sku_pool,
            product: self.product.with_skus(skus),
            hidden: self.hidden,
            sort: self.sort_order,
            keywords: crate::search::split_keywords(&self.keywords),
        }
    }
}

/// The columns a change sets (diesel skips the `None`s).
#[derive(AsChangeset)]
#[diesel(table_name = product)]
struct Columns<'a> {
    brand_id: Option<i32>,
    name: Option<&'a str>,
    img: Option<&'a str>,
    price_fen: Option<i64>,
    old_price_fen: Option<i64>,
    featured: Option<bool>,
    hidden: Option<bool>,
    sort_order: Option<i32>,
    keywords: Option<String>,
}

/// The column changes, `None` when only the stock (or nothing) changes.
fn columns(change: &ProductChange) -> Option<Columns<'_>> {
    let c = Columns {
        brand_id: change.brand_id,
        name: change.name.as_deref(),
        img: change.img.as_deref(),
        price_fen: change.price.map(Fen::get),
        old_price_fen: change.old_price.map(Fen::get),
        featured: change.featured,
        hidden: change.hidden,
        sort_order: change.sort,
        keywords: change.keywords.as_deref().map(join_keywords),
    };
    let any = c.brand_id.is_some()
        || c.name.is_some()
        || c.img.is_some()
        || c.price_fen.is_some()
        || c.old_price_fen.is_some()
        || c.featured.is_some()
        || c.hidden.is_some()
        || c.sort_order.is_some()
        || c.keywords.is_some();
    any.then_some(c)
}

/// Reading a product inside a caller's transaction.
pub(super) trait ProductRows {
    /// Product `id`, hidden or not.
    fn product_row(
        &mut self,
        id: i32,
    ) -> impl Future<Output = Result<Option<AdminProduct>, DieselError>> + Send;
}

impl_for_each_conn!(ProductRows {
    async fn product_row(&mut self, id: i32) -> Result<Option<AdminProduct>, DieselError> {
        let row: Option<Row> = product::table
            .select(Row::as_select())
            .filter(product::id.eq(id))
            .first(self)
            .await
            .optional()?;
        let Some(row) = row else { return Ok(None) };
        let skus: Vec<SkuRow> = sku::table
            .select(SkuRow::as_select())
            .filter(sku::product_id.eq(id))
            .order((sku::position, sku::id))
            .load(self)
            .await?;
        Ok(Some(row.with_skus(&skus)))
    }
});

/// The audit target of a product.
pub(super) fn target(id: i32) -> String {
    format!("product {id}")
}

impl Db {
    /// One page of products by id, hidden ones included: after a product
    /// id (keyset) or from an offset.
    pub async fn admin_products(
        &self,
        filter: ProductFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<Vec<AdminProduct>, DbError> {
        let (rows, skus) = read_conn!(self, |conn| {
            let mut q = product::table
                .select(Row::as_select())
                .order(product::id)
                .limit(limit)
                .into_boxed();
            if let Some(b) = filter.brand_id {
                q = q.filter(product::brand_id.eq(b));
            }
            if let Some(h) = filter.hidden {
                q = q.filter(product::hidden.eq(h));
            }
            q = match start {
                PageStart::After(id) => {
                    q.filter(product::id.gt(i32::try_from(id).unwrap_or(i32::MAX)))
                }
                PageStart::Offset(n) => q.offset(n),
            };
            let rows: Vec<Row> = q.load(conn).await?;
            let ids: Vec<i32> = rows.iter().map(|r| r.product.id).collect();
            let skus: Vec<SkuRow> = if ids.is_empty() {
                Vec::new()
            } else {
                sku::table
                    .select(SkuRow::as_select())
                    .filter(sku::product_id.eq_any(&ids))
                    .order((sku::product_id, sku::position, sku::id))
                    .load(conn)
                    .await?
            };
            Ok((rows, skus))
        })?;
        Ok(rows.into_iter().map(|r| r.with_skus(&skus)).collect())
    }

    /// How many products `filter` matches (a count over the table: cache it).
    pub async fn count_admin_products(&self, filter: ProductFilter) -> Result<i64, DbError> {
        read_conn!(self, |conn| {
            let mut q = product::table.into_boxed();
            if let Some(b) = filter.brand_id {
                q = q.filter(product::brand_id.eq(b));
            }
            if let Some(h) = filter.hidden {
                q = q.filter(product::hidden.eq(h));
            }
            Ok(q.count().get_result(conn).await?)
        })
    }

    /// Product `id` as the owner sees it, hidden or not.
    pub async fn admin_product(&self, id: i32) -> Result<Option<AdminProduct>, DbError> {
        read_conn!(self, |conn| Ok(conn.product_row(id).await?))
    }

    /// Creates a product of an existing brand.
    pub async fn create_product(
        &self,
        new: &NewProduct<'_>,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            if conn.brand_row(new.brand_id).await?.is_none() {
                return Err(Abort::Rollback(Edit::NoBrand));
            }
            let pooled = new.skus.is_none();
            diesel::insert_into(product::table)
                .values((
                    product::brand_id.eq(new.brand_id),
                    product::name.eq(new.name),
                    product::img.eq(new.img),
                    product::price_fen.eq(new.price.get()),
                    product::old_price_fen.eq(new.old_price.get()),
                    product::sizes.eq(""),
                    product::stock.eq(if pooled { new.stock } else { 0 }),
                    product::sku_pool.eq(pooled),
                    product::featured.eq(new.featured),
                    product::sort_order.eq(new.sort),
                    product::created_at.eq(naive(now)),
                    product::hidden.eq(false),
                    product::keywords.eq(join_keywords(new.keywords)),
                ))
                .execute(conn)
                .await?;
            let id = conn.inserted_id().await?;
            match new.skus {
                Some(skus) => conn.put_skus(id, skus, false).await?,
                None => conn.put_sizes(id, new.sizes).await?,
            }
            conn.reindex_products(&[id]).await?;
            let after = conn.product_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), None, Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Changes some fields of product `id`. The stock (the pool, or the
    /// only SKU's) changes by a delta in one conditional update (`stock +
    /// d >= 0` when removing, `<= max_stock` when adding), applied to the
    /// stock as it is then, so a concurrent order's reservation is never
    /// lost; out of range, nothing changes. New sizes become SKUs with no
    /// stock of their own; sizes left out leave the shop.
    pub async fn update_product(
        &self,
        id: i32,
        change: &ProductChange,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, DbError> {
        let columns = columns(change);
        let delta = change.stock_delta.filter(|d| *d != 0);
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.product_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            if let Some(b) = change.brand_id
                && conn.brand_row(b).await?.is_none()
            {
                return Err(Abort::Rollback(Edit::NoBrand));
            }
            if let Some(d) = delta {
                // A pooled product's stock is its pool; a product sold in
                // one SKU, that SKU's; any other names its SKU.
                let active: Vec<_> = before.product.skus.iter().filter(|s| s.active).collect();
                let changed = match (before.pooled, &active[..]) {
                    (true, _) => conn.add_to_pool(id, d, max_stock).await?,
                    (false, [one]) => conn.add_to_sku(one.id.get(), d, max_stock).await?,
                    (false, _) => return Err(Abort::Rollback(Edit::PerSize)),
                };
                if !changed {
                    let now_stock = conn.product_row(id).await?.map_or(0, |p| p.product.stock);
                    return Err(Abort::Rollback(Edit::Stock(now_stock)));
                }
            }
            if let Some(sizes) = &change.sizes {
                conn.put_sizes(id, sizes).await?;
            }
            if let Some(columns) = &columns {
                diesel::update(product::table.filter(product::id.eq(id)))
                    .set(columns)
                    .execute(conn)
                    .await?;
                conn.reindex_products(&[id]).await?;
            }
            let after = conn.product_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), Some(&before), Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Hides product `id`: it leaves the lists, its page and new orders;
    /// old orders keep their lines. Hiding a hidden product changes nothing
    /// (and logs nothing).
    pub async fn hide_product(
        &self,
        id: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.product_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            let n = diesel::update(
                product::table
                    .filter(product::id.eq(id))
                    .filter(product::hidden.eq(false)),
            )
            .set(product::hidden.eq(true))
            .execute(conn)
            .await?;
            if n != 1 {
                // Hidden already: roll the version bump back too.
                return Err(Abort::Rollback(Edit::Done(before)));
            }
            // Out of the index: a hidden product is never found.
            conn.reindex_products(&[id]).await?;
            let after = conn.product_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), Some(&before), Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }
}
