//! The outbound services the settings name: the SMS sender, the WeChat
//! Pay gateway and the media store.

use super::StartError;
use crate::settings::{ApiVersion, MediaBackend, Settings, SmsBackend};
use letao_media::{LocalMedia, S3Media};
use letao_shop::media::MediaStore;
use letao_shop::payments::PaymentGateway;
use letao_shop::payments::v2::WechatV2;
use letao_shop::payments::v3::WechatV3;
use letao_sms::{OutboxSender, SmsSender, TencentConfig, TencentSender};
use std::sync::Arc;
use std::time::Duration;
use wechat_pay::v3::CertificateRefresher;

/// The SMS backend the settings name.
pub fn sms_sender(settings: &Settings) -> Result<Arc<dyn SmsSender>, StartError> {
    Ok(match settings.sms.backend {
        SmsBackend::Outbox => Arc::new(OutboxSender::new(&settings.sms.outbox)),
        SmsBackend::Tencent => {
            let t = &settings.sms.tencent;
            Arc::new(
                TencentSender::new(TencentConfig {
                    secret_id: t.secret_id.clone(),
                    secret_key: t.secret_key.clone(),
                    sdk_app_id: t.sdk_app_id.clone(),
                    sign_name: t.sign_name.clone(),
                    template_id: t.template_id.clone(),
                    region: t.region.clone(),
                    endpoint: t.endpoint.clone(),
                    timeout: Duration::from_secs(t.timeout_secs.max(1)),
                })
                .map_err(|e| StartError::Config(format!("sms.tencent: {e}")))?,
            )
        }
    })
}

/// The media store the settings name.
pub fn media_store(settings: &Settings) -> Result<Arc<dyn MediaStore>, StartError> {
    Ok(match settings.media.backend {
        MediaBackend::Local => Arc::new(LocalMedia::new(&settings.server.media_dir)),
        MediaBackend::S3 => Arc::new(
            S3Media::new(settings.media.s3.config())
                .map_err(|e| StartError::Config(format!("media.s3.{e}")))?,
        ),
    })
}

/// A configured file, read whole.
fn read_file(what: &str, path: &std::path::Path) -> Result<Vec<u8>, StartError> {
    std::fs::read(path).map_err(|e| {
        StartError::Config(format!(
            "wechat_pay.{what}: cannot read {}: {e}",
            path.display()
        ))
    })
}

/// The payment gateway the settings name, and (platform-certificate mode)
/// the thread that keeps the certificates fresh.
pub fn gateway(
    settings: &Settings,
) -> Result<(Arc<dyn PaymentGateway>, Option<CertificateRefresher>), StartError> {
    let w = &settings.wechat_pay;
    if w.api_version == ApiVersion::V2 {
        return Ok((v2_gateway(settings)?, None));
    }
    let key = String::from_utf8(read_file("merchant_private_key", &w.merchant_private_key)?)
        .map_err(|_| {
            StartError::Config("wechat_pay.merchant_private_key is not PEM text".into())
        })?;
    let mut config = wechat_pay::v3::Config::new(
        &w.appid,
        &w.mch_id,
        &w.merchant_serial,
        secrecy::SecretString::from(key),
        w.apiv3_key.clone(),
    );
    if !w.platform_public_key.as_os_str().is_empty() {
        let pem = String::from_utf8(read_file("platform_public_key", &w.platform_public_key)?)
            .map_err(|_| {
                StartError::Config("wechat_pay.platform_public_key is not PEM text".into())
            })?;
        config = config.with_public_key(&w.platform_public_key_id, &pem);
    }
    let certificates = config.platform_certificates;
    config.base_url = w.base_url.clone();
    config.timeout = Duration::from_secs(w.timeout_secs.max(1));
    let client = wechat_pay::v3::AsyncClient::new(config)
        .map_err(|e| StartError::Config(format!("wechat_pay (v3): {e}")))?;
    let refresher = if certificates {
        Some(
            wechat_pay::v3::spawn_certificate_refresher(client.verifier(), CERTIFICATE_REFRESH)
                .map_err(|e| {
                    StartError::Config(format!("wechat_pay: certificate refresher: {e}"))
                })?,
        )
    } else {
        None
    };
    Ok((Arc::new(WechatV3::new(client)), refresher))
}

/// How often platform certificates are downloaded again (WeChat rotates
/// them with weeks of overlap; an unknown serial also triggers a download).
const CERTIFICATE_REFRESH: Duration = Duration::from_secs(12 * 3600);

/// The v2 gateway: the XML client and the merchant that verifies notifications.
fn v2_gateway(settings: &Settings) -> Result<Arc<dyn PaymentGateway>, StartError> {
    let w = &settings.wechat_pay;
    let merchant = wechat_pay::Merchant {
        appid: w.appid.clone(),
        mch_id: w.mch_id.clone(),
        api_key: w.api_key.clone(),
        sign_type: wechat_pay::SignType::parse(&w.sign_type).unwrap_or_default(),
    };
    let client_identity = match (
        w.client_cert.as_os_str().is_empty(),
        w.client_key.as_os_str().is_empty(),
    ) {
        (true, true) => None,
        (false, false) => {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| {
                    StartError::Config(format!("wechat_pay: cannot read {}: {e}", p.display()))
                })
            };
            let key = String::from_utf8(read(&w.client_key)?)
                .map_err(|_| StartError::Config("wechat_pay.client_key is not PEM text".into()))?;
            Some(wechat_pay::ClientIdentity {
                cert_pem: read(&w.client_cert)?,
                key_pem: secrecy::SecretString::from(key),
            })
        }
        _ => {
            return Err(StartError::Config(
                "wechat_pay.client_cert and client_key go together".into(),
            ));
        }
    };
    let gateway = WechatV2::new(wechat_pay::Config {
        merchant,
        base_url: w.base_url.clone(),
        timeout: Duration::from_secs(w.timeout_secs.max(1)),
        client_identity,
        root_certs_pem: None,
    })
    .map_err(|e| StartError::Config(format!("wechat_pay: {e}")))?;
    Ok(Arc::new(gateway))
}
