//! Typed requests and replies. Every reply also keeps its raw field map.

use crate::{RawMap, WechatPayError};

/// A Native (QR code) order to place with `unifiedorder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedOrder {
    /// What is bought, shown to the payer (≤ 128 bytes).
    pub body: String,
    /// Our order number (≤ 32 chars, unique per merchant).
    pub out_trade_no: String,
    /// Amount in fen.
    pub total_fee: i64,
    /// The payer's (or our server's) IP address.
    pub spbill_create_ip: String,
    /// Where WeChat sends the payment notification.
    pub notify_url: String,
    /// Our product id; required for NATIVE.
    pub product_id: String,
    /// Expiry, `yyyyMMddHHmmss` in China time (see [`crate::time_expire`]).
    pub time_expire: Option<String>,
    /// Passed back untouched in the notification.
    pub attach: Option<String>,
}

impl UnifiedOrder {
    /// A Native order with no expiry and no `attach`.
    pub fn new(
        body: impl Into<String>,
        out_trade_no: impl Into<String>,
        total_fee: i64,
        spbill_create_ip: impl Into<String>,
        notify_url: impl Into<String>,
        product_id: impl Into<String>,
    ) -> UnifiedOrder {
        UnifiedOrder {
            body: body.into(),
            out_trade_no: out_trade_no.into(),
            total_fee,
            spbill_create_ip: spbill_create_ip.into(),
            notify_url: notify_url.into(),
            product_id: product_id.into(),
            time_expire: None,
            attach: None,
        }
    }

    /// Stops the order being payable at `at` (sent as China time).
    pub fn time_expire(mut self, at: chrono::DateTime<chrono::Utc>) -> UnifiedOrder {
        self.time_expire = Some(crate::time_expire(at));
        self
    }

    /// Data WeChat hands back untouched.
    pub fn attach(mut self, attach: impl Into<String>) -> UnifiedOrder {
        self.attach = Some(attach.into());
        self
    }
}

/// What `unifiedorder` returns for NATIVE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnifiedOrderResult {
    /// Prepayment session id.
    pub prepay_id: String,
    /// `weixin://wxpay/bizpayurl?pr=...`, to show as a QR code (valid 2 h).
    pub code_url: String,
    /// Every field of the reply.
    pub raw: RawMap,
}

/// Which order a query or refund is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderRef {
    /// Our order number.
    OutTradeNo(String),
    /// WeChat's transaction id.
    TransactionId(String),
}

impl OrderRef {
    pub(crate) fn field(&self) -> (&'static str, &str) {
        match self {
            OrderRef::OutTradeNo(v) => ("out_trade_no", v),
            OrderRef::TransactionId(v) => ("transaction_id", v),
        }
    }
}

/// The payment state of an order (`trade_state`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeState {
    /// Paid.
    Success,
    /// Refunded (in part or whole).
    Refund,
    /// Not paid yet.
    NotPay,
    /// Closed.
    Closed,
    /// Revoked (card payments).
    Revoked,
    /// The payer is entering the password.
    UserPaying,
    /// Payment failed at the bank.
    PayError,
    /// A state this crate does not know.
    Other(String),
}

impl TradeState {
    /// Parses WeChat's `trade_state`.
    pub fn parse(value: &str) -> TradeState {
        match value {
            "SUCCESS" => TradeState::Success,
            "REFUND" => TradeState::Refund,
            "NOTPAY" => TradeState::NotPay,
            "CLOSED" => TradeState::Closed,
            "REVOKED" => TradeState::Revoked,
            "USERPAYING" => TradeState::UserPaying,
            "PAYERROR" => TradeState::PayError,
            other => TradeState::Other(other.to_owned()),
        }
    }

    /// WeChat's name for the state.
    pub fn as_str(&self) -> &str {
        match self {
            TradeState::Success => "SUCCESS",
            TradeState::Refund => "REFUND",
            TradeState::NotPay => "NOTPAY",
            TradeState::Closed => "CLOSED",
            TradeState::Revoked => "REVOKED",
            TradeState::UserPaying => "USERPAYING",
            TradeState::PayError => "PAYERROR",
            TradeState::Other(s) => s,
        }
    }
}

/// What `orderquery` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderQueryResult {
    /// Payment state.
    pub trade_state: TradeState,
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id, once paid.
    pub transaction_id: Option<String>,
    /// Order amount in fen, once paid.
    pub total_fee: Option<i64>,
    /// Paying bank, once paid.
    pub bank_type: Option<String>,
    /// Payment time `yyyyMMddHHmmss` (China time), once paid.
    pub time_end: Option<String>,
    /// Every field of the reply.
    pub raw: RawMap,
}

/// A refund to request with `/secapi/pay/refund`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The paid order.
    pub order: OrderRef,
    /// Our refund number (≤ 64 chars; reusing it repeats the same refund).
    pub out_refund_no: String,
    /// The order's total in fen.
    pub total_fee: i64,
    /// The amount to refund in fen.
    pub refund_fee: i64,
    /// Reason shown to the payer.
    pub refund_desc: Option<String>,
    /// Where WeChat sends the refund notification.
    pub notify_url: Option<String>,
}

