//! v3 notifications: verify, decrypt, type; and the replies to them.

use super::certificates::EncryptedResource;
use super::client::check_merchant;
use super::error::Error;
use super::keys::ApiV3Key;
use super::verifier::{SignedHeaders, Verifier};
use crate::TradeState;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A notification as it arrives (the resource still encrypted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEnvelope {
    /// Notification id.
    pub id: String,
    /// When it was created.
    pub create_time: DateTime<FixedOffset>,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// WeChat's summary (`支付成功`).
    #[serde(default)]
    pub summary: String,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

impl NotificationEnvelope {
    /// A new envelope around `plaintext`, encrypted with `key`: what a
    /// simulator sends. `original_type` is `transaction` or `refund`.
    pub fn seal(
        key: &ApiV3Key,
        event_type: &str,
        summary: &str,
        original_type: &str,
        plaintext: &[u8],
        create_time: DateTime<FixedOffset>,
    ) -> Result<NotificationEnvelope, Error> {
        Ok(NotificationEnvelope {
            id: format!("EV-{}", crate::ids::random_alnum(20)),
            create_time,
            event_type: event_type.to_owned(),
            resource_type: "encrypt-resource".into(),
            summary: summary.to_owned(),
            resource: EncryptedResource::seal(key, original_type, Some(original_type), plaintext)?,
        })
    }
}

/// Amounts of a payment notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentAmount {
    /// Order total, fen.
    pub total: i64,
    /// What the payer paid, fen.
    pub payer_total: i64,
    /// `CNY`.
    pub currency: String,
    /// The payer's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// The payer of a payment notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentPayer {
    /// The payer's openid.
    pub openid: String,
}

/// A decrypted `TRANSACTION.SUCCESS` resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentNotification {
    /// App id (checked against ours).
    pub appid: String,
    /// Merchant id (checked against ours).
    pub mchid: String,
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// `SUCCESS`.
    pub trade_state: TradeState,
    /// `NATIVE`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    /// WeChat's words on the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    /// Paying bank.
    #[serde(default)]
    pub bank_type: String,
    /// Our `attach`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    /// When it was paid.
    pub success_time: DateTime<FixedOffset>,
    /// The payer.
    pub payer: PaymentPayer,
    /// Amounts.
    pub amount: PaymentAmount,
}

/// Amounts of a refund notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundNotificationAmount {
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
}

/// A decrypted `REFUND.*` resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundNotification {
    /// Merchant id (checked against ours).
    pub mchid: String,
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// Our refund number.
    pub out_refund_no: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// `SUCCESS`, `ABNORMAL` or `CLOSED`.
    pub refund_status: String,
    /// When it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<DateTime<FixedOffset>>,
    /// Where the money went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    /// Amounts.
    pub amount: RefundNotificationAmount,
}

/// A verified, decrypted notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// `TRANSACTION.SUCCESS`.
    Payment {
        /// The envelope (id, time, event type).
        envelope: NotificationEnvelope,
        /// The payment.
        payment: PaymentNotification,
    },
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    Refund {
        /// The envelope.
        envelope: NotificationEnvelope,
        /// The refund.
        refund: RefundNotification,
    },
    /// Another event type, decrypted but not typed.
    Other {
        /// The envelope.
        envelope: NotificationEnvelope,
        /// The decrypted resource.
        plaintext: String,
    },
}

/// Parses notifications for one merchant: verify the signature over the
/// raw body, then parse the envelope, decrypt, type and check the merchant.
#[derive(Debug, Clone)]
pub struct Notifications {
    verifier: Arc<Verifier>,
    key: ApiV3Key,
    appid: String,
    mchid: String,
}

impl Notifications {
    /// A parser verifying with `verifier` and decrypting with `key`.
    pub fn new(verifier: Arc<Verifier>, key: ApiV3Key, appid: &str, mchid: &str) -> Notifications {
        Notifications {
            verifier,
            key,
            appid: appid.to_owned(),
            mchid: mchid.to_owned(),
        }
    }

