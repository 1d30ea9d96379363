//! The one error type of the HTTP layer and its JSON shape.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use letao_domain::order::{OrderItemsError, RefundAmountError};
use letao_shop::store::StoreError;
use letao_shop::{ShopError, Taken};
use serde::Serialize;
use std::fmt;

/// Every failure a route can reply with. The body is always
/// `{"status": <code>, "msg": <text>}` (SPEC §4); internals never reach it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400/1010: a field of the request is missing or malformed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field, as the client named it.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 404/404: no such route or resource.
    #[error("{0}")]
    NotFound(&'static str),
    /// 404/404: no such object (or not the caller's); names what.
    #[error("no such {0}")]
    Missing(&'static str),
    /// 405/405: the route exists, the method does not; `allow` lists those it takes.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The value of the `Allow` header.
        allow: &'static str,
    },
    /// 413/1010: the body is larger than this route accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 409/1000: the username or mobile is registered already.
    #[error("{0}")]
    Taken(&'static str),
    /// 400/1020: the SMS code is wrong, expired or used up.
    #[error("SMS code is wrong, expired or used up")]
    SmsCode,
    /// 429/1030: too many requests; retry after this many seconds.
    #[error("too many requests, try again later")]
    TooMany {
        /// Seconds for `Retry-After`.
        retry_after: i64,
    },
    /// 401/1040: username/password or mobile/code did not match.
    #[error("login failed")]
    LoginFailed,
    /// 502/1045: the SMS provider could not send.
    #[error("the SMS could not be sent, try again later")]
    SmsProvider,
    /// 502/1050: WeChat Pay refused or failed; its description.
    #[error("{0}")]
    Payment(String),
    /// 404/1060: no such order, or not the caller's.
    #[error("order not found")]
    OrderNotFound,
    /// 409/1061: the order cannot do that in its state.
    #[error("{0}")]
    OrderState(String),
    /// 401/401: no valid access token.
    #[error("missing, malformed or expired token")]
    Unauthorized,
    /// 409/409: the change conflicts with what is stored (a category that
    /// still has brands, the twenty-first address, ...).
    #[error("{0}")]
    Conflict(String),
    /// 403/403: the token is valid but the route is not for this user.
    #[error("not allowed")]
    Forbidden,
    /// 503/503: the database cannot be reached.
    #[error("service temporarily unavailable")]
    Unavailable(#[source] StoreError),
    /// 500/500: anything unexpected; the cause is logged, not shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// 400/1010 for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        ApiError::InvalidInput {
            field: field.into(),
            reason: reason.to_string(),
        }
    }

    /// The `status` code of the JSON body.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::InvalidInput { .. } | ApiError::PayloadTooLarge => 1010,
            ApiError::NotFound(_) | ApiError::Missing(_) => 404,
            ApiError::Taken(_) => 1000,
            ApiError::SmsCode => 1020,
            ApiError::TooMany { .. } => 1030,
            ApiError::LoginFailed => 1040,
            ApiError::SmsProvider => 1045,
            ApiError::Payment(_) => 1050,
            ApiError::OrderNotFound => 1060,
            ApiError::OrderState(_) => 1061,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden => 403,
            ApiError::Conflict(_) => 409,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Unavailable(_) => 503,
            ApiError::Internal(_) => 500,
        }
    }
}

