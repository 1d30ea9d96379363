//! `GET /metrics`: the Prometheus text format, when it is public.

use crate::openapi::errors as e;
use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};

/// The current metrics (404 when the server keeps them off this listener).
#[utoipa::path(get, path = "/metrics", tag = "probes",
    description = "Prometheus metrics in the text exposition format 0.0.4: requests by route and \
        status with latency histograms, database pool size and waits, cache hits, payments \
        recorded by source, notifications refused by reason, job runs. Served on this listener \
        only when `metrics.public` is set (`LETAO__METRICS__PUBLIC`; on by default, off in \
        production); otherwise this path is 404 here and, when `metrics.addr` is set, \
        `GET /metrics` is served on that separate listen address instead.",
    responses(
        (status = 200, description = "Every metric, in the Prometheus text format.",
            content_type = "text/plain; version=0.0.4; charset=utf-8", body = String,
            example = "# TYPE http_requests_total counter\nhttp_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1\n"),
        (status = 404, response = e::NotFound)))]
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
    let pool = state.probe.pool_status();
    metrics::gauge!("db_pool_size").set(pool.size as f64);
    metrics::gauge!("db_pool_max_size").set(pool.max_size as f64);
    metrics::gauge!("db_pool_available").set(pool.available as f64);
    metrics::gauge!("db_pool_waiting").set(pool.waiting as f64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}
