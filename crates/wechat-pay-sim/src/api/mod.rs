//! The merchant APIs, v2 (XML) and v3 (JSON), over one order book.

pub(crate) mod v2;
pub(crate) mod v3;

use actix_web::web;

/// Both APIs' routes.
pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    v2::routes(cfg);
    v3::routes(cfg);
}
