//! Placing an order.

use super::{Orders, provider_error};
use crate::ShopError;
use crate::payments::NativeOrder;
use crate::store::{Created, NewOrder, OrderRecord};
use letao_domain::DeliveryAddress;
use letao_domain::order::{OrderItems, TradeState};
use std::net::IpAddr;

/// A placed order, ready to be paid.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The stored order.
    pub order: OrderRecord,
    /// The nonce sent with it to WeChat.
    pub nonce_str: String,
    /// The QR content.
    pub code_url: String,
    /// The QR code as a PNG data URL.
    pub pay_url: String,
}

impl Orders {
    /// Prices the order from the database, reserves stock, asks WeChat for
    /// a code_url. When WeChat fails the order is closed and its stock put
    /// back before the error.
    pub async fn create(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
    ) -> Result<Placed, ShopError> {
        self.place(user_id, items, address, ip, false).await
    }

    /// As [`Orders::create`], of lines of the buyer's cart, which leave the
    /// cart in the order's transaction.
    pub async fn create_from_cart(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
    ) -> Result<Placed, ShopError> {
        self.place(user_id, items, address, ip, true).await
    }

    async fn place(
        &self,
        user_id: i32,
        items: &OrderItems,
        address: Option<&DeliveryAddress>,
        ip: IpAddr,
        from_cart: bool,
    ) -> Result<Placed, ShopError> {
        let now = self.clock.now();
        let out_trade_no = wechat_pay::out_trade_no("LT");
        let nonce = wechat_pay::nonce_str();
        let client_ip = ip.to_string();
        let expires_at = now + self.config.ttl;
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
        // The QR code is drawn on the blocking thread that made the call,
        // off the async workers; a failure to draw it is reported after the
        // answer is stored, as before.
        let answer = self
            .gateway(move |g| {
                let code = g.create(&request)?;
                let pay_url = wechat_pay::qr_data_url(&code.code_url);
                Ok((code, pay_url))
            })
            .await?;
        let (code, pay_url) = match answer {
            Ok(answer) => answer,
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
        self.store
            .set_prepay(order.id, code.prepay_id.as_deref(), &code.code_url)
            .await?;
        let pay_url = pay_url.map_err(|e| ShopError::Internal(Box::new(e)))?;
        Ok(Placed {
            order,
            nonce_str: nonce,
            code_url: code.code_url,
            pay_url,
        })
    }
}
