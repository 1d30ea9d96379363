//! `GET /metrics`: the Prometheus text format, when it is public.

use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};

/// The current metrics (404 when the server keeps them off this listener).
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let handle = state
        .metrics
        .as_ref()
        .ok_or(ApiError::NotFound("no such route"))?;
    Ok(render(&state, handle))
}

/// Pool gauges read now, then every metric in the text format.
pub fn render(
    state: &AppState,
    handle: &metrics_exporter_prometheus::PrometheusHandle,
) -> HttpResponse {
    let pool = state.db.pool_status();
    metrics::gauge!("db_pool_size").set(pool.size as f64);
    metrics::gauge!("db_pool_max_size").set(pool.max_size as f64);
    metrics::gauge!("db_pool_available").set(pool.available as f64);
    metrics::gauge!("db_pool_waiting").set(pool.waiting as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}
