//! The two faces of the shop, served from the static folder: the
//! storefront at `/` and the owner console at `/admin`.

use super::fallback::serve_file;
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};

/// `GET /`: the mobile storefront (`static/index.html`).
pub async fn storefront(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    serve_file(&req, &state.static_dir.join("index.html")).await
}

/// `GET /admin`: the owner console (`static/admin/index.html`); its
/// scripts live under `/console/`, outside the token-checked `/admin/` API.
pub async fn console(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    serve_file(&req, &state.static_dir.join("admin/index.html")).await
}
