//! The v3 client for async services (feature `async`): the same signed
//! requests and verified replies as [`Client`], sent with reqwest, so no
//! runtime thread ever waits on the network.

use super::call::Call;
use super::client::Client;
use super::config::Config;
use super::error::{Error, config_err};
use super::notify::Notifications;
use super::phone::{AppOrder, H5Order, H5Prepay, JsapiOrder, Prepay};
use super::transport::MAX_REPLY_BYTES;
use super::types::{NativeOrder, NativePrepay, RefundReply, RefundRequest, Transaction};
use super::verifier::{HttpReply, Verifier};
use crate::http::{AsyncFailure, async_client, read_reply};
use std::sync::Arc;

/// The v3 merchant API for async code: `client.jsapi(&order).await`.
/// Cheap to clone (connections and keys are shared).
#[derive(Clone)]
pub struct AsyncClient {
    client: Arc<Client>,
    http: reqwest::Client,
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl AsyncClient {
    /// A client with the system clock and its own connection pool; fails
    /// as [`Client::new`] does.
    pub fn new(config: Config) -> Result<AsyncClient, Error> {
        let http = async_client(config.timeout, config.root_certs_pem.as_deref(), None)
            .map_err(config_err)?;
        Ok(AsyncClient::with_http(Client::new(config)?, http))
    }

    /// Sends `client`'s requests with `http` (shared with the rest of a
    /// service, for one connection pool). `http` decides timeouts and
    /// trusted roots, and should follow no redirects.
    pub fn with_http(client: Client, http: reqwest::Client) -> AsyncClient {
        AsyncClient {
            client: Arc::new(client),
            http,
        }
    }

    /// The sans-IO core: builds calls, checks replies, signs parameters.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The verifier (shared with notification parsing).
    pub fn verifier(&self) -> Arc<Verifier> {
        self.client.verifier()
    }

    /// A notification parser with this client's verifier, key and merchant.
    pub fn notifications(&self) -> Notifications {
        self.client.notifications()
    }

    /// `POST /v3/pay/transactions/native`: the QR code's `code_url`.
    pub async fn native(&self, order: &NativeOrder) -> Result<NativePrepay, Error> {
        self.send(self.client.native_call(order)?).await
    }

    /// `POST /v3/pay/transactions/jsapi`: the `prepay_id` for
    /// [`AsyncClient::jsapi_params`].
    pub async fn jsapi(&self, order: &JsapiOrder) -> Result<Prepay, Error> {
        self.send(self.client.jsapi_call(order)?).await
    }

    /// `POST /v3/pay/transactions/h5`: the cashier's `h5_url`.
    pub async fn h5(&self, order: &H5Order) -> Result<H5Prepay, Error> {
        self.send(self.client.h5_call(order)?).await
    }

    /// `POST /v3/pay/transactions/app`: the `prepay_id` for
    /// [`AsyncClient::app_params`].
    pub async fn app(&self, order: &AppOrder) -> Result<Prepay, Error> {
        self.send(self.client.app_call(order)?).await
    }

    /// `GET /v3/pay/transactions/out-trade-no/{no}?mchid=`.
    pub async fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, Error> {
        self.send(self.client.query_call(out_trade_no)?).await
    }

    /// `GET /v3/pay/transactions/id/{id}?mchid=`.
    pub async fn query_by_transaction_id(
        &self,
        transaction_id: &str,
    ) -> Result<Transaction, Error> {
        self.send(self.client.query_by_id_call(transaction_id)?)
            .await
    }

    /// `POST /v3/pay/transactions/out-trade-no/{no}/close` (204).
    pub async fn close(&self, out_trade_no: &str) -> Result<(), Error> {
        self.send(self.client.close_call(out_trade_no)?).await
    }

    /// `POST /v3/refund/domestic/refunds`.
    pub async fn refund(&self, refund: &RefundRequest) -> Result<RefundReply, Error> {
        self.send(self.client.refund_call(refund)?).await
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    pub async fn query_refund(&self, out_refund_no: &str) -> Result<RefundReply, Error> {
        self.send(self.client.query_refund_call(out_refund_no)?)
            .await
    }

    /// The `getBrandWCPayRequest` parameters of a JSAPI order, signed by
    /// the merchant key (no I/O).
    pub fn jsapi_params(&self, prepay_id: &str) -> crate::JsapiParams {
        self.client.jsapi_params(prepay_id)
    }

    /// The parameters of an APP order, signed by the merchant key (no I/O).
    pub fn app_params(&self, prepay_id: &str) -> crate::AppParams {
        self.client.app_params(prepay_id)
    }

    /// Sends any [`Call`] and reads its verified reply. Verification is
    /// CPU work of microseconds and runs here, except when it would first
    /// download platform certificates: that runs on tokio's blocking pool.
    pub async fn send<T: Send + 'static>(&self, call: Call<T>) -> Result<T, Error> {
        let request = call.request();
        let mut builder = match request.method {
            "GET" => self.http.get(&request.url),
            _ => self.http.post(&request.url).body(request.body.clone()),
        };
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let (status, headers, body) = read_reply(builder.send().await, MAX_REPLY_BYTES)
            .await
            .map_err(|e| match e {
                AsyncFailure::Timeout => Error::Timeout,
                AsyncFailure::TooLarge => {
                    Error::BadReply(format!("reply larger than {MAX_REPLY_BYTES} bytes"))
                }
                AsyncFailure::Transport(msg) => Error::Transport(msg),
            })?;
        let reply = HttpReply {
            status,
            headers,
            body,
        };
        if !self.client.may_block(&reply) {
            return self.client.finish(call, reply);
        }
        let client = self.client.clone();
        tokio::task::spawn_blocking(move || client.finish(call, reply))
            .await
            .map_err(|e| Error::Transport(format!("verification task: {e}")))?
    }
}
