//! The v2 client for async services (feature `async`): the same signed
//! requests and checked replies as [`Client`], sent with reqwest.

use crate::client::{MAX_REPLY_BYTES, Op, needs_certificate, ops};
use crate::http::{AsyncFailure, async_client, read_reply};
use crate::phone::{AppOrder, H5Order, JsapiOrder, MwebPrepay, Prepay};
use crate::types::FromRaw;
use crate::{
    Client, Config, JsapiParams, Merchant, OrderQueryResult, OrderRef, Refund, RefundQueryResult,
    RefundResult, UnifiedOrder, UnifiedOrderResult, WechatPayError,
};
use std::sync::Arc;

/// The v2 merchant API for async code: `client.jsapi(&order).await`.
/// Cheap to clone.
#[derive(Clone)]
pub struct AsyncClient {
    client: Arc<Client>,
    http: reqwest::Client,
    /// Presents the merchant certificate (refunds).
    cert_http: Option<reqwest::Client>,
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

fn config_err(e: String) -> WechatPayError {
    WechatPayError::Config(e)
}

impl AsyncClient {
    /// A client with its own connection pools; fails as [`Client::new`].
    pub fn new(config: Config) -> Result<AsyncClient, WechatPayError> {
        let roots = config.root_certs_pem.as_deref();
        let http = async_client(config.timeout, roots, None).map_err(config_err)?;
        let cert_http = config
            .client_identity
            .as_ref()
            .map(|id| async_client(config.timeout, roots, Some(id)).map_err(config_err))
            .transpose()?;
        Ok(AsyncClient {
            client: Arc::new(Client::new(config)?),
            http,
            cert_http,
        })
    }

    /// The merchant this client acts for (it also signs client-side
    /// parameters and verifies notifications).
    pub fn merchant(&self) -> &Merchant {
        self.client.merchant()
    }

    /// `unifiedorder`, `trade_type=NATIVE`: the QR code's `code_url`.
    pub async fn native(&self, order: &UnifiedOrder) -> Result<UnifiedOrderResult, WechatPayError> {
        self.send(ops::native(order)).await
    }

    /// `unifiedorder`, `trade_type=JSAPI`: the `prepay_id` for
    /// [`AsyncClient::jsapi_params`].
    pub async fn jsapi(&self, order: &JsapiOrder) -> Result<Prepay, WechatPayError> {
        self.send(ops::jsapi(order)?).await
    }

    /// `unifiedorder`, `trade_type=MWEB`: the cashier's `mweb_url`.
    pub async fn h5(&self, order: &H5Order) -> Result<MwebPrepay, WechatPayError> {
        self.send(ops::h5(order)).await
    }

    /// `unifiedorder`, `trade_type=APP`.
    pub async fn app(&self, order: &AppOrder) -> Result<Prepay, WechatPayError> {
        self.send(ops::app(order)).await
    }

    /// `/pay/orderquery`.
    pub async fn order_query(&self, order: &OrderRef) -> Result<OrderQueryResult, WechatPayError> {
        self.send(ops::order_query(order)).await
    }

    /// `/pay/closeorder`.
    pub async fn close_order(&self, out_trade_no: &str) -> Result<(), WechatPayError> {
        self.send(ops::close_order(out_trade_no)).await
    }

    /// `/secapi/pay/refund` (mutual TLS with the configured identity).
    pub async fn refund(&self, refund: &Refund) -> Result<RefundResult, WechatPayError> {
        self.send(ops::refund(refund)).await
    }

    /// `/pay/refundquery`.
    pub async fn refund_query(
        &self,
        order: &OrderRef,
    ) -> Result<RefundQueryResult, WechatPayError> {
        self.send(ops::refund_query(order)).await
    }

    /// The `getBrandWCPayRequest` parameters of a JSAPI order (no I/O).
    pub fn jsapi_params(&self, prepay_id: &str) -> JsapiParams {
        self.client.merchant().jsapi_params(prepay_id)
    }

    async fn send<T: FromRaw>(&self, op: Op<T>) -> Result<T, WechatPayError> {
        let http = match (&self.cert_http, op.with_cert) {
            (Some(cert_http), true) => cert_http,
            (None, true) if needs_certificate(self.client.base_url()) => {
                return Err(WechatPayError::Config(
                    "refunds need the merchant client certificate".into(),
                ));
            }
            _ => &self.http,
        };
        let sent = http
            .post(format!("{}{}", self.client.base_url(), op.path))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(self.client.request_body(&op))
            .send()
            .await;
        let (status, _, body) = read_reply(sent, MAX_REPLY_BYTES)
            .await
            .map_err(|e| match e {
                AsyncFailure::Timeout => WechatPayError::Timeout,
                AsyncFailure::TooLarge => WechatPayError::Xml(crate::XmlError::TooLarge),
                AsyncFailure::Transport(msg) => WechatPayError::Transport(msg),
            })?;
        if status != 200 {
            return Err(WechatPayError::HttpStatus(status));
        }
        self.client.read_reply(&body)
    }
}
