//! The parameters a page or an app hands to WeChat to pay a prepared
//! order, with their signatures: JSAPI (`WeixinJSBridge.invoke(
//! 'getBrandWCPayRequest', ..)`, also `wx.requestPayment` in a
//! mini-program) and APP (`PayReq` of WeChat's app SDK). The same shapes
//! serve API v2 (MD5 or HMAC-SHA256 with the API key) and v3
//! (SHA256withRSA with the merchant key).

use crate::v3::{PrivateKey, PublicKey};
use crate::{SignType, sign};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// `signType` of a v3 JSAPI payment.
pub const RSA_SIGN_TYPE: &str = "RSA";

/// The object a page passes to `getBrandWCPayRequest` (serialized with
/// WeChat's camelCase names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JsapiParams {
    /// The appid the order was placed with (the buyer's openid is under it).
    pub app_id: String,
    /// Unix seconds, as a string.
    pub time_stamp: String,
    /// A random string (≤ 32 chars).
    pub nonce_str: String,
    /// `prepay_id=...`.
    pub package: String,
    /// `RSA` (v3), `MD5` or `HMAC-SHA256` (v2).
    pub sign_type: String,
    /// The signature of the other fields.
    pub pay_sign: String,
}

impl JsapiParams {
    /// v3: `paySign` is SHA256withRSA by the merchant key over
    /// `appId\ntimeStamp\nnonceStr\npackage\n`, base64; `signType` `RSA`.
    pub fn v3(
        key: &PrivateKey,
        app_id: &str,
        prepay_id: &str,
        time_stamp: i64,
        nonce_str: &str,
    ) -> JsapiParams {
        let mut p = JsapiParams::unsigned(app_id, prepay_id, time_stamp, nonce_str, RSA_SIGN_TYPE);
        p.pay_sign = key.sign(p.v3_message().as_bytes());
        p
    }

    /// v2: `paySign` is the v2 signature (MD5 or HMAC-SHA256, upper-case
    /// hex) over `appId`, `nonceStr`, `package`, `signType`, `timeStamp`.
    pub fn v2(
        api_key: &str,
        sign_type: SignType,
        app_id: &str,
        prepay_id: &str,
        time_stamp: i64,
        nonce_str: &str,
    ) -> JsapiParams {
        let mut p =
            JsapiParams::unsigned(app_id, prepay_id, time_stamp, nonce_str, sign_type.as_str());
        p.pay_sign = p.v2_signature(api_key, sign_type);
        p
    }

    fn unsigned(
        app_id: &str,
        prepay_id: &str,
        time_stamp: i64,
        nonce_str: &str,
        sign_type: &str,
    ) -> JsapiParams {
        JsapiParams {
            app_id: app_id.to_owned(),
            time_stamp: time_stamp.to_string(),
            nonce_str: nonce_str.to_owned(),
            package: format!("prepay_id={prepay_id}"),
            sign_type: sign_type.to_owned(),
            pay_sign: String::new(),
        }
    }

    /// The prepay id inside `package`.
    pub fn prepay_id(&self) -> Option<&str> {
        self.package.strip_prefix("prepay_id=")
    }

    /// What v3 signs: `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub fn v3_message(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n",
            self.app_id, self.time_stamp, self.nonce_str, self.package
        )
    }

    fn v2_signature(&self, api_key: &str, sign_type: SignType) -> String {
        sign(
            [
                ("appId", self.app_id.as_str()),
                ("nonceStr", self.nonce_str.as_str()),
                ("package", self.package.as_str()),
                ("signType", self.sign_type.as_str()),
                ("timeStamp", self.time_stamp.as_str()),
            ],
            api_key,
            sign_type,
        )
    }

    /// True when `signType` is `RSA` and `paySign` verifies with the
    /// merchant's public key (what WeChat checks for v3).
    pub fn verify_v3(&self, merchant_key: &PublicKey) -> bool {
        self.sign_type == RSA_SIGN_TYPE
            && merchant_key.verify(self.v3_message().as_bytes(), &self.pay_sign)
    }

    /// True when `signType` names a v2 algorithm and `paySign` is the
    /// signature with `api_key` (compared in constant time).
    pub fn verify_v2(&self, api_key: &str) -> bool {
        let Some(sign_type) = SignType::parse(&self.sign_type) else {
            return false;
        };
        let expected = self.v2_signature(api_key, sign_type);
        expected.len() == self.pay_sign.len()
            && bool::from(expected.as_bytes().ct_eq(self.pay_sign.as_bytes()))
    }
}

/// `package` of an APP payment, fixed by WeChat.
pub const APP_PACKAGE: &str = "Sign=WXPay";

/// What an app passes to WeChat's SDK (`PayReq`) to pay an APP order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppParams {
    /// The app's appid.
    pub appid: String,
    /// The merchant id.
    pub partnerid: String,
    /// The prepay id.
    pub prepayid: String,
    /// Always `Sign=WXPay`.
    pub package: String,
    /// A random string (≤ 32 chars).
    pub noncestr: String,
    /// Unix seconds, as a string.
    pub timestamp: String,
    /// v3: SHA256withRSA over `appid\ntimestamp\nnoncestr\nprepayid\n`,
    /// base64; v2: the v2 signature of the six fields above.
    pub sign: String,
}

impl AppParams {
    fn unsigned(
        appid: &str,
        partnerid: &str,
        prepayid: &str,
        timestamp: i64,
        noncestr: &str,
    ) -> AppParams {
        AppParams {
            appid: appid.to_owned(),
            partnerid: partnerid.to_owned(),
            prepayid: prepayid.to_owned(),
            package: APP_PACKAGE.to_owned(),
            noncestr: noncestr.to_owned(),
            timestamp: timestamp.to_string(),
            sign: String::new(),
        }
    }

