//! The owner's SKUs: set per product, stock by signed deltas, the pool
//! ended by the first stock the owner gives a size (docs/stock.md).

use super::products::{ProductRows, target};
use crate::audit::AuditOps;
use crate::schema::{cart_line, order_item, product, sku};
use crate::skus::SkuRow;
use crate::txn::Abort;
use crate::versions::VersionOps;
use crate::{AdminProduct, AuditNote, Edit, LowStock, SkuInput};
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::sku::ONE_SIZE;

/// The position of a SKU kept only for the orders and carts that name it.
const RETIRED: i32 = 10_000;

/// A failed step of setting SKUs: rolled back with the reason.
type Refused = Abort<Edit<AdminProduct>>;

/// The steps of the owner's SKU writes, inside a caller's transaction.
pub(super) trait SkuOps {
    /// Ends product `id`'s pool (its stock back to 0: each size's stock is
    /// what the owner says next); false when it was not pooled.
    fn end_pool(&mut self, id: i32) -> impl Future<Output = Result<bool, DieselError>> + Send;

    /// Adds `d` to product `id`'s pool within `0..=max`; false when out of range.
    fn add_to_pool(
        &mut self,
        id: i32,
        d: i32,
        max: i32,
    ) -> impl Future<Output = Result<bool, DieselError>> + Send;

    /// Adds `d` to SKU `id`'s stock within `0..=max`; false when out of range.
    fn add_to_sku(
        &mut self,
        id: i32,
        d: i32,
        max: i32,
    ) -> impl Future<Output = Result<bool, DieselError>> + Send;

    /// Makes the product's one-colour SKUs these sizes (one SKU, 均码,
    /// when there are none): new sizes get no stock of their own, sizes
    /// left out leave the shop.
    fn put_sizes(
        &mut self,
        product_id: i32,
        sizes: &[String],
    ) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// Makes the product's SKUs `skus` (see `Db::set_skus`); `pooled`:
    /// the pool was ended by this write, so every named SKU takes its stock.
    fn put_skus(
        &mut self,
        product_id: i32,
        skus: &[SkuInput],
        pooled: bool,
    ) -> impl Future<Output = Result<(), Refused>> + Send;

    /// Deletes SKU `id`, or deactivates it when an order or a cart names it.
    fn retire(&mut self, id: i32) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// A code for a new SKU of `product_id` that no SKU has.
    fn new_code(
        &mut self,
        product_id: i32,
        size: &str,
        colour: &str,
    ) -> impl Future<Output = Result<String, DieselError>> + Send;
}

/// The SKU rows of one product, in the owner's order.
macro_rules! rows_of {
    ($conn:expr, $product_id:expr) => {
        sku::table
            .select(SkuRow::as_select())
            .filter(sku::product_id.eq($product_id))
            .order((sku::position, sku::id))
            .load::<SkuRow>($conn)
            .await?
    };
}

