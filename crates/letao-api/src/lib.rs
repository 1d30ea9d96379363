//! Letao's HTTP layer: the public API of the shop as an actix-web [`App`].
//!
//! Routes, extractors, middleware and reply types only: a handler parses
//! its input into domain types, calls a use case of `letao-shop` (or a
//! plain read of `letao-db`), and maps the result to a reply. [`app`]
//! builds the whole application from an [`AppState`], so the server binary
//! and the tests run exactly the same routes and middleware.

mod app;
mod auth;
mod client_ip;
mod cors;
mod error;
mod input;
mod middleware;
pub mod openapi;
mod query;
mod registry;
mod replies;
mod routes;
mod state;

pub use app::{app, metrics_app};
pub use auth::{AuthUser, OwnerUser};
pub use cors::CorsOrigins;
pub use error::ApiError;
pub use registry::{RegisteredRoute, registered_routes};
pub use replies::{CachedJson, RenderedCatalogue};
pub use state::{AppState, CatalogueLists, ProductReads, Services, Web};
