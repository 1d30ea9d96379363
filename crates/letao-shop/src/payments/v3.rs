//! [`PaymentGateway`] over WeChat Pay API v3 (JSON, RSA signatures,
//! AES-GCM notifications), with either verification mode, on the crate's
//! async client. Notifications are verified and bills downloaded on
//! tokio's blocking threads: either may download platform certificates.

use super::{
    GatewayError, GatewayErrorKind, NativeCode, NativeOrder, Notice, OwnedNotice, PaidFacts,
    PaymentGateway, PaymentNotice, PhoneCode, PhonePay, RefundNotice, RefundOrder, RemoteTrade,
    lost,
};
use chrono::{FixedOffset, NaiveDate};
use letao_domain::Fen;
use letao_domain::order::RefundEvent;
use wechat_pay::TradeState;
use wechat_pay::bill::{BillOutcome, BillType};
use wechat_pay::v3::{self, Api, AsyncClient, Notifications, SignedHeaders};

/// China time, in which WeChat counts days and writes times.
const CHINA: i32 = 8 * 3600;

/// The v3 adapter: the async client for calls (and the merchant key for
/// JSAPI parameters), its notification parser for the callbacks.
pub struct WechatV3 {
    api: AsyncClient,
    notifications: Notifications,
}

impl WechatV3 {
    /// The adapter over a client (WeChat's, or one pointed at the
    /// simulator).
    pub fn new(api: AsyncClient) -> WechatV3 {
        WechatV3 {
            notifications: api.notifications(),
            api,
        }
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

#[async_trait::async_trait]
impl PaymentGateway for WechatV3 {
    async fn create(&self, order: &NativeOrder) -> Result<NativeCode, GatewayError> {
        let china = FixedOffset::east_opt(CHINA).ok_or_else(|| bad_notice("time zone"))?;
        let prepay = self
            .api
            .native(&v3::NativeOrder {
                description: order.description.clone(),
                out_trade_no: order.out_trade_no.clone(),
                total: order.total.get(),
                notify_url: order.notify_url.clone(),
                time_expire: Some(order.expires_at.with_timezone(&china)),
                attach: None,
                goods_tag: None,
            })
            .await
            .map_err(error)?;
        Ok(NativeCode {
            code_url: prepay.code_url,
            prepay_id: None,
        })
    }

    async fn create_phone(
        &self,
        order: &NativeOrder,
        pay: &PhonePay,
    ) -> Result<PhoneCode, GatewayError> {
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
                let prepay = self
                    .api
                    .jsapi(&v3::JsapiOrder::new(details, openid.clone()))
                    .await
                    .map_err(error)?;
                Ok(PhoneCode::Jsapi(self.api.jsapi_params(&prepay.prepay_id)))
            }
            PhonePay::H5 { .. } => {
                let prepay = self
                    .api
                    .h5(&v3::H5Order::new(details, order.client_ip.clone()))
                    .await
                    .map_err(error)?;
                Ok(PhoneCode::H5 {
                    h5_url: prepay.h5_url,
                })
            }
        }
    }

    async fn query(&self, out_trade_no: &str) -> Result<RemoteTrade, GatewayError> {
        let t = self
            .api
            .query_by_out_trade_no(out_trade_no)
            .await
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

    async fn close(&self, out_trade_no: &str) -> Result<(), GatewayError> {
        self.api.close(out_trade_no).await.map_err(error)
    }

    async fn refund(&self, refund: &RefundOrder) -> Result<String, GatewayError> {
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
            .await
            .map_err(error)?;
        Ok(reply.refund_id)
    }

    async fn payment_notice(&self, notice: &Notice<'_>) -> Result<PaymentNotice, GatewayError> {
        let (owned, parser) = (OwnedNotice::new(notice), self.notifications.clone());
        let payment = tokio::task::spawn_blocking(move || {
            let notice = owned.notice();
            parser
                .payment(&headers(&notice)?, notice.body)
                .map_err(bad_notice)
        })
        .await
        .map_err(lost)??;
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

    async fn refund_notice(&self, notice: &Notice<'_>) -> Result<RefundNotice, GatewayError> {
        let (owned, parser) = (OwnedNotice::new(notice), self.notifications.clone());
        let refund = tokio::task::spawn_blocking(move || {
            let notice = owned.notice();
            parser
                .refund(&headers(&notice)?, notice.body)
                .map_err(bad_notice)
        })
        .await
        .map_err(lost)??;
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

    async fn trade_bill(&self, date: NaiveDate) -> Result<BillOutcome<Vec<u8>>, GatewayError> {
        let api = self.api.clone();
        tokio::task::spawn_blocking(move || {
            api.client().bill(&v3::TradeBillRequest {
                bill_date: date,
                bill_type: BillType::All,
                gzip: true,
            })
        })
        .await
        .map_err(lost)?
        .map_err(error)
    }
}
