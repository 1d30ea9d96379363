//! The v3 merchant API client (blocking, over ureq).

use super::auth::MerchantSigner;
use super::error::{Error, SignatureError, config_err};
use super::keys::{ApiV3Key, PrivateKey, PublicKey};
use super::notify::Notifications;
use super::types::{
    ErrorBody, NativeOrder, NativeOrderBody, NativePrepay, OrderAmount, RefundBody, RefundOrder,
    RefundReply, RefundRequest, RefundRequestAmount, TradeBill, TradeBillRequest, Transaction,
};
use super::verifier::{CertificateSource, Clock, HttpReply, SignedHeaders, SystemClock, Verifier};
use crate::bill::{self, BillOutcome};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{RootCerts, TlsConfig};

/// The WeChat Pay public key and its id, from the merchant platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatPublicKey {
    /// `PUB_KEY_ID_...`, what `Wechatpay-Serial` names.
    pub id: String,
    /// `pub_key.pem`.
    pub pem: String,
}

/// v3 client settings.
#[derive(Clone)]
pub struct Config {
    /// App id.
    pub appid: String,
    /// Merchant id.
    pub mchid: String,
    /// Serial of the merchant API certificate.
    pub merchant_serial: String,
    /// The merchant API private key, PEM (PKCS#8 or PKCS#1).
    pub merchant_private_key: SecretString,
    /// The 32-byte APIv3 key.
    pub apiv3_key: SecretString,
    /// Verify with the WeChat Pay public key (merchants since late 2024).
    pub wechat_public_key: Option<WechatPublicKey>,
    /// Verify with platform certificates from `GET /v3/certificates`.
    /// Both may be on while migrating: the serial picks the key.
    pub platform_certificates: bool,
    /// At most one certificate download per this long for unknown serials
    /// (the first download always runs).
    pub certificate_refresh_cooldown: Duration,
    /// Base URL with scheme, [`crate::DEFAULT_BASE_URL`] in production.
    pub base_url: String,
    /// Limit for each whole call.
    pub timeout: Duration,
    /// Extra trusted root certificates (PEM) instead of the public roots.
    pub root_certs_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("appid", &self.appid)
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field(
                "wechat_public_key",
                &self.wechat_public_key.as_ref().map(|k| &k.id),
            )
            .field("platform_certificates", &self.platform_certificates)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Settings verifying with platform certificates, the production base
    /// URL, a 10 s timeout and a 60 s refresh cooldown. Call
    /// [`Config::with_public_key`] for the public-key mode.
    pub fn new(
        appid: &str,
        mchid: &str,
        merchant_serial: &str,
        merchant_private_key: SecretString,
        apiv3_key: SecretString,
    ) -> Config {
        Config {
            appid: appid.to_owned(),
            mchid: mchid.to_owned(),
            merchant_serial: merchant_serial.to_owned(),
            merchant_private_key,
            apiv3_key,
            wechat_public_key: None,
            platform_certificates: true,
            certificate_refresh_cooldown: Duration::from_secs(60),
            base_url: crate::DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(10),
            root_certs_pem: None,
        }
    }

    /// Verifies with the WeChat Pay public key instead of certificates.
    pub fn with_public_key(mut self, id: &str, pem: &str) -> Config {
        self.wechat_public_key = Some(WechatPublicKey {
            id: id.to_owned(),
            pem: pem.to_owned(),
        });
        self.platform_certificates = false;
        self
    }
}

/// The Native-payment operations of API v3. Blocking: call from a blocking
/// thread. Every reply is verified before it is read.
pub trait Api: Send + Sync {
    /// `POST /v3/pay/transactions/native`.
    fn create_native(&self, order: &NativeOrder) -> Result<NativePrepay, Error>;
    /// `GET /v3/pay/transactions/out-trade-no/{no}?mchid=`.
    fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, Error>;
    /// `GET /v3/pay/transactions/id/{id}?mchid=`.
    fn query_by_transaction_id(&self, transaction_id: &str) -> Result<Transaction, Error>;
    /// `POST /v3/pay/transactions/out-trade-no/{no}/close` (204).
    fn close(&self, out_trade_no: &str) -> Result<(), Error>;
    /// `POST /v3/refund/domestic/refunds`.
    fn refund(&self, refund: &RefundRequest) -> Result<RefundReply, Error>;
    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    fn query_refund(&self, out_refund_no: &str) -> Result<RefundReply, Error>;
    /// `GET /v3/bill/tradebill`; `NO_STATEMENT_EXIST` is [`BillOutcome::NoBill`].
    fn trade_bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<TradeBill>, Error>;
    /// Downloads a bill (unsigned by WeChat's rule), checks its SHA1 and
    /// decompresses it when gzipped.
    fn download_bill(&self, bill: &TradeBill) -> Result<Vec<u8>, Error>;
    /// [`Api::trade_bill`] then [`Api::download_bill`]: the bill's bytes.
    fn bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<Vec<u8>>, Error> {
        match self.trade_bill(request)? {
            BillOutcome::NoBill => Ok(BillOutcome::NoBill),
            BillOutcome::Bill(link) => Ok(BillOutcome::Bill(self.download_bill(&link)?)),
        }
    }
}