impl From<ShopError> for ApiError {
    /// The one place where the shop's outcomes become HTTP replies. Field
    /// names are the client's (this crate's request shapes).
    fn from(err: ShopError) -> Self {
        match err {
            ShopError::Taken(Taken::Username) => {
                ApiError::Taken("该用户已注册 (username already registered)")
            }
            ShopError::Taken(Taken::Mobile) => {
                ApiError::Taken("该手机号已注册 (mobile already registered)")
            }
            ShopError::SmsCode => ApiError::SmsCode,
            ShopError::TooMany { retry_after } => ApiError::TooMany { retry_after },
            ShopError::LoginFailed => ApiError::LoginFailed,
            ShopError::SmsProvider => ApiError::SmsProvider,
            ShopError::SmsRejected => ApiError::invalid("mobile", "cannot receive SMS"),
            ShopError::Payment(msg) => ApiError::Payment(msg),
            ShopError::OrderNotFound => ApiError::OrderNotFound,
            ShopError::OrderState(msg) => ApiError::OrderState(msg),
            ShopError::Items(e) => items_error(e),
            ShopError::UnknownProduct(id) => {
                ApiError::invalid("items", format!("product {id} does not exist"))
            }
            ShopError::Line(e) => ApiError::invalid(
                format!("items[{}].{}", e.index, e.problem.field()),
                e.problem.message(),
            ),
            ShopError::OutOfStock(id) => {
                ApiError::OrderState(format!("skuId {id} is out of stock"))
            }
            ShopError::Pricing(e) => ApiError::invalid("items", e),
            ShopError::RefundAmount(RefundAmountError::NotPositive) => {
                ApiError::invalid("refund_fee", RefundAmountError::NotPositive)
            }
            ShopError::RefundAmount(e) => ApiError::OrderState(e.to_string()),
            ShopError::Ship(e) => ApiError::OrderState(e.to_string()),
            ShopError::Bill(msg) => ApiError::Payment(msg),
            ShopError::NotReady(msg) => ApiError::Conflict(msg),
            ShopError::InvalidDate(msg) => ApiError::invalid("date", msg),
            ShopError::Invalid { field, msg } => ApiError::invalid(field, msg),
            ShopError::Forbidden => ApiError::Forbidden,
            ShopError::UnknownUser => ApiError::Unauthorized,
            ShopError::NotFound(what) => ApiError::Missing(what),
            ShopError::Conflict(msg) => ApiError::Conflict(msg),
            ShopError::Unavailable(e) => ApiError::Unavailable(e),
            ShopError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// Order lines refused, named as the client wrote them.
fn items_error(e: OrderItemsError) -> ApiError {
    match e {
        OrderItemsError::Count => ApiError::invalid("items", e),
        OrderItemsError::Product { index } => ApiError::invalid(
            format!("items[{index}].productId"),
            "must be a positive integer",
        ),
        OrderItemsError::Sku { index } => ApiError::invalid(
            format!("items[{index}].skuId"),
            "must be a positive integer",
        ),
        OrderItemsError::Size { index, reason } => {
            ApiError::invalid(format!("items[{index}].size"), reason)
        }
        OrderItemsError::Colour { index, reason } => {
            ApiError::invalid(format!("items[{index}].colour"), reason)
        }
        OrderItemsError::Quantity { index } => {
            ApiError::invalid(format!("items[{index}].quantity"), "must be 1 to 99")
        }
        OrderItemsError::Duplicate { index } => {
            ApiError::invalid(format!("items[{index}].productId"), "appears twice")
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => ApiError::Unavailable(err),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    status: u16,
    msg: &'a str,
}

/// The cause chain of an error on one line, for the log.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidInput { .. } | ApiError::SmsCode => StatusCode::BAD_REQUEST,
            ApiError::Taken(_) | ApiError::OrderState(_) | ApiError::Conflict(_) => {
                StatusCode::CONFLICT
            }
            ApiError::Payment(_) => StatusCode::BAD_GATEWAY,
            ApiError::OrderNotFound => StatusCode::NOT_FOUND,
            ApiError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::LoginFailed | ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::SmsProvider => StatusCode::BAD_GATEWAY,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::Missing(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let msg = match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = %chain(cause.as_ref()), "request failed");
                self.to_string()
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                self.to_string()
            }
            _ => self.to_string(),
        };
        let mut res = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            ApiError::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
            }
            ApiError::TooMany { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.max(&1).to_string()));
            }
            ApiError::Unauthorized => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            _ => {}
        }
        res.json(ErrorBody {
            status: self.code(),
            msg: &msg,
        })
    }
}
