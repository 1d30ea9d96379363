//! Signed requests and raw replies: what the client and its certificate
//! downloads share.

use super::auth::MerchantSigner;
use super::clock::Clock;
use super::config::Config;
use super::error::{Error, config_err};
use super::keys::PrivateKey;
use super::types::ErrorBody;
use super::verifier::{CertificateSource, HttpReply};
use std::collections::HashMap;
use std::sync::Arc;

/// `User-Agent` of every request.
const USER_AGENT: &str = concat!("wechat-pay-rs/", env!("CARGO_PKG_VERSION"));

/// A signed request, ready for any HTTP client: what a transport sends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The absolute URL (base URL, path and query).
    pub url: String,
    /// `Authorization` (the signature), `Accept`, `User-Agent`, and
    /// `Content-Type` for a POST.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body exactly as signed (empty for GET).
    pub body: Vec<u8>,
}

/// JSON replies larger than this are refused.
pub const MAX_REPLY_BYTES: u64 = 1024 * 1024;

/// Signs and sends requests; shared by the client and its certificate
/// downloads.
pub(super) struct Transport {
    agent: ureq::Agent,
    /// Where requests go, without a trailing slash.
    pub(super) base_url: String,
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
    /// Requests to `base_url` (already checked) with `config`'s timeout and
    /// roots, signed with `key` at `clock`'s time.
    pub(super) fn new(
        base_url: String,
        config: &Config,
        key: PrivateKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Transport, Error> {
        let roots = config.root_certs_pem.as_deref();
        Ok(Transport {
            agent: crate::http::agent(config.timeout, roots, None).map_err(config_err)?,
            base_url,
            signer: MerchantSigner::new(&config.mchid, &config.merchant_serial, key),
            clock,
        })
    }

    /// The merchant's signer.
    pub(super) fn signer(&self) -> &MerchantSigner {
        &self.signer
    }

    /// The signed request: GET without a body, or POST with a JSON one.
    pub(super) fn prepare(
        &self,
        method: &'static str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<HttpRequest, Error> {
        match (method, &body) {
            ("GET", None) | ("POST", Some(_)) => {}
            _ => return Err(Error::InvalidRequest(format!("{method} with this body"))),
        }
        let nonce = crate::nonce_str();
        let timestamp = self.clock.now().timestamp();
        let body = body.unwrap_or_default();
        let auth = self
            .signer
            .authorization(method, path_and_query, timestamp, &nonce, &body);
        let mut headers = vec![
            ("Authorization", auth.header_value()),
            ("Accept", "application/json".to_owned()),
            ("User-Agent", USER_AGENT.to_owned()),
        ];
        if method == "POST" {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        Ok(HttpRequest {
            method,
            url: format!("{}{path_and_query}", self.base_url),
            headers,
            body,
        })
    }

    /// Signs and sends one request; the reply, its body read up to `limit`.
    pub(super) fn send(
        &self,
        method: &'static str,
        path_and_query: &str,
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<HttpReply, Error> {
        let request = self.prepare(method, path_and_query, body.map(<[u8]>::to_vec))?;
        self.execute(&request, limit)
    }

    /// Sends a prepared request with ureq (blocking); the reply, its body
    /// read up to `limit`.
    pub(super) fn execute(&self, request: &HttpRequest, limit: u64) -> Result<HttpReply, Error> {
        let result = if request.method == "GET" {
            let mut builder = self.agent.get(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            builder.call()
        } else {
            let mut builder = self.agent.post(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            builder.send(&request.body[..])
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
