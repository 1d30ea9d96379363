//! Search and the search box's suggestions (SPEC §4.3).

use crate::openapi::errors as e;
use crate::query::{MAX_PAGE_SIZE, Query};
use crate::replies::{OK, ProductView, SearchReply, SuggestReply, SuggestionView};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_domain::Fen;
use letao_shop::search::{SearchRequest, SearchSort, SuggestionKind};
use letao_shop::store::{SearchFilter, SortKey};

/// The longest query, in characters after trimming.
pub const MAX_QUERY_CHARS: usize = 50;

/// `q`, trimmed: `None` when absent or blank; 400 naming `q` when longer
/// than [`MAX_QUERY_CHARS`] or holding control characters.
fn query_text(q: &Query) -> Result<Option<String>, ApiError> {
    let Some(v) = q.raw("q").map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().any(char::is_control) {
        return Err(ApiError::invalid("q", "must not hold control characters"));
    }
    if v.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid(
            "q",
            format!("must be 1 to {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(Some(v.to_owned()))
}

/// An optional price in yuan (`399`, `399.5`, `399.00`).
fn price(q: &Query, key: &str) -> Result<Option<Fen>, ApiError> {
    match q.raw(key).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Fen::parse_yuan(v)
            .map(Some)
            .map_err(|e| ApiError::invalid(key, e)),
    }
}

/// The `next` of a previous search page: `VALUE.ID`.
fn cursor(q: &Query) -> Result<Option<SortKey>, ApiError> {
    let Some(v) = q.raw("after").map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || ApiError::invalid("after", "must be the `next` of a previous page");
    let (value, id) = v.split_once('.').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(value) || !digits(id) {
        return Err(bad());
    }
    Ok(Some(SortKey {
        value: value.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    }))
}

/// `GET /search?q=&brandId=&categoryId=&size=&minPrice=&maxPrice=&sort=&pageSize=&after=`
#[utoipa::path(get, path = "/search", tag = "catalogue", operation_id = "search",
    params(crate::openapi::params::SearchParams),
    responses((status = 200, description = "One page of the products on sale that match every word of `q` and every filter. \
        `relevance` (the default with `q`) ranks the newest 1,000 matches: more words found in the name first, \
        then in the owner's keywords, then in the brand or category name, then by id; `sales` ranks the same \
        matches by units sold; `newest` (the default without `q`), `price_asc` and `price_desc` page through \
        every match. No total.", body = SearchReply),
        (status = 400, response = e::InvalidInput), (status = 503, response = e::Unavailable)))]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let text = query_text(&q)?;
    let filter = SearchFilter {
        brand_id: q
            .optional_id::<letao_domain::Brand>("brandId")?
            .map(|i| i.get()),
        category_id: q
            .optional_id::<letao_domain::Category>("categoryId")?
            .map(|i| i.get()),
        size: q.text("size", 32)?,
        min_price: price(&q, "minPrice")?,
        max_price: price(&q, "maxPrice")?,
    };
    if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
        && min > max
    {
        return Err(ApiError::invalid("minPrice", "must not be above maxPrice"));
    }
    if text.is_none() && filter == SearchFilter::default() {
        return Err(ApiError::invalid(
            "q",
            format!("must be 1 to {MAX_QUERY_CHARS} characters (or give a filter)"),
        ));
    }
    let sort = q.state(
        "sort",
        SearchSort::parse,
        "relevance, newest, price_asc, price_desc, sales",
    )?;
    let page_size = q.positive_u32("pageSize", 20)?.min(MAX_PAGE_SIZE);
    let request = SearchRequest {
        q: text,
        filter,
        sort,
        page_size,
        after: cursor(&q)?,
    };
    let page = state.search.search(&request).await?;
    Ok(HttpResponse::Ok().json(SearchReply {
        status: OK,
        products: page.products.iter().map(ProductView::from).collect(),
        next: page.next.map(|k| format!("{}.{}", k.value, k.id)),
    }))
}

/// `GET /search/suggest?q=`
#[utoipa::path(get, path = "/search/suggest", tag = "catalogue", operation_id = "search_suggest",
    params(crate::openapi::params::SuggestParams),
    responses((status = 200, description = "Up to 10 completions of the last word of `q` \
        (Chinese, Latin letters, pinyin or its initials): brands, categories, then product names.",
        body = SuggestReply),
        (status = 400, response = e::InvalidInput), (status = 503, response = e::Unavailable)))]
pub async fn suggest(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let Some(text) = query_text(&q)? else {
        return Err(ApiError::invalid(
            "q",
            format!("must be 1 to {MAX_QUERY_CHARS} characters"),
        ));
    };
    let suggestions = state.search.suggest(&text).await?;
    Ok(HttpResponse::Ok().json(SuggestReply {
        status: OK,
        suggestions: suggestions
            .iter()
            .map(|s| SuggestionView {
                text: &s.text,
                kind: match s.kind {
                    SuggestionKind::Product => "product",
                    SuggestionKind::Brand => "brand",
                    SuggestionKind::Category => "category",
                },
            })
            .collect(),
    }))
}
