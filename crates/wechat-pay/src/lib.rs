#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[cfg(feature = "async")]
mod async_client;
pub mod bill;
mod client;
mod client_params;
mod error;
mod http;
mod ids;
mod notify;
#[cfg(feature = "oauth")]
pub mod oauth;
mod phone;
mod qr;
mod sign;
#[cfg(feature = "test-utils")]
pub mod testing;
mod types;
pub mod v3;
pub mod xml;

#[cfg(feature = "async")]
pub use async_client::AsyncClient;
pub use bill::{BillOutcome, BillType};
pub use client::{Client, ClientIdentity, Config, WechatPayApi};
pub use client_params::{APP_PACKAGE, AppParams, JsapiParams, RSA_SIGN_TYPE};
pub use error::WechatPayError;
pub use ids::{nonce_str, out_refund_no, out_trade_no, time_expire};
pub use notify::{
    Merchant, PaymentNotification, RefundNotification, encrypt_req_info, fail_reply, success_reply,
};
pub use phone::{AppOrder, H5Order, H5Scene, JsapiOrder, MwebPrepay, OrderDetails, Prepay};
pub use qr::{qr_data_url, qr_png};
pub use sign::{SignType, sign, verify};
pub use types::{
    OrderQueryResult, OrderRef, Refund, RefundItem, RefundQueryResult, RefundResult, TradeState,
    UnifiedOrder, UnifiedOrderResult,
};
pub use xml::{RawMap, XmlError};

/// The production API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
