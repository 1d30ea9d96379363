//! Buyers' carts: a line per SKU. Every write of one cart first locks its
//! buyer's row, so two devices editing one cart at once are serialised
//! and the line limit holds.

use crate::columns::naive;
use crate::pool::SqliteConn;
use crate::schema::{cart_line, product, sku, user};
use crate::skus::SkuRow;
use crate::txn::Abort;
use crate::{Db, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl};
use letao_domain::Fen;
use letao_shop::store::{CartEdit, CartLine};

/// Locks a buyer's row for the rest of the transaction.
trait LockBuyer {
    fn lock_buyer(&mut self, user_id: i32) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl LockBuyer for SqliteConn {
    async fn lock_buyer(&mut self, _user_id: i32) -> Result<(), DieselError> {
        // `BEGIN IMMEDIATE` took the database's write lock already.
        Ok(())
    }
}

impl LockBuyer for AsyncMysqlConnection {
    async fn lock_buyer(&mut self, user_id: i32) -> Result<(), DieselError> {
        user::table
            .select(user::id)
            .filter(user::id.eq(user_id))
            .for_update()
            .load::<i32>(self)
            .await?;
        Ok(())
    }
}

impl LockBuyer for AsyncPgConnection {
    async fn lock_buyer(&mut self, user_id: i32) -> Result<(), DieselError> {
        user::table
            .select(user::id)
            .filter(user::id.eq(user_id))
            .for_update()
            .load::<i32>(self)
            .await?;
        Ok(())
    }
}

/// One line to put in a cart.
#[derive(Debug, Clone, Copy)]
struct Put {
    user_id: i32,
    sku_id: i32,
    quantity: i32,
    /// Add to the line's quantity rather than set it.
    add: bool,
    max_quantity: i32,
    max_lines: i64,
}

/// The steps of a cart write, inside a caller's transaction.
trait CartOps {
    /// Sets (or adds to) one line; `Full` when it would be a line past the
    /// most, `UnknownSku` for a SKU not sold.
    fn put_line(
        &mut self,
        put: Put,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<CartEdit, DieselError>> + Send;
}

impl_for_each_conn!(CartOps {
    async fn put_line(&mut self, put: Put, now: DateTime<Utc>) -> Result<CartEdit, DieselError> {
        let Put { user_id, sku_id, quantity, add, max_quantity, max_lines } = put;
        let line = cart_line::table
            .filter(cart_line::user_id.eq(user_id))
            .filter(cart_line::sku_id.eq(sku_id));
        let had: Option<i32> = line
            .select(cart_line::quantity)
            .first(self)
            .await
            .optional()?;
        if quantity == 0 {
            diesel::delete(line).execute(self).await?;
            return Ok(CartEdit::Done);
        }
        let sold: Option<i32> = sku::table
            .inner_join(product::table)
            .select(sku::id)
            .filter(sku::id.eq(sku_id))
            .filter(sku::active.eq(true))
            .filter(product::hidden.eq(false))
            .first(self)
            .await
            .optional()?;
        if sold.is_none() {
            return Ok(CartEdit::UnknownSku);
        }
        match had {
            Some(had) => {
                let wanted = if add { had.saturating_add(quantity) } else { quantity };
                diesel::update(line)
                    .set((
                        cart_line::quantity.eq(wanted.min(max_quantity)),
                        cart_line::updated_at.eq(naive(now)),
                    ))
                    .execute(self)
                    .await?;
            }
            None => {
                let lines: i64 = cart_line::table
                    .filter(cart_line::user_id.eq(user_id))
                    .count()
                    .get_result(self)
                    .await?;
                if lines >= max_lines {
                    return Ok(CartEdit::Full);
                }
                diesel::insert_into(cart_line::table)
                    .values((
                        cart_line::user_id.eq(user_id),
                        cart_line::sku_id.eq(sku_id),
                        cart_line::quantity.eq(quantity.min(max_quantity)),
                        cart_line::updated_at.eq(naive(now)),
                    ))
                    .execute(self)
                    .await?;
            }
        }
        Ok(CartEdit::Done)
    }
});

/// A cart line read with its SKU and product.
#[derive(Queryable, Selectable)]
#[diesel(table_name = cart_line)]
struct LineRow {
    quantity: i32,
    #[diesel(embed)]
    sku: SkuRow,
    #[diesel(select_expression = product::name)]
    name: String,
    #[diesel(select_expression = product::img)]
    img: String,
    #[diesel(select_expression = product::price_fen)]
    price_fen: i64,
    #[diesel(select_expression = product::stock)]
    pool: i32,
    #[diesel(select_expression = product::sku_pool)]
    pooled: bool,
    #[diesel(select_expression = product::hidden)]
    hidden: bool,
}

impl Db {
    /// The buyer's cart lines, oldest first.
    pub async fn cart(&self, user_id: i32) -> Result<Vec<CartLine>, DbError> {
        let rows: Vec<LineRow> = read_conn!(self, |conn| {
            Ok(cart_line::table
                .inner_join(sku::table.inner_join(product::table))
                .select(LineRow::as_select())
                .filter(cart_line::user_id.eq(user_id))
                .order((cart_line::updated_at, cart_line::sku_id))
                .load(conn)
                .await?)
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let sku = r.sku.into_sku(r.pooled.then_some(r.pool));
                CartLine {
                    unit: sku.price_or(Fen::new(r.price_fen)),
                    sku,
                    name: r.name,
                    img: r.img,
                    quantity: r.quantity,
                    on_sale: !r.hidden,
                }
            })
            .collect())
    }

    /// Sets one line of the buyer's cart (0 removes it).
    pub async fn set_cart_line(
        &self,
        user_id: i32,
        sku_id: i32,
        quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<CartEdit, DbError> {
        write_txn!(self, |conn| {
            conn.lock_buyer(user_id).await?;
            let put = Put {
                user_id,
                sku_id,
                quantity,
                add: false,
                max_quantity: quantity,
                max_lines,
            };
            let edit = conn.put_line(put, now).await?;
            match edit {
                CartEdit::Done => Ok(edit),
                refused => Err(Abort::Rollback(refused)),
            }
        })
    }

    /// Adds the device's lines to the buyer's cart; the SKUs skipped.
    pub async fn merge_cart(
        &self,
        user_id: i32,
        lines: &[(i32, i32)],
        max_quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i32>, DbError> {
        write_txn!(self, |conn| {
            conn.lock_buyer(user_id).await?;
            let mut skipped = Vec::new();
            for &(sku_id, quantity) in lines {
                let put = Put {
                    user_id,
                    sku_id,
                    quantity,
                    add: true,
                    max_quantity,
                    max_lines,
                };
                let edit = conn.put_line(put, now).await?;
                if edit != CartEdit::Done {
                    skipped.push(sku_id);
                }
            }
            Ok::<_, Abort<Vec<i32>>>(skipped)
        })
    }

    /// Empties the buyer's cart.
    pub async fn clear_cart(&self, user_id: i32) -> Result<(), DbError> {
        write_txn!(self, |conn| {
            conn.lock_buyer(user_id).await?;
            diesel::delete(cart_line::table.filter(cart_line::user_id.eq(user_id)))
                .execute(conn)
                .await?;
            Ok::<_, Abort<()>>(())
        })
    }
}
