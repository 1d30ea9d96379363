//! Letao's rules: the use cases of the shop, with no HTTP.
//!
//! [`Accounts`] (SMS codes, registration, login), [`Orders`] (placing,
//! paying, querying, closing, expiring and refunding orders through a
//! [`PaymentGateway`]), the [`OrderDesk`] (orders shown and delivered), the
//! owner's tools ([`Owners`]), the [`Reconciler`] and the catalogue
//! ([`CatalogueCache`], [`Products`]). Each holds its stores ([`store`])
//! and the outbound services it needs (ports such as [`PaymentGateway`]
//! and [`media::MediaStore`]), handed in by the binary, so the HTTP layer,
//! the background jobs and the command line call the same code. Failures
//! are one [`ShopError`].

pub mod accounts;
pub mod addresses;
pub mod carts;
pub mod catalogue;
mod error;
pub mod freshness;
pub mod jobs;
pub mod media;
pub mod orders;
pub mod owners;
pub mod payments;
pub mod products;
pub mod reconcile;
pub mod search;
pub mod store;
mod totals;
pub mod wechat_oauth;

/// How long list totals are kept before they are counted again: a total
/// may be this stale, the rows never are.
pub const TOTALS_TTL: std::time::Duration = std::time::Duration::from_secs(5);

pub use accounts::{Accounts, AccountsConfig, LoggedIn, LoginLimits, RegisterRequest};
pub use addresses::Addresses;
pub use carts::Carts;
pub use catalogue::{CatalogueCache, CatalogueData, Listing};
pub use error::{ShopError, Taken};
pub use orders::{OrderDesk, Orders, OrdersConfig};
pub use owners::{Owner, Owners, Page};
pub use payments::PaymentGateway;
pub use products::Products;
pub use reconcile::Reconciler;
pub use search::Search;
pub use wechat_oauth::WechatLogin;
