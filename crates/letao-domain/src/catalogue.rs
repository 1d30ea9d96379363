//! Catalogue entities: categories, brands, products and home-page items.

use crate::{Fen, Id};

/// A first-level category (运动馆, 女士馆, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Identifier.
    pub id: Id<Category>,
    /// Display name; the original schema allows NULL.
    pub name: Option<String>,
}

/// A brand, the second catalogue level, inside one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// Identifier.
    pub id: Id<Brand>,
    /// Display name.
    pub name: Option<String>,
    /// The category the brand is listed under.
    pub category_id: Option<i32>,
    /// Path or URL of the logo image.
    pub logo: Option<String>,
    /// Popularity flag as the original stored it (1 = hot).
    pub hot: Option<i32>,
}

/// A product that can be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Identifier.
    pub id: Id<Product>,
    /// The brand it belongs to.
    pub brand_id: Id<Brand>,
    /// Display name.
    pub name: String,
    /// Path or URL of the product image.
    pub img: String,
    /// Current price.
    pub price: Fen,
    /// Price before the discount, shown struck through.
    pub old_price: Fen,
    /// The sizes on sale with stock, e.g. `["39", "40", "41"]`
    /// ([`crate::sku::on_sale`]).
    pub sizes: Vec<String>,
    /// Units that can be bought in all its sizes.
    pub stock: i32,
    /// Shown in the home page's sports section.
    pub featured: bool,
    /// Its active SKUs, in the owner's order (sold-out ones included).
    pub skus: Vec<crate::Sku>,
}

/// Which home-page list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HomeItemKind {
    /// One of the icons of the home grid (`/gridlist`).
    Grid,
    /// One of the carousel images (`/banners`).
    Banner,
}

impl HomeItemKind {
    /// The value stored in the `kind` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            HomeItemKind::Grid => "grid",
            HomeItemKind::Banner => "banner",
        }
    }
}

/// An image on the home page, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeItem {
    /// Identifier, shown to clients as `id`.
    pub id: i32,
    /// Path or URL of the image.
    pub img_src: String,
}

/// Sizes are stored as one comma-separated column; this is the only place
/// that knows the format.
pub fn sizes_from_column(column: &str) -> Vec<String> {
    column
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The column form of a size list (see [`sizes_from_column`]).
pub fn sizes_to_column(sizes: &[&str]) -> String {
    sizes.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip_through_the_column_format() {
        let col = sizes_to_column(&["39", "40", "41.5"]);
        assert_eq!(col, "39,40,41.5");
        assert_eq!(sizes_from_column(&col), vec!["39", "40", "41.5"]);
        assert_eq!(sizes_from_column(" 39 , ,40,"), vec!["39", "40"]);
        assert!(sizes_from_column("").is_empty());
    }
}
