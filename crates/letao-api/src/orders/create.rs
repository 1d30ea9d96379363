//! `POST /order`.

use super::{Orders, provider_error};
use crate::ApiError;
use letao_db::{Created, Db, NewOrder, OrderRecord};
use serde::Deserialize;
use std::net::IpAddr;
use wechat_pay::UnifiedOrder;

/// One line as the client sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderItemInput {
    /// Product id.
    #[serde(rename = "productId")]
    pub product_id: i64,
    /// Units, 1 to 99.
    pub quantity: i64,
}

/// A validated order request: 1 to 20 distinct products, 1 to 99 of each.
pub struct CreateOrder {
    items: Vec<(i32, i32)>,
}

impl CreateOrder {
    /// Checks the lines; the error names the field.
    pub fn new(items: &[OrderItemInput]) -> Result<CreateOrder, ApiError> {
        if items.is_empty() || items.len() > 20 {
            return Err(ApiError::invalid("items", "must hold 1 to 20 products"));
        }
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let id = i32::try_from(item.product_id)
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    ApiError::invalid(
                        format!("items[{i}].productId"),
                        "must be a positive integer",
                    )
                })?;
            let quantity = i32::try_from(item.quantity)
                .ok()
                .filter(|q| (1..=99).contains(q))
                .ok_or_else(|| {
                    ApiError::invalid(format!("items[{i}].quantity"), "must be 1 to 99")
                })?;
            if out.iter().any(|(seen, _)| *seen == id) {
                return Err(ApiError::invalid(
                    format!("items[{i}].productId"),
                    "appears twice",
                ));
            }
            out.push((id, quantity));
        }
        Ok(CreateOrder { items: out })
    }
}

/// What a created order replies with.
pub struct Placed {
    /// The stored order.
    pub order: OrderRecord,
    /// The QR content.
    pub code_url: String,
    /// The QR code as a PNG data URL.
    pub pay_url: String,
}

impl Orders {
    /// Prices the order from the database, reserves stock, asks WeChat for
    /// a code_url. When WeChat fails the order is closed and its stock put
    /// back before the 502.
    pub async fn create(
        &self,
        db: &Db,
        user_id: i32,
        req: CreateOrder,
        ip: IpAddr,
    ) -> Result<Placed, ApiError> {
        let now = self.clock.now();
        let out_trade_no = wechat_pay::out_trade_no("LT");
        let nonce = wechat_pay::nonce_str();
        let ip_text = ip.to_string();
        let expires_at = now + self.config.ttl;
        let new = NewOrder {
            out_trade_no: &out_trade_no,
            nonce_str: &nonce,
            appid: &self.config.merchant.appid,
            mch_id: &self.config.merchant.mch_id,
            user_id,
            client_ip: &ip_text,
            items: &req.items,
            expires_at,
        };
        let (order, body) = match db.create_order(&new, now).await? {
            Created::Order(order, body) => (*order, body),
            Created::UnknownProduct(id) => {
                return Err(ApiError::invalid(
                    "items",
                    format!("product {id} does not exist"),
                ));
            }
            Created::OutOfStock(id) => {
                return Err(ApiError::OrderState(format!(
                    "product {id} is out of stock"
                )));
            }
        };
        let request = UnifiedOrder {
            body,
            out_trade_no: out_trade_no.clone(),
            total_fee: order.total_fen,
            spbill_create_ip: ip_text,
            notify_url: self.config.notify_url.clone(),
            product_id: req
                .items
                .first()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default(),
            time_expire: Some(wechat_pay::time_expire(expires_at)),
            attach: None,
        };
        let placed = match self.wechat(move |api| api.unified_order(&request)).await? {
            Ok(placed) => placed,
            Err(err) => {
                tracing::warn!(%out_trade_no, error = %err, "unifiedorder failed; closing the order");
                db.close_order(
                    order.id,
                    &[letao_db::order_state::NOTPAY],
                    "unifiedorder failed",
                    self.clock.now(),
                )
                .await?;
                return Err(provider_error(&err));
            }
        };
        db.set_prepay(order.id, &placed.prepay_id, &placed.code_url)
            .await?;
        let pay_url = wechat_pay::qr_data_url(&placed.code_url)
            .map_err(|e| ApiError::Internal(Box::new(e)))?;
        Ok(Placed {
            order,
            code_url: placed.code_url,
            pay_url,
        })
    }
}
