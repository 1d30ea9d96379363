//! The one error type of the shop's use cases.

use crate::store::StoreError;
use letao_domain::order::{
    LineError, OrderItemsError, PricingError, RefundAmountError, ShipBlocker,
};
use letao_domain::{Id, Product, Sku};

/// Which identity is registered already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The username.
    Username,
    /// The mobile.
    Mobile,
}

/// Why a use case did not do what was asked. No HTTP here: the API crate
/// maps each variant to a status and body code in one place.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// The username or mobile belongs to an account already.
    #[error("the {0:?} is registered already")]
    Taken(Taken),
    /// The SMS code is wrong, expired or used up.
    #[error("SMS code is wrong, expired or used up")]
    SmsCode,
    /// Too many attempts; try again after this many seconds.
    #[error("too many requests, try again in {retry_after} s")]
    TooMany {
        /// Seconds to wait.
        retry_after: i64,
    },
    /// Username/password or mobile/code did not match.
    #[error("login failed")]
    LoginFailed,
    /// The SMS provider could not send; nothing was kept.
    #[error("the SMS could not be sent")]
    SmsProvider,
    /// The SMS provider refuses this mobile.
    #[error("the mobile cannot receive SMS")]
    SmsRejected,
    /// WeChat Pay refused or failed; its description.
    #[error("payment provider: {0}")]
    Payment(String),
    /// No such order, or not the caller's.
    #[error("order not found")]
    OrderNotFound,
    /// The order cannot do that in its state.
    #[error("{0}")]
    OrderState(String),
    /// The order lines are malformed.
    #[error(transparent)]
    Items(#[from] OrderItemsError),
    /// An ordered product does not exist.
    #[error("product {0} does not exist")]
    UnknownProduct(Id<Product>),
    /// A line names no SKU it may buy.
    #[error(transparent)]
    Line(#[from] LineError),
    /// Not enough stock of an ordered SKU.
    #[error("skuId {0} is out of stock")]
    OutOfStock(Id<Sku>),
    /// The order cannot be priced.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// The refund amount is not possible.
    #[error(transparent)]
    RefundAmount(#[from] RefundAmountError),
    /// The order cannot ship.
    #[error(transparent)]
    Ship(#[from] ShipBlocker),
    /// A field of the request is refused: names it and says why.
    #[error("{field}: {msg}")]
    Invalid {
        /// The field, as the request named it (`skus[2].code`).
        field: String,
        /// Why.
        msg: String,
    },
    /// The caller's role does not allow this.
    #[error("not allowed")]
    Forbidden,
    /// The caller's token names a user who no longer exists.
    #[error("no such user")]
    UnknownUser,
    /// No such thing (or not the caller's): names what.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The change conflicts with the current state (a category with brands,
    /// the twenty-first address, ...).
    #[error("{0}")]
    Conflict(String),
    /// A trade bill that cannot be used (download failed, hash or format wrong).
    #[error("trade bill: {0}")]
    Bill(String),
    /// The trade bill of that day is not out yet.
    #[error("{0}")]
    NotReady(String),
    /// A day that cannot be reconciled.
    #[error("{0}")]
    InvalidDate(String),
    /// The database cannot be reached.
    #[error("database unavailable")]
    Unavailable(#[source] StoreError),
    /// Anything unexpected.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ShopError {
    /// An unexpected failure with a description.
    pub fn internal(what: impl Into<String>) -> ShopError {
        ShopError::Internal(what.into().into())
    }
}

impl From<StoreError> for ShopError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => ShopError::Unavailable(err),
            other => ShopError::Internal(Box::new(other)),
        }
    }
}

impl From<crate::media::MediaError> for ShopError {
    fn from(err: crate::media::MediaError) -> Self {
        // A name or type the shop made itself is a bug, and a store that
        // fails is an operator's matter: both are logged, neither is the
        // client's to fix.
        ShopError::Internal(Box::new(err))
    }
}
