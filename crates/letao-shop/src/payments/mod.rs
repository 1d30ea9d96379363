//! The shop's port to a payment provider. The order service speaks only
//! to [`PaymentGateway`]; [`v2::WechatV2`] and [`v3::WechatV3`] translate
//! it to WeChat Pay's protocol on the crate's async clients (reqwest), so
//! no runtime thread waits on WeChat; what may still block (a bill
//! download, a certificate download met while verifying a notification)
//! runs on tokio's blocking threads inside the adapter.

#[cfg(feature = "test-utils")]
pub mod fake;
pub mod v2;
pub mod v3;

use chrono::{DateTime, NaiveDate, Utc};
use letao_domain::Fen;
use letao_domain::order::RefundEvent;
pub use wechat_pay::bill::BillOutcome;

/// An order to open at the provider (whatever the trade type: the
/// methods of [`PaymentGateway`] say which).
#[derive(Debug, Clone)]
pub struct NativeOrder {
    /// Our order number.
    pub out_trade_no: String,
    /// What the payer sees (`body` / `description`).
    pub description: String,
    /// Amount to pay.
    pub total: Fen,
    /// The buyer's IP (H5: the address WeChat's cashier checks).
    pub client_ip: String,
    /// Where the provider sends the payment notification.
    pub notify_url: String,
    /// A product id of the order (v2 Native needs one).
    pub product_id: String,
    /// The order cannot be paid after this.
    pub expires_at: DateTime<Utc>,
}

/// The provider's answer to a new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeCode {
    /// The QR code's content (`weixin://...`).
    pub code_url: String,
    /// The provider's prepay id, where it has one.
    pub prepay_id: Option<String>,
}

/// How a buyer pays on a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhonePay {
    /// Inside WeChat: the buyer's openid under the official account.
    Jsapi {
        /// The buyer's openid.
        openid: String,
    },
    /// In another phone browser, through WeChat's cashier page.
    H5 {
        /// The site's address (v2 `scene_info.h5_info.wap_url`).
        wap_url: String,
        /// The site's name (v2 `scene_info.h5_info.wap_name`).
        wap_name: String,
    },
}

/// What the page needs to pay a phone order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneCode {
    /// The object for `WeixinJSBridge.invoke('getBrandWCPayRequest', ..)`,
    /// signed.
    Jsapi(wechat_pay::JsapiParams),
    /// WeChat's cashier page (valid 5 minutes).
    H5 {
        /// `mweb_url` (v2) / `h5_url` (v3).
        h5_url: String,
    },
}

/// Facts of a payment the provider vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidFacts {
    /// The provider's transaction id.
    pub transaction_id: String,
    /// The order amount it received.
    pub total: Fen,
    /// Cash paid, where known.
    pub cash: Option<Fen>,
    /// Paying bank.
    pub bank_type: Option<String>,
    /// When it was paid, in the provider's words.
    pub time_end: Option<String>,
    /// Payer.
    pub openid: Option<String>,
}

/// Where an order stands at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteTrade {
    /// Paid (possibly refunded since).
    Paid(PaidFacts),
    /// Not paid yet, or the payer is paying right now.
    Open,
    /// Closed, revoked or failed: it will not be paid.
    Closed,
    /// A state the shop does not act on.
    Other(String),
}

/// A refund to ask for.
#[derive(Debug, Clone)]
pub struct RefundOrder {
    /// The order number.
    pub out_trade_no: String,
    /// The provider's transaction id of the payment.
    pub transaction_id: String,
    /// Our refund number.
    pub out_refund_no: String,
    /// What was paid.
    pub total: Fen,
    /// What goes back.
    pub amount: Fen,
    /// Shown to the payer.
    pub reason: String,
    /// Where the provider sends the refund notification.
    pub notify_url: Option<String>,
}

/// A notification as it arrived: the raw body and the provider's headers.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    /// The body bytes, unparsed.
    pub body: &'a [u8],
    /// `Wechatpay-Timestamp`.
    pub timestamp: Option<&'a str>,
    /// `Wechatpay-Nonce`.
    pub nonce: Option<&'a str>,
    /// `Wechatpay-Signature`.
    pub signature: Option<&'a str>,
    /// `Wechatpay-Serial`.
    pub serial: Option<&'a str>,
}

