//! Placing an order, and opening it at WeChat the way the buyer pays.

use super::{Orders, provider_error};
use crate::ShopError;
use crate::payments::{NativeOrder, PhoneCode, PhonePay};
use crate::store::{Created, NewOrder, OrderRecord};
use letao_domain::DeliveryAddress;
use letao_domain::order::{OrderItems, TradeState};
use std::net::IpAddr;

/// The three ways a buyer pays, as clients name them (`tradeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TradeType {
    /// A QR code, scanned with WeChat (a computer).
    #[default]
    Native,
    /// Inside WeChat, by `WeixinJSBridge` (needs the buyer's openid).
    Jsapi,
    /// In another phone browser, through WeChat's cashier page.
    H5,
}

impl TradeType {
    /// `NATIVE`, `JSAPI` or `H5`; anything else is none.
    pub fn parse(s: &str) -> Option<TradeType> {
        match s {
            "NATIVE" => Some(TradeType::Native),
            "JSAPI" => Some(TradeType::Jsapi),
            "H5" => Some(TradeType::H5),
            _ => None,
        }
    }

    /// The client's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TradeType::Native => "NATIVE",
            TradeType::Jsapi => "JSAPI",
            TradeType::H5 => "H5",
        }
    }

    /// WeChat's name (v2 `trade_type`; kept in the order row).
    pub const fn wechat(self) -> &'static str {
        match self {
            TradeType::Native => "NATIVE",
            TradeType::Jsapi => "JSAPI",
            TradeType::H5 => "MWEB",
        }
    }

    /// The trade type an order row names (WeChat's word).
    pub(super) fn from_wechat(s: &str) -> TradeType {
        match s {
            "JSAPI" => TradeType::Jsapi,
            "MWEB" => TradeType::H5,
            _ => TradeType::Native,
        }
    }
}

/// How the buyer pays, with what that way needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayWith {
    /// A QR code.
    Native,
    /// Inside WeChat, as the buyer's openid under the official account.
    Jsapi {
        /// The buyer's openid.
        openid: String,
    },
    /// WeChat's cashier page, from the buyer's address.
    H5,
}

impl PayWith {
    /// The trade type this way is.
    pub const fn trade_type(&self) -> TradeType {
        match self {
            PayWith::Native => TradeType::Native,
            PayWith::Jsapi { .. } => TradeType::Jsapi,
            PayWith::H5 => TradeType::H5,
        }
    }
}

/// A placed order, ready to be paid.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The stored order.
    pub order: OrderRecord,
    /// The nonce sent with it to WeChat.
    pub nonce_str: String,
    /// How it is paid.
    pub trade_type: TradeType,
    /// Native: the QR content.
    pub code_url: Option<String>,
    /// Native: the QR code as a PNG data URL.
    pub pay_url: Option<String>,
    /// H5: WeChat's cashier page.
    pub h5_url: Option<String>,
    /// JSAPI: the signed parameters for `getBrandWCPayRequest`.
    pub jsapi: Option<wechat_pay::JsapiParams>,
}

/// What WeChat answered to an order opened.
pub(super) struct Code {
    pub(super) code_url: Option<String>,
    pub(super) pay_url: Option<String>,
    pub(super) h5_url: Option<String>,
    pub(super) jsapi: Option<wechat_pay::JsapiParams>,
    pub(super) prepay_id: Option<String>,
}

impl Orders {
    /// Prices the order from the database, reserves stock, opens it at
    /// WeChat the way `pay` says. When WeChat fails the order is closed
    /// and its stock put back before the error.
    pub async fn create(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
        pay: PayWith,
    ) -> Result<Placed, ShopError> {
        self.place(user_id, items, address, ip, false, pay).await
    }

    /// As [`Orders::create`], of lines of the buyer's cart, which leave the
    /// cart in the order's transaction.
    pub async fn create_from_cart(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
        pay: PayWith,
    ) -> Result<Placed, ShopError> {
        self.place(user_id, items, address, ip, true, pay).await
    }

