//! [`PaymentGateway`] over WeChat Pay API v3 (JSON, RSA signatures,
//! AES-GCM notifications), with either verification mode.

use super::{
    GatewayError, GatewayErrorKind, NativeCode, NativeOrder, Notice, PaidFacts, PaymentGateway,
    PaymentNotice, PhoneCode, PhonePay, RefundNotice, RefundOrder, RemoteTrade,
};
use chrono::{FixedOffset, NaiveDate};
use letao_domain::Fen;
use letao_domain::order::RefundEvent;
use std::sync::Arc;
use wechat_pay::TradeState;
use wechat_pay::bill::{BillOutcome, BillType};
use wechat_pay::v3::{self, Api, Notifications, SignedHeaders};

/// China time, in which WeChat counts days and writes times.
const CHINA: i32 = 8 * 3600;

/// Signs the page's JSAPI parameters for a prepay id.
pub type JsapiSigner = Arc<dyn Fn(&str) -> wechat_pay::JsapiParams + Send + Sync>;

/// The v3 adapter: a client for calls, a notification parser for the
/// callbacks, and (for JSAPI) the merchant key's signature of the page's
/// parameters.
pub struct WechatV3 {
    api: Arc<dyn Api>,
    notifications: Notifications,
    jsapi_signer: Option<JsapiSigner>,
}

impl WechatV3 {
    /// The adapter over a v3 client (real or pointed at the simulator) and
    /// the parser that verifies and decrypts notifications; JSAPI needs
    /// [`WechatV3::with_jsapi_signer`] too.
    pub fn new(api: Arc<dyn Api>, notifications: Notifications) -> WechatV3 {
        WechatV3 {
            api,
            notifications,
            jsapi_signer: None,
        }
    }

    /// The adapter over a real client: its calls, its notifications and
    /// its merchant key for JSAPI parameters.
    pub fn over(client: v3::Client) -> WechatV3 {
        let client = Arc::new(client);
        let notifications = client.notifications();
        let signer = client.clone();
        WechatV3 {
            api: client,
            notifications,
            jsapi_signer: Some(Arc::new(move |prepay_id| signer.jsapi_params(prepay_id))),
        }
    }

    /// Signs JSAPI parameters with `signer` (the merchant key's).
    pub fn with_jsapi_signer(mut self, signer: JsapiSigner) -> WechatV3 {
        self.jsapi_signer = Some(signer);
        self
    }
}

fn error(err: v3::Error) -> GatewayError {
    let kind = match err.code() {
        Some("ORDERPAID") => GatewayErrorKind::OrderPaid,
        Some("OUT_TRADE_NO_USED") => GatewayErrorKind::NumberUsed,
        Some("ORDER_NOT_EXIST" | "ORDER_CLOSED" | "RESOURCE_NOT_EXISTS") => {
            GatewayErrorKind::OrderGone
        }
        _ if err.is_retryable() => GatewayErrorKind::Retryable,
        // An answer we cannot verify says nothing: the outcome is unknown.
        _ if matches!(err, v3::Error::BadSignature(_) | v3::Error::BadReply(_)) => {
            GatewayErrorKind::Retryable
        }
        _ => GatewayErrorKind::Refused,
    };
    let message = match &err {
        v3::Error::Api { code, message, .. } => format!("{message} ({code})"),
        other => other.to_string(),
    };
    GatewayError { kind, message }
}

fn bad_notice(err: impl std::fmt::Display) -> GatewayError {
    GatewayError {
        kind: GatewayErrorKind::BadNotice,
        message: err.to_string(),
    }
}

fn headers(notice: &Notice<'_>) -> Result<SignedHeaders, GatewayError> {
    SignedHeaders::from_lookup(|name| match name {
        "Wechatpay-Timestamp" => notice.timestamp,
        "Wechatpay-Nonce" => notice.nonce,
        "Wechatpay-Signature" => notice.signature,
        "Wechatpay-Serial" => notice.serial,
        _ => None,
    })
    .map_err(bad_notice)
}

/// A v3 time as the v2 `time_end` the order row keeps (China time).
fn time_end(t: chrono::DateTime<FixedOffset>) -> String {
    let china = FixedOffset::east_opt(CHINA).unwrap_or(*t.offset());
    t.with_timezone(&china).format("%Y%m%d%H%M%S").to_string()
}

impl PaymentGateway for WechatV3 {
    fn create(&self, order: &NativeOrder) -> Result<NativeCode, GatewayError> {
        let china = FixedOffset::east_opt(CHINA).ok_or_else(|| bad_notice("time zone"))?;
        let prepay = self
            .api
            .create_native(&v3::NativeOrder {
                description: order.description.clone(),
                out_trade_no: order.out_trade_no.clone(),
                total: order.total.get(),
                notify_url: order.notify_url.clone(),
                time_expire: Some(order.expires_at.with_timezone(&china)),
                attach: None,
                goods_tag: None,
            })
            .map_err(error)?;
        Ok(NativeCode {
            code_url: prepay.code_url,
            prepay_id: None,
        })
    }