impl<'a> Notice<'a> {
    /// A notification that is only a body (API v2).
    pub fn body(body: &'a [u8]) -> Notice<'a> {
        Notice {
            body,
            timestamp: None,
            nonce: None,
            signature: None,
            serial: None,
        }
    }
}

/// A notification copied to move onto a blocking thread.
pub(crate) struct OwnedNotice {
    body: Vec<u8>,
    headers: [Option<String>; 4],
}

impl OwnedNotice {
    pub(crate) fn new(n: &Notice<'_>) -> OwnedNotice {
        let own = |h: Option<&str>| h.map(str::to_owned);
        OwnedNotice {
            body: n.body.to_vec(),
            headers: [
                own(n.timestamp),
                own(n.nonce),
                own(n.signature),
                own(n.serial),
            ],
        }
    }

    pub(crate) fn notice(&self) -> Notice<'_> {
        let [timestamp, nonce, signature, serial] = &self.headers;
        Notice {
            body: &self.body,
            timestamp: timestamp.as_deref(),
            nonce: nonce.as_deref(),
            signature: signature.as_deref(),
            serial: serial.as_deref(),
        }
    }
}

/// A gateway call that could not finish on its blocking thread: the
/// outcome is unknown, so retryable.
pub(crate) fn lost(err: tokio::task::JoinError) -> GatewayError {
    GatewayError {
        kind: GatewayErrorKind::Retryable,
        message: format!("the call did not finish: {err}"),
    }
}

/// A verified payment notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    /// Our order number.
    pub out_trade_no: String,
    /// The payment, or `None` when the notification reports a failure.
    pub paid: Option<PaidFacts>,
}

/// A verified refund notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundNotice {
    /// Our refund number.
    pub out_refund_no: String,
    /// The provider's refund id.
    pub refund_id: String,
    /// What happened to it.
    pub event: RefundEvent,
}

/// What kind of failure a gateway call ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayErrorKind {
    /// The order is paid already (closing it is not possible).
    OrderPaid,
    /// The provider has no open order by that number (never created, or closed).
    OrderGone,
    /// A transient failure (timeout, system error): the same call may work later.
    Retryable,
    /// The provider refused the request.
    Refused,
    /// The order number was sent before with other parameters (another
    /// trade type, payer or address).
    NumberUsed,
    /// A notification that is not genuine, not ours, or not understood.
    BadNotice,
}

/// A failed gateway call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GatewayError {
    /// What kind of failure.
    pub kind: GatewayErrorKind,
    /// The provider's description, fit to show an owner.
    pub message: String,
}

impl GatewayError {
    /// True when the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        self.kind == GatewayErrorKind::Retryable
    }
}

/// A payment provider, as the order service needs it.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Opens a Native order and returns its QR content.
    async fn create(&self, order: &NativeOrder) -> Result<NativeCode, GatewayError>;
    /// Opens a JSAPI or H5 order. Sending the same order again (same
    /// number and parameters) gives the same prepayment back, freshly
    /// signed; other parameters under that number are refused
    /// ([`GatewayErrorKind::NumberUsed`]).
    async fn create_phone(
        &self,
        order: &NativeOrder,
        pay: &PhonePay,
    ) -> Result<PhoneCode, GatewayError> {
        let _ = (order, pay);
        Err(GatewayError {
            kind: GatewayErrorKind::Refused,
            message: "paying on the phone is not supported here".into(),
        })
    }
    /// Where an order stands.
    async fn query(&self, out_trade_no: &str) -> Result<RemoteTrade, GatewayError>;
    /// Closes an unpaid order.
    async fn close(&self, out_trade_no: &str) -> Result<(), GatewayError>;
    /// Asks for a refund; `Ok` means accepted (the outcome follows).
    async fn refund(&self, refund: &RefundOrder) -> Result<String, GatewayError>;
    /// Verifies and reads a payment notification.
    async fn payment_notice(&self, notice: &Notice<'_>) -> Result<PaymentNotice, GatewayError>;
    /// Verifies and reads a refund notification.
    async fn refund_notice(&self, notice: &Notice<'_>) -> Result<RefundNotice, GatewayError>;
    /// The trade bill (type ALL) of a day in China time, as downloaded and
    /// checked; `NoBill` when nothing happened that day (or it is not out yet).
    async fn trade_bill(&self, date: NaiveDate) -> Result<BillOutcome<Vec<u8>>, GatewayError>;
}