    async fn place(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
        from_cart: bool,
        pay: PayWith,
    ) -> Result<Placed, ShopError> {
        if pay == PayWith::H5 {
            self.check_h5_address(ip)?;
        }
        let now = self.clock.now();
        let out_trade_no = wechat_pay::out_trade_no("LT");
        let nonce = wechat_pay::nonce_str();
        let client_ip = ip.to_string();
        let expires_at = now + self.config.ttl;
        let trade_type = pay.trade_type();
        let new = NewOrder {
            out_trade_no: &out_trade_no,
            nonce_str: &nonce,
            appid: &self.config.appid,
            mch_id: &self.config.mch_id,
            user_id,
            client_ip: &client_ip,
            items,
            expires_at,
            address,
            from_cart,
            trade_type: trade_type.wechat(),
        };
        let (order, description) = match self.store.create_order(&new, now).await? {
            Created::Order(order, body) => (*order, body),
            Created::UnknownProduct(id) => return Err(ShopError::UnknownProduct(id)),
            Created::BadLine(e) => return Err(ShopError::Line(e)),
            Created::OutOfStock(id) => return Err(ShopError::OutOfStock(id)),
            Created::Unpriceable(e) => return Err(ShopError::Pricing(e)),
            Created::CartChanged => {
                return Err(ShopError::Conflict(
                    "the cart changed while it was ordered (another order took its lines): \
                     look at the cart again"
                        .to_owned(),
                ));
            }
        };
        let request = NativeOrder {
            out_trade_no: out_trade_no.clone(),
            description,
            total: order.total,
            client_ip,
            notify_url: self.config.notify_url.clone(),
            product_id: items.first_product().get().to_string(),
            expires_at,
        };
        let code = match self.open_at_wechat(request, &pay).await? {
            Ok(code) => code,
            Err(err) => {
                tracing::warn!(%out_trade_no, error = %err, "opening the order at WeChat failed; closing it");
                self.store
                    .close_order(
                        order.id,
                        TradeState::NotPay,
                        "unifiedorder failed",
                        self.clock.now(),
                    )
                    .await?;
                return Err(provider_error(&err));
            }
        };
        self.keep_code(&order, &code).await?;
        Ok(Placed {
            order,
            nonce_str: nonce,
            trade_type,
            code_url: code.code_url,
            pay_url: code.pay_url,
            h5_url: code.h5_url,
            jsapi: code.jsapi,
        })
    }

    /// Opens (or opens again, unchanged) an order at WeChat.
    pub(super) async fn open_at_wechat(
        &self,
        request: NativeOrder,
        pay: &PayWith,
    ) -> Result<Result<Code, crate::payments::GatewayError>, ShopError> {
        let phone = match pay {
            PayWith::Native => None,
            PayWith::Jsapi { openid } => Some(PhonePay::Jsapi {
                openid: openid.clone(),
            }),
            PayWith::H5 => Some(PhonePay::H5 {
                wap_url: self.config.h5_wap_url.clone(),
                wap_name: self.config.h5_wap_name.clone(),
            }),
        };
        let Some(phone) = phone else {
            let code = match self.gateway.create(&request).await {
                Ok(code) => code,
                Err(e) => return Ok(Err(e)),
            };
            // Drawing the QR code is CPU work of a few milliseconds: off
            // the async workers.
            let url = code.code_url.clone();
            let pay_url = tokio::task::spawn_blocking(move || wechat_pay::qr_data_url(&url).ok())
                .await
                .map_err(|e| ShopError::Internal(Box::new(e)))?;
            return Ok(Ok(Code {
                pay_url,
                code_url: Some(code.code_url),
                h5_url: None,
                jsapi: None,
                prepay_id: code.prepay_id,
            }));
        };
        Ok(self
            .gateway
            .create_phone(&request, &phone)
            .await
            .map(|answer| match answer {
                PhoneCode::Jsapi(params) => Code {
                    prepay_id: params.prepay_id().map(str::to_owned),
                    jsapi: Some(params),
                    code_url: None,
                    pay_url: None,
                    h5_url: None,
                },
                PhoneCode::H5 { h5_url } => Code {
                    h5_url: Some(h5_url),
                    code_url: None,
                    pay_url: None,
                    jsapi: None,
                    prepay_id: None,
                },
            }))
    }

    /// Keeps what WeChat answered; a QR code that could not be drawn is an
    /// error once that is stored.
    pub(super) async fn keep_code(
        &self,
        order: &OrderRecord,
        code: &Code,
    ) -> Result<(), ShopError> {
        let url = code
            .code_url
            .as_deref()
            .or(code.h5_url.as_deref())
            .unwrap_or_default();
        self.store
            .set_prepay(order.id, code.prepay_id.as_deref(), url)
            .await?;
        if code.code_url.is_some() && code.pay_url.is_none() {
            return Err(ShopError::internal("the QR code could not be drawn"));
        }
        Ok(())
    }

    /// WeChat's cashier refuses a payer address that is not the buyer's
    /// real one; where the shop serves the public, a private or local
    /// address means the proxies are not configured as trusted.
    pub(super) fn check_h5_address(&self, ip: IpAddr) -> Result<(), ShopError> {
        let refused = ip.is_unspecified()
            || ip.is_multicast()
            || (self.config.h5_public_ip_only && !is_public(ip));
        if refused {
            return Err(ShopError::Invalid {
                field: "tradeType".into(),
                msg: format!("H5 cannot be paid from the address {ip}"),
            });
        }
        Ok(())
    }
}

/// An address on the public internet.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local())
        }
    }
}
