//! Whatever no route matched: a file from the static folder, an uploaded
//! image from the media store (under `/media/`), or a JSON 404.

use crate::{ApiError, AppState};
use actix_files::NamedFile;
use actix_web::http::Method;
use actix_web::http::header::{
    self, CacheControl, CacheDirective, ETag, EntityTag, IfNoneMatch, TryIntoHeaderValue,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use letao_shop::media::{MediaError, MediaStore};
use std::path::PathBuf;

/// How long clients and proxies may keep an image without asking again.
const STATIC_MAX_AGE_SECS: u32 = 86_400;

/// How long an uploaded image may be kept: a year, the longest HTTP caches
/// honour. Its name is its content's hash, so it never changes.
const MEDIA_MAX_AGE_SECS: u32 = 31_536_000;

/// Pages, scripts and styles are asked for again each time (answered 304
/// by their ETag when unchanged): with no build step, a deploy must never
/// leave a browser mixing old and new modules.
fn revalidated(path: &std::path::Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "mjs" | "css" | "json")
    )
}

/// The file under `root` that `path` names, if `path` is a plain relative
/// path: lower-case letters, digits, `-`, `_`, `.` and `/` only, no empty,
/// `.` or `..` segment and no segment starting with a dot. Anything else
/// (percent-escapes included) names no file, so nothing outside the static
/// folder can be reached.
fn static_path(root: &std::path::Path, path: &str) -> Option<PathBuf> {
    let rel = path.strip_prefix('/')?;
    if rel.is_empty() || rel.len() > 256 {
        return None;
    }
    let plain = rel
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_./".contains(&b));
    let safe_segments = rel
        .split('/')
        .all(|seg| !seg.is_empty() && !seg.starts_with('.'));
    (plain && safe_segments).then(|| root.join(rel))
}

/// App default service.
pub async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::NotFound("no such route"));
    }
    // Uploaded images live apart from the shipped files, in the store.
    if let Some(name) = req.path().strip_prefix("/media/") {
        return serve_media(&req, state.owners.media(), name).await;
    }
    let Some(path) = static_path(&state.static_dir, req.path()) else {
        return Err(ApiError::NotFound("no such route"));
    };
    serve_file(&req, &path).await
}

/// An uploaded image as the store has it, cached for good and tagged with
/// its name; a JSON 404 when there is none (or the name is not a media
/// name, which the store refuses). The path is not percent-decoded, so an
/// escape never makes a name.
async fn serve_media(
    req: &HttpRequest,
    store: &dyn MediaStore,
    name: &str,
) -> Result<HttpResponse, ApiError> {
    let object = match store.get(name).await {
        Ok(Some(object)) => object,
        Ok(None) | Err(MediaError::InvalidName(_)) => {
            return Err(ApiError::NotFound("no such route"));
        }
        Err(e) => return Err(ApiError::Internal(Box::new(e))),
    };
    let etag = EntityTag::new_strong(name.to_owned());
    let unchanged = match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&etag)),
        None => false,
    };
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header(ETag(etag))
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(MEDIA_MAX_AGE_SECS),
            CacheDirective::Extension("immutable".into(), None),
        ]))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if unchanged {
        return Ok(res.finish());
    }
    Ok(res.content_type(object.content_type).body(object.bytes))
}

/// A file with its cache headers (see [`revalidated`]), or a JSON 404.
pub(crate) async fn serve_file(
    req: &HttpRequest,
    path: &std::path::Path,
) -> Result<HttpResponse, ApiError> {
    match NamedFile::open_async(path).await {
        Ok(file) if file.metadata().is_file() => {
            let mut res = file
                .use_etag(true)
                .use_last_modified(true)
                .into_response(req);
            let policy = if revalidated(path) {
                vec![CacheDirective::NoCache]
            } else {
                vec![
                    CacheDirective::Public,
                    CacheDirective::MaxAge(STATIC_MAX_AGE_SECS),
                ]
            };
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                CacheControl(policy)
                    .try_into_value()
                    .map_err(|e| ApiError::Internal(Box::new(e)))?,
            );
            Ok(res)
        }
        _ => Err(ApiError::NotFound("no such route")),
    }
}

/// A JSON 404 for everything.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn only_plain_relative_paths_name_files() {
        let root = Path::new("static");
        assert_eq!(
            static_path(root, "/images/nav1.png"),
            Some(root.join("images/nav1.png"))
        );
        for bad in [
            "/",
            "/../secret",
            "/images/../../etc/passwd",
            "/images/%2e%2e/x",
            "/.env",
            "/images/.hidden",
            "/images//nav1.png",
            "/images/",
            "/images\\nav1.png",
            "//etc/passwd",
            "relative",
        ] {
            assert_eq!(static_path(root, bad), None, "{bad}");
        }
    }
}
