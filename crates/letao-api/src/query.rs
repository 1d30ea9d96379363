//! Typed access to query-string parameters, with SPEC error replies.

use crate::ApiError;
use actix_web::HttpRequest;
use letao_domain::Id;
use letao_shop::store::PageStart;

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

    pub(crate) fn raw(&self, key: &str) -> Option<&str> {
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

    /// The paging of a list: `page` (from 1) and `pageSize` (default 20,
    /// at most 100), or the cursor `after` a previous page's `next`, which
    /// costs the same at any depth. A numbered page ends within the first
    /// [`MAX_PAGED_ROWS`] rows: an offset is read and thrown away row by
    /// row, so a deeper page would cost its depth.
    pub fn paging(&self) -> Result<Paging, ApiError> {
        let page = self.positive_u32("page", 1)?;
        let size = self
            .positive_u32("pageSize", DEFAULT_PAGE_SIZE)?
            .min(MAX_PAGE_SIZE);
        let start = match self.raw("after").map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => {
                let after = v
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| v.parse::<i64>().ok())
                    .flatten()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        ApiError::invalid("after", "must be the `next` of a previous page")
                    })?;
                PageStart::After(after)
            }
            None => {
                if u64::from(page) * u64::from(size) > MAX_PAGED_ROWS {
                    return Err(ApiError::invalid(
                        "page",
                        format!(
                            "times pageSize must be at most {MAX_PAGED_ROWS}; \
                             to read further, pass the previous page's `next` as `after`"
                        ),
                    ));
                }
                PageStart::Offset(i64::from(page - 1) * i64::from(size))
            }
        };
        Ok(Paging { page, size, start })
    }

    /// An optional state name parsed by `parse`; empty counts as absent.
    pub fn state<T>(
        &self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        choices: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.raw(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(key, format!("must be one of {choices}"))),
        }
    }

    /// An optional text of at most `max` characters; empty counts as absent.
    pub fn text(&self, key: &str, max: usize) -> Result<Option<String>, ApiError> {
        match self.raw(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => Err(
                ApiError::invalid(key, format!("must be at most {max} characters")),
            ),
            Some(v) => Ok(Some(v.to_owned())),
        }
    }
}

/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Larger page sizes are reduced to this.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The deepest row a numbered page reaches (`page` x `pageSize`).
pub const MAX_PAGED_ROWS: u64 = 10_000;

/// Where a list page starts and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The page number asked for (1 when paging by cursor).
    pub page: u32,
    /// Rows per page.
    pub size: u32,
    /// Offset or cursor.
    pub start: PageStart,
}

impl Paging {
    /// The page size as the database counts.
    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

/// The `next` of a reply.
pub fn cursor(next: Option<i64>) -> Option<String> {
    next.map(|n| n.to_string())
}
