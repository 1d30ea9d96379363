//! The search index (docs/search.md): `search_token` rows written with
//! every catalogue change, and the searches over them. A search is plain
//! SQL on every backend: one `product.id IN (SELECT product_id FROM
//! search_token WHERE token = ?)` per term, so a product must hold every
//! term; tokens compare byte by byte, and are bound as parameters, so
//! nothing in a query is a pattern.

use crate::catalogue::ProductRow;
use crate::schema::{
    brand, category, order_item, payorder, product, search_index, search_token, sku,
};
use crate::{Db, DbError};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use letao_domain::Product;
use letao_domain::search::{TOKENIZER_VERSION, product_tokens};
use letao_shop::store::{SearchFilter, SearchMatch, SortKey, StoredSort};
use std::collections::HashMap;

/// Products read, tokens deleted and inserted per statement.
const CHUNK: usize = 500;
/// Token rows per INSERT (three parameters each, well under every
/// backend's limit).
const INSERT_ROWS: usize = 1_000;

/// The owner's keywords as stored: comma separated.
pub(crate) fn join_keywords(keywords: &[String]) -> String {
    keywords.join(",")
}

/// The owner's keywords as stored, as a list.
pub(crate) fn split_keywords(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row of the index.
#[derive(Insertable, Clone)]
#[diesel(table_name = search_token)]
struct TokenRow {
    token: String,
    product_id: i32,
    weight: i16,
}

/// Inserting token rows, many per statement where the driver can.
trait InsertTokens {
    fn insert_tokens(
        &mut self,
        rows: &[TokenRow],
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

// SQLite's driver here inserts one row per statement (as the seed does);
// the statement is prepared once and runs in the caller's transaction.
impl InsertTokens for crate::pool::SqliteConn {
    async fn insert_tokens(&mut self, rows: &[TokenRow]) -> Result<(), DieselError> {
        for row in rows {
            diesel::insert_into(search_token::table)
                .values(row.clone())
                .execute(self)
                .await?;
        }
        Ok(())
    }
}

macro_rules! batch_insert_tokens {
    ($conn:ty) => {
        impl InsertTokens for $conn {
            async fn insert_tokens(&mut self, rows: &[TokenRow]) -> Result<(), DieselError> {
                for rows in rows.chunks(INSERT_ROWS) {
                    diesel::insert_into(search_token::table)
                        .values(rows.to_vec())
                        .execute(self)
                        .await?;
                }
                Ok(())
            }
        }
    };
}
batch_insert_tokens!(diesel_async::AsyncMysqlConnection);
batch_insert_tokens!(diesel_async::AsyncPgConnection);

/// Keeping the index inside a caller's write transaction.
pub(crate) trait SearchOps {
    /// Writes the tokens of `ids` as the products are now (none for a
    /// hidden one).
    fn reindex_products(
        &mut self,
        ids: &[i32],
    ) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// Re-indexes every product of brand `brand_id` (renamed, or moved to
    /// another category).
    fn reindex_brand(
        &mut self,
        brand_id: i32,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;

    /// Re-indexes every product of the brands of category `category_id`.
    fn reindex_category(
        &mut self,
        category_id: i32,
    ) -> impl Future<Output = Result<(), DieselError>> + Send;
}

impl_for_each_conn!(SearchOps {
    async fn reindex_products(&mut self, ids: &[i32]) -> Result<(), DieselError> {
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<(i32, String, String, i32, bool)> = product::table
                .select((
                    product::id,
                    product::name,
                    product::keywords,
                    product::brand_id,
                    product::hidden,
                ))
                .filter(product::id.eq_any(chunk))
                .load(self)
                .await?;
            let mut brand_ids: Vec<i32> = rows.iter().map(|r| r.3).collect();
            brand_ids.sort_unstable();
            brand_ids.dedup();
            let brands: Vec<(i32, Option<String>, Option<i32>)> = brand::table
                .select((brand::id, brand::brand_name, brand::category_id))
                .filter(brand::id.eq_any(&brand_ids))
                .load(self)
                .await?;
            let category_ids: Vec<i32> = brands.iter().filter_map(|b| b.2).collect();
            let categories: HashMap<i32, Option<String>> = category::table
                .select((category::id, category::category_name))
                .filter(category::id.eq_any(&category_ids))
                .load::<(i32, Option<String>)>(self)
                .await?
                .into_iter()
                .collect();
            let labels: HashMap<i32, Vec<String>> = brands
                .into_iter()
                .map(|(id, name, cat)| {
                    let cat = cat.and_then(|c| categories.get(&c).cloned().flatten());
                    (id, name.into_iter().chain(cat).collect())
                })
                .collect();
            diesel::delete(search_token::table.filter(search_token::product_id.eq_any(chunk)))
                .execute(self)
                .await?;
            let mut tokens = Vec::new();
            for (id, name, keywords, brand_id, hidden) in &rows {
                if *hidden {
                    continue;
                }
                let labels: Vec<&str> = labels
                    .get(brand_id)
                    .map(|l| l.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                for (token, weight) in product_tokens(name, &split_keywords(keywords), &labels) {
                    tokens.push(TokenRow {
                        token,
                        product_id: *id,
                        weight,
                    });
                }
            }
            self.insert_tokens(&tokens).await?;
        }
        Ok(())
    }

    async fn reindex_brand(&mut self, brand_id: i32) -> Result<(), DieselError> {
        let ids: Vec<i32> = product::table
            .select(product::id)
            .filter(product::brand_id.eq(brand_id))
            .load(self)
            .await?;
        self.reindex_products(&ids).await
    }

    async fn reindex_category(&mut self, category_id: i32) -> Result<(), DieselError> {
        let ids: Vec<i32> = product::table
            .select(product::id)
            .filter(
                product::brand_id.eq_any(
                    brand::table
                        .select(brand::id)
                        .filter(brand::category_id.eq(category_id)),
                ),
            )
            .load(self)
            .await?;
        self.reindex_products(&ids).await
    }
});

/// The products on sale that hold every one of `$terms` and pass
/// `$filter`, as a boxed query over `$base` (a `product::table.select(..)`).
macro_rules! matching {
    ($base:expr, $terms:expr, $filter:expr) => {{
        let filter: &SearchFilter = $filter;
        let mut q = $base.filter(product::hidden.eq(false)).into_boxed();
        for t in $terms {
            q = q.filter(
                product::id.eq_any(
                    search_token::table
                        .select(search_token::product_id)
                        .filter(search_token::token.eq(t.clone())),
                ),
            );
        }
        if let Some(b) = filter.brand_id {
            q = q.filter(product::brand_id.eq(b));
        }
        if let Some(c) = filter.category_id {
            q = q.filter(
                product::brand_id.eq_any(
                    brand::table
                        .select(brand::id)
                        .filter(brand::category_id.eq(c)),
                ),
            );
        }
        if let Some(min) = filter.min_price {
            q = q.filter(product::price_fen.ge(min.get()));
        }
        if let Some(max) = filter.max_price {
            q = q.filter(product::price_fen.le(max.get()));
        }
        if let Some(size) = &filter.size {
            // In stock in that size: the SKU's own stock, or the pool of a
            // pooled product. A correlated EXISTS probes the product's own
            // SKUs (`sku_product_size`); an `IN` list of every product with
            // that size would read a row per product of the catalogue.
            // `active <> false`, not `= true`: an equality lets SQLite
            // (without ANALYZE) and MariaDB walk `sku_low_stock (active, …)`,
            // every active SKU of the shop, for each product.
            q = q.filter(diesel::dsl::exists(
                sku::table
                    .select(sku::id)
                    .filter(sku::product_id.eq(product::id))
                    .filter(sku::size.eq(size.clone()))
                    .filter(sku::active.ne(false))
                    .filter(
                        sku::stock
                            .gt(0)
                            .or(product::sku_pool.eq(true).and(product::stock.gt(0))),
                    ),
            ));
        }
        q
    }};
}

impl Db {
    /// The newest `limit` products on sale holding every term and passing
    /// `filter`, with the weight each term has in each.
    pub async fn search_matches(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        limit: i64,
    ) -> Result<Vec<SearchMatch>, DbError> {
        let (ids, weights) = read_conn!(self, |conn| {
            let ids: Vec<i32> = matching!(product::table.select(product::id), terms, filter)
                .order(product::id.desc())
                .limit(limit)
                .load(conn)
                .await?;
            let weights: Vec<(i32, String, i16)> = if ids.is_empty() || terms.is_empty() {
                Vec::new()
            } else {
                search_token::table
                    .select((
                        search_token::product_id,
                        search_token::token,
                        search_token::weight,
                    ))
                    .filter(search_token::product_id.eq_any(&ids))
                    .filter(search_token::token.eq_any(terms))
                    .load(conn)
                    .await?
            };
            Ok((ids, weights))
        })?;
        let mut by_product: HashMap<i32, HashMap<String, i16>> = HashMap::new();
        for (id, token, weight) in weights {
            by_product.entry(id).or_default().insert(token, weight);
        }
        Ok(ids
            .into_iter()
            .map(|id| {
                let found = by_product.get(&id);
                SearchMatch {
                    product_id: id,
                    weights: terms
                        .iter()
                        .map(|t| found.and_then(|f| f.get(t)).copied().unwrap_or(0))
                        .collect(),
                }
            })
            .collect())
    }

    /// One page of the products on sale holding every term and passing
    /// `filter`, in `sort` order after `after` (keyset).
    pub async fn search_page(
        &self,
        terms: &[String],
        filter: &SearchFilter,
        sort: StoredSort,
        after: Option<SortKey>,
        limit: i64,
    ) -> Result<Vec<Product>, DbError> {
        let (rows, skus) = read_conn!(self, |conn| {
            let mut q = matching!(
                product::table.select(ProductRow::as_select()),
                terms,
                filter
            );
            q = match sort {
                StoredSort::Newest => {
                    if let Some(a) = after {
                        q = q.filter(product::id.lt(a.id));
                    }
                    q.order(product::id.desc())
                }
                StoredSort::PriceAsc => {
                    if let Some(a) = after {
                        q = q.filter(
                            product::price_fen
                                .gt(a.value)
                                .or(product::price_fen.eq(a.value).and(product::id.gt(a.id))),
                        );
                    }
                    q.order((product::price_fen.asc(), product::id.asc()))
                }
                StoredSort::PriceDesc => {
                    if let Some(a) = after {
                        q = q.filter(
                            product::price_fen
                                .lt(a.value)
                                .or(product::price_fen.eq(a.value).and(product::id.gt(a.id))),
                        );
                    }
                    q.order((product::price_fen.desc(), product::id.asc()))
                }
            };
            let rows: Vec<ProductRow> = q.limit(limit).load(conn).await?;
            let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let skus = active_skus_of!(conn, &ids);
            Ok((rows, skus))
        })?;
        Ok(rows.into_iter().map(|r| r.with_skus(&skus)).collect())
    }

    /// Products on sale in the order of `ids`.
    pub async fn products_by_ids(&self, ids: &[i32]) -> Result<Vec<Product>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (rows, skus) = read_conn!(self, |conn| {
            let rows: Vec<ProductRow> = product::table
                .select(ProductRow::as_select())
                .filter(product::id.eq_any(ids))
                .filter(product::hidden.eq(false))
                .load(conn)
                .await?;
            let found: Vec<i32> = rows.iter().map(|r| r.id).collect();
            let skus = active_skus_of!(conn, &found);
            Ok((rows, skus))
        })?;
        let mut by_id: HashMap<i32, Product> = rows
            .into_iter()
            .map(|r| (r.id, r.with_skus(&skus)))
            .collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Units of each of `ids` in paid orders.
    pub async fn units_sold(&self, ids: &[i32]) -> Result<HashMap<i32, i64>, DbError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let lines: Vec<(i32, i32)> = read_conn!(self, |conn| {
            Ok(order_item::table
                .inner_join(payorder::table)
                .select((order_item::product_id, order_item::quantity))
                .filter(order_item::product_id.eq_any(ids))
                .filter(payorder::paid_at.is_not_null())
                .load(conn)
                .await?)
        })?;
        let mut sold = HashMap::new();
        for (id, q) in lines {
            *sold.entry(id).or_insert(0) += i64::from(q);
        }
        Ok(sold)
    }

    /// Names of products on sale with a name token in `from..to`.
    pub async fn suggest_names(
        &self,
        from: &str,
        to: Option<&str>,
        limit: i64,
    ) -> Result<Vec<String>, DbError> {
        read_conn!(self, |conn| {
            let mut q = search_token::table
                .inner_join(product::table)
                .select(product::name)
                .filter(search_token::token.ge(from))
                .filter(search_token::weight.eq(letao_domain::search::Field::Name.weight()))
                .filter(product::hidden.eq(false))
                .order((search_token::token, search_token::product_id))
                .limit(limit)
                .into_boxed();
            if let Some(to) = to {
                q = q.filter(search_token::token.lt(to));
            }
            Ok(q.load(conn).await?)
        })
    }

    /// The product of the SKU with stock code `code`, hidden or not.
    pub async fn product_id_by_code(&self, code: &str) -> Result<Option<i32>, DbError> {
        read_conn!(self, |conn| {
            Ok(sku::table
                .select(sku::product_id)
                .filter(sku::code.eq(code))
                .first(conn)
                .await
                .optional()?)
        })
    }

    /// The tokenizer version that wrote the index (0: none).
    async fn index_version(&self) -> Result<i32, DbError> {
        read_conn!(self, |conn| {
            Ok(search_index::table
                .select(search_index::tokenizer)
                .filter(search_index::id.eq(1))
                .first(conn)
                .await
                .optional()?
                .unwrap_or(0))
        })
    }

    /// Rebuilds the index of every product, a chunk per transaction, when
    /// `force` or when another tokenizer wrote it; the products indexed.
    pub async fn rebuild_search_index(&self, force: bool) -> Result<Option<u64>, DbError> {
        if !force && self.index_version().await? == TOKENIZER_VERSION {
            return Ok(None);
        }
        let mut last = 0;
        let mut count = 0u64;
        loop {
            let ids: Vec<i32> = read_conn!(self, |conn| {
                Ok(product::table
                    .select(product::id)
                    .filter(product::id.gt(last))
                    .order(product::id)
                    .limit(CHUNK as i64)
                    .load(conn)
                    .await?)
            })?;
            let Some(&end) = ids.last() else { break };
            write_txn!(self, |conn| {
                conn.reindex_products(&ids).await?;
                Ok(())
            })?;
            count += ids.len() as u64;
            last = end;
        }
        write_txn!(self, |conn| {
            diesel::update(search_index::table.filter(search_index::id.eq(1)))
                .set(search_index::tokenizer.eq(TOKENIZER_VERSION))
                .execute(conn)
                .await?;
            Ok(())
        })?;
        Ok(Some(count))
    }
}
