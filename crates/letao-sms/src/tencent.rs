//! Tencent Cloud SMS `SendSms` (API version 2021-01-11), signed with
//! TC3-HMAC-SHA256, JSON over HTTPS.

use crate::{Receipt, SmsError, SmsSender};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use letao_domain::Mobile;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json";
/// Replies larger than this are not Tencent's and are refused.
const MAX_REPLY_BYTES: u64 = 256 * 1024;

/// Account and template settings of the Tencent Cloud backend.
#[derive(Debug, Clone)]
pub struct TencentConfig {
    /// API key id (`SecretId`).
    pub secret_id: String,
    /// API key secret (`SecretKey`).
    pub secret_key: SecretString,
    /// The SMS application (`SmsSdkAppId`).
    pub sdk_app_id: String,
    /// The approved signature (`SignName`).
    pub sign_name: String,
    /// The approved template (`TemplateId`).
    pub template_id: String,
    /// API region, e.g. `ap-guangzhou`.
    pub region: String,
    /// Base URL with scheme, e.g. `https://sms.tencentcloudapi.com`.
    pub endpoint: String,
    /// Limit for the whole request.
    pub timeout: Duration,
}

/// Sends through Tencent Cloud. Cheap to clone.
#[derive(Clone)]
pub struct TencentSender {
    inner: Arc<Inner>,
}

struct Inner {
    config: TencentConfig,
    url: String,
    host: String,
    agent: ureq::Agent,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsRequest<'a> {
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: &'a [String],
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    response: ResponseBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseBody {
    #[serde(default)]
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    serial_no: Option<String>,
}

/// The `Authorization` header value for a TC3-HMAC-SHA256 signed POST to `/`
/// with signed headers `content-type;host` (SPEC §7).
pub fn tc3_authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let date = chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string();
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(body))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    let signature = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    )
}

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

impl TencentSender {
    /// A sender for `config`; fails when the endpoint is not an http(s) URL.
    pub fn new(config: TencentConfig) -> Result<TencentSender, SmsError> {
        let uri: ureq::http::Uri =
            config
                .endpoint
                .parse()
                .map_err(|e| SmsError::Misconfigured {
                    code: "endpoint".into(),
                    message: format!("not a URL: {e}"),
                })?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let host = uri.authority().map(|a| a.as_str().to_owned());
        let (true, Some(host)) = (scheme_ok, host) else {
            return Err(SmsError::Misconfigured {
                code: "endpoint".into(),
                message: "must be an http:// or https:// base URL".into(),
            });
        };
        let url = format!("{}/", config.endpoint.trim_end_matches('/'));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(TencentSender {
            inner: Arc::new(Inner {
                config,
                url,
                host,
                agent,
            }),
        })
    }

    /// Sends synchronously with the clock at `timestamp` (seconds).
    fn send_blocking(
        &self,
        to: &Mobile,
        params: &[String],
        timestamp: i64,
    ) -> Result<Receipt, SmsError> {
        let inner = &self.inner;
        let c = &inner.config;
        let body = serde_json::to_vec(&SendSmsRequest {
            phone_number_set: [to.e164()],
            sms_sdk_app_id: &c.sdk_app_id,
            sign_name: &c.sign_name,
            template_id: &c.template_id,
            template_param_set: params,
        })
        .map_err(|e| SmsError::Transport(format!("cannot encode the request: {e}")))?;
        let authorization = tc3_authorization(
            &c.secret_id,
            c.secret_key.expose_secret(),
            SERVICE,
            &inner.host,
            CONTENT_TYPE,
            timestamp,
            &body,
        );
        let mut res = inner
            .agent
            .post(&inner.url)
            .header("Host", &inner.host)
            .header("Content-Type", CONTENT_TYPE)
            .header("Authorization", &authorization)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Region", &c.region)
            .header("X-TC-Timestamp", timestamp.to_string())
            .send(&body[..])
            .map_err(|e| SmsError::Transport(e.to_string()))?;
        let status = res.status();
        if !status.is_success() {
            return Err(SmsError::Transport(format!("HTTP {status}")));
        }
        let reply = res
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .read_to_vec()
            .map_err(|e| SmsError::Transport(format!("reading the reply: {e}")))?;
        let envelope: Envelope = serde_json::from_slice(&reply)
            .map_err(|e| SmsError::Transport(format!("unreadable reply: {e}")))?;
        let response = envelope.response;
        if let Some(err) = response.error {
            return Err(SmsError::from_tencent(&err.code, &err.message));
        }
        // One number was sent, so exactly one status is expected.
        let Some(sent) = response.send_status_set.into_iter().next() else {
            return Err(SmsError::Transport(format!(
                "reply without a send status (request {})",
                response.request_id.unwrap_or_default()
            )));
        };
        if sent.code != "Ok" {
            return Err(SmsError::from_tencent(&sent.code, &sent.message));
        }
        Ok(Receipt {
            message_id: sent.serial_no,
        })
    }
}

impl SmsSender for TencentSender {
    fn send<'a>(
        &'a self,
        to: &'a Mobile,
        params: &'a [String],
    ) -> BoxFuture<'a, Result<Receipt, SmsError>> {
        let this = self.clone();
        let to = to.clone();
        let params = params.to_vec();
        Box::pin(async move {
            let masked = to.masked();
            // ureq is blocking: keep it off the async workers.
            let result = tokio::task::spawn_blocking(move || {
                this.send_blocking(&to, &params, chrono::Utc::now().timestamp())
            })
            .await
            .map_err(|e| SmsError::Transport(format!("send task failed: {e}")))?;
            match &result {
                Ok(r) => tracing::info!(to = %masked, id = ?r.message_id, "SMS sent"),
                Err(e) => tracing::warn!(to = %masked, error = %e, "SMS not sent"),
            }
            result
        })
    }

    fn name(&self) -> &'static str {
        "tencent"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_follows_the_published_steps() {
        // Recomputed by hand from SPEC §7's steps for a fixed input; the
        // SDK-made vectors live in tests/fixtures.
        let auth = tc3_authorization("id", "key", "sms", "h", "application/json", 0, b"{}");
        assert!(auth.starts_with(
            "TC3-HMAC-SHA256 Credential=id/1970-01-01/sms/tc3_request, SignedHeaders=content-type;host, Signature="
        ));
        let sig = auth.rsplit('=').next().unwrap_or_default();
        assert_eq!(sig.len(), 64);
        assert!(
            sig.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        let config = |endpoint: &str| TencentConfig {
            secret_id: "id".into(),
            secret_key: SecretString::from("key"),
            sdk_app_id: "1400000000".into(),
            sign_name: "s".into(),
            template_id: "1".into(),
            region: "ap-guangzhou".into(),
            endpoint: endpoint.into(),
            timeout: Duration::from_secs(1),
        };
        assert!(TencentSender::new(config("https://sms.tencentcloudapi.com")).is_ok());
        assert!(TencentSender::new(config("http://127.0.0.1:9/")).is_ok());
        assert!(TencentSender::new(config("sms.tencentcloudapi.com")).is_err());
        assert!(TencentSender::new(config("ftp://x")).is_err());
    }
}
