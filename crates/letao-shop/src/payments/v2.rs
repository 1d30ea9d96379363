//! [`PaymentGateway`] over WeChat Pay API v2 (XML), on the crate's async
//! client; the bill download stays on the blocking one.

use super::{
    GatewayError, GatewayErrorKind, NativeCode, NativeOrder, Notice, PaidFacts, PaymentGateway,
    PaymentNotice, PhoneCode, PhonePay, RefundNotice, RefundOrder, RemoteTrade, lost,
};
use chrono::NaiveDate;
use letao_domain::Fen;
use letao_domain::order::RefundEvent;
use std::sync::Arc;
use wechat_pay::bill::{BillOutcome, BillType};
use wechat_pay::{
    AsyncClient, Client, Config, H5Order, H5Scene, JsapiOrder, Merchant, OrderDetails, OrderRef,
    Refund, TradeState, UnifiedOrder, WechatPayApi, WechatPayError,
};

/// WeChat's word for a successful payment or refund.
const SUCCESS: &str = "SUCCESS";

/// The v2 adapter: the async client for calls, a blocking one for bills,
/// the merchant for notifications and JSAPI parameters.
pub struct WechatV2 {
    api: AsyncClient,
    bills: Arc<dyn WechatPayApi>,
    merchant: Merchant,
}

impl WechatV2 {
    /// The adapter for a merchant's settings (WeChat's, or a simulator's
    /// `base_url`); fails as the crate's clients do.
    pub fn new(config: Config) -> Result<WechatV2, WechatPayError> {
        let merchant = config.merchant.clone();
        Ok(WechatV2 {
            bills: Arc::new(Client::new(config.clone())?),
            api: AsyncClient::new(config)?,
            merchant,
        })
    }
}

fn error(err: WechatPayError) -> GatewayError {
    let kind = match err.err_code() {
        Some("ORDERPAID") => GatewayErrorKind::OrderPaid,
        Some("ORDERNOTEXIST" | "ORDERCLOSED") => GatewayErrorKind::OrderGone,
        Some("OUT_TRADE_NO_USED") => GatewayErrorKind::NumberUsed,
        _ if err.is_retryable() => GatewayErrorKind::Retryable,
        _ => GatewayErrorKind::Refused,
    };
    let message = match &err {
        WechatPayError::ResultFail {
            err_code,
            err_code_des,
        } if !err_code_des.is_empty() => format!("{err_code_des} ({err_code})"),
        WechatPayError::ReturnFail { return_msg } => return_msg.clone(),
        other => other.to_string(),
    };
    GatewayError { kind, message }
}

fn bad_notice(err: WechatPayError) -> GatewayError {
    GatewayError {
        kind: GatewayErrorKind::BadNotice,
        message: err.to_string(),
    }
}

#[async_trait::async_trait]
impl PaymentGateway for WechatV2 {
    async fn create(&self, order: &NativeOrder) -> Result<NativeCode, GatewayError> {
        let placed = self
            .api
            .native(&UnifiedOrder {
                body: order.description.clone(),
                out_trade_no: order.out_trade_no.clone(),
                total_fee: order.total.get(),
                spbill_create_ip: order.client_ip.clone(),
                notify_url: order.notify_url.clone(),
                product_id: order.product_id.clone(),
                time_expire: Some(wechat_pay::time_expire(order.expires_at)),
                attach: None,
            })
            .await
            .map_err(error)?;
        Ok(NativeCode {
            code_url: placed.code_url,
            prepay_id: Some(placed.prepay_id),
        })
    }

    async fn create_phone(
        &self,
        order: &NativeOrder,
        pay: &PhonePay,
    ) -> Result<PhoneCode, GatewayError> {
        let details = OrderDetails::new(
            order.description.clone(),
            order.out_trade_no.clone(),
            order.total.get(),
            order.client_ip.clone(),
            order.notify_url.clone(),
        )
        .time_expire(order.expires_at);
        match pay {
            PhonePay::Jsapi { openid } => {
                let prepay = self
                    .api
                    .jsapi(&JsapiOrder::new(details, openid.clone()))
                    .await
                    .map_err(error)?;
                Ok(PhoneCode::Jsapi(
                    self.merchant.jsapi_params(&prepay.prepay_id),
                ))
            }
            PhonePay::H5 { wap_url, wap_name } => {
                let prepay = self
                    .api
                    .h5(&H5Order::new(
                        details,
                        H5Scene::new(wap_url.clone(), wap_name.clone()),
                    ))
                    .await
                    .map_err(error)?;
                Ok(PhoneCode::H5 {
                    h5_url: prepay.mweb_url,
                })
            }
        }
    }

