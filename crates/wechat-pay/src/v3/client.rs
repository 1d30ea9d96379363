//! The v3 merchant API client (blocking, over ureq): building it, and the
//! signed, verified exchange every operation goes through.

use super::call::Call;
use super::clock::{Clock, SystemClock};
use super::config::Config;
use super::error::{Error, SignatureError, config_err};
use super::keys::{ApiV3Key, PrivateKey, PublicKey};
use super::notify::Notifications;
use super::transport::{MAX_REPLY_BYTES, Transport, api_error};
use super::types::Transaction;
use super::verifier::{HttpReply, SignedHeaders, Verifier};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The real v3 client.
pub struct Client {
    pub(super) appid: String,
    pub(super) mchid: String,
    apiv3_key: ApiV3Key,
    pub(super) transport: Arc<Transport>,
    verifier: Arc<Verifier>,
    clock: Arc<dyn Clock>,
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

impl Client {
    /// A client with the system clock; fails on an unusable key, APIv3 key,
    /// base URL, certificate, or with no verification mode at all.
    pub fn new(config: Config) -> Result<Client, Error> {
        Client::with_clock(config, Arc::new(SystemClock))
    }

    /// A client whose timestamps (signed and checked) come from `clock`.
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Client, Error> {
        let base_url = crate::http::base_url(&config.base_url).map_err(config_err)?;
        let key = PrivateKey::from_pem(config.merchant_private_key.expose_secret())?;
        let apiv3_key = ApiV3Key::from_secret(&config.apiv3_key)?;
        let transport = Arc::new(Transport::new(base_url, &config, key, clock.clone())?);
        let mut verifier = Verifier::new(clock.clone());
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
            clock,
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

    /// The `getBrandWCPayRequest` parameters of a JSAPI order (also
    /// `wx.requestPayment` in a mini-program): this client's appid, now, a
    /// fresh nonce, `package=prepay_id=..`, `signType` `RSA` and `paySign`
    /// by the merchant key.
    pub fn jsapi_params(&self, prepay_id: &str) -> crate::JsapiParams {
        self.jsapi_params_at(prepay_id, self.clock.now().timestamp(), &crate::nonce_str())
    }

    /// [`Client::jsapi_params`] with a given time and nonce.
    pub fn jsapi_params_at(
        &self,
        prepay_id: &str,
        time_stamp: i64,
        nonce_str: &str,
    ) -> crate::JsapiParams {
        let key = self.transport.signer().key();
        crate::JsapiParams::v3(key, &self.appid, prepay_id, time_stamp, nonce_str)
    }

    /// The parameters of an APP order for the app's `PayReq`, signed by
    /// the merchant key.
    pub fn app_params(&self, prepay_id: &str) -> crate::AppParams {
        let key = self.transport.signer().key();
        let now = self.clock.now().timestamp();
        crate::AppParams::v3(
            key,
            &self.appid,
            &self.mchid,
            prepay_id,
            now,
            &crate::nonce_str(),
        )
    }

    /// Sends a signed request; a 2xx reply is verified before it is
    /// returned, a signed error reply too (an unsigned one is still an error).
    pub(super) fn exchange(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<HttpReply, Error> {
        let reply = self.transport.send(method, path, body, MAX_REPLY_BYTES)?;
        self.check_reply(reply)
    }

    /// Checks a raw reply: a 2xx one must be signed by WeChat and is
    /// returned; a signed error reply is verified too (an unsigned one is
    /// still an error) and becomes [`Error::Api`]. In certificate mode an
    /// unknown serial first downloads the certificates (blocking; see
    /// [`Client::may_block`]).
    pub fn check_reply(&self, reply: HttpReply) -> Result<HttpReply, Error> {
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

    /// True when checking `reply` may block on a certificate download
    /// (certificate mode, a serial not seen yet): an async caller then
    /// checks it on a blocking thread.
    pub fn may_block(&self, reply: &HttpReply) -> bool {
        reply
            .headers
            .get("wechatpay-serial")
            .is_some_and(|serial| self.verifier.may_download(serial.trim()))
    }

    /// Checks the reply to `call`'s request and reads it (sans-IO: send
    /// [`Call::request`] with any HTTP client, then hand the reply here).
    pub fn finish<T>(&self, call: Call<T>, reply: HttpReply) -> Result<T, Error> {
        let reply = self.check_reply(reply)?;
        (call.read)(self, reply)
    }

    /// Sends `call` with the blocking transport and reads its reply.
    pub(super) fn run<T>(&self, call: Call<T>) -> Result<T, Error> {
        let reply = self.transport.execute(&call.request, MAX_REPLY_BYTES)?;
        self.finish(call, reply)
    }

    pub(super) fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<T, Error> {
        let reply = self.exchange(method, path, body)?;
        serde_json::from_slice(&reply.body).map_err(|e| Error::BadReply(e.to_string()))
    }

    pub(super) fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(value).map_err(|e| Error::InvalidRequest(e.to_string()))
    }

    pub(super) fn ours(&self, t: Transaction) -> Result<Transaction, Error> {
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
