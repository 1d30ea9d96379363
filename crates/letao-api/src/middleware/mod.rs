//! Middleware that wraps every request.

mod lowercase_path;
mod request_span;

pub use lowercase_path::{lowercase_path, path_param};
pub use request_span::request_span;
