//! The bodies of the owner's catalogue routes, checked field by field: a
//! bad value is a 400/1010 naming the field as the client wrote it.

use crate::ApiError;
use garde::Validate;
use letao_domain::{Fen, HomeItemKind};
use letao_shop::store::BrandFields;
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

mod products;
pub use products::{NewProductInput, ProductPatchInput};

/// The client's names of the fields serde renames (garde reports the
/// Rust names).
const CLIENT_NAMES: [(&str, &str); 7] = [
    ("category_name", "categoryName"),
    ("brand_name", "brandName"),
    ("category_id", "categoryId"),
    ("brand_logo", "brandLogo"),
    ("brand_id", "brandId"),
    ("old_price", "oldPrice"),
    ("stock_delta", "stockDelta"),
];

/// The report's first problem as a 400 naming the field as the client does.
fn invalid(report: garde::Report) -> ApiError {
    let Some((path, error)) = report.iter().next() else {
        return ApiError::invalid("body", "is invalid");
    };
    let path = path.to_string();
    let field = CLIENT_NAMES
        .iter()
        .find(|(rust, _)| *rust == path)
        .map_or(path.as_str(), |(_, client)| client);
    ApiError::invalid(field, error.message())
}

/// Text with no control characters that is not blank.
fn plain(value: &str, _: &()) -> garde::Result {
    if value.chars().any(char::is_control) || value.trim().is_empty() {
        Err(garde::Error::new("must be text without control characters"))
    } else {
        Ok(())
    }
}

/// An image the shop can show: a path under `/images/` or `/media/` (the
/// characters the static files are served under: lower-case letters,
/// digits, `-`, `_`, `.`, no empty, `.` or `..` segment) or an http(s) URL.
fn image_ref(value: &str, _: &()) -> garde::Result {
    let local = value
        .strip_prefix("/images/")
        .or_else(|| value.strip_prefix("/media/"));
    let ok = match local {
        Some(rest) => {
            rest.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b))
                && rest
                    .split('/')
                    .all(|s| !s.is_empty() && !s.starts_with('.'))
        }
        None => {
            let clean = !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c));
            clean
                && url::Url::parse(value).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.host_str().is_some_and(|h| !h.is_empty())
                })
        }
    };
    if ok {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a path under /images/ or /media/ or an http(s) URL",
        ))
    }
}

/// A check of a text field applied to an optional one.
fn optional(
    check: fn(&str, &()) -> garde::Result,
) -> impl Fn(&Option<String>, &()) -> garde::Result {
    move |value, ctx| value.as_deref().map_or(Ok(()), |v| check(v, ctx))
}

/// `grid` or `banner`.
pub fn home_kind(name: &str) -> Option<HomeItemKind> {
    [HomeItemKind::Grid, HomeItemKind::Banner]
        .into_iter()
        .find(|k| k.as_str() == name.trim())
}

fn kind_name(value: &str, _: &()) -> garde::Result {
    match home_kind(value) {
        Some(_) => Ok(()),
        None => Err(garde::Error::new("must be grid or banner")),
    }
}

/// A price in yuan, exactly as written: a JSON number or a string, read
/// from the raw text (never through a float), at most 2 decimals.
pub fn yuan(field: &str, raw: &RawValue) -> Result<Fen, ApiError> {
    let text = raw.get().trim();
    let decimal = if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|e| ApiError::invalid(field, e))?
    } else if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        text.to_owned()
    } else {
        return Err(ApiError::invalid(
            field,
            "must be an amount in yuan like 399.00",
        ));
    };
    Fen::parse_yuan(&decimal).map_err(|e| ApiError::invalid(field, e))
}

/// Shoe sizes: 1 to 20 distinct texts of 1 to 8 characters (no commas:
/// the column keeps them comma-separated).
pub fn sizes(values: &[String]) -> Result<Vec<String>, ApiError> {
    if values.is_empty() || values.len() > 20 {
        return Err(ApiError::invalid("sizes", "must list 1 to 20 sizes"));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let v = v.trim();
        let n = v.chars().count();
        if n == 0 || n > 8 || v.chars().any(|c| c.is_control() || c == ',') {
            return Err(ApiError::invalid(
                format!("sizes[{i}]"),
                "must be 1 to 8 characters, without commas",
            ));
        }
        if out.iter().any(|o| o == v) {
            return Err(ApiError::invalid(format!("sizes[{i}]"), "appears twice"));
        }
        out.push(v.to_owned());
    }
    Ok(out)
}

