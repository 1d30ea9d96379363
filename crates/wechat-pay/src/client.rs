//! The merchant API client (blocking, over ureq).

use crate::bill::{BillOutcome, BillType};
use crate::notify::Merchant;
use crate::phone::{AppOrder, H5Order, JsapiOrder, MwebPrepay, Prepay};
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

impl ClientIdentity {
    /// The certificate chain and private key, both PEM.
    pub fn new(cert_pem: Vec<u8>, key_pem: SecretString) -> ClientIdentity {
        ClientIdentity { cert_pem, key_pem }
    }
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

    /// The base URL requests go to (no trailing slash).
    #[cfg(feature = "async")]
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `op`'s fields plus appid, mch_id, nonce_str and sign_type, signed,
    /// as the XML body to post.
    pub(crate) fn request_body<T>(&self, op: &Op<T>) -> String {
        let nonce = nonce_str();
        let m = &self.merchant;
        let mut all: Vec<(&str, &str)> = vec![
            ("appid", &m.appid),
            ("mch_id", &m.mch_id),
            ("nonce_str", &nonce),
            ("sign_type", m.sign_type.as_str()),
        ];
        all.extend(
            op.fields
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.as_str())),
        );
        let signature = m.sign(all.iter().copied());
        all.push(("sign", &signature));
        xml::build(all.iter().copied())
    }

    /// Checks a reply body (return_code, signature, merchant, result_code)
    /// and reads it as `T`.
    pub(crate) fn read_reply<T: FromRaw>(&self, reply: &[u8]) -> Result<T, WechatPayError> {
        let raw = xml::parse(reply)?;
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

    /// Sends `op` and reads its checked reply.
    fn run<T: FromRaw>(&self, op: Op<T>) -> Result<T, WechatPayError> {
        let reply = self.signed_post(&op, MAX_REPLY_BYTES)?;
        self.read_reply(&reply)
    }

    /// Signs and posts `op`; the body of an HTTP 200 reply, unchecked.
    fn signed_post<T>(&self, op: &Op<T>, limit: u64) -> Result<Vec<u8>, WechatPayError> {
        let body = self.request_body(op);
        let agent = match (&self.cert_agent, op.with_cert) {
            (Some(cert_agent), true) => cert_agent,
            (None, true) if needs_certificate(&self.base_url) => {
                return Err(config_err("refunds need the merchant client certificate"));
            }
            _ => &self.agent,
        };
        let mut res = agent
            .post(&format!("{}{}", self.base_url, op.path))
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

/// Over plain HTTP (a local simulator) there is no TLS to present a
/// certificate in; over HTTPS a refund without one is refused here rather
/// than by WeChat.
pub(crate) fn needs_certificate(base_url: &str) -> bool {
    !base_url.starts_with("http://")
}

/// Replies larger than this are refused.
pub(crate) const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// One v2 operation, without I/O: the path, its own fields (empty ones are
/// left out when signing), whether it needs the client certificate, and
/// the reply type.
pub(crate) struct Op<T> {
    pub(crate) path: &'static str,
    pub(crate) fields: Vec<(&'static str, String)>,
    pub(crate) with_cert: bool,
    reply: std::marker::PhantomData<fn() -> T>,
}

impl<T> Op<T> {
    fn new(path: &'static str, fields: Vec<(&'static str, String)>, with_cert: bool) -> Op<T> {
        Op {
            path,
            fields,
            with_cert,
            reply: std::marker::PhantomData,
        }
    }
}

fn field(name: &'static str, value: &str) -> (&'static str, String) {
    (name, value.to_owned())
}

/// The operations, built once for both transports.
pub(crate) mod ops {
    use super::{Op, field};
    use crate::phone::{AppOrder, H5Order, JsapiOrder, MwebPrepay, OrderDetails, Prepay};
    use crate::{
        OrderQueryResult, OrderRef, Refund, RefundQueryResult, RefundResult, UnifiedOrder,
        UnifiedOrderResult, WechatPayError,
    };

    fn place<T>(details: &OrderDetails, trade_type: &str, extra: &[(&'static str, &str)]) -> Op<T> {
        let mut fields = details.fields(&details.total_fee.to_string());
        fields.push(field("trade_type", trade_type));
        fields.extend(extra.iter().map(|(k, v)| field(k, v)));
        Op::new("/pay/unifiedorder", fields, false)
    }

    pub(crate) fn native(order: &UnifiedOrder) -> Op<UnifiedOrderResult> {
        let mut details = OrderDetails::new(
            &order.body,
            &order.out_trade_no,
            order.total_fee,
            &order.spbill_create_ip,
            &order.notify_url,
        );
        details.time_expire = order.time_expire.clone();
        details.attach = order.attach.clone();
        place(&details, "NATIVE", &[("product_id", &order.product_id)])
    }

    pub(crate) fn jsapi(order: &JsapiOrder) -> Result<Op<Prepay>, WechatPayError> {
        if order.openid.is_empty() {
            return Err(WechatPayError::BadField("openid"));
        }
        Ok(place(&order.details, "JSAPI", &[("openid", &order.openid)]))
    }

    pub(crate) fn h5(order: &H5Order) -> Op<MwebPrepay> {
        place(
            &order.details,
            "MWEB",
            &[("scene_info", &order.scene.to_json())],
        )
    }

    pub(crate) fn app(order: &AppOrder) -> Op<Prepay> {
        place(&order.details, "APP", &[])
    }

    pub(crate) fn order_query(order: &OrderRef) -> Op<OrderQueryResult> {
        let (k, v) = order.field();
        Op::new("/pay/orderquery", vec![field(k, v)], false)
    }

    pub(crate) fn close_order(out_trade_no: &str) -> Op<()> {
        Op::new(
            "/pay/closeorder",
            vec![field("out_trade_no", out_trade_no)],
            false,
        )
    }

    pub(crate) fn refund(refund: &Refund) -> Op<RefundResult> {
        let (k, v) = refund.order.field();
        Op::new(
            "/secapi/pay/refund",
            vec![
                field(k, v),
                field("out_refund_no", &refund.out_refund_no),
                field("total_fee", &refund.total_fee.to_string()),
                field("refund_fee", &refund.refund_fee.to_string()),
                field("refund_desc", refund.refund_desc.as_deref().unwrap_or("")),
                field("notify_url", refund.notify_url.as_deref().unwrap_or("")),
            ],
            true,
        )
    }

    pub(crate) fn refund_query(order: &OrderRef) -> Op<RefundQueryResult> {
        let (k, v) = order.field();
        Op::new("/pay/refundquery", vec![field(k, v)], false)
    }
}

impl WechatPayApi for Client {
    fn unified_order(&self, order: &UnifiedOrder) -> Result<UnifiedOrderResult, WechatPayError> {
        self.run(ops::native(order))
    }

    fn order_query(&self, order: &OrderRef) -> Result<OrderQueryResult, WechatPayError> {
        self.run(ops::order_query(order))
    }

    fn close_order(&self, out_trade_no: &str) -> Result<(), WechatPayError> {
        self.run(ops::close_order(out_trade_no))
    }

    fn refund(&self, refund: &Refund) -> Result<RefundResult, WechatPayError> {
        self.run(ops::refund(refund))
    }

    fn refund_query(&self, order: &OrderRef) -> Result<RefundQueryResult, WechatPayError> {
        self.run(ops::refund_query(order))
    }

    fn jsapi_order(&self, order: &JsapiOrder) -> Result<Prepay, WechatPayError> {
        self.run(ops::jsapi(order)?)
    }

    fn h5_order(&self, order: &H5Order) -> Result<MwebPrepay, WechatPayError> {
        self.run(ops::h5(order))
    }

    fn app_order(&self, order: &AppOrder) -> Result<Prepay, WechatPayError> {
        self.run(ops::app(order))
    }

    fn download_bill(
        &self,
        bill_date: chrono::NaiveDate,
        bill_type: BillType,
        gzip: bool,
    ) -> Result<BillOutcome<Vec<u8>>, WechatPayError> {
        let date = bill_date.format("%Y%m%d").to_string();
        let op: Op<()> = Op::new(
            "/pay/downloadbill",
            vec![
                field("bill_date", &date),
                field("bill_type", bill_type.as_str()),
                field("tar_type", if gzip { "GZIP" } else { "" }),
            ],
            false,
        );
        let reply = self.signed_post(&op, crate::v3::MAX_BILL_BYTES)?;
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
