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

/// JSON replies larger than this are refused.
pub(super) const MAX_REPLY_BYTES: u64 = 1024 * 1024;

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

    /// Signs and sends one request; the reply, its body read up to `limit`.
    pub(super) fn send(
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
