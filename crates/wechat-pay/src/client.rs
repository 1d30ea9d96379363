//! The merchant API client (blocking, over ureq).

use crate::bill::{BillOutcome, BillType};
use crate::notify::Merchant;
use crate::phone::{AppOrder, H5Order, JsapiOrder, MwebPrepay, OrderDetails, Prepay};
use crate::types::{FromRaw, require_return_success};
use crate::{
    OrderQueryResult, OrderRef, Refund, RefundQueryResult, RefundResult, SignType, UnifiedOrder,
    UnifiedOrderResult, WechatPayError, http, nonce_str, xml,
};
use secrecy::SecretString;
use std::time::Duration;

/// The merchant's client certificate and key (PEM), for refunds.
#[derive(Clone)]
pub struct ClientIdentity {
    /// Certificate chain, PEM.
    pub cert_pem: Vec<u8>,
    /// Private key, PEM.
    pub key_pem: SecretString,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientIdentity { .. }")
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// App id, merchant id, API key and sign type.
    pub merchant: Merchant,
    /// Base URL with scheme, [`crate::DEFAULT_BASE_URL`] in production.
    pub base_url: String,
    /// Limit for each whole call.
    pub timeout: Duration,
    /// Needed for refunds (mutual TLS).
    pub client_identity: Option<ClientIdentity>,
    /// Extra trusted root certificates (PEM) instead of the public roots;
    /// for a local simulator or test server with its own CA.
    pub root_certs_pem: Option<Vec<u8>>,
}

/// The five merchant API calls used by a Native-payment shop. Blocking:
/// call from a blocking thread (`spawn_blocking`, `web::block`).
pub trait WechatPayApi: Send + Sync {
    /// `/pay/unifiedorder` with `trade_type=NATIVE`.
    fn unified_order(&self, order: &UnifiedOrder) -> Result<UnifiedOrderResult, WechatPayError>;
    /// `/pay/orderquery`.
    fn order_query(&self, order: &OrderRef) -> Result<OrderQueryResult, WechatPayError>;
    /// `/pay/closeorder`.
    fn close_order(&self, out_trade_no: &str) -> Result<(), WechatPayError>;
    /// `/secapi/pay/refund` (mutual TLS).
    fn refund(&self, refund: &Refund) -> Result<RefundResult, WechatPayError>;
    /// `/pay/refundquery`.
    fn refund_query(&self, order: &OrderRef) -> Result<RefundQueryResult, WechatPayError>;
    /// `/pay/downloadbill`: the bill of `bill_date` (China time) as text,
    /// decompressed when `gzip`, or [`BillOutcome::NoBill`] ("No Bill
    /// Exist"). Parse it with [`crate::bill::parse`]. The default refuses,
    /// so existing implementations of this trait keep compiling.
    fn download_bill(
        &self,
        bill_date: chrono::NaiveDate,
        bill_type: BillType,
        gzip: bool,
    ) -> Result<BillOutcome<Vec<u8>>, WechatPayError> {
        let _ = (bill_date, bill_type, gzip);
        Err(WechatPayError::Config(
            "download_bill is not supported by this implementation".into(),
        ))
    }

    /// `/pay/unifiedorder` with `trade_type=JSAPI` and the buyer's
    /// `openid`. The default refuses, so existing implementations of this
    /// trait keep compiling.
    fn jsapi_order(&self, order: &JsapiOrder) -> Result<Prepay, WechatPayError> {
        let _ = order;
        Err(unsupported("jsapi_order"))
    }

    /// `/pay/unifiedorder` with `trade_type=MWEB` and `scene_info`: the
    /// cashier page's `mweb_url`. The default refuses.
    fn h5_order(&self, order: &H5Order) -> Result<MwebPrepay, WechatPayError> {
        let _ = order;
        Err(unsupported("h5_order"))
    }

    /// `/pay/unifiedorder` with `trade_type=APP`. The default refuses.
    fn app_order(&self, order: &AppOrder) -> Result<Prepay, WechatPayError> {
        let _ = order;
        Err(unsupported("app_order"))
    }
}

fn unsupported(what: &str) -> WechatPayError {
    WechatPayError::Config(format!("{what} is not supported by this implementation"))
}

/// The real client.
pub struct Client {
    merchant: Merchant,
    base_url: String,
    agent: ureq::Agent,
    cert_agent: Option<ureq::Agent>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("merchant", &self.merchant)
            .field("base_url", &self.base_url)
            .field("refunds", &self.cert_agent.is_some())
            .finish()
    }
}

