//! Notifications WeChat sends to us, and our replies to them.

use crate::types::{fen, field, optional, require_return_success};
use crate::{RawMap, SignType, WechatPayError, sign, verify, xml};
use aes::Aes256;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, block_padding::Pkcs7};
use base64::Engine;
use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

/// A merchant's identity and key: what signs our requests and verifies
/// WeChat's messages.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// The app id (`appid`).
    pub appid: String,
    /// The merchant id (`mch_id`).
    pub mch_id: String,
    /// The API v2 key.
    pub api_key: SecretString,
    /// The signature algorithm this merchant uses.
    pub sign_type: SignType,
}

impl Merchant {
    /// A merchant's identity and API v2 key.
    pub fn new(appid: &str, mch_id: &str, api_key: SecretString, sign_type: SignType) -> Merchant {
        Merchant {
            appid: appid.to_owned(),
            mch_id: mch_id.to_owned(),
            api_key,
            sign_type,
        }
    }
}

/// A verified payment notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentNotification {
    /// Our order number.
    pub out_trade_no: String,
    /// WeChat's transaction id.
    pub transaction_id: String,
    /// Order amount in fen.
    pub total_fee: i64,
    /// Amount actually paid in cash, fen.
    pub cash_fee: Option<i64>,
    /// `SUCCESS` or `FAIL`.
    pub result_code: String,
    /// Paying bank.
    pub bank_type: Option<String>,
    /// Payment time `yyyyMMddHHmmss` (China time).
    pub time_end: Option<String>,
    /// The payer's openid.
    pub openid: Option<String>,
    /// Every field received (coupon_fee_$n and others included).
    pub raw: RawMap,
}

/// A decrypted refund notification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundNotification {
    /// Our order number.
    pub out_trade_no: String,
    /// Our refund number.
    pub out_refund_no: String,
    /// WeChat's refund id.
    pub refund_id: String,
    /// Amount refunded, fen.
    pub refund_fee: i64,
    /// `SUCCESS`, `CHANGE` or `REFUNDCLOSE`.
    pub refund_status: String,
    /// When it succeeded, `yyyy-MM-dd HH:mm:ss`.
    pub success_time: Option<String>,
    /// The decrypted `req_info` fields.
    pub raw: RawMap,
}

/// The reply telling WeChat a notification was received and stored.
pub fn success_reply() -> String {
    xml::build([("return_code", "SUCCESS"), ("return_msg", "OK")])
}

/// The reply telling WeChat to send the notification again later.
pub fn fail_reply(msg: &str) -> String {
    xml::build([("return_code", "FAIL"), ("return_msg", msg)])
}

/// The AES-256 key of `req_info`: the lower-case hex MD5 of the API key.
fn req_info_key(api_key: &str) -> [u8; 32] {
    let hex = hex::encode(Md5::digest(api_key.as_bytes()));
    let mut key = [0u8; 32];
    key.copy_from_slice(hex.as_bytes());
    key
}

