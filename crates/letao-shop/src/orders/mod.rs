//! Orders and WeChat Native payment. [`Orders`] is the payment lifecycle:
//! placing (with the QR code), payment and refund notifications, queries,
//! closing, expiry and refunds, over an [`OrderStore`] and a
//! [`PaymentGateway`]. [`OrderDesk`] shows orders (the buyer's, the
//! owner's lists and details) and delivers them, over an [`OrderBook`].
//! The state rules are the domain lifecycle's.

mod admin;
mod buyers;
mod close;
mod create;
mod delivery;
mod desk;
mod expiry;
mod notify;
mod pay;
mod query;
mod refund;

pub use admin::{AdminOrder, OrderDetail, OrderExport, OrderQuery};
pub use create::{PayWith, Placed, TradeType};
pub use desk::OrderDesk;
pub use desk::OrderView;
pub(crate) use notify::payment_recorded;
pub use notify::{NotifyOutcome, Refusal};
pub use refund::RefundRequest;

use crate::ShopError;
use crate::payments::{GatewayError, PaymentGateway};
use crate::store::OrderStore;
use chrono::TimeDelta;
use letao_auth::Clock;
use std::sync::Arc;

/// Settings of the payment flow.
#[derive(Debug, Clone)]
pub struct OrdersConfig {
    /// The merchant's app id (kept in each order row).
    pub appid: String,
    /// The merchant id (kept in each order row).
    pub mch_id: String,
    /// Where WeChat sends payment notifications.
    pub notify_url: String,
    /// Where WeChat sends refund notifications.
    pub refund_notify_url: Option<String>,
    /// The site's address (H5 `wap_url`: the registered H5 domain).
    pub h5_wap_url: String,
    /// The site's name (H5 `wap_name`).
    pub h5_wap_name: String,
    /// H5 only from public addresses (in production: a private one means
    /// the proxies are not configured as trusted, and WeChat would refuse).
    pub h5_public_ip_only: bool,
    /// Unpaid orders close after this (WeChat's code_url lives 2 h).
    pub ttl: TimeDelta,
    /// Shipped orders count as received this long after shipping.
    pub auto_receive: TimeDelta,
    /// How long list totals are kept before being counted again.
    pub totals_ttl: std::time::Duration,
}

/// The payment lifecycle of orders.
pub struct Orders {
    pub(crate) store: Arc<dyn OrderStore>,
    pub(crate) config: OrdersConfig,
    pub(crate) gateway: Arc<dyn PaymentGateway>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Orders {
    /// The service over an order store and a payment gateway.
    pub fn new(
        store: Arc<dyn OrderStore>,
        config: OrdersConfig,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Orders {
        Orders {
            store,
            config,
            gateway,
            clock,
        }
    }
}

/// 502 with the provider's own description.
fn provider_error(err: &GatewayError) -> ShopError {
    ShopError::Payment(err.message.clone())
}
