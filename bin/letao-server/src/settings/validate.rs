//! Checks of a loaded configuration: what serde cannot say (values that
//! must go together, what production refuses).

use super::{
    ApiVersion, Environment, MediaBackend, MediaS3Settings, PLACEHOLDER_APIV3_KEY,
    PLACEHOLDER_JWT_SECRET, PLACEHOLDER_OA_SECRET, PLACEHOLDER_WECHAT_KEY, Settings, SettingsError,
    SmsBackend, WechatPaySettings,
};
use secrecy::ExposeSecret;

impl Settings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        letao_db::Backend::from_url(&self.database.url)
            .map_err(|e| SettingsError::Invalid(format!("database.url: {e}")))?;
        if self.server.workers.is_some_and(|w| !(1..=512).contains(&w)) {
            return Err(SettingsError::Invalid(
                "server.workers must be from 1 to 512".into(),
            ));
        }
        letao_api::CorsOrigins::parse(&self.server.cors_origins)
            .map_err(|e| SettingsError::Invalid(format!("server.cors_origins: {e}")))?;
        if self.database.pool_size == Some(0) {
            return Err(SettingsError::Invalid(
                "database.pool_size must be at least 1".into(),
            ));
        }
        if self.sms.backend == SmsBackend::Tencent {
            let t = &self.sms.tencent;
            for (key, value) in [
                ("secret_id", t.secret_id.as_str()),
                ("secret_key", t.secret_key.expose_secret()),
                ("sdk_app_id", t.sdk_app_id.as_str()),
                ("sign_name", t.sign_name.as_str()),
                ("template_id", t.template_id.as_str()),
            ] {
                if value.trim().is_empty() {
                    return Err(SettingsError::Invalid(format!(
                        "sms.tencent.{key} must be set when sms.backend is tencent"
                    )));
                }
            }
        }
        if self.media.backend == MediaBackend::S3 {
            self.media.s3.check()?;
        }
        if wechat_pay::SignType::parse(&self.wechat_pay.sign_type).is_none() {
            return Err(SettingsError::Invalid(
                "wechat_pay.sign_type must be MD5 or HMAC-SHA256".into(),
            ));
        }
        if self.wechat_pay.api_version == ApiVersion::V3 {
            self.wechat_pay.check_v3()?;
        }
        if self.oa_appid() != self.wechat_pay.appid {
            // A JSAPI order under another appid would need its own client,
            // and its notifications, queries and closes that appid too.
            return Err(SettingsError::Invalid(
                "wechat.oa_appid must be wechat_pay.appid (or empty): JSAPI orders are placed with the pay appid".into(),
            ));
        }
        for (key, url) in [
            ("wechat.oauth_redirect_url", &self.wechat.oauth_redirect_url),
            ("wechat_pay.h5_domain", &self.wechat_pay.h5_domain),
        ] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(SettingsError::Invalid(format!(
                    "{key} must be an absolute http(s) URL"
                )));
            }
        }
        self.reconcile.time()?;
        if self.orders.auto_receive_days == 0 {
            return Err(SettingsError::Invalid(
                "orders.auto_receive_days must be at least 1".into(),
            ));
        }
        if self.orders.ttl_secs == 0 || self.orders.expiry_interval_secs == 0 {
            return Err(SettingsError::Invalid(
                "orders.ttl_secs and orders.expiry_interval_secs must be at least 1".into(),
            ));
        }
        if self.environment == Environment::Production {
            let w = &self.wechat_pay;
            if w.api_version == ApiVersion::V3
                && w.apiv3_key.expose_secret() == PLACEHOLDER_APIV3_KEY
            {
                return Err(SettingsError::Invalid(
                    "production refuses the development wechat_pay.apiv3_key: set LETAO__WECHAT_PAY__APIV3_KEY".into(),
                ));
            }
            if w.api_version == ApiVersion::V2
                && self.wechat_pay.api_key.expose_secret() == PLACEHOLDER_WECHAT_KEY
            {
                return Err(SettingsError::Invalid(
                    "production refuses the development wechat_pay.api_key: set LETAO__WECHAT_PAY__API_KEY".into(),
                ));
            }
            if self.wechat.oa_secret.expose_secret() == PLACEHOLDER_OA_SECRET {
                return Err(SettingsError::Invalid(
                    "production refuses the development wechat.oa_secret: set LETAO__WECHAT__OA_SECRET".into(),
                ));
            }
            let secret = self.auth.jwt_secret.expose_secret();
            if secret == PLACEHOLDER_JWT_SECRET || secret.len() < 32 {
                return Err(SettingsError::Invalid(
                    "production refuses auth.jwt_secret: set LETAO__AUTH__JWT_SECRET \
                     to 32 or more random characters"
                        .into(),
                ));
            }
            if self.sms.backend == SmsBackend::Outbox {
                return Err(SettingsError::Invalid(
                    "production refuses sms.backend = outbox (codes in a file): use tencent".into(),
                ));
            }
        }
        Ok(())
    }
}

impl WechatPaySettings {
    /// What API v3 needs, each missing piece named.
    pub(super) fn check_v3(&self) -> Result<(), SettingsError> {
        let invalid = |msg: String| Err(SettingsError::Invalid(msg));
        if self.apiv3_key.expose_secret().len() != 32 {
            return invalid("wechat_pay.apiv3_key must be the 32-byte APIv3 key".into());
        }
        if self.merchant_private_key.as_os_str().is_empty() {
            return invalid(
                "wechat_pay.merchant_private_key (PEM file of the merchant API key) must be set for v3"
                    .into(),
            );
        }
        if self.merchant_serial.trim().is_empty() {
            return invalid("wechat_pay.merchant_serial must be set for v3".into());
        }
        let key = !self.platform_public_key.as_os_str().is_empty();
        let id = !self.platform_public_key_id.trim().is_empty();
        if key != id {
            return invalid(
                "wechat_pay.platform_public_key and platform_public_key_id go together".into(),
            );
        }
        if !self.notify_url.ends_with("/pay/v3/notify") {
            return invalid(
                "wechat_pay.notify_url must end with /pay/v3/notify when api_version is v3".into(),
            );
        }
        if !self.refund_notify_url.is_empty()
            && !self.refund_notify_url.ends_with("/pay/v3/refund_notify")
        {
            return invalid(
                "wechat_pay.refund_notify_url must end with /pay/v3/refund_notify when api_version is v3"
                    .into(),
            );
        }
        Ok(())
    }
}

impl MediaS3Settings {
    /// What the S3 backend needs, each missing or unusable key named.
    pub(super) fn check(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            ("endpoint", self.endpoint.as_str()),
            ("bucket", self.bucket.as_str()),
            ("region", self.region.as_str()),
            ("access_key_id", self.access_key_id.as_str()),
            ("secret_access_key", self.secret_access_key.expose_secret()),
        ] {
            if value.trim().is_empty() {
                return Err(SettingsError::Invalid(format!(
                    "media.s3.{key} must be set when media.backend is s3 \
                     (LETAO__MEDIA__S3__{})",
                    key.to_ascii_uppercase()
                )));
            }
        }
        letao_media::S3Media::new(self.config())
            .map(drop)
            .map_err(|e| SettingsError::Invalid(format!("media.s3.{e}")))
    }
}
