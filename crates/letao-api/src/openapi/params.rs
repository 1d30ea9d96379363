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
