//! A buyer's cart on the server: a line per SKU.

use super::StoreError;
use chrono::{DateTime, Utc};
use letao_domain::{Fen, Sku};

/// A cart line as stored, with its SKU and product as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// The SKU, its stock what can be bought now (the pool while pooled).
    pub sku: Sku,
    /// The product's name.
    pub name: String,
    /// The product's image.
    pub img: String,
    /// The SKU's price now (its own, else the product's).
    pub unit: Fen,
    /// Units wanted.
    pub quantity: i32,
    /// The product is on sale (not hidden).
    pub on_sale: bool,
}

/// How a change of a cart line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartEdit {
    /// Stored.
    Done,
    /// No such SKU, or one no longer sold.
    UnknownSku,
    /// The cart holds the most lines already.
    Full,
}

/// Where carts live. Each write of one buyer's cart is one transaction that
/// first locks the buyer, so two devices editing one cart at once leave one
/// consistent cart.
#[async_trait::async_trait]
pub trait CartStore: Send + Sync {
    /// The buyer's lines, oldest first.
    async fn cart(&self, user_id: i32) -> Result<Vec<CartLine>, StoreError>;

    /// Sets the quantity of one SKU's line (0 removes it); a new line only
    /// while the cart holds fewer than `max_lines`.
    async fn set_cart_line(
        &self,
        user_id: i32,
        sku_id: i32,
        quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<CartEdit, StoreError>;

    /// Adds the device's lines `(sku, quantity)` to the cart, each line's
    /// quantity at most `max_quantity`; the SKUs skipped (unknown, no longer
    /// sold, or past `max_lines`).
    async fn merge_cart(
        &self,
        user_id: i32,
        lines: &[(i32, i32)],
        max_quantity: i32,
        max_lines: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i32>, StoreError>;

    /// Empties the cart.
    async fn clear_cart(&self, user_id: i32) -> Result<(), StoreError>;
}
