//! Case-insensitive routing, as koa-router gave the original's clients
//! (`/gridList` is `/gridlist`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

/// Lower-cases the path (never the query) before routing.
pub async fn lowercase_path(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.path().bytes().any(|b| b.is_ascii_uppercase()) {
        let path = req.path().to_ascii_lowercase();
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
