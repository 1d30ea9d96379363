//! Liveness and readiness probes.

use crate::openapi::errors as e;
use crate::replies::{MsgReply, OK, ReadyReply};
use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};
use std::time::Duration;

/// How long `/ready` waits for the database before calling it down.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /health`: the process is up and serving.
#[utoipa::path(get, path = "/health", tag = "probes",
    responses((status = 200, description = "The process serves.", body = MsgReply, example = json!({"msg": "ok", "status": 200}))))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(MsgReply::ok("ok"))
}

/// `GET /ready`: the database answers; 503 while it does not.
#[utoipa::path(get, path = "/ready", tag = "probes",
    responses((status = 200, description = "The database answers.", body = ReadyReply), (status = 503, response = e::Unavailable)))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match tokio::time::timeout(READY_TIMEOUT, state.probe.ping()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(ReadyReply {
            database: state.probe.name(),
            msg: "ready",
            status: OK,
        })),
        Ok(Err(e)) => Err(ApiError::Unavailable(e)),
        Err(_) => Err(ApiError::Unavailable(
            letao_shop::store::StoreError::Unavailable(
                "no answer from the database in time".into(),
            ),
        )),
    }
}
