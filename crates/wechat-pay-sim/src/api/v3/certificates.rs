//! `/v3/certificates` (certificate mode): every platform certificate
//! served, each encrypted with the APIv3 key.

use super::{Out, err, handle};
use crate::Simulator;
use crate::china_time::rfc3339;
use actix_web::{HttpRequest, HttpResponse, web};
use wechat_pay::v3::{
    ApiV3Key, CertificateItem, CertificateList, EncryptedResource, PlatformCertificate,
};

pub(super) async fn certificates(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    handle(&sim, &req, b"", |sim, state| {
        let Some(v3) = sim.config.v3.as_ref().filter(|v| v.platform_cert_mode) else {
            return err(
                404,
                "RESOURCE_NOT_EXISTS",
                "此商户使用微信支付公钥，无平台证书",
            );
        };
        let Ok(key) = ApiV3Key::new(&v3.apiv3_key) else {
            return err(500, "SYSTEM_ERROR", "APIv3 key");
        };
        let mut data = Vec::new();
        for c in &state.platform_certs {
            let Ok(parsed) = PlatformCertificate::from_pem(&c.pem) else {
                return err(500, "SYSTEM_ERROR", "certificate");
            };
            let Ok(sealed) = EncryptedResource::seal(&key, "certificate", None, c.pem.as_bytes())
            else {
                return err(500, "SYSTEM_ERROR", "encryption");
            };
            data.push(CertificateItem {
                serial_no: c.serial.clone(),
                effective_time: rfc3339(parsed.not_before),
                expire_time: rfc3339(parsed.not_after),
                encrypt_certificate: sealed,
            });
        }
        match serde_json::to_value(CertificateList { data }) {
            Ok(v) => Out::Json(200, v),
            Err(_) => err(500, "SYSTEM_ERROR", "json"),
        }
    })
}
