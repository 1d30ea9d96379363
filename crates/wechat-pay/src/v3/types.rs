//! Typed requests and replies of the Native operations. Amounts are fen;
//! times are RFC 3339 with their offset.

use crate::TradeState;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

impl Serialize for TradeState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TradeState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TradeState, D::Error> {
        let s = String::deserialize(d)?;
        Ok(TradeState::parse(&s))
    }
}

/// A Native (QR code) order to place with `POST /v3/pay/transactions/native`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeOrder {
    /// What is bought, shown to the payer (≤ 127 characters).
    pub description: String,
    /// Our order number (6–32 of `[A-Za-z0-9_|*-]`).
    pub out_trade_no: String,
    /// Amount in fen.
    pub total: i64,
    /// Where WeChat sends the payment notification (HTTPS in production).
    pub notify_url: String,
    /// When the order stops being payable.
    pub time_expire: Option<DateTime<FixedOffset>>,
    /// Passed back untouched in the notification and the query.
    pub attach: Option<String>,
    /// Marketing tag.
    pub goods_tag: Option<String>,
}

impl NativeOrder {
    /// A Native order with no expiry, `attach` or tag.
    pub fn new(
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        total: i64,
        notify_url: impl Into<String>,
    ) -> NativeOrder {
        NativeOrder {
            description: description.into(),
            out_trade_no: out_trade_no.into(),
            total,
            notify_url: notify_url.into(),
            time_expire: None,
            attach: None,
            goods_tag: None,
        }
    }

    /// Stops the order being payable at `at`.
    pub fn time_expire<Tz: chrono::TimeZone>(mut self, at: DateTime<Tz>) -> NativeOrder {
        self.time_expire = Some(at.fixed_offset());
        self
    }

    /// Data WeChat hands back untouched.
    pub fn attach(mut self, attach: impl Into<String>) -> NativeOrder {
        self.attach = Some(attach.into());
        self
    }

    /// A marketing tag.
    pub fn goods_tag(mut self, tag: impl Into<String>) -> NativeOrder {
        self.goods_tag = Some(tag.into());
        self
    }
}

/// Amount of a request: total and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAmount {
    /// Fen.
    pub total: i64,
    /// `CNY`; WeChat documents it as optional, and reads an order without
    /// it as CNY (so does deserializing here).
    #[serde(default = "cny")]
    pub currency: String,
}

/// The currency of an amount that names none.
fn cny() -> String {
    "CNY".to_owned()
}

/// The JSON body of a Native order (what is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeOrderBody {
    /// App id.
    pub appid: String,
    /// Merchant id.
    pub mchid: String,
    /// Description.
    pub description: String,
    /// Our order number.
    pub out_trade_no: String,
    /// RFC 3339 expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<DateTime<FixedOffset>>,
    /// Attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// Notification URL.
    pub notify_url: String,
    /// Marketing tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_tag: Option<String>,
    /// Amount.
    pub amount: OrderAmount,
}

/// What a Native order returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NativePrepay {
    /// `weixin://wxpay/bizpayurl?pr=...`, to show as a QR code.
    pub code_url: String,
}

/// The payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    /// The payer's openid under our appid.
    pub openid: String,
}

/// Amounts of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransactionAmount {
    /// Order total, fen.
    #[serde(default)]
    pub total: Option<i64>,
    /// What the payer paid, fen.
    #[serde(default)]
    pub payer_total: Option<i64>,
    /// `CNY`.
    #[serde(default)]
    pub currency: Option<String>,
    /// The payer's currency.
    #[serde(default)]
    pub payer_currency: Option<String>,
}

/// A transaction as the query answers it (and as a payment notification
/// carries it, decrypted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transaction {
    /// App id.
    pub appid: String,
    /// Merchant id.
    pub mchid: String,
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `NATIVE`, `JSAPI`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    /// The state.
    pub trade_state: TradeState,
    /// WeChat's words on the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    /// Paying bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// Our `attach`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// When it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<DateTime<FixedOffset>>,
    /// The payer, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    /// Amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<TransactionAmount>,
}

/// Which order a refund is for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundOrder {
    /// Our order number.
    OutTradeNo(String),
    /// WeChat's transaction id.
    TransactionId(String),
}

