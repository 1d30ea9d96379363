//! Request bodies: JSON or `application/x-www-form-urlencoded` (the
//! original accepted both), with errors that name the field.

use crate::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// Largest body accepted by the JSON/form routes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A body deserialised from JSON or a URL-encoded form.
pub struct Input<T>(pub T);

fn describe(err: &str) -> String {
    // serde's messages mention positions; keep the part a client can use.
    err.split(" at line ").next().unwrap_or(err).to_owned()
}

/// Deserialises `bytes` as the content type says (JSON when unsaid).
pub fn parse_body<T: DeserializeOwned>(content_type: &str, bytes: &[u8]) -> Result<T, ApiError> {
    let form = content_type.split(';').next().is_some_and(|m| {
        m.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if form {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
        return serde_path_to_error::deserialize(de)
            .map_err(|e| field_error(e.path().to_string(), &e.inner().to_string()));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("body", "is empty; send JSON or a form"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| field_error(e.path().to_string(), &e.inner().to_string()))?;
    de.end()
        .map_err(|_| ApiError::invalid("body", "has trailing characters after the JSON"))?;
    Ok(value)
}

/// An error for the field at `path` (`.` is the whole body: then the
/// message itself names the missing field, e.g. "missing field `mobile`").
fn field_error(path: String, message: &str) -> ApiError {
    let message = describe(message);
    if path == "." || path.is_empty() {
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| {
                message.starts_with("missing field") || message.starts_with("unknown field")
            })
            .unwrap_or("body")
            .to_owned();
        ApiError::invalid(field, message)
    } else {
        ApiError::invalid(path, message)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Input<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::invalid("body", "could not be read")
                }
            })?;
            parse_body(&content_type, &bytes).map(Input)
        })
    }
}

/// The garde report's first problem as a 400 naming its field.
pub fn validation_error(report: garde::Report) -> ApiError {
    match report.iter().next() {
        Some((path, error)) => ApiError::invalid(path.to_string(), error.message()),
        None => ApiError::invalid("body", "is invalid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Login {
        username: String,
        password: String,
        age: Option<u32>,
    }

    fn field_of(err: ApiError) -> String {
        match err {
            ApiError::InvalidInput { field, .. } => field,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn json_and_forms_parse_alike() {
        let json: Login = parse_body("application/json", br#"{"username":"a","password":"b"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let form: Login = parse_body(
            "application/x-www-form-urlencoded; charset=utf-8",
            b"username=a&password=b",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, form);
        let plus: Login = parse_body(
            "application/x-www-form-urlencoded",
            b"username=%E4%B9%90+%E6%B7%98&password=x",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plus.username, "乐 淘");
    }

    #[test]
    fn errors_name_the_field() {
        let missing = parse_body::<Login>("application/json", br#"{"username":"a"}"#).err();
        assert_eq!(missing.map(field_of).as_deref(), Some("password"));
        let wrong_type =
            parse_body::<Login>("application/json", br#"{"username":1,"password":"b"}"#).err();
        assert_eq!(wrong_type.map(field_of).as_deref(), Some("username"));
        let bad_number = parse_body::<Login>(
            "application/json",
            br#"{"username":"a","password":"b","age":-1}"#,
        )
        .err();
        assert_eq!(bad_number.map(field_of).as_deref(), Some("age"));
        let form_missing =
            parse_body::<Login>("application/x-www-form-urlencoded", b"password=b").err();
        assert_eq!(form_missing.map(field_of).as_deref(), Some("username"));
        for junk in [
            &b""[..],
            b"   ",
            b"{",
            b"[1,2]",
            b"null",
            b"{\"username\":\"a\",\"password\":\"b\"} x",
        ] {
            let e = parse_body::<Login>("application/json", junk).err();
            assert!(matches!(e, Some(ApiError::InvalidInput { .. })), "{junk:?}");
        }
    }
}