impl_for_each_conn!(SkuOps {
    async fn end_pool(&mut self, id: i32) -> Result<bool, DieselError> {
        let n = diesel::update(
            product::table
                .filter(product::id.eq(id))
                .filter(product::sku_pool.eq(true)),
        )
        .set((product::sku_pool.eq(false), product::stock.eq(0)))
        .execute(self)
        .await?;
        Ok(n == 1)
    }

    async fn add_to_pool(&mut self, id: i32, d: i32, max: i32) -> Result<bool, DieselError> {
        let row = product::table
            .filter(product::id.eq(id))
            .filter(product::sku_pool.eq(true));
        let add = product::stock.eq(product::stock + d);
        // Removing is bounded by zero, adding by the maximum.
        let n = if d < 0 {
            diesel::update(row.filter((product::stock + d).ge(0)))
                .set(add)
                .execute(self)
                .await?
        } else {
            diesel::update(row.filter((product::stock + d).le(max)))
                .set(add)
                .execute(self)
                .await?
        };
        Ok(n == 1)
    }

    async fn add_to_sku(&mut self, id: i32, d: i32, max: i32) -> Result<bool, DieselError> {
        let row = sku::table.filter(sku::id.eq(id));
        let add = sku::stock.eq(sku::stock + d);
        let n = if d < 0 {
            diesel::update(row.filter((sku::stock + d).ge(0)))
                .set(add)
                .execute(self)
                .await?
        } else {
            diesel::update(row.filter((sku::stock + d).le(max)))
                .set(add)
                .execute(self)
                .await?
        };
        Ok(n == 1)
    }

    async fn put_sizes(&mut self, product_id: i32, sizes: &[String]) -> Result<(), DieselError> {
        let one = [ONE_SIZE.to_owned()];
        let sizes = if sizes.is_empty() { &one[..] } else { sizes };
        let existing: Vec<SkuRow> = rows_of!(self, product_id);
        for (position, size) in (0i32..).zip(sizes) {
            let found = existing.iter().find(|r| r.size == *size && r.colour.is_empty());
            match found {
                Some(row) => {
                    diesel::update(sku::table.filter(sku::id.eq(row.id)))
                        .set((sku::active.eq(true), sku::position.eq(position)))
                        .execute(self)
                        .await?;
                }
                None => {
                    let code = self.new_code(product_id, size, "").await?;
                    diesel::insert_into(sku::table)
                        .values((
                            sku::product_id.eq(product_id),
                            sku::size.eq(size),
                            sku::colour.eq(""),
                            sku::code.eq(code),
                            sku::stock.eq(0),
                            sku::active.eq(true),
                            sku::position.eq(position),
                        ))
                        .execute(self)
                        .await?;
                }
            }
        }
        for row in &existing {
            if !(row.colour.is_empty() && sizes.contains(&row.size)) {
                self.retire(row.id).await?;
            }
        }
        Ok(())
    }

    async fn put_skus(
        &mut self,
        product_id: i32,
        skus: &[SkuInput],
        pooled: bool,
    ) -> Result<(), Refused> {
        let existing: Vec<SkuRow> = rows_of!(self, product_id);
        let mut kept: Vec<i32> = Vec::with_capacity(skus.len());
        for (index, (position, input)) in (0i32..).zip(skus).enumerate() {
            let colour = input.colour.as_deref().unwrap_or("");
            let same_label = |r: &&SkuRow| r.size == input.size && r.colour == colour;
            let matched = match input.id {
                Some(id) => {
                    let row = existing.iter().find(|r| r.id == id);
                    let row = row.ok_or(Abort::Rollback(Edit::UnknownSku(index)))?;
                    // Another SKU of the product holds that size and colour.
                    if existing.iter().filter(same_label).any(|r| r.id != id) {
                        return Err(Abort::Rollback(Edit::SizeTaken(index)));
                    }
                    Some(row)
                }
                None => existing.iter().find(same_label),
            };
            if let Some(code) = &input.code {
                let holder: Option<i32> = sku::table
                    .select(sku::id)
                    .filter(sku::code.eq(code))
                    .first(self)
                    .await
                    .optional()?;
                if holder.is_some_and(|h| Some(h) != matched.map(|r| r.id)) {
                    return Err(Abort::Rollback(Edit::CodeTaken(code.clone())));
                }
            }
            let price = input.price.map(|p| p.get());
            match matched {
                Some(row) => {
                    let target = sku::table.filter(sku::id.eq(row.id));
                    let fields = (
                        sku::size.eq(&input.size),
                        sku::colour.eq(colour),
                        sku::code.eq(input.code.as_deref().unwrap_or(&row.code)),
                        sku::price_fen.eq(price),
                        sku::active.eq(input.active),
                        sku::position.eq(position),
                    );
                    if pooled {
                        diesel::update(target)
                            .set((fields, sku::stock.eq(input.stock)))
                            .execute(self)
                            .await?;
                    } else {
                        diesel::update(target).set(fields).execute(self).await?;
                    }
                    kept.push(row.id);
                }
                None => {
                    let code = match &input.code {
                        Some(code) => code.clone(),
                        None => self.new_code(product_id, &input.size, colour).await?,
                    };
                    diesel::insert_into(sku::table)
                        .values((
                            sku::product_id.eq(product_id),
                            sku::size.eq(&input.size),
                            sku::colour.eq(colour),
                            sku::code.eq(code),
                            sku::price_fen.eq(price),
                            sku::stock.eq(input.stock),
                            sku::active.eq(input.active),
                            sku::position.eq(position),
                        ))
                        .execute(self)
                        .await?;
                }
            }
        }
        for row in existing.iter().filter(|r| !kept.contains(&r.id)) {
            // Matched by size and colour: kept under its new fields.
            let named = skus.iter().any(|i| {
                i.id.is_none() && i.size == row.size && i.colour.as_deref().unwrap_or("") == row.colour
            });
            if !named {
                self.retire(row.id).await?;
            }
        }
        Ok(())
    }

    async fn retire(&mut self, id: i32) -> Result<(), DieselError> {
        let in_orders: Option<i32> = order_item::table
            .select(order_item::id)
            .filter(order_item::sku_id.eq(id))
            .first(self)
            .await
            .optional()?;
        let in_carts: Option<i32> = cart_line::table
            .select(cart_line::sku_id)
            .filter(cart_line::sku_id.eq(id))
            .first(self)
            .await
            .optional()?;
        let target = sku::table.filter(sku::id.eq(id));
        if in_orders.is_some() || in_carts.is_some() {
            // Listed after the SKUs on sale.
            diesel::update(target)
                .set((sku::active.eq(false), sku::position.eq(RETIRED)))
                .execute(self)
                .await?;
        } else {
            diesel::delete(target).execute(self).await?;
        }
        Ok(())
    }

    async fn new_code(
        &mut self,
        product_id: i32,
        size: &str,
        colour: &str,
    ) -> Result<String, DieselError> {
        let base = if colour.is_empty() {
            format!("P{product_id}-{size}")
        } else {
            format!("P{product_id}-{size}-{colour}")
        };
        let mut code = base.clone();
        for n in 2.. {
            let taken: Option<i32> = sku::table
                .select(sku::id)
                .filter(sku::code.eq(&code))
                .first(self)
                .await
                .optional()?;
            if taken.is_none() {
                break;
            }
            code = format!("{base}-{n}");
        }
        Ok(code)
    }
});

