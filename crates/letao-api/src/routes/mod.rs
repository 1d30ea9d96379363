//! Route handlers, one module per area.

pub mod accounts;
pub mod addresses;
pub mod admin_catalogue;
pub mod admin_orders;
pub mod cart;
pub mod catalogue;
pub mod docs;
pub mod exports;
pub mod fallback;
pub mod health;
pub mod metrics;
pub mod orders;
pub mod pages;
pub mod phone_pay;
pub mod products;
pub mod search;

use crate::ApiError;
use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use bytes::Bytes;

/// A route that answers GET and HEAD.
pub(crate) fn read() -> actix_web::Route {
    use actix_web::{guard, web};
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A 200 reply with an already rendered JSON body.
pub(crate) fn json_body(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body)
}

/// Default service of a POST-only resource.
pub(crate) async fn post_only() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed { allow: "POST" })
}

/// Default service of a read-only resource: the method is not one it takes.
pub(crate) async fn get_only() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed { allow: "GET, HEAD" })
}

/// Default service of a PUT-only resource.
pub(crate) async fn put_only() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed { allow: "PUT" })
}

/// Default service of a list that is read and added to.
pub(crate) async fn get_or_post() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        allow: "GET, HEAD, POST",
    })
}

/// Default service of a resource that is read or emptied.
pub(crate) async fn get_or_delete() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        allow: "GET, HEAD, DELETE",
    })
}

/// Default service of one object that is read, replaced or deleted.
pub(crate) async fn get_put_or_delete() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        allow: "GET, HEAD, PUT, DELETE",
    })
}

/// Default service of one object that is replaced or deleted.
pub(crate) async fn put_or_delete() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        allow: "PUT, DELETE",
    })
}
