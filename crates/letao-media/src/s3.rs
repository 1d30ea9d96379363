//! Uploaded images as objects of an S3-compatible bucket: requests signed
//! by rusty-s3 (SigV4 presigned URLs, no I/O of its own) and sent by a
//! blocking ureq agent on tokio's blocking threads.

use bytes::Bytes;
use letao_shop::media::{MediaError, MediaStore, StoredMedia, check_put, media_format};
use rusty_s3::actions::{GetObject, PutObject};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How long a signed request stays valid: only until it is sent, but with
/// room for a store whose clock runs a little behind.
const SIGNATURE_LIFETIME: Duration = Duration::from_secs(300);

/// The largest object read back (uploads are at most 2 MiB).
const MAX_OBJECT_BYTES: u64 = 16 * 1024 * 1024;

/// The most of an error reply read to find its code.
const MAX_ERROR_BYTES: u64 = 16 * 1024;

/// Idle connections kept for reuse: every `/media/` request of every
/// worker is one call.
const IDLE_CONNECTIONS: usize = 32;

/// Where the bucket is and who signs for it.
pub struct S3Config {
    /// The service's base URL, e.g. `https://s3.eu-west-1.amazonaws.com`
    /// or `http://127.0.0.1:9000`; objects are `ENDPOINT/BUCKET/NAME`
    /// (path style, which local and self-hosted servers understand).
    pub endpoint: String,
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region signatures name (`us-east-1` for most self-hosted servers).
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretString,
    /// The longest one call may take, connecting included.
    pub timeout: Duration,
}

/// Why an [`S3Config`] cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct S3ConfigError {
    /// The setting at fault, as `[media.s3]` names it.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// A bucket of an S3-compatible store; cheap to clone.
#[derive(Clone)]
pub struct S3Media {
    inner: Arc<Inner>,
}

struct Inner {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
    timeout: Duration,
}

impl fmt::Debug for S3Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Media")
            .field("bucket_url", &self.inner.bucket.base_url().as_str())
            .field("region", &self.inner.bucket.region())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl S3Media {
    /// The store `config` describes. Nothing is sent yet.
    pub fn new(config: S3Config) -> Result<S3Media, S3ConfigError> {
        let invalid = |field, reason: &str| S3ConfigError {
            field,
            reason: reason.to_owned(),
        };
        for (field, value) in [
            ("endpoint", config.endpoint.as_str()),
            ("bucket", config.bucket.as_str()),
            ("region", config.region.as_str()),
            ("access_key_id", config.access_key_id.as_str()),
            (
                "secret_access_key",
                config.secret_access_key.expose_secret(),
            ),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(field, "must be set"));
            }
        }
        let mut endpoint = Url::parse(config.endpoint.trim()).map_err(|e| S3ConfigError {
            field: "endpoint",
            reason: format!("not a URL: {e}"),
        })?;
        if !matches!(endpoint.scheme(), "http" | "https") || endpoint.host_str().is_none() {
            return Err(invalid("endpoint", "must be an http:// or https:// URL"));
        }
        if endpoint.query().is_some() || endpoint.fragment().is_some() {
            return Err(invalid("endpoint", "must have no query or fragment"));
        }
        // The bucket is joined onto the endpoint's path: without a final
        // slash a path prefix would be replaced instead of kept.
        if !endpoint.path().ends_with('/') {
            let path = format!("{}/", endpoint.path());
            endpoint.set_path(&path);
        }
        let name = config.bucket.trim().to_owned();
        let plain = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
        if !plain {
            return Err(invalid(
                "bucket",
                "must be lower-case letters, digits, `-` and `.`",
            ));
        }
        let bucket = Bucket::new(
            endpoint,
            UrlStyle::Path,
            name,
            config.region.trim().to_owned(),
        )
        .map_err(|e| S3ConfigError {
            field: "endpoint",
            reason: e.to_string(),
        })?;
        let credentials = Credentials::new(
            config.access_key_id.trim(),
            config.secret_access_key.expose_secret(),
        );
        let timeout = config.timeout.max(Duration::from_millis(1));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .build()
            .new_agent();
        Ok(S3Media {
            inner: Arc::new(Inner {
                bucket,
                credentials,
                agent,
                timeout,
            }),
        })
    }
}

impl Inner {
    /// A transport failure: the store was not reached or did not answer.
    fn transport(&self, e: ureq::Error) -> MediaError {
        match e {
            ureq::Error::Timeout(_) => {
                MediaError::Unavailable(format!("no answer within {} ms", self.timeout.as_millis()))
            }
            other => MediaError::Unavailable(other.to_string()),
        }
    }

