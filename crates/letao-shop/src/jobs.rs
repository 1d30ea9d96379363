//! Background jobs the server runs beside its workers. Each round is a use
//! case of its own (e.g. [`crate::Orders::expire_due`]), so the command
//! line can run one round too.

use crate::{OrderDesk, Orders};
use std::sync::Arc;
use std::time::Duration;

/// Closes expired orders every `interval`, for as long as the task runs.
pub async fn run_expiry(orders: Arc<Orders>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let round = orders.expire_due().await;
        job_ran("expiry", round.is_ok());
        match round {
            Ok(0) => {}
            Ok(n) => tracing::info!(closed = n, "expired orders closed"),
            Err(e) => tracing::warn!(error = %e, "expiry round failed"),
        }
    }
}

/// Marks long-shipped orders received every `interval`, for as long as the
/// task runs.
pub async fn run_receipts(desk: Arc<OrderDesk>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let round = desk.receive_due().await;
        job_ran("receipts", round.is_ok());
        match round {
            Ok(0) => {}
            Ok(n) => tracing::info!(received = n, "shipped orders received automatically"),
            Err(e) => tracing::warn!(error = %e, "automatic receipt round failed"),
        }
    }
}

/// Counts one round of a background job.
pub(crate) fn job_ran(job: &'static str, ok: bool) {
    let result = if ok { "ok" } else { "error" };
    metrics::counter!("job_runs_total", "job" => job, "result" => result).increment(1);
}
