//! Letao's HTTP layer: the public API of the shop as an actix-web [`App`].
//!
//! [`app`] builds the whole application from an [`AppState`], so the server
//! binary and the tests run exactly the same routes and middleware.

mod app;
mod catalogue_cache;
mod error;
mod middleware;
mod query;
mod routes;
mod state;
mod views;

pub use app::app;
pub use catalogue_cache::CatalogueCache;
pub use error::ApiError;
pub use state::{AppState, AppStateBuilder};
