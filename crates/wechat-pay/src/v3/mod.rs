//! WeChat Pay API v3 (JSON): request signing (SHA256withRSA), response and
//! notification verification (WeChat Pay public key and/or platform
//! certificates), AEAD_AES_256_GCM resources, Native, JSAPI, H5 and APP orders and
//! trade bills. See the crate README for an example and for which
//! verification mode to choose.

#[cfg(feature = "async")]
mod async_client;
mod auth;
mod call;
mod certificates;
mod client;
mod clock;
mod config;
mod error;
mod keys;
mod notify;
mod operations;
mod phone;
mod refresher;
mod transport;
mod types;
mod verifier;

#[cfg(feature = "async")]
pub use async_client::AsyncClient;
pub use auth::{
    Authorization, MerchantSigner, SCHEME, SIGNTEST_PREFIX, request_message, response_message,
    sign_message, verify_request,
};
pub use call::Call;
pub use certificates::{CertificateItem, CertificateList, EncryptedResource, PlatformCertificate};
pub use client::Client;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, WechatPublicKey};
pub use error::{Error, SignatureError};
pub use keys::{ApiV3Key, PrivateKey, PublicKey};
pub use notify::{
    Notification, NotificationEnvelope, Notifications, NotifyReply, PaymentAmount,
    PaymentNotification, PaymentPayer, RefundNotification, RefundNotificationAmount,
};
pub use operations::{Api, MAX_BILL_BYTES};
pub use phone::{
    AppOrder, H5Info, H5Order, H5OrderBody, H5Prepay, JsapiOrder, JsapiOrderBody, OrderDetails,
    Prepay, SceneInfo,
};
pub use refresher::{CertificateRefresher, spawn_certificate_refresher};
pub use transport::{HttpRequest, MAX_REPLY_BYTES};
pub use types::{
    ErrorBody, NativeOrder, NativeOrderBody, NativePrepay, OrderAmount, Payer, RefundAmount,
    RefundBody, RefundOrder, RefundReply, RefundRequest, RefundRequestAmount, TradeBill,
    TradeBillRequest, Transaction, TransactionAmount,
};
pub use verifier::{CertificateSource, HttpReply, MAX_CLOCK_SKEW_SECS, SignedHeaders, Verifier};
