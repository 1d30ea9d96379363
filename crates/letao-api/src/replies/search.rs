//! Search replies (SPEC §4.3).

use super::ProductView;
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /search`: one page of matches, without a total (counting every
/// match would cost what the page saves).
#[derive(Serialize, ToSchema)]
pub struct SearchReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The products, as `/products` shows them.
    pub products: Vec<ProductView<'a>>,
    /// The cursor of the next page (`after=`), when there may be one.
    #[schema(example = "30000.5")]
    pub next: Option<String>,
}

/// One suggestion for the search box.
#[derive(Serialize, ToSchema)]
pub struct SuggestionView<'a> {
    /// The text to search for.
    pub text: &'a str,
    /// `product`, `brand` or `category`.
    #[schema(example = "brand")]
    pub kind: &'static str,
}

/// `GET /search/suggest`.
#[derive(Serialize, ToSchema)]
pub struct SuggestReply<'a> {
    /// Always 200.
    pub status: u16,
    /// At most 10: brands, categories, then product names.
    pub suggestions: Vec<SuggestionView<'a>>,
}