    async fn query(&self, out_trade_no: &str) -> Result<RemoteTrade, GatewayError> {
        let answer = self
            .api
            .order_query(&OrderRef::OutTradeNo(out_trade_no.to_owned()))
            .await
            .map_err(error)?;
        Ok(match &answer.trade_state {
            TradeState::Success | TradeState::Refund => {
                match (answer.transaction_id.clone(), answer.total_fee) {
                    (Some(transaction_id), Some(total)) => RemoteTrade::Paid(PaidFacts {
                        transaction_id,
                        total: Fen::new(total),
                        cash: answer
                            .raw
                            .get("cash_fee")
                            .and_then(|c| c.parse().ok())
                            .map(Fen::new),
                        bank_type: answer.bank_type.clone(),
                        time_end: answer.time_end.clone(),
                        openid: answer.raw.get("openid").cloned(),
                    }),
                    // Paid without the facts to record it: leave it for later.
                    _ => RemoteTrade::Other(answer.trade_state.as_str().to_owned()),
                }
            }
            TradeState::NotPay | TradeState::UserPaying => RemoteTrade::Open,
            TradeState::Closed | TradeState::Revoked | TradeState::PayError => RemoteTrade::Closed,
            TradeState::Other(s) => RemoteTrade::Other(s.clone()),
        })
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), GatewayError> {
        self.api.close_order(out_trade_no).await.map_err(error)
    }

    async fn refund(&self, refund: &RefundOrder) -> Result<String, GatewayError> {
        let accepted = self
            .api
            .refund(&Refund {
                order: OrderRef::TransactionId(refund.transaction_id.clone()),
                out_refund_no: refund.out_refund_no.clone(),
                total_fee: refund.total.get(),
                refund_fee: refund.amount.get(),
                refund_desc: Some(refund.reason.clone()),
                notify_url: refund.notify_url.clone(),
            })
            .await
            .map_err(error)?;
        Ok(accepted.refund_id)
    }

    async fn payment_notice(&self, notice: &Notice<'_>) -> Result<PaymentNotice, GatewayError> {
        let n = self
            .merchant
            .payment_notification(notice.body)
            .map_err(bad_notice)?;
        let paid = (n.result_code == SUCCESS).then(|| PaidFacts {
            transaction_id: n.transaction_id,
            total: Fen::new(n.total_fee),
            cash: n.cash_fee.map(Fen::new),
            bank_type: n.bank_type,
            time_end: n.time_end,
            openid: n.openid,
        });
        Ok(PaymentNotice {
            out_trade_no: n.out_trade_no,
            paid,
        })
    }

    async fn refund_notice(&self, notice: &Notice<'_>) -> Result<RefundNotice, GatewayError> {
        let n = self
            .merchant
            .refund_notification(notice.body)
            .map_err(bad_notice)?;
        let event = match n.refund_status.as_str() {
            SUCCESS => RefundEvent::Succeeded,
            "REFUNDCLOSE" => RefundEvent::Closed,
            "CHANGE" => RefundEvent::Abnormal,
            other => {
                return Err(GatewayError {
                    kind: GatewayErrorKind::BadNotice,
                    message: format!("unknown refund_status {other}"),
                });
            }
        };
        Ok(RefundNotice {
            out_refund_no: n.out_refund_no,
            refund_id: n.refund_id,
            event,
        })
    }

    async fn trade_bill(&self, date: NaiveDate) -> Result<BillOutcome<Vec<u8>>, GatewayError> {
        let bills = self.bills.clone();
        tokio::task::spawn_blocking(move || bills.download_bill(date, BillType::All, true))
            .await
            .map_err(lost)?
            .map_err(error)
    }
}