    /// Verifies and decrypts any notification. Nothing in the body is read
    /// before the signature is checked.
    pub fn parse(&self, headers: &SignedHeaders, body: &[u8]) -> Result<Notification, Error> {
        self.verifier.verify(headers, body)?;
        let envelope: NotificationEnvelope = serde_json::from_slice(body)
            .map_err(|e| Error::BadReply(format!("notification: {e}")))?;
        let plain = envelope.resource.open(&self.key)?;
        let bad = |e: serde_json::Error| Error::BadReply(format!("{}: {e}", envelope.event_type));
        if envelope.event_type.starts_with("TRANSACTION.") {
            let payment: PaymentNotification = serde_json::from_slice(&plain).map_err(bad)?;
            check_merchant(&payment.appid, &payment.mchid, &self.appid, &self.mchid)?;
            Ok(Notification::Payment { envelope, payment })
        } else if envelope.event_type.starts_with("REFUND.") {
            let refund: RefundNotification = serde_json::from_slice(&plain).map_err(bad)?;
            if refund.mchid != self.mchid {
                return Err(Error::WrongMerchant {
                    field: "mchid",
                    value: refund.mchid,
                });
            }
            Ok(Notification::Refund { envelope, refund })
        } else {
            let plaintext = String::from_utf8(plain)
                .map_err(|_| Error::Decrypt("resource is not UTF-8".into()))?;
            Ok(Notification::Other {
                envelope,
                plaintext,
            })
        }
    }

    /// A payment notification, or an error for any other event.
    pub fn payment(
        &self,
        headers: &SignedHeaders,
        body: &[u8],
    ) -> Result<PaymentNotification, Error> {
        match self.parse(headers, body)? {
            Notification::Payment { payment, .. } => Ok(payment),
            Notification::Refund { envelope, .. } | Notification::Other { envelope, .. } => Err(
                Error::BadReply(format!("expected a payment, got {}", envelope.event_type)),
            ),
        }
    }

    /// A refund notification, or an error for any other event.
    pub fn refund(
        &self,
        headers: &SignedHeaders,
        body: &[u8],
    ) -> Result<RefundNotification, Error> {
        match self.parse(headers, body)? {
            Notification::Refund { refund, .. } => Ok(refund),
            Notification::Payment { envelope, .. } | Notification::Other { envelope, .. } => Err(
                Error::BadReply(format!("expected a refund, got {}", envelope.event_type)),
            ),
        }
    }
}

/// The HTTP reply to give WeChat for a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyReply {
    /// 204 when received, 500 to have it sent again.
    pub status: u16,
    /// Empty, or `{"code":"FAIL","message":".."}`.
    pub body: String,
}

impl NotifyReply {
    /// Received and stored: HTTP 204, no body.
    pub fn success() -> NotifyReply {
        NotifyReply {
            status: 204,
            body: String::new(),
        }
    }

    /// Not handled: HTTP 500 with `{"code":"FAIL","message":..}`; WeChat
    /// sends it again later.
    pub fn fail(message: &str) -> NotifyReply {
        NotifyReply {
            status: 500,
            body: serde_json::json!({ "code": "FAIL", "message": message }).to_string(),
        }
    }

    /// `Content-Type` for the body, if any.
    pub fn content_type(&self) -> Option<&'static str> {
        (!self.body.is_empty()).then_some("application/json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_the_documented_ones() {
        assert_eq!(NotifyReply::success().status, 204);
        assert!(NotifyReply::success().body.is_empty());
        assert_eq!(NotifyReply::success().content_type(), None);
        let fail = NotifyReply::fail("数据库忙");
        assert_eq!(fail.status, 500);
        let v: serde_json::Value = serde_json::from_str(&fail.body).unwrap();
        assert_eq!(v["code"], "FAIL");
        assert_eq!(v["message"], "数据库忙");
        assert_eq!(fail.content_type(), Some("application/json"));
    }
}