/// Replies larger than this are refused.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

fn config_err(e: impl std::fmt::Display) -> WechatPayError {
    WechatPayError::Config(e.to_string())
}

impl Client {
    /// A client; fails on an unusable base URL or certificate.
    pub fn new(config: Config) -> Result<Client, WechatPayError> {
        let base_url = http::base_url(&config.base_url).map_err(config_err)?;
        let roots = config.root_certs_pem.as_deref();
        let agent = |identity: Option<&ClientIdentity>| {
            http::agent(config.timeout, roots, identity).map_err(config_err)
        };
        Ok(Client {
            agent: agent(None)?,
            cert_agent: config
                .client_identity
                .as_ref()
                .map(|id| agent(Some(id)))
                .transpose()?,
            merchant: config.merchant,
            base_url,
        })
    }

    /// The merchant this client acts for.
    pub fn merchant(&self) -> &Merchant {
        &self.merchant
    }

    /// Signs and sends `fields` (plus appid, mch_id, nonce_str, sign_type),
    /// checks the reply (return_code, signature, merchant, result_code) and
    /// reads it as `T`.
    fn call<T: FromRaw>(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        with_cert: bool,
    ) -> Result<T, WechatPayError> {
        let reply = self.signed_post(path, fields, with_cert, MAX_REPLY_BYTES)?;
        let raw = xml::parse(&reply)?;
        require_return_success(&raw)?;
        self.merchant.verify_signed(&raw)?;
        if raw.get("result_code").map(String::as_str) != Some("SUCCESS") {
            return Err(WechatPayError::ResultFail {
                err_code: raw.get("err_code").cloned().unwrap_or_default(),
                err_code_des: raw.get("err_code_des").cloned().unwrap_or_default(),
            });
        }
        T::from_raw(raw)
    }

    /// `unifiedorder` of `details` with `trade_type` and its own fields.
    fn place<T: FromRaw>(
        &self,
        details: &OrderDetails,
        trade_type: &str,
        extra: &[(&str, &str)],
    ) -> Result<T, WechatPayError> {
        let total_fee = details.total_fee.to_string();
        let common = details.fields(&total_fee);
        let mut fields: Vec<(&str, &str)> = common.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("trade_type", trade_type));
        fields.extend_from_slice(extra);
        self.call("/pay/unifiedorder", &fields, false)
    }

    /// Signs and posts `fields`; the body of an HTTP 200 reply, unchecked.
    fn signed_post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        with_cert: bool,
        limit: u64,
    ) -> Result<Vec<u8>, WechatPayError> {
        let nonce = nonce_str();
        let m = &self.merchant;
        let mut all: Vec<(&str, &str)> = vec![
            ("appid", &m.appid),
            ("mch_id", &m.mch_id),
            ("nonce_str", &nonce),
            ("sign_type", m.sign_type.as_str()),
        ];
        all.extend(fields.iter().filter(|(_, v)| !v.is_empty()));
        let signature = m.sign(all.iter().copied());
        all.push(("sign", &signature));
        let body = xml::build(all.iter().copied());

        let agent = match (&self.cert_agent, with_cert) {
            (Some(cert_agent), true) => cert_agent,
            // Over plain HTTP (a local simulator) there is no TLS to present
            // a certificate in; over HTTPS a refund without one is refused
            // here rather than by WeChat.
            (None, true) if !self.base_url.starts_with("http://") => {
                return Err(config_err("refunds need the merchant client certificate"));
            }
            _ => &self.agent,
        };
        let mut res = agent
            .post(&format!("{}{path}", self.base_url))
            .header("Content-Type", "text/xml; charset=utf-8")
            .send(body.as_bytes())
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => WechatPayError::Timeout,
                other => WechatPayError::Transport(other.to_string()),
            })?;
        let status = res.status().as_u16();
        if status != 200 {
            return Err(WechatPayError::HttpStatus(status));
        }
        res.body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => WechatPayError::Timeout,
                ureq::Error::BodyExceedsLimit(_) => WechatPayError::Xml(crate::XmlError::TooLarge),
                other => WechatPayError::Transport(other.to_string()),
            })
    }
}