/// A low-stock row: the SKU and its product's name, stock and pool flag.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sku)]
struct LowRow {
    #[diesel(embed)]
    sku: SkuRow,
    #[diesel(select_expression = product::name)]
    name: String,
    #[diesel(select_expression = product::stock)]
    pool: i32,
    #[diesel(select_expression = product::sku_pool)]
    pooled: bool,
}

impl Db {
    /// Sets product `id`'s SKUs in one transaction: a pooled product's
    /// pool ends and every SKU named takes the stock given; otherwise
    /// existing SKUs keep their stock (the signed delta changes it), so a
    /// reservation made since the owner looked is never overwritten.
    pub async fn set_skus(
        &self,
        id: i32,
        skus: &[SkuInput],
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let Some(before) = conn.product_row(id).await? else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            let pooled = conn.end_pool(id).await?;
            conn.put_skus(id, skus, pooled).await?;
            let after = conn.product_row(id).await?.ok_or(DieselError::NotFound)?;
            conn.audit(&note.entry(target(id), Some(&before), Some(&after)), now)
                .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Adds `delta` to SKU `sku_id`'s stock as it is then (ending its
    /// product's pool first), within `0..=max_stock`.
    pub async fn adjust_stock(
        &self,
        sku_id: i32,
        delta: i32,
        max_stock: i32,
        note: &AuditNote<'_, AdminProduct>,
        now: DateTime<Utc>,
    ) -> Result<Edit<AdminProduct>, DbError> {
        write_txn!(self, |conn| {
            conn.bump_catalogue().await?;
            let product_id: Option<i32> = sku::table
                .select(sku::product_id)
                .filter(sku::id.eq(sku_id))
                .first(conn)
                .await
                .optional()?;
            let Some(product_id) = product_id else {
                return Err(Abort::Rollback(Edit::Missing));
            };
            let before = conn
                .product_row(product_id)
                .await?
                .ok_or(DieselError::NotFound)?;
            conn.end_pool(product_id).await?;
            if !conn.add_to_sku(sku_id, delta, max_stock).await? {
                // A pooled SKU has nothing of its own once the pool ends.
                let stock = before
                    .product
                    .skus
                    .iter()
                    .find(|s| s.id.get() == sku_id && !before.pooled)
                    .map_or(0, |s| s.stock);
                return Err(Abort::Rollback(Edit::Stock(stock)));
            }
            let after = conn
                .product_row(product_id)
                .await?
                .ok_or(DieselError::NotFound)?;
            conn.audit(
                &note.entry(format!("sku {sku_id}"), Some(&before), Some(&after)),
                now,
            )
            .await?;
            Ok(Edit::Done(after))
        })
    }

    /// Active SKUs of products on sale with at most `threshold` units (the
    /// pool's while pooled), by SKU id after `after`.
    pub async fn low_stock(
        &self,
        threshold: i32,
        after: i32,
        limit: i64,
    ) -> Result<Vec<LowStock>, DbError> {
        let rows: Vec<LowRow> = read_conn!(self, |conn| {
            Ok(sku::table
                .inner_join(product::table)
                .select(LowRow::as_select())
                .filter(sku::active.eq(true))
                .filter(product::hidden.eq(false))
                .filter(sku::id.gt(after))
                .filter(
                    product::sku_pool
                        .eq(true)
                        .and(product::stock.le(threshold))
                        .or(product::sku_pool.eq(false).and(sku::stock.le(threshold))),
                )
                .order(sku::id)
                .limit(limit)
                .load(conn)
                .await?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| LowStock {
                sku: r.sku.into_sku(r.pooled.then_some(r.pool)),
                name: r.name,
            })
            .collect())
    }
}
