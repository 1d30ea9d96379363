//! `GET /openapi.json` (the document, rendered once) and `GET /docs`
//! (Swagger UI, compiled into the binary: the page loads nothing from
//! another host).

use crate::ApiError;
use crate::openapi::errors as e;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use utoipa_swagger_ui::Config;

/// The document, rendered on first use (it depends on the code only).
fn document_json() -> Result<Bytes, ApiError> {
    static JSON: OnceLock<Bytes> = OnceLock::new();
    if let Some(json) = JSON.get() {
        return Ok(json.clone());
    }
    let json = crate::openapi::document_json()
        .and_then(|doc| serde_json::to_vec(&doc))
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(JSON.get_or_init(|| json).clone())
}

/// `GET /openapi.json`
#[utoipa::path(get, path = "/openapi.json", tag = "docs",
    responses((status = 200, description = "This document (OpenAPI 3.1).", content_type = "application/json", body = Object)))]
pub async fn openapi_json() -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(document_json()?))
}

/// Swagger UI's settings: the document from this host, and no online
/// validator (it would load a badge from swagger.io).
fn swagger_config() -> Arc<Config<'static>> {
    static CONFIG: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Arc::new(
                Config::from("/openapi.json")
                    .validator_url("none")
                    .try_it_out_enabled(true)
                    .persist_authorization(true)
                    .display_request_duration(true),
            )
        })
        .clone()
}

/// A file of Swagger UI's distribution (`index.html` for an empty name).
fn swagger_file(name: &str) -> Result<HttpResponse, ApiError> {
    let file = utoipa_swagger_ui::serve(name, swagger_config())
        .map_err(|e| ApiError::Internal(e.to_string().into()))?
        .ok_or(ApiError::NotFound("no such route"))?;
    let mut body = file.bytes.into_owned();
    if name.is_empty() {
        // The page is served at `/docs` (no trailing slash): its `./x`
        // links must resolve under `/docs/`.
        let html =
            String::from_utf8_lossy(&body).replacen("<head>", "<head><base href=\"/docs/\">", 1);
        body = html.into_bytes();
    }
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

/// `GET /docs`: the API's page (Swagger UI) over `/openapi.json`.
#[utoipa::path(get, path = "/docs", tag = "docs",
    responses((status = 200, description = "Swagger UI over `/openapi.json`; its assets come from this host only.", content_type = "text/html", body = String)))]
pub async fn page() -> Result<HttpResponse, ApiError> {
    swagger_file("")
}

/// `GET /docs/{file}`: the page's scripts, styles and icons.
#[utoipa::path(get, path = "/docs/{file}", tag = "docs",
    params(("file" = String, Path, pattern = "^[a-z0-9._-]+$", example = "swagger-ui.css", description = "A file of the page.")),
    responses((status = 200, description = "The file (HTML, CSS, JavaScript, PNG or a source map).", content_type = "*/*", body = String),
        (status = 404, response = e::NotFound)))]
pub async fn asset(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let name = req.match_info().get("file").unwrap_or_default();
    if name.is_empty() {
        return swagger_file("");
    }
    swagger_file(name)
}