/// JSON replies larger than this are refused.
const MAX_REPLY_BYTES: u64 = 1024 * 1024;
/// Bill downloads larger than this are refused (compressed or not).
pub const MAX_BILL_BYTES: u64 = 512 * 1024 * 1024;

/// Signs and sends requests; shared by the client and its certificate
/// downloads.
struct Transport {
    agent: ureq::Agent,
    base_url: String,
    signer: MerchantSigner,
    clock: Arc<dyn Clock>,
}

fn transport_err(e: ureq::Error) -> Error {
    match e {
        ureq::Error::Timeout(_) => Error::Timeout,
        ureq::Error::BodyExceedsLimit(n) => Error::BadReply(format!("reply larger than {n} bytes")),
        other => Error::Transport(other.to_string()),
    }
}

impl Transport {
    fn send(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<HttpReply, Error> {
        let nonce = crate::nonce_str();
        let timestamp = self.clock.now().timestamp();
        let auth = self.signer.authorization(
            method,
            path_and_query,
            timestamp,
            &nonce,
            body.unwrap_or_default(),
        );
        let url = format!("{}{path_and_query}", self.base_url);
        let user_agent = concat!("wechat-pay-rs/", env!("CARGO_PKG_VERSION"));
        let result = match (method, body) {
            ("GET", None) => self
                .agent
                .get(&url)
                .header("Authorization", auth.header_value())
                .header("Accept", "application/json")
                .header("User-Agent", user_agent)
                .call(),
            ("POST", Some(body)) => self
                .agent
                .post(&url)
                .header("Authorization", auth.header_value())
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .header("User-Agent", user_agent)
                .send(body),
            _ => return Err(Error::InvalidRequest(format!("{method} with this body"))),
        };
        let mut res = result.map_err(transport_err)?;
        let status = res.status().as_u16();
        let headers: HashMap<String, String> = res
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned()))
            })
            .collect();
        let body = res
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(transport_err)?;
        Ok(HttpReply {
            status,
            headers,
            body,
        })
    }
}

impl CertificateSource for Transport {
    fn download_certificates(&self) -> Result<HttpReply, Error> {
        self.send("GET", "/v3/certificates", None, MAX_REPLY_BYTES)
    }
}

/// The error a non-2xx reply stands for: its status and WeChat's
/// `{code, message}` when the body has them.
pub(crate) fn api_error(reply: &HttpReply) -> Error {
    let body: Option<ErrorBody> = serde_json::from_slice(&reply.body).ok();
    Error::Api {
        status: reply.status,
        code: body.as_ref().map(|b| b.code.clone()).unwrap_or_default(),
        message: body.map(|b| b.message).unwrap_or_default(),
    }
}

/// The real v3 client.
pub struct Client {
    appid: String,
    mchid: String,
    apiv3_key: ApiV3Key,
    transport: Arc<Transport>,
    verifier: Arc<Verifier>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("appid", &self.appid)
            .field("mchid", &self.mchid)
            .field("base_url", &self.transport.base_url)
            .field("verifier", &self.verifier)
            .finish()
    }
}

/// Order and refund numbers go into URL paths: only WeChat's characters.
fn path_id<'a>(what: &str, id: &'a str) -> Result<&'a str, Error> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*'));
    if ok {
        Ok(id)
    } else {
        Err(Error::InvalidRequest(format!("{what} {id:?}")))
    }
}

