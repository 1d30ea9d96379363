//! Orders paid on a phone over API v3: JSAPI (`/v3/pay/transactions/jsapi`,
//! inside WeChat and mini-programs), H5 (`/h5`, any other phone browser)
//! and APP (`/app`).

use super::types::{NativeOrder, NativeOrderBody, OrderAmount, Payer};
use chrono::{DateTime, FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

/// What every v3 order carries, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderDetails {
    /// What is bought, shown to the payer (≤ 127 characters).
    pub description: String,
    /// Our order number (6–32 of `[A-Za-z0-9_|*-]`).
    pub out_trade_no: String,
    /// Amount in fen.
    pub total: i64,
    /// Where WeChat sends the payment notification (HTTPS in production).
    pub notify_url: String,
    /// When the order stops being payable.
    pub time_expire: Option<DateTime<FixedOffset>>,
    /// Passed back untouched in the notification and the query.
    pub attach: Option<String>,
    /// Marketing tag.
    pub goods_tag: Option<String>,
}

impl OrderDetails {
    /// An order with no expiry, `attach` or tag.
    pub fn new(
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        total: i64,
        notify_url: impl Into<String>,
    ) -> OrderDetails {
        OrderDetails {
            description: description.into(),
            out_trade_no: out_trade_no.into(),
            total,
            notify_url: notify_url.into(),
            time_expire: None,
            attach: None,
            goods_tag: None,
        }
    }

    /// Stops the order being payable at `at` (any time zone; sent with its
    /// offset as RFC 3339).
    pub fn time_expire<Tz: TimeZone>(mut self, at: DateTime<Tz>) -> OrderDetails {
        self.time_expire = Some(at.fixed_offset());
        self
    }

    /// Data WeChat hands back untouched.
    pub fn attach(mut self, attach: impl Into<String>) -> OrderDetails {
        self.attach = Some(attach.into());
        self
    }

    /// A marketing tag.
    pub fn goods_tag(mut self, tag: impl Into<String>) -> OrderDetails {
        self.goods_tag = Some(tag.into());
        self
    }

    /// The body fields every order kind shares.
    pub(crate) fn body(&self, appid: &str, mchid: &str) -> NativeOrderBody {
        NativeOrderBody {
            appid: appid.to_owned(),
            mchid: mchid.to_owned(),
            description: self.description.clone(),
            out_trade_no: self.out_trade_no.clone(),
            time_expire: self.time_expire,
            attach: self.attach.clone(),
            notify_url: self.notify_url.clone(),
            goods_tag: self.goods_tag.clone(),
            amount: OrderAmount {
                total: self.total,
                currency: "CNY".into(),
            },
        }
    }
}

impl From<&NativeOrder> for OrderDetails {
    fn from(o: &NativeOrder) -> OrderDetails {
        OrderDetails {
            description: o.description.clone(),
            out_trade_no: o.out_trade_no.clone(),
            total: o.total,
            notify_url: o.notify_url.clone(),
            time_expire: o.time_expire,
            attach: o.attach.clone(),
            goods_tag: o.goods_tag.clone(),
        }
    }
}

/// A JSAPI order: paid inside WeChat (or a mini-program) by the buyer
/// `openid` (under the client's appid); the page then calls
/// `WeixinJSBridge` with [`super::Client::jsapi_params`].
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

/// An H5 order: the buyer's browser goes to `h5_url` (with
/// `&redirect_url=` appended, URL-encoded) and comes back there, paid or
/// not: ask the order's state afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct H5Order {
    /// Amount, number, description...
    pub details: OrderDetails,
    /// The buyer's real IP address (through trusted proxies only): WeChat
    /// compares it with the address the cashier page is opened from.
    pub payer_client_ip: String,
    /// The site; `type` is `Wap` for a mobile web site.
    pub h5_info: H5Info,
}

