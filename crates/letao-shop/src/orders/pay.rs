//! Paying an order placed already (`POST /orders/{no}/pay`): the same way
//! again (a QR code shown once more, the page reloaded on the phone).

use super::create::{PayWith, Placed, TradeType};
use super::{Orders, provider_error};
use crate::ShopError;
use crate::payments::{GatewayErrorKind, NativeOrder};
use letao_domain::order::TradeState;
use std::net::IpAddr;

impl Orders {
    /// Opens the caller's unpaid order at WeChat again, the way it was
    /// placed, and answers what the page needs. WeChat answers an order
    /// sent again unchanged with the same prepayment; an order placed
    /// another way, or by another payer or (H5) from another address, is
    /// refused: WeChat does not take an order number twice with other
    /// parameters.
    pub async fn pay(
        &self,
        user_id: i32,
        out_trade_no: &str,
        ip: IpAddr,
        pay: PayWith,
    ) -> Result<Placed, ShopError> {
        let order = self.own(user_id, out_trade_no).await?;
        if order.trade_state == TradeState::Closing {
            return Err(ShopError::OrderState("the order is being closed".into()));
        }
        if order.trade_state != TradeState::NotPay {
            return Err(ShopError::OrderState(format!(
                "the order is {}, not {}",
                order.trade_state.public(),
                TradeState::NotPay
            )));
        }
        let now = self.clock.now();
        let Some(expires_at) = order.expires_at.filter(|at| *at > now) else {
            return Err(ShopError::OrderState("the order has expired".into()));
        };
        let Some(opening) = self.store.opening(order.id).await? else {
            return Err(ShopError::OrderNotFound);
        };
        let placed_as = TradeType::from_wechat(&opening.trade_type);
        if placed_as != pay.trade_type() {
            return Err(ShopError::OrderState(format!(
                "the order is paid by {}, not {}: place a new order to pay another way",
                placed_as.as_str(),
                pay.trade_type().as_str()
            )));
        }
        let client_ip = if pay == PayWith::H5 {
            self.check_h5_address(ip)?;
            ip.to_string()
        } else {
            opening.client_ip.clone()
        };
        let request = NativeOrder {
            out_trade_no: order.out_trade_no.clone(),
            description: opening.body,
            total: order.total,
            client_ip,
            notify_url: self.config.notify_url.clone(),
            product_id: opening.product_id.to_string(),
            expires_at,
        };
        let code = match self.open_at_wechat(request, &pay).await? {
            Ok(code) => code,
            Err(e) if e.kind == GatewayErrorKind::NumberUsed => {
                return Err(ShopError::OrderState(
                    "the order was opened for another payer or address: place a new order".into(),
                ));
            }
            Err(e) if e.kind == GatewayErrorKind::OrderPaid => {
                return Err(ShopError::OrderState("the order is paid".into()));
            }
            Err(e) => return Err(provider_error(&e)),
        };
        self.keep_code(&order, &code).await?;
        Ok(Placed {
            order,
            nonce_str: opening.nonce_str,
            trade_type: placed_as,
            code_url: code.code_url,
            pay_url: code.pay_url,
            h5_url: code.h5_url,
            jsapi: code.jsapi,
        })
    }
}
