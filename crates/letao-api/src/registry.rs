//! The routes the application registers, as a list: actix cannot list
//! its routes, so the registration helpers of `app.rs` record every path
//! and method they are given while [`registered_routes`] builds the
//! application. A test compares the list with the OpenAPI document, so a
//! route cannot be served without being documented, nor documented
//! without being served.

use crate::AppState;
use actix_web::{Resource, web};
use std::cell::RefCell;

/// One method at one path, as registered (lower case, with actix's
/// parameter syntax, e.g. `/docs/{file:.*}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegisteredRoute {
    /// `GET` (which also answers HEAD), `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path pattern.
    pub path: String,
}

thread_local! {
    /// Collects registrations while `registered_routes` runs on this thread.
    static LOG: RefCell<Option<Vec<RegisteredRoute>>> = const { RefCell::new(None) };
}

/// Notes that `path` is registered for `methods` (a no-op unless
/// [`registered_routes`] is collecting on this thread).
pub(crate) fn record(path: &str, methods: &[&'static str]) {
    LOG.with(|log| {
        if let Some(routes) = log.borrow_mut().as_mut() {
            routes.extend(methods.iter().map(|&method| RegisteredRoute {
                method,
                path: path.to_owned(),
            }));
        }
    });
}

/// `web::resource(path)`, recorded as answering `methods`.
pub(crate) fn resource(path: &str, methods: &[&'static str]) -> Resource {
    record(path, methods);
    web::resource(path)
}

/// Every route `app(state)` registers, sorted.
pub fn registered_routes(state: AppState) -> Vec<RegisteredRoute> {
    LOG.with(|log| *log.borrow_mut() = Some(Vec::new()));
    drop(crate::app(state));
    let mut routes = LOG.with(|log| log.borrow_mut().take()).unwrap_or_default();
    routes.sort();
    routes.dedup();
    routes
}