/// Encrypts `req_info` as WeChat does (AES-256-ECB, PKCS#7, base64): for
/// simulators and tests that must produce refund notifications.
pub fn encrypt_req_info(plain_xml: &str, api_key: &str) -> String {
    let cipher = ecb::Encryptor::<Aes256>::new(&req_info_key(api_key).into());
    let bytes = cipher.encrypt_padded_vec_mut::<Pkcs7>(plain_xml.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn decrypt_req_info(req_info: &str, api_key: &str) -> Result<String, WechatPayError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(req_info.trim())
        .map_err(|e| WechatPayError::Decrypt(format!("base64: {e}")))?;
    let cipher = ecb::Decryptor::<Aes256>::new(&req_info_key(api_key).into());
    let plain = cipher
        .decrypt_padded_vec_mut::<Pkcs7>(&bytes)
        .map_err(|_| WechatPayError::Decrypt("wrong key or padding".into()))?;
    String::from_utf8(plain).map_err(|_| WechatPayError::Decrypt("not UTF-8".into()))
}

impl Merchant {
    /// Signs `fields` with this merchant's key.
    pub fn sign<'a, I>(&self, fields: I) -> String
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        sign(fields, self.api_key.expose_secret(), self.sign_type)
    }

    /// Checks a signed message: signature over every field, then `appid`
    /// and `mch_id` (when present) against ours.
    pub fn verify_signed(&self, raw: &RawMap) -> Result<(), WechatPayError> {
        if !verify(raw, self.api_key.expose_secret(), self.sign_type) {
            return Err(WechatPayError::BadSignature);
        }
        self.check_identity(raw)
    }

    /// The `getBrandWCPayRequest` parameters of a JSAPI order placed by
    /// this merchant: now, a fresh nonce, `paySign` with this merchant's
    /// key and sign type.
    pub fn jsapi_params(&self, prepay_id: &str) -> crate::JsapiParams {
        self.jsapi_params_at(
            prepay_id,
            chrono::Utc::now().timestamp(),
            &crate::nonce_str(),
        )
    }

    /// [`Merchant::jsapi_params`] with a given time and nonce.
    pub fn jsapi_params_at(
        &self,
        prepay_id: &str,
        time_stamp: i64,
        nonce_str: &str,
    ) -> crate::JsapiParams {
        crate::JsapiParams::v2(
            self.api_key.expose_secret(),
            self.sign_type,
            &self.appid,
            prepay_id,
            time_stamp,
            nonce_str,
        )
    }

    /// The parameters of an APP order placed by this merchant, for the
    /// app's `PayReq`: now, a fresh nonce, signed with this merchant's key.
    pub fn app_params(&self, prepay_id: &str) -> crate::AppParams {
        self.app_params_at(
            prepay_id,
            chrono::Utc::now().timestamp(),
            &crate::nonce_str(),
        )
    }

    /// [`Merchant::app_params`] with a given time and nonce.
    pub fn app_params_at(
        &self,
        prepay_id: &str,
        timestamp: i64,
        noncestr: &str,
    ) -> crate::AppParams {
        crate::AppParams::v2(
            self.api_key.expose_secret(),
            self.sign_type,
            &self.appid,
            &self.mch_id,
            prepay_id,
            timestamp,
            noncestr,
        )
    }

    fn check_identity(&self, raw: &RawMap) -> Result<(), WechatPayError> {
        for (name, ours) in [("appid", &self.appid), ("mch_id", &self.mch_id)] {
            if let Some(theirs) = raw.get(name)
                && theirs != ours
            {
                return Err(WechatPayError::WrongMerchant {
                    field: name,
                    value: theirs.clone(),
                });
            }
        }
        Ok(())
    }

    /// Parses and verifies a payment notification body. `Ok` means WeChat
    /// sent it for this merchant; the caller still checks the order and
    /// amount against its own records and stores the result before
    /// answering [`success_reply`].
    pub fn payment_notification(&self, body: &[u8]) -> Result<PaymentNotification, WechatPayError> {
        let raw = xml::parse(body)?;
        require_return_success(&raw)?;
        self.verify_signed(&raw)?;
        // A signed notification must name us; absence is not accepted.
        field(&raw, "appid")?;
        field(&raw, "mch_id")?;
        Ok(PaymentNotification {
            out_trade_no: field(&raw, "out_trade_no")?.to_owned(),
            transaction_id: field(&raw, "transaction_id")?.to_owned(),
            total_fee: fen(&raw, "total_fee")?,
            cash_fee: fen(&raw, "cash_fee").ok(),
            result_code: field(&raw, "result_code")?.to_owned(),
            bank_type: optional(&raw, "bank_type"),
            time_end: optional(&raw, "time_end"),
            openid: optional(&raw, "openid"),
            raw,
        })
    }

    /// Parses a refund notification and decrypts its `req_info`. Refund
    /// notifications carry no signature: only the holder of the API key can
    /// produce a `req_info` that decrypts to a valid document.
    pub fn refund_notification(&self, body: &[u8]) -> Result<RefundNotification, WechatPayError> {
        let outer = xml::parse(body)?;
        require_return_success(&outer)?;
        self.check_identity(&outer)?;
        let plain = decrypt_req_info(field(&outer, "req_info")?, self.api_key.expose_secret())?;
        // The inner document's root is <root>; read it with the same rules.
        let inner_xml = plain
            .trim()
            .strip_prefix("<root>")
            .and_then(|s| s.strip_suffix("</root>"))
            .map(|s| format!("<xml>{s}</xml>"))
            .ok_or_else(|| WechatPayError::Decrypt("req_info is not a <root> document".into()))?;
        let raw = xml::parse(inner_xml.as_bytes())?;
        Ok(RefundNotification {
            out_trade_no: field(&raw, "out_trade_no")?.to_owned(),
            out_refund_no: field(&raw, "out_refund_no")?.to_owned(),
            refund_id: field(&raw, "refund_id")?.to_owned(),
            refund_fee: fen(&raw, "refund_fee")?,
            refund_status: field(&raw, "refund_status")?.to_owned(),
            success_time: optional(&raw, "success_time"),
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_the_documented_documents() {
        assert_eq!(
            success_reply(),
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        let fail = xml::parse(fail_reply("签名失败").as_bytes()).unwrap_or_default();
        assert_eq!(fail["return_code"], "FAIL");
        assert_eq!(fail["return_msg"], "签名失败");
    }

    #[test]
    fn req_info_round_trips_and_a_wrong_key_fails() {
        let plain = "<root><out_refund_no><![CDATA[R1]]></out_refund_no></root>";
        let enc = encrypt_req_info(plain, "key-one");
        assert_eq!(
            decrypt_req_info(&enc, "key-one").ok().as_deref(),
            Some(plain)
        );
        assert_ne!(
            decrypt_req_info(&enc, "key-two").ok().as_deref(),
            Some(plain)
        );
        assert!(decrypt_req_info("not base64!", "key-one").is_err());
        assert_eq!(req_info_key("abc"), *b"900150983cd24fb0d6963f7d28e17f72");
    }
}