    /// v3 parameters, signed with the merchant key.
    pub fn v3(
        key: &PrivateKey,
        appid: &str,
        mchid: &str,
        prepay_id: &str,
        timestamp: i64,
        noncestr: &str,
    ) -> AppParams {
        let mut p = AppParams::unsigned(appid, mchid, prepay_id, timestamp, noncestr);
        p.sign = key.sign(p.v3_message().as_bytes());
        p
    }

    /// v2 parameters, signed with the API key.
    pub fn v2(
        api_key: &str,
        sign_type: SignType,
        appid: &str,
        mch_id: &str,
        prepay_id: &str,
        timestamp: i64,
        noncestr: &str,
    ) -> AppParams {
        let mut p = AppParams::unsigned(appid, mch_id, prepay_id, timestamp, noncestr);
        p.sign = p.v2_signature(api_key, sign_type);
        p
    }

    /// What v3 signs: `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub fn v3_message(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n",
            self.appid, self.timestamp, self.noncestr, self.prepayid
        )
    }

    fn v2_signature(&self, api_key: &str, sign_type: SignType) -> String {
        sign(
            [
                ("appid", self.appid.as_str()),
                ("noncestr", self.noncestr.as_str()),
                ("package", self.package.as_str()),
                ("partnerid", self.partnerid.as_str()),
                ("prepayid", self.prepayid.as_str()),
                ("timestamp", self.timestamp.as_str()),
            ],
            api_key,
            sign_type,
        )
    }

    /// True when `sign` verifies with the merchant's public key (v3).
    pub fn verify_v3(&self, merchant_key: &PublicKey) -> bool {
        merchant_key.verify(self.v3_message().as_bytes(), &self.sign)
    }

    /// True when `sign` is the v2 signature with `api_key` and `sign_type`.
    pub fn verify_v2(&self, api_key: &str, sign_type: SignType) -> bool {
        let expected = self.v2_signature(api_key, sign_type);
        expected.len() == self.sign.len()
            && bool::from(expected.as_bytes().ct_eq(self.sign.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn v2_jsapi_pay_sign_is_md5_of_the_sorted_camel_case_fields() {
        let p = JsapiParams::v2(
            KEY,
            SignType::Md5,
            "wxd930ea5d5a258f4f",
            "wx201410272009395522657a690389285100",
            1414411784,
            "ibuaiVcKdpRxkhJA",
        );
        // Written out by hand: ASCII order puts appId < nonceStr <
        // package < signType < timeStamp.
        let text = "appId=wxd930ea5d5a258f4f&nonceStr=ibuaiVcKdpRxkhJA\
                    &package=prepay_id=wx201410272009395522657a690389285100\
                    &signType=MD5&timeStamp=1414411784&key=192006250b4c09247ec02edce69f6a2d";
        assert_eq!(p.pay_sign, hex::encode_upper(Md5::digest(text.as_bytes())));
        assert_eq!(p.sign_type, "MD5");
        assert!(p.verify_v2(KEY));
        assert!(!p.verify_v2("another-key"));
        let mut tampered = p.clone();
        tampered.package = "prepay_id=wx2".into();
        assert!(!tampered.verify_v2(KEY));
    }

    #[test]
    fn v2_jsapi_hmac_sha256_signs_with_its_sign_type_named() {
        let p = JsapiParams::v2(KEY, SignType::HmacSha256, "wx1", "p1", 1, "n");
        assert_eq!(p.sign_type, "HMAC-SHA256");
        assert_eq!(p.pay_sign.len(), 64);
        assert!(p.verify_v2(KEY));
        // The same fields claimed as MD5 no longer verify.
        let mut as_md5 = p.clone();
        as_md5.sign_type = "MD5".into();
        assert!(!as_md5.verify_v2(KEY));
    }

    #[test]
    fn jsapi_params_serialize_with_wechat_names() {
        let p = JsapiParams::v2(KEY, SignType::Md5, "wx1", "p1", 1700000000, "n");
        let v = serde_json::to_value(&p).unwrap_or_default();
        for name in [
            "appId",
            "timeStamp",
            "nonceStr",
            "package",
            "signType",
            "paySign",
        ] {
            assert!(v.get(name).is_some(), "{name} in {v}");
        }
        assert_eq!(v["timeStamp"], "1700000000", "a string, not a number");
        assert_eq!(p.prepay_id(), Some("p1"));
    }

    #[test]
    fn v2_app_sign_covers_the_six_lower_case_fields() {
        let p = AppParams::v2(
            KEY,
            SignType::Md5,
            "wx1",
            "1900000109",
            "wx2",
            1412000000,
            "n1",
        );
        let text = "appid=wx1&noncestr=n1&package=Sign=WXPay&partnerid=1900000109\
                    &prepayid=wx2&timestamp=1412000000&key=192006250b4c09247ec02edce69f6a2d";
        assert_eq!(p.sign, hex::encode_upper(Md5::digest(text.as_bytes())));
        assert!(p.verify_v2(KEY, SignType::Md5));
        assert!(!p.verify_v2(KEY, SignType::HmacSha256));
    }

    #[test]
    fn v3_messages_have_the_documented_layout() {
        let p = JsapiParams {
            app_id: "wx8888888888888888".into(),
            time_stamp: "1414561699".into(),
            nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS".into(),
            package: "prepay_id=wx201410272009395522657a690389285100".into(),
            sign_type: "RSA".into(),
            pay_sign: String::new(),
        };
        assert_eq!(
            p.v3_message(),
            "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n\
             prepay_id=wx201410272009395522657a690389285100\n"
        );
        let a = AppParams::unsigned("wx1", "19", "wx2", 7, "n");
        assert_eq!(a.v3_message(), "wx1\n7\nn\nwx2\n");
    }
}