impl Refund {
    /// A refund of `refund_fee` out of the order's `total_fee`, with no
    /// reason and no notification URL.
    pub fn new(
        order: OrderRef,
        out_refund_no: impl Into<String>,
        total_fee: i64,
        refund_fee: i64,
    ) -> Refund {
        Refund {
            order,
            out_refund_no: out_refund_no.into(),
            total_fee,
            refund_fee,
            refund_desc: None,
            notify_url: None,
        }
    }

    /// The reason shown to the payer.
    pub fn refund_desc(mut self, reason: impl Into<String>) -> Refund {
        self.refund_desc = Some(reason.into());
        self
    }

    /// Where WeChat sends the refund notification.
    pub fn notify_url(mut self, url: impl Into<String>) -> Refund {
        self.notify_url = Some(url.into());
        self
    }
}

/// What the refund request returns (the refund is then processing).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundResult {
    /// WeChat's refund id.
    pub refund_id: String,
    /// Our refund number.
    pub out_refund_no: String,
    /// Amount in fen.
    pub refund_fee: i64,
    /// Every field of the reply.
    pub raw: RawMap,
}

/// One refund of an order, from `refundquery`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundItem {
    /// Our refund number.
    pub out_refund_no: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// Amount in fen.
    pub refund_fee: i64,
    /// `SUCCESS`, `REFUNDCLOSE`, `PROCESSING` or `CHANGE`.
    pub refund_status: String,
}

/// What `refundquery` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundQueryResult {
    /// The refunds of the order (`out_refund_no_$n` ...).
    pub refunds: Vec<RefundItem>,
    /// Every field of the reply.
    pub raw: RawMap,
}

/// `return_code` must be SUCCESS; otherwise the message carries only
/// WeChat's `return_msg` and is not signed.
pub(crate) fn require_return_success(raw: &RawMap) -> Result<(), WechatPayError> {
    if raw.get("return_code").map(String::as_str) == Some("SUCCESS") {
        return Ok(());
    }
    Err(WechatPayError::ReturnFail {
        return_msg: raw.get("return_msg").cloned().unwrap_or_default(),
    })
}

pub(crate) fn field<'a>(raw: &'a RawMap, name: &'static str) -> Result<&'a str, WechatPayError> {
    raw.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or(WechatPayError::BadField(name))
}

pub(crate) fn optional(raw: &RawMap, name: &str) -> Option<String> {
    raw.get(name).filter(|v| !v.is_empty()).cloned()
}

pub(crate) fn fen(raw: &RawMap, name: &'static str) -> Result<i64, WechatPayError> {
    field(raw, name)?
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or(WechatPayError::BadField(name))
}

/// A reply typed from its fields, once verified.
pub(crate) trait FromRaw: Sized {
    /// Reads the fields this reply needs; every field stays in `raw`.
    fn from_raw(raw: RawMap) -> Result<Self, WechatPayError>;
}

/// A reply with nothing to read but its success.
impl FromRaw for () {
    fn from_raw(_: RawMap) -> Result<(), WechatPayError> {
        Ok(())
    }
}

impl FromRaw for UnifiedOrderResult {
    fn from_raw(raw: RawMap) -> Result<UnifiedOrderResult, WechatPayError> {
        Ok(UnifiedOrderResult {
            prepay_id: field(&raw, "prepay_id")?.to_owned(),
            code_url: field(&raw, "code_url")?.to_owned(),
            raw,
        })
    }
}

impl FromRaw for OrderQueryResult {
    /// The amount is required once paid, and read when present before.
    fn from_raw(raw: RawMap) -> Result<OrderQueryResult, WechatPayError> {
        let trade_state = TradeState::parse(field(&raw, "trade_state")?);
        let paid = matches!(trade_state, TradeState::Success | TradeState::Refund);
        Ok(OrderQueryResult {
            out_trade_no: field(&raw, "out_trade_no")?.to_owned(),
            transaction_id: optional(&raw, "transaction_id"),
            total_fee: if paid {
                Some(fen(&raw, "total_fee")?)
            } else {
                fen(&raw, "total_fee").ok()
            },
            bank_type: optional(&raw, "bank_type"),
            time_end: optional(&raw, "time_end"),
            trade_state,
            raw,
        })
    }
}

impl FromRaw for RefundResult {
    fn from_raw(raw: RawMap) -> Result<RefundResult, WechatPayError> {
        Ok(RefundResult {
            refund_id: field(&raw, "refund_id")?.to_owned(),
            out_refund_no: field(&raw, "out_refund_no")?.to_owned(),
            refund_fee: fen(&raw, "refund_fee")?,
            raw,
        })
    }
}

impl FromRaw for RefundQueryResult {
    fn from_raw(raw: RawMap) -> Result<RefundQueryResult, WechatPayError> {
        let count: usize = raw
            .get("refund_count")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
            .min(50);
        let mut refunds = Vec::with_capacity(count);
        for n in 0..count {
            let get = |prefix: &str| {
                raw.get(&format!("{prefix}_{n}"))
                    .cloned()
                    .unwrap_or_default()
            };
            refunds.push(RefundItem {
                out_refund_no: get("out_refund_no"),
                refund_id: get("refund_id"),
                refund_fee: get("refund_fee")
                    .parse()
                    .map_err(|_| WechatPayError::BadField("refund_fee_$n"))?,
                refund_status: get("refund_status"),
            });
        }
        Ok(RefundQueryResult { refunds, raw })
    }
}