impl Client {
    /// A client with the system clock; fails on an unusable key, APIv3 key,
    /// base URL, certificate, or with no verification mode at all.
    pub fn new(config: Config) -> Result<Client, Error> {
        Client::with_clock(config, Arc::new(SystemClock))
    }

    /// A client whose timestamps (signed and checked) come from `clock`.
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Client, Error> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(config_err("base_url must start with https:// or http://"));
        }
        let key = PrivateKey::from_pem(config.merchant_private_key.expose_secret())?;
        let apiv3_key = ApiV3Key::from_secret(&config.apiv3_key)?;
        let mut tls = TlsConfig::builder();
        if let Some(pem) = &config.root_certs_pem {
            let roots = crate::client::certificates(pem, "root certificates")
                .map_err(|e| config_err(e.to_string()))?;
            tls = tls.root_certs(RootCerts::new_with_certs(&roots));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .tls_config(tls.build())
            .build()
            .new_agent();
        let transport = Arc::new(Transport {
            agent,
            base_url: base,
            signer: MerchantSigner::new(&config.mchid, &config.merchant_serial, key),
            clock: clock.clone(),
        });
        let mut verifier = Verifier::new(clock);
        if let Some(pk) = &config.wechat_public_key {
            verifier = verifier.with_public_key(&pk.id, PublicKey::from_pem(&pk.pem)?);
        }
        if config.platform_certificates {
            verifier = verifier.with_platform_certificates(
                transport.clone(),
                apiv3_key.clone(),
                config.certificate_refresh_cooldown,
            );
        } else if config.wechat_public_key.is_none() {
            return Err(config_err(
                "no way to verify WeChat: configure the public key or platform certificates",
            ));
        }
        Ok(Client {
            appid: config.appid,
            mchid: config.mchid,
            apiv3_key,
            transport,
            verifier: Arc::new(verifier),
        })
    }

    /// The verifier (shared with notification parsing and the refresher).
    pub fn verifier(&self) -> Arc<Verifier> {
        self.verifier.clone()
    }

    /// A notification parser with this client's verifier, key and merchant.
    pub fn notifications(&self) -> Notifications {
        Notifications::new(
            self.verifier.clone(),
            self.apiv3_key.clone(),
            &self.appid,
            &self.mchid,
        )
    }

    /// Sends a signed request; a 2xx reply is verified before it is
    /// returned, a signed error reply too (an unsigned one is still an error).
    fn exchange(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<HttpReply, Error> {
        let reply = self.transport.send(method, path, body, MAX_REPLY_BYTES)?;
        let signed = SignedHeaders::from_map(&reply.headers);
        if (200..300).contains(&reply.status) {
            self.verifier.verify(&signed?, &reply.body)?;
            return Ok(reply);
        }
        match signed {
            Ok(headers) => self.verifier.verify(&headers, &reply.body)?,
            Err(SignatureError::MissingHeader(_)) => {}
            Err(e) => return Err(e.into()),
        }
        Err(api_error(&reply))
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<T, Error> {
        let reply = self.exchange(method, path, body)?;
        serde_json::from_slice(&reply.body).map_err(|e| Error::BadReply(e.to_string()))
    }

    fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(value).map_err(|e| Error::InvalidRequest(e.to_string()))
    }

    fn ours(&self, t: Transaction) -> Result<Transaction, Error> {
        check_merchant(&t.appid, &t.mchid, &self.appid, &self.mchid)?;
        Ok(t)
    }
}

pub(crate) fn check_merchant(
    appid: &str,
    mchid: &str,
    our_appid: &str,
    our_mchid: &str,
) -> Result<(), Error> {
    if appid != our_appid {
        return Err(Error::WrongMerchant {
            field: "appid",
            value: appid.to_owned(),
        });
    }
    if mchid != our_mchid {
        return Err(Error::WrongMerchant {
            field: "mchid",
            value: mchid.to_owned(),
        });
    }
    Ok(())
}

impl Api for Client {
    fn create_native(&self, order: &NativeOrder) -> Result<NativePrepay, Error> {
        path_id("out_trade_no", &order.out_trade_no)?;
        let body = Client::json(&NativeOrderBody {
            appid: self.appid.clone(),
            mchid: self.mchid.clone(),
            description: order.description.clone(),
            out_trade_no: order.out_trade_no.clone(),
            time_expire: order.time_expire,
            attach: order.attach.clone(),
            notify_url: order.notify_url.clone(),
            goods_tag: order.goods_tag.clone(),
            amount: OrderAmount {
                total: order.total,
                currency: "CNY".into(),
            },
        })?;
        self.call("POST", "/v3/pay/transactions/native", Some(&body))
    }

    fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, Error> {
        let no = path_id("out_trade_no", out_trade_no)?;
        let t = self.call(
            "GET",
            &format!(
                "/v3/pay/transactions/out-trade-no/{no}?mchid={}",
                self.mchid
            ),
            None,
        )?;
        self.ours(t)
    }

    fn query_by_transaction_id(&self, transaction_id: &str) -> Result<Transaction, Error> {
        let id = path_id("transaction_id", transaction_id)?;
        let t = self.call(
            "GET",
            &format!("/v3/pay/transactions/id/{id}?mchid={}", self.mchid),
            None,
        )?;
        self.ours(t)
    }

    fn close(&self, out_trade_no: &str) -> Result<(), Error> {
        let no = path_id("out_trade_no", out_trade_no)?;
        let body = Client::json(&serde_json::json!({ "mchid": self.mchid }))?;
        self.exchange(
            "POST",
            &format!("/v3/pay/transactions/out-trade-no/{no}/close"),
            Some(&body),
        )?;
        Ok(())
    }

    fn refund(&self, refund: &RefundRequest) -> Result<RefundReply, Error> {
        path_id("out_refund_no", &refund.out_refund_no)?;
        let (transaction_id, out_trade_no) = match &refund.order {
            RefundOrder::TransactionId(id) => (Some(id.clone()), None),
            RefundOrder::OutTradeNo(no) => (None, Some(no.clone())),
        };
        let body = Client::json(&RefundBody {
            transaction_id,
            out_trade_no,
            out_refund_no: refund.out_refund_no.clone(),
            reason: refund.reason.clone(),
            notify_url: refund.notify_url.clone(),
            amount: RefundRequestAmount {
                refund: refund.refund,
                total: refund.total,
                currency: "CNY".into(),
            },
        })?;
        self.call("POST", "/v3/refund/domestic/refunds", Some(&body))
    }

    fn query_refund(&self, out_refund_no: &str) -> Result<RefundReply, Error> {
        let no = path_id("out_refund_no", out_refund_no)?;
        self.call("GET", &format!("/v3/refund/domestic/refunds/{no}"), None)
    }

    fn trade_bill(&self, request: &TradeBillRequest) -> Result<BillOutcome<TradeBill>, Error> {
        let mut path = format!(
            "/v3/bill/tradebill?bill_date={}&bill_type={}",
            request.bill_date.format("%Y-%m-%d"),
            request.bill_type.as_str()
        );
        if request.gzip {
            path.push_str("&tar_type=GZIP");
        }
        match self.call::<TradeBill>("GET", &path, None) {
            Ok(mut bill) => {
                bill.gzip = request.gzip;
                Ok(BillOutcome::Bill(bill))
            }
            Err(e) if e.code() == Some("NO_STATEMENT_EXIST") => Ok(BillOutcome::NoBill),
            Err(e) => Err(e),
        }
    }

    fn download_bill(&self, bill: &TradeBill) -> Result<Vec<u8>, Error> {
        if !bill.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(Error::BadReply(format!("hash_type {}", bill.hash_type)));
        }
        // Our Authorization goes only to the host we were configured with.
        let path = bill
            .download_url
            .strip_prefix(&self.transport.base_url)
            .filter(|p| p.starts_with('/'))
            .ok_or_else(|| Error::BadReply(format!("download_url {}", bill.download_url)))?;
        // Downloads carry no WeChat signature; the SHA1 from the verified
        // tradebill reply is what vouches for the file.
        let reply = self.transport.send("GET", path, None, MAX_BILL_BYTES)?;
        if !(200..300).contains(&reply.status) {
            return Err(api_error(&reply));
        }
        let data = if bill.gzip {
            bill::gunzip(&reply.body, MAX_BILL_BYTES)
                .map_err(|e| Error::BadReply(format!("gzip: {e}")))?
        } else {
            reply.body
        };
        let actual = bill::sha1_hex(&data);
        if !actual.eq_ignore_ascii_case(bill.hash_value.trim()) {
            return Err(Error::BillHash {
                expected: bill.hash_value.clone(),
                actual,
            });
        }
        Ok(data)
    }
}
