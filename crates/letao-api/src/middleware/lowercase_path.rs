//! Case-insensitive routing, as koa-router gave the original's clients
//! (`/gridList` is `/gridlist`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};

/// The path as the client sent it, kept when it was lowered for routing:
/// path parameters such as order numbers keep their case.
#[derive(Debug, Clone)]
pub struct OriginalPath(String);

/// The value of path parameter `name` as the client wrote it.
pub fn path_param(req: &HttpRequest, name: &str) -> Option<String> {
    let lowered = req.match_info().get(name)?;
    let extensions = req.extensions();
    let Some(OriginalPath(original)) = extensions.get::<OriginalPath>() else {
        return Some(lowered.to_owned());
    };
    // Lowering ASCII letters keeps every segment's length and position.
    req.path()
        .split('/')
        .zip(original.split('/'))
        .find(|(low, _)| *low == lowered)
        .map(|(_, orig)| orig.to_owned())
}

/// Lower-cases the path (never the query) before routing.
pub async fn lowercase_path(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.path().bytes().any(|b| b.is_ascii_uppercase()) {
        let original = req.path().to_owned();
        let path = original.to_ascii_lowercase();
        req.extensions_mut().insert(OriginalPath(original));
        let path_and_query = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let mut parts = req.uri().clone().into_parts();
        // The new path is the old one with ASCII letters lowered, so it
        // parses whenever the old one did; if not, route the original.
        if let Ok(pq) = path_and_query.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
        }
    }
    next.call(req).await
}
