//! Orders paid on a phone over API v2: JSAPI (inside WeChat, also
//! mini-programs), H5 (`MWEB`, any other phone browser) and APP, all placed
//! with `unifiedorder`.

use crate::types::{FromRaw, field};
use crate::{RawMap, WechatPayError};
use chrono::{DateTime, Utc};

/// What every v2 order carries, whatever its trade type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderDetails {
    /// What is bought, shown to the payer (≤ 128 bytes).
    pub body: String,
    /// Our order number (≤ 32 chars, unique per merchant).
    pub out_trade_no: String,
    /// Amount in fen.
    pub total_fee: i64,
    /// The payer's IP address (H5: the buyer's real address, which WeChat
    /// compares with the address the cashier page is opened from).
    pub spbill_create_ip: String,
    /// Where WeChat sends the payment notification.
    pub notify_url: String,
    /// Expiry, `yyyyMMddHHmmss` in China time (see [`crate::time_expire`]).
    pub time_expire: Option<String>,
    /// Passed back untouched in the notification.
    pub attach: Option<String>,
}

impl OrderDetails {
    /// An order with no expiry and no `attach`.
    pub fn new(
        body: impl Into<String>,
        out_trade_no: impl Into<String>,
        total_fee: i64,
        spbill_create_ip: impl Into<String>,
        notify_url: impl Into<String>,
    ) -> OrderDetails {
        OrderDetails {
            body: body.into(),
            out_trade_no: out_trade_no.into(),
            total_fee,
            spbill_create_ip: spbill_create_ip.into(),
            notify_url: notify_url.into(),
            time_expire: None,
            attach: None,
        }
    }

    /// Stops the order being payable at `at` (sent as China time).
    pub fn time_expire(mut self, at: DateTime<Utc>) -> OrderDetails {
        self.time_expire = Some(crate::time_expire(at));
        self
    }

    /// Data WeChat hands back untouched in the notification and queries.
    pub fn attach(mut self, attach: impl Into<String>) -> OrderDetails {
        self.attach = Some(attach.into());
        self
    }

    /// The `unifiedorder` fields of these details (empty ones are dropped
    /// when signing and sending).
    pub(crate) fn fields(&self, total_fee: &str) -> Vec<(&'static str, String)> {
        vec![
            ("body", self.body.clone()),
            ("out_trade_no", self.out_trade_no.clone()),
            ("total_fee", total_fee.to_owned()),
            ("spbill_create_ip", self.spbill_create_ip.clone()),
            ("notify_url", self.notify_url.clone()),
            ("time_expire", self.time_expire.clone().unwrap_or_default()),
            ("attach", self.attach.clone().unwrap_or_default()),
        ]
    }
}

/// A JSAPI order (`trade_type=JSAPI`): paid inside WeChat by a buyer whose
/// `openid` under the client's appid is known (got by OAuth); the page
/// then calls `WeixinJSBridge` with [`crate::Merchant::jsapi_params`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsapiOrder {
    /// Amount, number, description...
    pub details: OrderDetails,
    /// The buyer's openid under the client's appid.
    pub openid: String,
}

impl JsapiOrder {
    /// A JSAPI order for the buyer `openid`.
    pub fn new(details: OrderDetails, openid: impl Into<String>) -> JsapiOrder {
        JsapiOrder {
            details,
            openid: openid.into(),
        }
    }
}

/// The site an H5 payment starts from, sent as `scene_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct H5Scene {
    /// The site's address (its domain is the one registered for H5).
    pub wap_url: String,
    /// The site's name.
    pub wap_name: String,
}

impl H5Scene {
    /// The scene of a mobile web site.
    pub fn new(wap_url: impl Into<String>, wap_name: impl Into<String>) -> H5Scene {
        H5Scene {
            wap_url: wap_url.into(),
            wap_name: wap_name.into(),
        }
    }

    /// The `scene_info` field: the JSON text
    /// `{"h5_info":{"type":"Wap","wap_url":..,"wap_name":..}}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "h5_info": {"type": "Wap", "wap_url": self.wap_url, "wap_name": self.wap_name}
        })
        .to_string()
    }
}

/// An H5 order (`trade_type=MWEB`): the buyer's browser goes to
/// `mweb_url` (with `&redirect_url=` appended, URL-encoded) and comes back
/// there, paid or not: ask the order's state afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct H5Order {
    /// Amount, number, description; `spbill_create_ip` must be the
    /// buyer's real address.
    pub details: OrderDetails,
    /// The site it is paid from.
    pub scene: H5Scene,
}

impl H5Order {
    /// An H5 order from the site `scene`.
    pub fn new(details: OrderDetails, scene: H5Scene) -> H5Order {
        H5Order { details, scene }
    }
}

/// An APP order (`trade_type=APP`): the merchant's app calls WeChat's SDK
/// with [`crate::Merchant::app_params`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppOrder {
    /// Amount, number, description...
    pub details: OrderDetails,
}

impl AppOrder {
    /// An APP order.
    pub fn new(details: OrderDetails) -> AppOrder {
        AppOrder { details }
    }
}

/// What `unifiedorder` returns for JSAPI and APP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prepay {
    /// Prepayment session id (valid 2 h), for the client-side parameters.
    pub prepay_id: String,
    /// Every field of the reply.
    pub raw: RawMap,
}

/// What `unifiedorder` returns for MWEB (H5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MwebPrepay {
    /// Prepayment session id.
    pub prepay_id: String,
    /// WeChat's cashier page (valid 5 minutes); append
    /// `&redirect_url=` (URL-encoded) to come back to the shop.
    pub mweb_url: String,
    /// Every field of the reply.
    pub raw: RawMap,
}

impl FromRaw for Prepay {
    fn from_raw(raw: RawMap) -> Result<Prepay, WechatPayError> {
        Ok(Prepay {
            prepay_id: field(&raw, "prepay_id")?.to_owned(),
            raw,
        })
    }
}

impl FromRaw for MwebPrepay {
    fn from_raw(raw: RawMap) -> Result<MwebPrepay, WechatPayError> {
        Ok(MwebPrepay {
            prepay_id: field(&raw, "prepay_id")?.to_owned(),
            mweb_url: field(&raw, "mweb_url")?.to_owned(),
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_info_is_the_documented_json_text() {
        let text = H5Scene::new("https://m.shop.example.com", "乐淘").to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(v["h5_info"]["type"], "Wap");
        assert_eq!(v["h5_info"]["wap_url"], "https://m.shop.example.com");
        assert_eq!(v["h5_info"]["wap_name"], "乐淘");
    }

    #[test]
    fn expiry_is_written_in_china_time() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T16:30:05Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let d = OrderDetails::new("b", "LT1", 1, "1.2.3.4", "https://n").time_expire(at);
        assert_eq!(d.time_expire.as_deref(), Some("20260103003005"));
    }
}
