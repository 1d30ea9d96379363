//! Query, path and header parameters as the document shows them. The
//! handlers read them with `Query` and `path_param` (which also treat an
//! empty query value as absent and keep an order number's case), so these
//! structs only describe them.

#![allow(dead_code)]

use utoipa::IntoParams;

/// `page`, `pageSize`, `after` of every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct Paging {
    /// Page number from 1 (default 1); a page past the end is empty.
    /// `page` x `pageSize` is at most 10,000 (400 beyond: page on with `after`).
    #[param(minimum = 1, maximum = 10000, example = 1)]
    page: Option<u32>,
    /// Rows per page (default 20); larger values are reduced to 100.
    #[param(minimum = 1, example = 20)]
    page_size: Option<u32>,
    /// The `next` of a previous page: the following page at the cost of the first.
    #[param(pattern = "^[0-9]{1,18}$", example = "42")]
    after: Option<String>,
}

/// `brandId` of `GET /products`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct BrandFilter {
    /// Only this brand's products.
    #[param(minimum = 1, maximum = 2147483647, example = 1)]
    brand_id: Option<i32>,
}

/// The filters of `GET /admin/products`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AdminProductFilter {
    /// Only this brand's products.
    #[param(minimum = 1, maximum = 2147483647)]
    brand_id: Option<i32>,
    /// Only hidden (`true`) or only visible (`false`) products.
    hidden: Option<bool>,
    /// Search (1 to 50 characters): the product of the SKU with this code,
    /// then up to 50 products on sale matching it as `GET /search` does,
    /// best first, in one page (paging ignored).
    #[param(max_length = 50)]
    q: Option<String>,
}

/// The filters of `GET /admin/orders`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    /// Payment state.
    #[param(schema_with = super::schemas::trade_state)]
    trade_state: Option<String>,
    /// Delivery state.
    #[param(schema_with = super::schemas::fulfilment)]
    fulfilment: Option<String>,
    /// An exact order number, username or mobile.
    #[param(max_length = 64, example = "13800138000")]
    q: Option<String>,
}

/// `{id}` of a path: 1 to 2147483647.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// The object's id (anything else is 400/1010 naming `id`).
    #[param(minimum = 1, maximum = 2147483647, example = 1)]
    id: i32,
}

/// `{out_trade_no}` of a path, in its own case.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderNoPath {
    /// The order number: 1 to 64 letters, digits, `_` or `-`.
    #[param(
        pattern = "^[A-Za-z0-9_-]{1,64}$",
        example = "LT20261130123456aB3dE5fG7hJ9kL1m"
    )]
    out_trade_no: String,
}

/// `kind` of `DELETE /admin/home-items/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HomeKind {
    /// Needed only when a grid icon and a banner share the id.
    #[param(schema_with = super::schemas::home_kind)]
    kind: Option<String>,
}

/// The headers WeChat Pay signs a v3 notification with.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct WechatpayHeaders {
    /// Unix seconds; more than 5 minutes off is refused.
    #[param(rename = "Wechatpay-Timestamp", example = "1764489600")]
    timestamp: Option<String>,
    /// The signature's nonce.
    #[param(rename = "Wechatpay-Nonce")]
    nonce: Option<String>,
    /// Base64 SHA256withRSA over `TIMESTAMP\nNONCE\nBODY\n`; `WECHATPAY/SIGNTEST/…` probes are refused.
    #[param(rename = "Wechatpay-Signature")]
    signature: Option<String>,
    /// `PUB_KEY_ID_…` or a platform certificate's serial.
    #[param(rename = "Wechatpay-Serial")]
    serial: Option<String>,
}

/// The query and filters of `GET /search`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SearchParams {
    /// The words (1 to 50 characters after trimming; required without a
    /// filter): Chinese (耐克 跑步鞋), Latin letters in any case (`nike air`),
    /// pinyin or its initials (`naike`, `nk`). Every word must match.
    #[param(max_length = 50, example = "耐克 跑步鞋")]
    q: Option<String>,
    /// Only this brand's products.
    #[param(minimum = 1, maximum = 2147483647)]
    brand_id: Option<i32>,
    /// Only the products of this category's brands.
    #[param(minimum = 1, maximum = 2147483647)]
    category_id: Option<i32>,
    /// Only products with this size in stock.
    #[param(max_length = 32, example = "42")]
    size: Option<String>,
    /// At least this price, in yuan.
    #[param(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$", example = "100")]
    min_price: Option<String>,
    /// At most this price, in yuan (not below `minPrice`).
    #[param(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$", example = "800")]
    max_price: Option<String>,
    /// `relevance` (default with `q`), `newest` (default without),
    /// `price_asc`, `price_desc`, `sales`.
    #[param(pattern = "^(relevance|newest|price_asc|price_desc|sales)$")]
    sort: Option<String>,
    /// Rows per page (default 20); larger values are reduced to 100.
    #[param(minimum = 1, example = 20)]
    page_size: Option<u32>,
    /// The `next` of the previous page.
    #[param(pattern = r"^[0-9]{1,18}\.[0-9]{1,10}$", example = "30000.5")]
    after: Option<String>,
}

/// `q` of `GET /search/suggest`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What has been typed so far (1 to 50 characters after trimming).
    #[param(min_length = 1, max_length = 50, example = "nai")]
    q: String,
}