/// The owner's search keywords: up to 10 distinct words of 1 to 20
/// characters, without commas or control characters (an empty list
/// clears them).
pub fn keywords(values: &[String]) -> Result<Vec<String>, ApiError> {
    if values.len() > 10 {
        return Err(ApiError::invalid("keywords", "must list at most 10 words"));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let v = v.trim();
        let n = v.chars().count();
        if n == 0 || n > 20 || v.chars().any(|c| c.is_control() || c == ',') {
            return Err(ApiError::invalid(
                format!("keywords[{i}]"),
                "must be 1 to 20 characters, without commas",
            ));
        }
        if out.iter().any(|o| o == v) {
            return Err(ApiError::invalid(format!("keywords[{i}]"), "appears twice"));
        }
        out.push(v.to_owned());
    }
    Ok(out)
}

/// An integer a garde range has checked already.
fn narrow(field: &str, n: i64) -> Result<i32, ApiError> {
    i32::try_from(n).map_err(|_| ApiError::invalid(field, "is out of range"))
}

/// The body of `POST /admin/categories` and `PUT /admin/categories/{id}`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// 1 to 50 characters, not blank, no control characters.
    #[serde(rename = "categoryName")]
    #[schema(min_length = 1, max_length = 50, example = "运动鞋")]
    #[garde(
        rename("categoryName"),
        length(chars, min = 1, max = 50),
        custom(plain)
    )]
    category_name: String,
}

impl CategoryInput {
    /// The checked name.
    pub fn name(&self) -> Result<&str, ApiError> {
        self.validate().map_err(invalid)?;
        Ok(self.category_name.trim())
    }
}

/// `hot` as the original stored it (0 or 1), or as a boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum Hot {
    Flag(bool),
    Number(i64),
}

/// The body of `POST /admin/brands` and `PUT /admin/brands/{id}`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandInput {
    /// 1 to 50 characters, not blank, no control characters.
    #[serde(rename = "brandName")]
    #[garde(length(chars, min = 1, max = 50), custom(plain))]
    #[schema(min_length = 1, max_length = 50, example = "Nike")]
    brand_name: String,
    /// An existing category (400 naming `categoryId` otherwise).
    #[serde(rename = "categoryId")]
    #[garde(range(min = 1, max = 2_147_483_647))]
    #[schema(minimum = 1, maximum = 2147483647, example = 1)]
    category_id: i64,
    /// A path under `/images/` or `/media/` or an http(s) URL; empty or
    /// absent: none.
    #[serde(rename = "brandLogo", default)]
    #[garde(skip)]
    #[schema(max_length = 200, example = "/images/brand1.png")]
    brand_logo: Option<String>,
    /// 0 or 1 (or false/true): shown among the hot brands.
    #[serde(default)]
    #[garde(skip)]
    #[schema(schema_with = crate::openapi::schemas::hot)]
    hot: Option<Hot>,
}

impl BrandInput {
    /// The checked fields (an empty logo is none).
    pub fn fields(&self) -> Result<BrandFields<'_>, ApiError> {
        self.validate().map_err(invalid)?;
        let logo = self
            .brand_logo
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        if let Some(l) = logo {
            if l.chars().count() > 200 {
                return Err(ApiError::invalid(
                    "brandLogo",
                    "must be at most 200 characters",
                ));
            }
            image_ref(l, &()).map_err(|e| ApiError::invalid("brandLogo", e.message()))?;
        }
        let hot = match self.hot {
            None | Some(Hot::Flag(false)) | Some(Hot::Number(0)) => 0,
            Some(Hot::Flag(true)) | Some(Hot::Number(1)) => 1,
            Some(Hot::Number(_)) => return Err(ApiError::invalid("hot", "must be 0 or 1")),
        };
        Ok(BrandFields {
            name: self.brand_name.trim(),
            category_id: i32::try_from(self.category_id)
                .map_err(|_| ApiError::invalid("categoryId", "is out of range"))?,
            logo,
            hot,
        })
    }
}

/// The body of `POST /admin/home-items` and `PUT /admin/home-items/{id}`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HomeItemInput {
    #[garde(custom(kind_name))]
    #[schema(schema_with = crate::openapi::schemas::home_kind)]
    kind: String,
    /// As a product's `img`.
    #[garde(length(chars, min = 1, max = 255), custom(image_ref))]
    #[schema(
        pattern = r"^(/images/|/media/|https?://)",
        max_length = 255,
        example = "/images/nav1.png"
    )]
    img_src: String,
    /// Display order (low first).
    #[serde(default)]
    #[garde(range(min = -1_000_000, max = 1_000_000))]
    #[schema(minimum = -1000000, maximum = 1000000)]
    sort: i64,
}

impl HomeItemInput {
    /// The checked kind, image and order.
    pub fn check(&self) -> Result<(HomeItemKind, &str, i32), ApiError> {
        self.validate().map_err(invalid)?;
        let kind = home_kind(&self.kind)
            .ok_or_else(|| ApiError::invalid("kind", "must be grid or banner"))?;
        Ok((kind, self.img_src.as_str(), narrow("sort", self.sort)?))
    }
}
