//! Orders and WeChat Native payment: create (with the QR code), payment
//! and refund notifications, queries, closing, expiry and refunds. Route
//! handlers only translate HTTP; the rules are here and in `letao-db`.

mod create;
mod expiry;
mod notify;
pub(crate) mod query;
mod refund;

pub use create::{CreateOrder, OrderItemInput};
pub use refund::RefundRequest;

use crate::ApiError;
use chrono::TimeDelta;
use letao_auth::Clock;
use std::sync::Arc;
use wechat_pay::{Merchant, WechatPayApi, WechatPayError};

/// Settings of the payment flow.
#[derive(Clone)]
pub struct OrdersConfig {
    /// Who we are at WeChat Pay (also verifies notifications).
    pub merchant: Merchant,
    /// Where WeChat sends payment notifications.
    pub notify_url: String,
    /// Where WeChat sends refund notifications.
    pub refund_notify_url: Option<String>,
    /// Unpaid orders close after this (WeChat's code_url lives 2 h).
    pub ttl: TimeDelta,
}

/// The order service.
pub struct Orders {
    config: OrdersConfig,
    wechat: Arc<dyn WechatPayApi>,
    clock: Arc<dyn Clock>,
}

impl Orders {
    /// The service over a WeChat Pay client (real, simulator-backed or fake).
    pub fn new(
        config: OrdersConfig,
        wechat: Arc<dyn WechatPayApi>,
        clock: Arc<dyn Clock>,
    ) -> Orders {
        Orders {
            config,
            wechat,
            clock,
        }
    }

    /// Runs one blocking WeChat Pay call off the async workers.
    async fn wechat<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn WechatPayApi) -> Result<T, WechatPayError> + Send + 'static,
    ) -> Result<Result<T, WechatPayError>, ApiError> {
        let api = self.wechat.clone();
        tokio::task::spawn_blocking(move || call(api.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(Box::new(e)))
    }
}

/// Closes expired orders every `interval`, for as long as the server runs.
pub async fn run_expiry(state: crate::AppState, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match state.orders.expire_due(&state.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(closed = n, "expired orders closed"),
            Err(e) => tracing::warn!(error = %e, "expiry round failed"),
        }
    }
}

/// 502/1050 with WeChat's own description.
fn provider_error(err: &WechatPayError) -> ApiError {
    let msg = match err {
        WechatPayError::ResultFail {
            err_code_des,
            err_code,
        } if !err_code_des.is_empty() => {
            format!("{err_code_des} ({err_code})")
        }
        WechatPayError::ReturnFail { return_msg } => return_msg.clone(),
        other => other.to_string(),
    };
    ApiError::Payment(msg)
}
