//! v3 client settings.

use secrecy::SecretString;
use std::time::Duration;

/// The WeChat Pay public key and its id, from the merchant platform.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WechatPublicKey {
    /// `PUB_KEY_ID_...`, what `Wechatpay-Serial` names.
    pub id: String,
    /// `pub_key.pem`.
    pub pem: String,
}

impl WechatPublicKey {
    /// The key `pem` named `id`.
    pub fn new(id: &str, pem: &str) -> WechatPublicKey {
        WechatPublicKey {
            id: id.to_owned(),
            pem: pem.to_owned(),
        }
    }
}

/// v3 client settings.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// App id.
    pub appid: String,
    /// Merchant id.
    pub mchid: String,
    /// Serial of the merchant API certificate.
    pub merchant_serial: String,
    /// The merchant API private key, PEM (PKCS#8 or PKCS#1).
    pub merchant_private_key: SecretString,
    /// The 32-byte APIv3 key.
    pub apiv3_key: SecretString,
    /// Verify with the WeChat Pay public key (merchants since late 2024).
    pub wechat_public_key: Option<WechatPublicKey>,
    /// Verify with platform certificates from `GET /v3/certificates`.
    /// Both may be on while migrating: the serial picks the key.
    pub platform_certificates: bool,
    /// At most one certificate download per this long for unknown serials
    /// (the first download always runs).
    pub certificate_refresh_cooldown: Duration,
    /// Base URL with scheme, [`crate::DEFAULT_BASE_URL`] in production.
    pub base_url: String,
    /// Limit for each whole call.
    pub timeout: Duration,
    /// Extra trusted root certificates (PEM) instead of the public roots.
    pub root_certs_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("appid", &self.appid)
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field(
                "wechat_public_key",
                &self.wechat_public_key.as_ref().map(|k| &k.id),
            )
            .field("platform_certificates", &self.platform_certificates)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Settings verifying with platform certificates, the production base
    /// URL, a 10 s timeout and a 60 s refresh cooldown. Call
    /// [`Config::with_public_key`] for the public-key mode.
    pub fn new(
        appid: &str,
        mchid: &str,
        merchant_serial: &str,
        merchant_private_key: SecretString,
        apiv3_key: SecretString,
    ) -> Config {
        Config {
            appid: appid.to_owned(),
            mchid: mchid.to_owned(),
            merchant_serial: merchant_serial.to_owned(),
            merchant_private_key,
            apiv3_key,
            wechat_public_key: None,
            platform_certificates: true,
            certificate_refresh_cooldown: Duration::from_secs(60),
            base_url: crate::DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(10),
            root_certs_pem: None,
        }
    }

    /// Verifies with the WeChat Pay public key instead of certificates.
    pub fn with_public_key(mut self, id: &str, pem: &str) -> Config {
        self.wechat_public_key = Some(WechatPublicKey {
            id: id.to_owned(),
            pem: pem.to_owned(),
        });
        self.platform_certificates = false;
        self
    }
}
