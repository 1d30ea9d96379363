//! Typed access to query-string parameters, with SPEC error replies.

use crate::ApiError;
use actix_web::HttpRequest;
use letao_domain::Id;

/// The parameters of a query string. Unknown keys are ignored (clients add
/// cache busters such as `_=1700000000`); for a repeated key the first wins.
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses the request's query string; a malformed one is a 400.
    pub fn from_request(req: &HttpRequest) -> Result<Query, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
            .map_err(|_| ApiError::invalid("query", "is not a valid query string"))?;
        Ok(Query { pairs })
    }

    fn raw(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A required positive id.
    pub fn id<T>(&self, key: &str) -> Result<Id<T>, ApiError> {
        let raw = self.raw(key).unwrap_or_default();
        raw.parse().map_err(|e| ApiError::invalid(key, e))
    }

    /// An optional positive id; present but empty counts as absent.
    pub fn optional_id<T>(&self, key: &str) -> Result<Option<Id<T>>, ApiError> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|e| ApiError::invalid(key, e)),
        }
    }

    /// An optional number of at least 1, `default` when absent.
    pub fn positive_u32(&self, key: &str, default: u32) -> Result<u32, ApiError> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) if v.trim().is_empty() => Ok(default),
            Some(v) => {
                let v = v.trim();
                // Digits only, so "1e3", "+5" and "0x10" are refused; a huge
                // value is clamped rather than refused, since callers cap it.
                if !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::invalid(key, "must be a positive integer"));
                }
                let n = v.parse::<u32>().unwrap_or(u32::MAX);
                if n == 0 {
                    return Err(ApiError::invalid(key, "must be a positive integer"));
                }
                Ok(n)
            }
        }
    }
}