    fn create_phone(&self, order: &NativeOrder, pay: &PhonePay) -> Result<PhoneCode, GatewayError> {
        let china = FixedOffset::east_opt(CHINA).ok_or_else(|| bad_notice("time zone"))?;
        let details = v3::OrderDetails::new(
            order.description.clone(),
            order.out_trade_no.clone(),
            order.total.get(),
            order.notify_url.clone(),
        )
        .time_expire(order.expires_at.with_timezone(&china));
        match pay {
            PhonePay::Jsapi { openid } => {
                let signer = self.jsapi_signer.as_ref().ok_or_else(|| GatewayError {
                    kind: GatewayErrorKind::Refused,
                    message: "JSAPI needs the merchant key to sign the page's parameters".into(),
                })?;
                let prepay = self
                    .api
                    .create_jsapi(&v3::JsapiOrder::new(details, openid.clone()))
                    .map_err(error)?;
                Ok(PhoneCode::Jsapi(signer(&prepay.prepay_id)))
            }
            PhonePay::H5 { .. } => {
                let prepay = self
                    .api
                    .create_h5(&v3::H5Order::new(details, order.client_ip.clone()))
                    .map_err(error)?;
                Ok(PhoneCode::H5 {
                    h5_url: prepay.h5_url,
                })
            }
        }
    }

    fn query(&self, out_trade_no: &str) -> Result<RemoteTrade, GatewayError> {
        let t = self
            .api
            .query_by_out_trade_no(out_trade_no)
            .map_err(error)?;
        Ok(match &t.trade_state {
            TradeState::Success | TradeState::Refund => {
                let total = t.amount.as_ref().and_then(|a| a.total);
                match (t.transaction_id.clone(), total) {
                    (Some(transaction_id), Some(total)) => RemoteTrade::Paid(PaidFacts {
                        transaction_id,
                        total: Fen::new(total),
                        cash: t.amount.as_ref().and_then(|a| a.payer_total).map(Fen::new),
                        bank_type: t.bank_type.clone(),
                        time_end: t.success_time.map(time_end),
                        openid: t.payer.as_ref().map(|p| p.openid.clone()),
                    }),
                    _ => RemoteTrade::Other(t.trade_state.as_str().to_owned()),
                }
            }
            TradeState::NotPay | TradeState::UserPaying => RemoteTrade::Open,
            TradeState::Closed | TradeState::Revoked | TradeState::PayError => RemoteTrade::Closed,
            TradeState::Other(s) => RemoteTrade::Other(s.clone()),
        })
    }

    fn close(&self, out_trade_no: &str) -> Result<(), GatewayError> {
        self.api.close(out_trade_no).map_err(error)
    }

    fn refund(&self, refund: &RefundOrder) -> Result<String, GatewayError> {
        let reply = self
            .api
            .refund(&v3::RefundRequest {
                order: v3::RefundOrder::TransactionId(refund.transaction_id.clone()),
                out_refund_no: refund.out_refund_no.clone(),
                reason: Some(refund.reason.clone()).filter(|r| !r.is_empty()),
                notify_url: refund.notify_url.clone(),
                refund: refund.amount.get(),
                total: refund.total.get(),
            })
            .map_err(error)?;
        Ok(reply.refund_id)
    }

    fn payment_notice(&self, notice: &Notice<'_>) -> Result<PaymentNotice, GatewayError> {
        let payment = self
            .notifications
            .payment(&headers(notice)?, notice.body)
            .map_err(bad_notice)?;
        let paid = (payment.trade_state == TradeState::Success).then(|| PaidFacts {
            transaction_id: payment.transaction_id.clone(),
            total: Fen::new(payment.amount.total),
            cash: Some(Fen::new(payment.amount.payer_total)),
            bank_type: Some(payment.bank_type.clone()).filter(|b| !b.is_empty()),
            time_end: Some(time_end(payment.success_time)),
            openid: Some(payment.payer.openid.clone()),
        });
        Ok(PaymentNotice {
            out_trade_no: payment.out_trade_no,
            paid,
        })
    }

    fn refund_notice(&self, notice: &Notice<'_>) -> Result<RefundNotice, GatewayError> {
        let refund = self
            .notifications
            .refund(&headers(notice)?, notice.body)
            .map_err(bad_notice)?;
        let event = match refund.refund_status.as_str() {
            "SUCCESS" => RefundEvent::Succeeded,
            "CLOSED" => RefundEvent::Closed,
            "ABNORMAL" => RefundEvent::Abnormal,
            other => return Err(bad_notice(format!("unknown refund_status {other}"))),
        };
        Ok(RefundNotice {
            out_refund_no: refund.out_refund_no,
            refund_id: refund.refund_id,
            event,
        })
    }

    fn trade_bill(&self, date: NaiveDate) -> Result<BillOutcome<Vec<u8>>, GatewayError> {
        self.api
            .bill(&v3::TradeBillRequest {
                bill_date: date,
                bill_type: BillType::All,
                gzip: true,
            })
            .map_err(error)
    }
}