    fn put(&self, name: &str, content_type: &str, bytes: &[u8]) -> Result<(), MediaError> {
        let mut action = PutObject::new(&self.bucket, Some(&self.credentials), name);
        // Signed, so the type cannot be changed on the way.
        action.headers_mut().insert("content-type", content_type);
        let url = action.sign(SIGNATURE_LIFETIME);
        let mut res = self
            .agent
            .put(url.as_str())
            .header("Content-Type", content_type)
            .send(bytes)
            .map_err(|e| self.transport(e))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(failure(&mut res))
        }
    }

    fn get(&self, name: &str, default_type: &str) -> Result<Option<StoredMedia>, MediaError> {
        let url =
            GetObject::new(&self.bucket, Some(&self.credentials), name).sign(SIGNATURE_LIFETIME);
        let mut res = self
            .agent
            .get(url.as_str())
            .call()
            .map_err(|e| self.transport(e))?;
        let status = res.status().as_u16();
        if status == 404 {
            // A missing bucket is a 404 too, and must not pass for a
            // missing object: only `NoSuchKey` (or a bare 404) is "none".
            let code = error_code(&mut res);
            return match code.as_deref() {
                None | Some("NoSuchKey") => Ok(None),
                Some(other) => Err(MediaError::Refused(format!("HTTP 404 {other}"))),
            };
        }
        if status != 200 {
            return Err(failure(&mut res));
        }
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .unwrap_or(default_type)
            .to_owned();
        let bytes = res
            .body_mut()
            .with_config()
            .limit(MAX_OBJECT_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => {
                    MediaError::Refused(format!("{name} is larger than {n} bytes"))
                }
                other => self.transport(other),
            })?;
        Ok(Some(StoredMedia {
            bytes: bytes.into(),
            content_type,
        }))
    }
}

/// The `<Code>` of an S3 error reply, if it has one.
fn error_code(res: &mut ureq::http::Response<ureq::Body>) -> Option<String> {
    let body = res
        .body_mut()
        .with_config()
        .limit(MAX_ERROR_BYTES)
        .read_to_string()
        .ok()?;
    let start = body.find("<Code>")? + "<Code>".len();
    let len = body[start..].find("</Code>")?;
    Some(body[start..start + len].trim().to_owned()).filter(|c| !c.is_empty())
}

/// What a reply other than success means: the store is overloaded or
/// failing (5xx, 429: unavailable) or refuses (credentials, bucket, ...).
fn failure(res: &mut ureq::http::Response<ureq::Body>) -> MediaError {
    let status = res.status();
    let code = error_code(res).unwrap_or_default();
    let what = format!("HTTP {} {code}", status.as_u16())
        .trim_end()
        .to_owned();
    if status.is_server_error() || status.as_u16() == 429 {
        MediaError::Unavailable(what)
    } else {
        MediaError::Refused(what)
    }
}

fn task_failed(e: tokio::task::JoinError) -> MediaError {
    MediaError::Unavailable(format!("the request task failed: {e}"))
}

#[async_trait::async_trait]
impl MediaStore for S3Media {
    async fn put(&self, name: &str, content_type: &str, bytes: Bytes) -> Result<(), MediaError> {
        check_put(name, content_type)?;
        let (inner, name, content_type) =
            (self.inner.clone(), name.to_owned(), content_type.to_owned());
        // ureq blocks: keep it off the async workers.
        tokio::task::spawn_blocking(move || inner.put(&name, &content_type, &bytes))
            .await
            .map_err(task_failed)?
    }

    async fn get(&self, name: &str) -> Result<Option<StoredMedia>, MediaError> {
        let format = media_format(name)?;
        let (inner, name) = (self.inner.clone(), name.to_owned());
        tokio::task::spawn_blocking(move || inner.get(&name, format.mime()))
            .await
            .map_err(task_failed)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str, bucket: &str) -> S3Config {
        S3Config {
            endpoint: endpoint.into(),
            bucket: bucket.into(),
            region: "us-east-1".into(),
            access_key_id: "AKIDTEST".into(),
            secret_access_key: SecretString::from("secret-that-must-not-show"),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn objects_are_addressed_path_style_under_the_endpoint() {
        let store = S3Media::new(config("http://127.0.0.1:9000", "letao-media")).unwrap();
        assert_eq!(
            store.inner.bucket.base_url().as_str(),
            "http://127.0.0.1:9000/letao-media/"
        );
        let prefixed = S3Media::new(config("https://objects.example/s3", "b")).unwrap();
        assert_eq!(
            prefixed.inner.bucket.base_url().as_str(),
            "https://objects.example/s3/b/"
        );
    }

    #[test]
    fn unusable_settings_are_named() {
        let field = |c: S3Config| S3Media::new(c).unwrap_err().field;
        assert_eq!(field(config("", "b")), "endpoint");
        assert_eq!(field(config("ftp://h/", "b")), "endpoint");
        assert_eq!(field(config("127.0.0.1:9000", "b")), "endpoint");
        assert_eq!(field(config("http://h/?x=1", "b")), "endpoint");
        assert_eq!(field(config("http://h", "")), "bucket");
        assert_eq!(field(config("http://h", "a/b")), "bucket");
        assert_eq!(field(config("http://h", "Upper")), "bucket");
        let mut no_region = config("http://h", "b");
        no_region.region = " ".into();
        assert_eq!(field(no_region), "region");
        let mut no_secret = config("http://h", "b");
        no_secret.secret_access_key = SecretString::from("");
        assert_eq!(field(no_secret), "secret_access_key");
    }

    #[test]
    fn the_secret_is_never_printed() {
        let store = S3Media::new(config("http://127.0.0.1:9000", "b")).unwrap();
        let shown = format!("{store:?}");
        assert!(shown.contains("127.0.0.1:9000/b/"), "{shown}");
        assert!(!shown.contains("secret-that-must-not-show"), "{shown}");
    }
}