impl H5Order {
    /// An H5 order from a mobile web site (`h5_info.type` = `Wap`).
    pub fn new(details: OrderDetails, payer_client_ip: impl Into<String>) -> H5Order {
        H5Order {
            details,
            payer_client_ip: payer_client_ip.into(),
            h5_info: H5Info::wap(),
        }
    }
}

/// An APP order: the merchant's app calls WeChat's SDK with
/// [`super::Client::app_params`].
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

/// `scene_info.h5_info` of an H5 order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct H5Info {
    /// `Wap` (a mobile web site), `iOS` or `Android`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The site's or app's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// The site's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_url: Option<String>,
}

impl H5Info {
    /// A mobile web site: `{"type": "Wap"}`.
    pub fn wap() -> H5Info {
        H5Info {
            kind: "Wap".into(),
            app_name: None,
            app_url: None,
        }
    }
}

/// `scene_info` of an H5 order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SceneInfo {
    /// The buyer's IP address.
    pub payer_client_ip: String,
    /// The site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h5_info: Option<H5Info>,
}

/// The JSON body of a JSAPI order (what is sent; what a simulator reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JsapiOrderBody {
    /// The fields every order has.
    #[serde(flatten)]
    pub order: NativeOrderBody,
    /// The buyer.
    pub payer: Payer,
}

/// The JSON body of an H5 order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct H5OrderBody {
    /// The fields every order has.
    #[serde(flatten)]
    pub order: NativeOrderBody,
    /// Where the buyer pays from.
    pub scene_info: SceneInfo,
}

impl JsapiOrderBody {
    /// The body of `order` for `appid` and `mchid`.
    pub fn new(order: &JsapiOrder, appid: &str, mchid: &str) -> JsapiOrderBody {
        JsapiOrderBody {
            order: order.details.body(appid, mchid),
            payer: Payer {
                openid: order.openid.clone(),
            },
        }
    }
}

impl H5OrderBody {
    /// The body of `order` for `appid` and `mchid`.
    pub fn new(order: &H5Order, appid: &str, mchid: &str) -> H5OrderBody {
        H5OrderBody {
            order: order.details.body(appid, mchid),
            scene_info: SceneInfo {
                payer_client_ip: order.payer_client_ip.clone(),
                h5_info: Some(order.h5_info.clone()),
            },
        }
    }
}

/// What a JSAPI or APP order returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Prepay {
    /// The prepayment session (valid 2 h), for the client-side parameters.
    pub prepay_id: String,
}

/// What an H5 order returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct H5Prepay {
    /// WeChat's cashier page (valid 5 minutes); append `&redirect_url=`
    /// (URL-encoded) to come back to the shop.
    pub h5_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_the_documented_shape() {
        let details = OrderDetails::new("鞋", "LT000001", 100, "https://n.example.com/v3")
            .time_expire(
                DateTime::parse_from_rfc3339("2026-01-01T12:00:00+08:00").unwrap_or_default(),
            );
        let jsapi = JsapiOrderBody::new(&JsapiOrder::new(details.clone(), "oUser1"), "wx1", "19");
        let v = serde_json::to_value(&jsapi).unwrap_or_default();
        assert_eq!(v["payer"]["openid"], "oUser1");
        assert_eq!(v["appid"], "wx1");
        assert_eq!(v["amount"]["total"], 100);
        assert_eq!(v["time_expire"], "2026-01-01T12:00:00+08:00");
        let back: JsapiOrderBody = serde_json::from_value(v).unwrap_or_else(|_| jsapi.clone());
        assert_eq!(back, jsapi);

        let h5 = H5OrderBody::new(&H5Order::new(details, "203.0.113.7"), "wx1", "19");
        let v = serde_json::to_value(&h5).unwrap_or_default();
        assert_eq!(
            v["scene_info"],
            serde_json::json!({"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}})
        );
        assert_eq!(v["out_trade_no"], "LT000001");
    }
}