/// A refund to request with `POST /v3/refund/domestic/refunds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The paid order.
    pub order: RefundOrder,
    /// Our refund number (reusing it repeats the same refund).
    pub out_refund_no: String,
    /// Reason shown to the payer.
    pub reason: Option<String>,
    /// Where WeChat sends the refund notification.
    pub notify_url: Option<String>,
    /// Amount to refund, fen.
    pub refund: i64,
    /// The order's total, fen.
    pub total: i64,
}

impl RefundRequest {
    /// A refund of `refund` fen out of the order's `total`, with no reason
    /// and no notification URL.
    pub fn new(
        order: RefundOrder,
        out_refund_no: impl Into<String>,
        refund: i64,
        total: i64,
    ) -> RefundRequest {
        RefundRequest {
            order,
            out_refund_no: out_refund_no.into(),
            reason: None,
            notify_url: None,
            refund,
            total,
        }
    }

    /// The reason shown to the payer.
    pub fn reason(mut self, reason: impl Into<String>) -> RefundRequest {
        self.reason = Some(reason.into());
        self
    }

    /// Where WeChat sends the refund notification.
    pub fn notify_url(mut self, url: impl Into<String>) -> RefundRequest {
        self.notify_url = Some(url.into());
        self
    }
}

/// Amounts of a refund request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequestAmount {
    /// Refund, fen.
    pub refund: i64,
    /// Order total, fen.
    pub total: i64,
    /// `CNY`.
    pub currency: String,
}

/// The JSON body of a refund request (what is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundBody {
    /// WeChat's transaction id (one of the two is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Our order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// Our refund number.
    pub out_refund_no: String,
    /// Reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Notification URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// Amounts.
    pub amount: RefundRequestAmount,
}

/// Amounts of a refund reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundAmount {
    /// Order total, fen.
    pub total: i64,
    /// Refunded, fen.
    pub refund: i64,
    /// What the payer paid, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    /// What goes back to the payer, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_refund: Option<i64>,
    /// `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// A refund as the refund request and query answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundReply {
    /// WeChat's refund id.
    pub refund_id: String,
    /// Our refund number.
    pub out_refund_no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// Our order number.
    pub out_trade_no: String,
    /// `SUCCESS`, `CLOSED`, `PROCESSING` or `ABNORMAL`.
    pub status: String,
    /// Where the money goes (`支付用户零钱`, a card...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    /// When it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<DateTime<FixedOffset>>,
    /// When it was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<DateTime<FixedOffset>>,
    /// Amounts.
    pub amount: RefundAmount,
}

/// A trade bill to apply for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeBillRequest {
    /// The day (Asia/Shanghai).
    pub bill_date: NaiveDate,
    /// `ALL`, `SUCCESS` or `REFUND`.
    pub bill_type: crate::bill::BillType,
    /// Ask for a gzip file (`tar_type=GZIP`); the download is decompressed.
    pub gzip: bool,
}

impl TradeBillRequest {
    /// The bill of `bill_date`, not gzipped.
    pub fn new(bill_date: NaiveDate, bill_type: crate::bill::BillType) -> TradeBillRequest {
        TradeBillRequest {
            bill_date,
            bill_type,
            gzip: false,
        }
    }

    /// Asks for a gzip file (decompressed on download).
    pub fn gzip(mut self) -> TradeBillRequest {
        self.gzip = true;
        self
    }
}

/// Where to download a trade bill, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TradeBill {
    /// `SHA1`.
    pub hash_type: String,
    /// Hex SHA1 of the bill (decompressed).
    pub hash_value: String,
    /// The download URL (valid a few minutes).
    pub download_url: String,
    /// Whether the file comes gzipped (set from the request, not sent by WeChat).
    #[serde(skip)]
    pub gzip: bool,
}

/// WeChat's error body `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// e.g. `ORDER_NOT_EXIST`.
    pub code: String,
    /// Explanation.
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_amount_without_currency_is_cny() {
        let body: NativeOrderBody = serde_json::from_str(
            r#"{"appid":"wx1","mchid":"19","description":"d","out_trade_no":"LT000001",
                "notify_url":"https://shop.example.com/n","amount":{"total":1}}"#,
        )
        .unwrap();
        assert_eq!(body.amount.currency, "CNY");
        assert_eq!(body.amount.total, 1);
        assert_eq!(
            serde_json::to_value(&body.amount).unwrap(),
            serde_json::json!({"total": 1, "currency": "CNY"})
        );
    }
}
