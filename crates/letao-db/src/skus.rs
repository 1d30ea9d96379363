//! SKU rows, and products read with their SKUs.

use crate::schema::sku;
use diesel::{Queryable, Selectable};
use letao_domain::{Fen, Id, Sku};

/// A SKU row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sku)]
pub(crate) struct SkuRow {
    pub(crate) id: i32,
    pub(crate) product_id: i32,
    pub(crate) size: String,
    pub(crate) colour: String,
    pub(crate) code: String,
    price_fen: Option<i64>,
    pub(crate) stock: i32,
    pub(crate) active: bool,
}

impl SkuRow {
    /// The SKU, its stock the product's pool while it is pooled.
    pub(crate) fn into_sku(self, pool: Option<i32>) -> Sku {
        Sku {
            id: Id::from_db(self.id),
            product_id: Id::from_db(self.product_id),
            size: self.size,
            colour: (!self.colour.is_empty()).then_some(self.colour),
            code: self.code,
            price: self.price_fen.map(Fen::new),
            stock: pool.unwrap_or(self.stock),
            active: self.active,
        }
    }
}

/// The SKU rows of `product_id` in `rows` (sorted by product), as SKUs.
pub(crate) fn skus_of(rows: &[SkuRow], product_id: i32, pool: Option<i32>) -> Vec<Sku> {
    rows.iter()
        .filter(|r| r.product_id == product_id)
        .map(|r| r.clone().into_sku(pool))
        .collect()
}
