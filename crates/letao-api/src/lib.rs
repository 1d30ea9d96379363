//! Letao's HTTP layer: the public API of the shop as an actix-web [`App`].
//!
//! [`app`] builds the whole application from an [`AppState`], so the server
//! binary and the tests run exactly the same routes and middleware.

pub mod accounts;
mod app;
mod auth;
mod catalogue_cache;
mod client_ip;
mod error;
mod input;
mod middleware;
pub mod orders;
mod query;
mod routes;
mod state;
mod views;

pub use accounts::{Accounts, AccountsConfig, LoginLimits};
pub use app::app;
pub use auth::{AdminUser, AuthUser};
pub use catalogue_cache::CatalogueCache;
pub use error::ApiError;
pub use orders::{Orders, OrdersConfig, run_expiry};
pub use state::{AppState, AppStateBuilder};
