//! Cross-origin calls from browsers (CORS): a storefront served from
//! another origin calls the API with the origins the owner configured.

use actix_cors::Cors;
use actix_web::http::{Method, header};
use std::sync::Arc;

/// The origins whose pages may call the API, parsed from configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Same origin only: no CORS headers, preflights answered 405.
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// These origins, each `scheme://host[:port]`.
    Some(Arc<[String]>),
}

impl CorsOrigins {
    /// Parses configured entries: `*`, or origins such as
    /// `https://shop.example` (no path, no trailing slash).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<CorsOrigins, String> {
        let mut origins = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            if entry == "*" {
                return Ok(CorsOrigins::Any);
            }
            let url =
                url::Url::parse(entry).map_err(|e| format!("`{entry}` is not an origin: {e}"))?;
            let origin = url.origin().ascii_serialization();
            if !matches!(url.scheme(), "http" | "https") || origin != entry {
                return Err(format!(
                    "`{entry}` is not an origin: write scheme://host[:port], e.g. https://shop.example"
                ));
            }
            origins.push(origin);
        }
        Ok(if origins.is_empty() {
            CorsOrigins::None
        } else {
            CorsOrigins::Some(origins.into())
        })
    }

    /// Whether any cross-origin call is allowed.
    pub fn enabled(&self) -> bool {
        !matches!(self, CorsOrigins::None)
    }

    /// The middleware: the API's methods and request headers, its
    /// rate-limit and request-id headers readable by the page, preflights
    /// kept by the browser for an hour. No credentials: tokens travel in
    /// `Authorization`, never in cookies.
    pub fn middleware(&self) -> Cors {
        let cors = Cors::default()
            .allowed_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::DELETE,
            ])
            .allowed_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([
                header::RETRY_AFTER,
                header::HeaderName::from_static("x-request-id"),
            ])
            .max_age(3600);
        match self {
            CorsOrigins::None => cors,
            CorsOrigins::Any => cors.allow_any_origin().send_wildcard(),
            CorsOrigins::Some(origins) => origins
                .iter()
                .fold(cors, |cors, origin| cors.allowed_origin(origin)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CorsOrigins;

    #[test]
    fn origins_are_parsed_and_anything_else_is_refused() {
        assert_eq!(CorsOrigins::parse::<&str>(&[]), Ok(CorsOrigins::None));
        assert_eq!(
            CorsOrigins::parse(&["https://a.example", "*"]),
            Ok(CorsOrigins::Any)
        );
        assert_eq!(
            CorsOrigins::parse(&["https://a.example", "http://127.0.0.1:8080"]),
            Ok(CorsOrigins::Some(
                vec![
                    "https://a.example".to_owned(),
                    "http://127.0.0.1:8080".to_owned()
                ]
                .into()
            ))
        );
        for bad in [
            "a.example",
            "https://a.example/",
            "https://a.example/shop",
            "ftp://a.example",
            "https://A.example",
            "https://a.example:443",
        ] {
            assert!(CorsOrigins::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
