//! A buyer's cart on the server: lines by SKU, shown with what can be
//! bought now, merged with the device's cart at sign-in, and ordered
//! (`POST /order {fromCart: true}`).

use crate::ShopError;
use crate::store::{CartEdit, CartLine, CartStore};
use letao_auth::Clock;
use letao_domain::order::{LineRequest, MAX_QUANTITY, OrderItems, Quantity, SkuChoice};
use letao_domain::{Fen, Id, Sku};
use std::sync::Arc;

/// Most lines in a cart.
pub const MAX_CART_LINES: i64 = 50;
/// Most lines a device's cart may bring to a merge.
pub const MAX_MERGE_LINES: usize = 100;

/// A cart line and whether it can be ordered now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    /// The line with its SKU as it is now.
    pub line: CartLine,
    /// On sale, active and with stock for the quantity wanted. A line that
    /// is not stays in the cart, shown, never silently dropped.
    pub available: bool,
}

/// A cart as the buyer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartView {
    /// Oldest first.
    pub items: Vec<CartItem>,
    /// What the available lines cost.
    pub total: Fen,
}

impl CartView {
    fn of(lines: Vec<CartLine>) -> Result<CartView, ShopError> {
        let items: Vec<CartItem> = lines
            .into_iter()
            .map(|line| CartItem {
                available: line.on_sale && line.sku.active && line.sku.stock >= line.quantity,
                line,
            })
            .collect();
        let mut total = Fen::ZERO;
        for item in items.iter().filter(|i| i.available) {
            total = item
                .line
                .unit
                .checked_mul(i64::from(item.line.quantity))
                .and_then(|amount| total.checked_add(amount))
                .ok_or(ShopError::Pricing(
                    letao_domain::order::PricingError::TooLarge,
                ))?;
        }
        Ok(CartView { items, total })
    }
}

/// The cart service.
pub struct Carts {
    store: Arc<dyn CartStore>,
    clock: Arc<dyn Clock>,
}

fn invalid(field: impl Into<String>, msg: &str) -> ShopError {
    ShopError::Invalid {
        field: field.into(),
        msg: msg.to_owned(),
    }
}

impl Carts {
    /// The service over `store`.
    pub fn new(store: Arc<dyn CartStore>, clock: Arc<dyn Clock>) -> Carts {
        Carts { store, clock }
    }

    /// The buyer's cart.
    pub async fn view(&self, user_id: i32) -> Result<CartView, ShopError> {
        CartView::of(self.store.cart(user_id).await?)
    }

    /// Sets the quantity of a SKU's line, 0 to 99 (0 removes it); the cart after.
    pub async fn set(
        &self,
        user_id: i32,
        sku: Id<Sku>,
        quantity: i64,
    ) -> Result<CartView, ShopError> {
        let quantity = i32::try_from(quantity)
            .ok()
            .filter(|q| (0..=MAX_QUANTITY).contains(q))
            .ok_or_else(|| invalid("quantity", "must be 0 to 99 (0 removes the line)"))?;
        let edit = self.store.set_cart_line(
            user_id,
            sku.get(),
            quantity,
            MAX_CART_LINES,
            self.clock.now(),
        );
        match edit.await? {
            CartEdit::Done => self.view(user_id).await,
            CartEdit::UnknownSku => Err(invalid("skuId", "names no SKU on sale")),
            CartEdit::Full => Err(invalid(
                "skuId",
                "the cart holds 50 lines at most: order or remove some first",
            )),
        }
    }

    /// Adds the device's lines `(skuId, quantity)` at sign-in: quantities
    /// add up to 99 at most; unknown SKUs, and lines past the 50th, are
    /// skipped and named. The cart after, and the SKUs skipped.
    pub async fn merge(
        &self,
        user_id: i32,
        lines: &[(i64, i64)],
    ) -> Result<(CartView, Vec<i32>), ShopError> {
        if lines.len() > MAX_MERGE_LINES {
            return Err(invalid("lines", "must hold at most 100 lines"));
        }
        let mut checked = Vec::with_capacity(lines.len());
        let mut skipped = Vec::new();
        for (i, &(sku, quantity)) in lines.iter().enumerate() {
            let Some(sku) = i32::try_from(sku).ok().filter(|id| *id > 0) else {
                return Err(invalid(
                    format!("lines[{i}].skuId"),
                    "must be a positive integer",
                ));
            };
            if quantity < 1 {
                return Err(invalid(
                    format!("lines[{i}].quantity"),
                    "must be at least 1",
                ));
            }
            let quantity =
                i32::try_from(quantity.min(i64::from(MAX_QUANTITY))).unwrap_or(MAX_QUANTITY);
            checked.push((sku, quantity));
        }
        skipped.extend(
            self.store
                .merge_cart(
                    user_id,
                    &checked,
                    MAX_QUANTITY,
                    MAX_CART_LINES,
                    self.clock.now(),
                )
                .await?,
        );
        Ok((self.view(user_id).await?, skipped))
    }

    /// Empties the cart.
    pub async fn clear(&self, user_id: i32) -> Result<(), ShopError> {
        Ok(self.store.clear_cart(user_id).await?)
    }

    /// The cart's available lines as order lines (`fromCart`).
    pub async fn order_lines(&self, user_id: i32) -> Result<OrderItems, ShopError> {
        let view = self.view(user_id).await?;
        let lines: Vec<LineRequest> = view
            .items
            .iter()
            .filter(|i| i.available)
            .filter_map(|i| {
                Some(LineRequest {
                    product: i.line.sku.product_id,
                    sku: SkuChoice::Id(i.line.sku.id),
                    quantity: Quantity::new(i64::from(i.line.quantity))?,
                })
            })
            .collect();
        if lines.is_empty() {
            return Err(invalid(
                "fromCart",
                "the cart has no line that can be ordered",
            ));
        }
        OrderItems::from_lines(lines).map_err(|_| {
            invalid(
                "fromCart",
                "an order holds 20 lines at most: remove some from the cart",
            )
        })
    }
}