impl WechatPayApi for Client {
    fn unified_order(&self, order: &UnifiedOrder) -> Result<UnifiedOrderResult, WechatPayError> {
        let total_fee = order.total_fee.to_string();
        self.call(
            "/pay/unifiedorder",
            &[
                ("body", &order.body),
                ("out_trade_no", &order.out_trade_no),
                ("total_fee", &total_fee),
                ("spbill_create_ip", &order.spbill_create_ip),
                ("notify_url", &order.notify_url),
                ("trade_type", "NATIVE"),
                ("product_id", &order.product_id),
                ("time_expire", order.time_expire.as_deref().unwrap_or("")),
                ("attach", order.attach.as_deref().unwrap_or("")),
            ],
            false,
        )
    }

    fn order_query(&self, order: &OrderRef) -> Result<OrderQueryResult, WechatPayError> {
        self.call("/pay/orderquery", &[order.field()], false)
    }

    fn close_order(&self, out_trade_no: &str) -> Result<(), WechatPayError> {
        self.call("/pay/closeorder", &[("out_trade_no", out_trade_no)], false)
    }

    fn refund(&self, refund: &Refund) -> Result<RefundResult, WechatPayError> {
        let total_fee = refund.total_fee.to_string();
        let refund_fee = refund.refund_fee.to_string();
        self.call(
            "/secapi/pay/refund",
            &[
                refund.order.field(),
                ("out_refund_no", &refund.out_refund_no),
                ("total_fee", &total_fee),
                ("refund_fee", &refund_fee),
                ("refund_desc", refund.refund_desc.as_deref().unwrap_or("")),
                ("notify_url", refund.notify_url.as_deref().unwrap_or("")),
            ],
            true,
        )
    }

    fn refund_query(&self, order: &OrderRef) -> Result<RefundQueryResult, WechatPayError> {
        self.call("/pay/refundquery", &[order.field()], false)
    }

    fn download_bill(
        &self,
        bill_date: chrono::NaiveDate,
        bill_type: BillType,
        gzip: bool,
    ) -> Result<BillOutcome<Vec<u8>>, WechatPayError> {
        let date = bill_date.format("%Y%m%d").to_string();
        let reply = self.signed_post(
            "/pay/downloadbill",
            &[
                ("bill_date", &date),
                ("bill_type", bill_type.as_str()),
                ("tar_type", if gzip { "GZIP" } else { "" }),
            ],
            false,
            crate::v3::MAX_BILL_BYTES,
        )?;
        // Failures come as an (unsigned) XML document; a bill never starts
        // with "<xml>" (it starts with its header row or gzip's magic bytes).
        let head = String::from_utf8_lossy(&reply[..reply.len().min(64)]).into_owned();
        if head.trim_start().starts_with("<xml>") {
            let raw = xml::parse(&reply)?;
            let msg = raw.get("return_msg").cloned().unwrap_or_default();
            if msg.eq_ignore_ascii_case("No Bill Exist")
                || raw.get("error_code").map(String::as_str) == Some("20002")
            {
                return Ok(BillOutcome::NoBill);
            }
            return Err(WechatPayError::ReturnFail { return_msg: msg });
        }
        if gzip {
            let plain = crate::bill::gunzip(&reply, crate::v3::MAX_BILL_BYTES)
                .map_err(|e| WechatPayError::Transport(format!("gzip: {e}")))?;
            return Ok(BillOutcome::Bill(plain));
        }
        Ok(BillOutcome::Bill(reply))
    }

    fn jsapi_order(&self, order: &JsapiOrder) -> Result<Prepay, WechatPayError> {
        if order.openid.is_empty() {
            return Err(WechatPayError::BadField("openid"));
        }
        self.place(&order.details, "JSAPI", &[("openid", &order.openid)])
    }

    fn h5_order(&self, order: &H5Order) -> Result<MwebPrepay, WechatPayError> {
        let scene = order.scene.to_json();
        self.place(&order.details, "MWEB", &[("scene_info", &scene)])
    }

    fn app_order(&self, order: &AppOrder) -> Result<Prepay, WechatPayError> {
        self.place(&order.details, "APP", &[])
    }
}

impl Config {
    /// Settings with the production base URL and a 10 s timeout.
    pub fn new(appid: &str, mch_id: &str, api_key: SecretString, sign_type: SignType) -> Config {
        Config {
            merchant: Merchant {
                appid: appid.to_owned(),
                mch_id: mch_id.to_owned(),
                api_key,
                sign_type,
            },
            base_url: crate::DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(10),
            client_identity: None,
            root_certs_pem: None,
        }
    }
}
