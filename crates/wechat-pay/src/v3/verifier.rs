//! Verification of WeChat's responses and notifications, with the WeChat
//! Pay public key, platform certificates, or both (routed by serial).

use super::auth::{SIGNTEST_PREFIX, response_message};
use super::certificates::{CertificateList, PlatformCertificate};
use super::clock::Clock;
use super::error::{Error, SignatureError};
use super::keys::{ApiV3Key, PublicKey};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Timestamps further than this from our clock are refused.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The four `Wechatpay-*` headers of a response or notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Wechatpay-Timestamp`, Unix seconds as sent.
    pub timestamp: String,
    /// `Wechatpay-Nonce`.
    pub nonce: String,
    /// `Wechatpay-Signature`, base64.
    pub signature: String,
    /// `Wechatpay-Serial`: a `PUB_KEY_ID_...` or a certificate serial.
    pub serial: String,
}

impl SignedHeaders {
    /// Reads the headers through `get` (called with each header name,
    /// e.g. `|n| req.headers().get(n).and_then(|v| v.to_str().ok())`).
    pub fn from_lookup<F, S>(get: F) -> Result<SignedHeaders, SignatureError>
    where
        F: Fn(&'static str) -> Option<S>,
        S: AsRef<str>,
    {
        let one = |name: &'static str| {
            get(name)
                .map(|v| v.as_ref().trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or(SignatureError::MissingHeader(name))
        };
        Ok(SignedHeaders {
            timestamp: one("Wechatpay-Timestamp")?,
            nonce: one("Wechatpay-Nonce")?,
            signature: one("Wechatpay-Signature")?,
            serial: one("Wechatpay-Serial")?,
        })
    }

    /// Reads the headers from a map keyed by lower-case header names.
    pub fn from_map(headers: &HashMap<String, String>) -> Result<SignedHeaders, SignatureError> {
        SignedHeaders::from_lookup(|name| headers.get(&name.to_ascii_lowercase()))
    }
}

/// A raw HTTP reply, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpReply {
    /// HTTP status.
    pub status: u16,
    /// Headers by lower-case name.
    pub headers: HashMap<String, String>,
    /// The body bytes exactly as received.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// A reply as received; header names are lower-cased here.
    pub fn new(status: u16, headers: HashMap<String, String>, body: Vec<u8>) -> HttpReply {
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        HttpReply {
            status,
            headers,
            body,
        }
    }
}

/// Downloads `GET /v3/certificates` (signed request, reply not verified
/// yet): implemented by the v3 client; a test can supply its own.
pub trait CertificateSource: Send + Sync {
    /// The raw reply.
    fn download_certificates(&self) -> Result<HttpReply, Error>;
}

/// The platform certificates known so far, by serial.
#[derive(Debug, Default)]
struct Store {
    certs: HashMap<String, PlatformCertificate>,
}

struct Platform {
    source: Arc<dyn CertificateSource>,
    apiv3_key: ApiV3Key,
    store: RwLock<Store>,
    /// Held while downloading, so concurrent unknown serials cause one
    /// download; remembers when the last one ran.
    refreshing: Mutex<Option<Instant>>,
    cooldown: Duration,
    downloads: AtomicU64,
}

/// Verifies responses and notifications over their raw bytes, choosing the
/// key by `Wechatpay-Serial`.
pub struct Verifier {
    public_key: Option<(String, PublicKey)>,
    platform: Option<Platform>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("public_key_id", &self.public_key.as_ref().map(|(id, _)| id))
            .field("platform_certificates", &self.certificate_serials())
            .finish()
    }
}

impl Verifier {
    /// A verifier with no key yet; add the WeChat Pay public key, platform
    /// certificates, or both.
    pub fn new(clock: Arc<dyn Clock>) -> Verifier {
        Verifier {
            public_key: None,
            platform: None,
            clock,
        }
    }

    /// Accepts signatures by the WeChat Pay public key `id`
    /// (`PUB_KEY_ID_...`).
    pub fn with_public_key(mut self, id: &str, key: PublicKey) -> Verifier {
        self.public_key = Some((id.to_owned(), key));
        self
    }

    /// Accepts signatures by platform certificates downloaded from
    /// `source` (decrypted with `apiv3_key`). A serial not seen yet causes
    /// one download, at most once per `cooldown` (the first always runs).
    pub fn with_platform_certificates(
        mut self,
        source: Arc<dyn CertificateSource>,
        apiv3_key: ApiV3Key,
        cooldown: Duration,
    ) -> Verifier {
        self.platform = Some(Platform {
            source,
            apiv3_key,
            store: RwLock::new(Store::default()),
            refreshing: Mutex::new(None),
            cooldown,
            downloads: AtomicU64::new(0),
        });
        self
    }

    /// The clock timestamps are checked against.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Serials of the platform certificates currently accepted.
    pub fn certificate_serials(&self) -> Vec<String> {
        let now = self.clock.now();
        let mut serials: Vec<String> = self
            .platform
            .as_ref()
            .and_then(|p| p.store.read().ok())
            .map(|s| {
                s.certs
                    .values()
                    .filter(|c| c.is_valid_at(now))
                    .map(|c| c.serial.clone())
                    .collect()
            })
            .unwrap_or_default();
        serials.sort();
        serials
    }

    /// How many times certificates were downloaded.
    pub fn certificate_downloads(&self) -> u64 {
        self.platform
            .as_ref()
            .map(|p| p.downloads.load(Ordering::SeqCst))
            .unwrap_or(0)
    }

    /// Verifies `body` (exact bytes) against its headers. Checks, in order:
    /// SIGNTEST probes, the timestamp (±5 minutes), the key named by the
    /// serial (an unknown certificate serial triggers one refresh), then
    /// the signature.
    pub fn verify(&self, headers: &SignedHeaders, body: &[u8]) -> Result<(), SignatureError> {
        self.check_headers(headers)?;
        let key = self.key_for(&headers.serial)?;
        check_signature(&key, headers, body)
    }

    /// True when verifying a message signed by `serial` may first download
    /// the platform certificates (a blocking call): certificate mode and a
    /// serial that is neither the public key's nor a known certificate's.
    pub fn may_download(&self, serial: &str) -> bool {
        let by_public_key = self.public_key.as_ref().is_some_and(|(id, _)| id == serial);
        match &self.platform {
            Some(platform) => !by_public_key && self.known(platform, serial).is_none(),
            None => false,
        }
    }

    fn check_headers(&self, headers: &SignedHeaders) -> Result<(), SignatureError> {
        if headers.signature.starts_with(SIGNTEST_PREFIX) {
            return Err(SignatureError::SignTest);
        }
        let timestamp: i64 = headers
            .timestamp
            .parse()
            .map_err(|_| SignatureError::Malformed("Wechatpay-Timestamp"))?;
        let now = self.clock.now().timestamp();
        if (now - timestamp).abs() > MAX_CLOCK_SKEW_SECS {
            return Err(SignatureError::StaleTimestamp { timestamp, now });
        }
        Ok(())
    }

    fn key_for(&self, serial: &str) -> Result<PublicKey, SignatureError> {
        if let Some((id, key)) = &self.public_key
            && id == serial
        {
            return Ok(key.clone());
        }
        let Some(platform) = &self.platform else {
            return Err(SignatureError::UnknownSerial(serial.to_owned()));
        };
        if let Some(key) = self.known(platform, serial) {
            return Ok(key);
        }
        // Unknown: one refresh (unless another thread just did one, or
        // the cooldown forbids), then look again.
        if let Ok(mut last) = platform.refreshing.lock()
            && self.known(platform, serial).is_none()
            && last.is_none_or(|t| t.elapsed() >= platform.cooldown)
        {
            *last = Some(Instant::now());
            if let Err(e) = self.download(platform) {
                tracing::warn!(error = %e, "platform certificate refresh failed");
            }
        }
        self.known(platform, serial)
            .ok_or_else(|| SignatureError::UnknownSerial(serial.to_owned()))
    }

    fn known(&self, platform: &Platform, serial: &str) -> Option<PublicKey> {
        let now = self.clock.now();
        let store = platform.store.read().ok()?;
        store
            .certs
            .get(&serial.to_ascii_uppercase())
            .filter(|c| c.is_valid_at(now))
            .map(|c| c.public_key.clone())
    }

    /// Downloads the platform certificates now (a host may call this on a
    /// timer, or use [`spawn_certificate_refresher`]). New certificates are
    /// added; known ones stay until they expire, so old and new are both
    /// accepted during a rotation. Returns how many are valid now.
    ///
    /// [`spawn_certificate_refresher`]: super::spawn_certificate_refresher
    pub fn refresh_certificates(&self) -> Result<usize, Error> {
        let Some(platform) = &self.platform else {
            return Err(Error::Config("no platform certificates configured".into()));
        };
        let mut last = platform
            .refreshing
            .lock()
            .map_err(|_| Error::Config("certificate store poisoned".into()))?;
        *last = Some(Instant::now());
        self.download(platform)?;
        drop(last);
        Ok(self.certificate_serials().len())
    }

    /// One download, verified before anything in it is stored: with the
    /// public key when the reply names it, otherwise with the certificate
    /// (downloaded or already known) that the reply names — WeChat's
    /// bootstrap rule.
    fn download(&self, platform: &Platform) -> Result<(), Error> {
        platform.downloads.fetch_add(1, Ordering::SeqCst);
        let reply = platform.source.download_certificates()?;
        if !(200..300).contains(&reply.status) {
            return Err(super::transport::api_error(&reply));
        }
        let headers = SignedHeaders::from_map(&reply.headers)?;
        self.check_headers(&headers)?;
        let by_public_key = self
            .public_key
            .as_ref()
            .filter(|(id, _)| *id == headers.serial)
            .map(|(_, key)| key.clone());
        if let Some(key) = &by_public_key {
            check_signature(key, &headers, &reply.body)?;
        }
        let list: CertificateList = serde_json::from_slice(&reply.body)
            .map_err(|e| Error::BadReply(format!("certificates: {e}")))?;
        let downloaded = list.open(&platform.apiv3_key)?;
        if by_public_key.is_none() {
            let now = self.clock.now();
            let signer = downloaded
                .iter()
                .find(|c| c.serial.eq_ignore_ascii_case(&headers.serial) && c.is_valid_at(now))
                .map(|c| c.public_key.clone())
                .or_else(|| self.known(platform, &headers.serial))
                .ok_or_else(|| SignatureError::UnknownSerial(headers.serial.clone()))?;
            check_signature(&signer, &headers, &reply.body)?;
        }
        let now = self.clock.now();
        let mut store = platform
            .store
            .write()
            .map_err(|_| Error::Config("certificate store poisoned".into()))?;
        store.certs.retain(|_, c| c.not_after >= now);
        for cert in downloaded {
            store.certs.insert(cert.serial.to_ascii_uppercase(), cert);
        }
        Ok(())
    }
}

fn check_signature(
    key: &PublicKey,
    headers: &SignedHeaders,
    body: &[u8],
) -> Result<(), SignatureError> {
    let message = response_message(&headers.timestamp, &headers.nonce, body);
    if key.verify(&message, &headers.signature) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}
