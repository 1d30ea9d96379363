//! The daily reconciliation, claimed so that one of several instances runs
//! it, and retried while the bill is not out.

use super::Reconciler;
use super::{BillSource, china, china_today};
use crate::ShopError;
use chrono::{Days, NaiveTime, TimeDelta};
use std::sync::Arc;
use std::time::Duration;

/// When and how often the daily reconciliation runs.
#[derive(Debug, Clone, Copy)]
pub struct DailyReconciliation {
    /// The time of day (China) from which yesterday is reconciled.
    pub at: NaiveTime,
    /// Tries while the bill is not out.
    pub tries: i32,
    /// Between two tries.
    pub retry: TimeDelta,
}

impl Default for DailyReconciliation {
    fn default() -> Self {
        DailyReconciliation {
            at: NaiveTime::from_hms_opt(10, 30, 0).unwrap_or(NaiveTime::MIN),
            tries: 10,
            retry: TimeDelta::minutes(5),
        }
    }
}

/// A claim older than this was abandoned (its instance died) and is retaken.
const STALE_CLAIM: TimeDelta = TimeDelta::minutes(15);

impl Reconciler {
    /// One look at the daily reconciliation: when yesterday's is due and
    /// this instance claims it, runs it. True when this call ran it (to the
    /// end, or to a retry later).
    pub async fn reconcile_due(&self, daily: &DailyReconciliation) -> Result<bool, ShopError> {
        let now = self.orders.clock.now();
        let local = now.with_timezone(&china());
        if local.time() < daily.at {
            return Ok(false);
        }
        let Some(date) = china_today(now).checked_sub_days(Days::new(1)) else {
            return Ok(false);
        };
        let day = date.to_string();
        let Some(attempt) = self
            .books
            .claim_reconciliation(&day, now, now - STALE_CLAIM)
            .await?
        else {
            return Ok(false);
        };
        match self.reconcile(date, BillSource::Fetch).await {
            Ok(report) => {
                tracing::info!(%date, differences = report.differences.len(), "daily reconciliation done");
            }
            Err(e) => {
                // A day before the shop's first order will never have a bill
                // to check; anything else may work on a later try.
                let retry = attempt < daily.tries && !matches!(e, ShopError::InvalidDate(_));
                tracing::warn!(%date, attempt, error = %e, retry, "daily reconciliation not done");
                let next = retry.then(|| self.orders.clock.now() + daily.retry);
                self.books
                    .defer_reconciliation(&day, next, &e.to_string())
                    .await?;
            }
        }
        Ok(true)
    }
}

/// Looks at the daily reconciliation every `every`, for as long as the task runs.
pub async fn run_daily(reconciler: Arc<Reconciler>, daily: DailyReconciliation, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let round = reconciler.reconcile_due(&daily).await;
        if let Ok(true) = round {
            crate::jobs::job_ran("reconcile", true);
        }
        if let Err(e) = round {
            crate::jobs::job_ran("reconcile", false);
            tracing::warn!(error = %e, "daily reconciliation round failed");
        }
    }
}
