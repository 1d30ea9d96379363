//! Stock-keeping units: a product is sold in one or more SKUs, one per size
//! (and colour), each with its own stock (docs/stock.md).

use crate::{Fen, Id, Product};

/// Longest size or colour text, in characters.
pub const MAX_LABEL_CHARS: usize = 32;
/// Longest stock code, in characters.
pub const MAX_CODE_CHARS: usize = 64;
/// The size of a product sold in one size only (均码, "one size").
pub const ONE_SIZE: &str = "均码";

/// One size (and colour) of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku {
    /// Identifier.
    pub id: Id<Sku>,
    /// The product it is a size of.
    pub product_id: Id<Product>,
    /// As printed on the box: `"42"`, `"42.5"`.
    pub size: String,
    /// `None` for a one-colour product.
    pub colour: Option<String>,
    /// The owner's unique stock code.
    pub code: String,
    /// Its own price, when it differs from the product's.
    pub price: Option<Fen>,
    /// What can be bought now: the product's pool while it is pooled.
    pub stock: i32,
    /// On sale; an inactive SKU stays for the orders that name it.
    pub active: bool,
}

impl Sku {
    /// Its price: its own, else the product's.
    pub fn price_or(&self, product: Fen) -> Fen {
        self.price.unwrap_or(product)
    }
}

/// What a product reply says of its SKUs for clients that know no SKUs:
/// the sizes on sale with stock, in SKU order and once each, and the stock
/// that can be bought in all (the pool while pooled, else the sum).
pub fn on_sale(pool: Option<i32>, skus: &[Sku]) -> (Vec<String>, i32) {
    let mut sizes: Vec<String> = Vec::new();
    for sku in skus.iter().filter(|s| s.active && s.stock > 0) {
        if !sizes.contains(&sku.size) {
            sizes.push(sku.size.clone());
        }
    }
    let stock = pool.unwrap_or_else(|| {
        skus.iter()
            .filter(|s| s.active)
            .fold(0i32, |sum, s| sum.saturating_add(s.stock))
    });
    (sizes, stock)
}

/// Why a size, colour or code text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Empty after trimming.
    #[error("must not be empty")]
    Empty,
    /// Too long.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// Holds a control character or a comma (sizes are listed comma-separated).
    #[error("must not hold control characters or commas")]
    Forbidden,
}

/// A size, colour or stock code as a client sent it: trimmed, not empty,
/// at most `max` characters, no control characters and no commas.
pub fn label(raw: &str, max: usize) -> Result<String, LabelError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(LabelError::Empty);
    }
    if text.chars().count() > max {
        return Err(LabelError::TooLong(max));
    }
    if text.chars().any(|c| c.is_control() || c == ',') {
        return Err(LabelError::Forbidden);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(id: i32, size: &str, stock: i32, active: bool) -> Sku {
        Sku {
            id: Id::from_db(id),
            product_id: Id::from_db(1),
            size: size.to_owned(),
            colour: None,
            code: format!("C{id}"),
            price: None,
            stock,
            active,
        }
    }

    #[test]
    fn sizes_on_sale_are_the_active_ones_with_stock() {
        let skus = [
            sku(1, "40", 3, true),
            sku(2, "41", 0, true),
            sku(3, "42", 5, false),
            sku(4, "40", 2, true),
        ];
        assert_eq!(on_sale(None, &skus), (vec!["40".to_owned()], 5));
        // Pooled: every SKU shows the pool, and the product the pool once.
        let pooled = [sku(1, "40", 7, true), sku(2, "41", 7, true)];
        assert_eq!(
            on_sale(Some(7), &pooled),
            (vec!["40".to_owned(), "41".to_owned()], 7)
        );
        assert_eq!(on_sale(Some(0), &[sku(1, "40", 0, true)]), (vec![], 0));
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(label(" 42.5 ", 32), Ok("42.5".to_owned()));
        assert_eq!(label("  ", 32), Err(LabelError::Empty));
        assert_eq!(label(&"9".repeat(33), 32), Err(LabelError::TooLong(32)));
        assert_eq!(label("42,43", 32), Err(LabelError::Forbidden));
        assert_eq!(label("4\u{0}2", 32), Err(LabelError::Forbidden));
        assert_eq!(label("均码", 32), Ok("均码".to_owned()));
    }

    #[test]
    fn a_sku_without_a_price_costs_the_products() {
        let mut s = sku(1, "40", 1, true);
        assert_eq!(s.price_or(Fen::new(100)), Fen::new(100));
        s.price = Some(Fen::new(250));
        assert_eq!(s.price_or(Fen::new(100)), Fen::new(250));
    }
}
