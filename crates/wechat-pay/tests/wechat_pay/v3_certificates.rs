//! Platform certificates: download (verified by the certificates it
//! carries), cache, one refresh per unknown serial, rotation, and the
//! migration to the WeChat Pay public key.

use crate::fake_v3::{Fake, Reply, Signing};
use crate::key;
use crate::{APIV3_KEY, by_wechat, fake, v3_config};
use chrono::{TimeDelta, Utc};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wechat_pay::v3::{
    Api, ApiV3Key, CertificateItem, CertificateList, Client, EncryptedResource, Error,
    PlatformCertificate, PrivateKey, SignatureError, spawn_certificate_refresher,
};

const SERIAL_A: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const SERIAL_B: &str = "7132D72A03E93CDDF8C03BBD1F37EEDF2F14E3A2";
const SERIAL_C: &str = "1FB89742D19C0F4A2C0E3E3CF4F4CD00A0F6E2B1";

struct Platform {
    /// (key, serial, pem) served by /v3/certificates.
    served: Vec<(PrivateKey, String, String)>,
    /// Which of them signs replies.
    signer: usize,
    /// The APIv3 key certificates are encrypted with.
    apiv3_key: String,
}

fn cert(key: &PrivateKey, serial: &str, days: i64) -> String {
    let now = Utc::now();
    PlatformCertificate::self_signed_pem(
        key,
        serial,
        now - TimeDelta::days(1),
        now + TimeDelta::days(days),
    )
    .unwrap()
}

fn platform() -> Arc<Mutex<Platform>> {
    let a = key("platform-a");
    let pem = cert(&a, SERIAL_A, 365);
    Arc::new(Mutex::new(Platform {
        served: vec![(a, SERIAL_A.into(), pem)],
        signer: 0,
        apiv3_key: APIV3_KEY.into(),
    }))
}

fn certificate_list(p: &Platform) -> String {
    let key = ApiV3Key::new(&p.apiv3_key).unwrap();
    let data = p
        .served
        .iter()
        .map(|(_, serial, pem)| CertificateItem {
            serial_no: serial.clone(),
            effective_time: "2026-01-01T00:00:00+08:00".into(),
            expire_time: "2031-01-01T00:00:00+08:00".into(),
            encrypt_certificate: EncryptedResource::seal(&key, "certificate", None, pem.as_bytes())
                .unwrap(),
        })
        .collect();
    serde_json::to_string(&CertificateList { data }).unwrap()
}

/// A fake serving certificates from `state` and answering every other
/// request 204, signed by the current signer (or by `sign_with` if set).
fn platform_fake(
    state: Arc<Mutex<Platform>>,
    sign_with: Arc<Mutex<Option<(PrivateKey, String)>>>,
) -> Fake {
    fake(move |req| {
        let p = state.lock().unwrap();
        let signing = match sign_with.lock().unwrap().clone() {
            Some((k, s)) => Signing::By(k, s),
            None => {
                let (k, s, _) = &p.served[p.signer];
                Signing::By(k.clone(), s.clone())
            }
        };
        if req.path == "/v3/certificates" {
            let (k, s, _) = &p.served[p.signer];
            Reply::json(
                200,
                &certificate_list(&p),
                Signing::By(k.clone(), s.clone()),
            )
        } else {
            Reply::json(204, "", signing)
        }
    })
}

fn cert_client(server: &Fake, cooldown: Duration) -> Client {
    let mut config = v3_config(&server.base_url());
    config.wechat_public_key = None;
    config.platform_certificates = true;
    config.certificate_refresh_cooldown = cooldown;
    Client::new(config).unwrap()
}

#[test]
fn certificates_are_downloaded_once_and_cached() {
    let server = platform_fake(platform(), Arc::default());
    let c = cert_client(&server, Duration::from_secs(60));
    c.close("LT1").unwrap();
    c.close("LT2").unwrap();
    c.close("LT3").unwrap();
    assert_eq!(server.count("/v3/certificates"), 1);
    assert_eq!(
        c.verifier().certificate_serials(),
        vec![SERIAL_A.to_owned()]
    );
    let download = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/v3/certificates")
        .unwrap();
    assert!(download.signed_ok && download.method == "GET");
}

#[test]
fn an_unknown_serial_triggers_exactly_one_refresh_then_fails() {
    let sign_with = Arc::new(Mutex::new(None));
    let server = platform_fake(platform(), sign_with.clone());
    let c = cert_client(&server, Duration::ZERO);
    c.close("LT1").unwrap();
    assert_eq!(server.count("/v3/certificates"), 1);
    *sign_with.lock().unwrap() = Some((key("stranger"), "ABCDEF0123".into()));
    let err = c.close("LT1").unwrap_err();
    assert_eq!(
        err,
        Error::BadSignature(SignatureError::UnknownSerial("ABCDEF0123".into()))
    );
    assert_eq!(
        server.count("/v3/certificates"),
        2,
        "one refresh for the unknown serial"
    );
}

#[test]
fn the_cooldown_bounds_refreshes_for_unknown_serials() {
    let sign_with = Arc::new(Mutex::new(None));
    let server = platform_fake(platform(), sign_with.clone());
    let c = cert_client(&server, Duration::from_secs(60));
    c.close("LT1").unwrap();
    *sign_with.lock().unwrap() = Some((key("stranger"), "ABCDEF0123".into()));
    for _ in 0..3 {
        assert!(c.close("LT1").is_err());
    }
    assert_eq!(
        server.count("/v3/certificates"),
        1,
        "a flood of unknown serials downloads nothing more"
    );
}

#[test]
fn a_rotation_is_followed_without_restart_and_both_certificates_are_accepted() {
    let state = platform();
    let sign_with = Arc::new(Mutex::new(None));
    let server = platform_fake(state.clone(), sign_with.clone());
    let c = cert_client(&server, Duration::ZERO);
    c.close("LT1").unwrap();

    // WeChat publishes B beside A and starts signing with B.
    {
        let mut p = state.lock().unwrap();
        let b = key("platform-b");
        let pem = cert(&b, SERIAL_B, 365);
        p.served.push((b, SERIAL_B.into(), pem));
        p.signer = 1;
    }
    c.close("LT2").unwrap();
    assert_eq!(server.count("/v3/certificates"), 2);
    assert_eq!(
        c.verifier().certificate_serials(),
        vec![SERIAL_A.to_owned(), SERIAL_B.to_owned()]
    );
    // A message still signed with A (e.g. a late retry) is accepted.
    *sign_with.lock().unwrap() = Some((key("platform-a"), SERIAL_A.into()));
    c.close("LT3").unwrap();
    assert_eq!(
        server.count("/v3/certificates"),
        2,
        "no download for a known serial"
    );
}

#[test]
fn the_background_refresher_picks_up_new_certificates() {
    let state = platform();
    let server = platform_fake(state.clone(), Arc::default());
    let c = cert_client(&server, Duration::from_secs(3600));
    let refresher = spawn_certificate_refresher(c.verifier(), Duration::from_millis(50)).unwrap();
    crate::eventually("the first download", || {
        c.verifier().certificate_serials() == vec![SERIAL_A.to_owned()]
    });
    {
        let mut p = state.lock().unwrap();
        let cc = key("platform-c");
        let pem = cert(&cc, SERIAL_C, 365);
        p.served.push((cc, SERIAL_C.into(), pem));
    }
    crate::eventually("the new certificate", || {
        c.verifier().certificate_serials().len() == 2
    });
    drop(refresher);
    let downloads = server.count("/v3/certificates");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        server.count("/v3/certificates"),
        downloads,
        "stopped when dropped"
    );
}

#[test]
fn a_download_signed_by_a_key_it_does_not_carry_is_refused() {
    let state = platform();
    let server = fake({
        let state = state.clone();
        move |_| {
            let p = state.lock().unwrap();
            // Signed by a stranger claiming A's serial.
            Reply::json(
                200,
                &certificate_list(&p),
                Signing::By(key("stranger"), SERIAL_A.into()),
            )
        }
    });
    let c = cert_client(&server, Duration::ZERO);
    assert_eq!(
        c.verifier().refresh_certificates().unwrap_err(),
        Error::BadSignature(SignatureError::Mismatch)
    );
    assert!(
        c.verifier().certificate_serials().is_empty(),
        "nothing stored"
    );
}

#[test]
fn certificates_encrypted_with_another_apiv3_key_are_refused() {
    let state = platform();
    state.lock().unwrap().apiv3_key = "another-key-0123456789abcdefghij".into();
    let server = platform_fake(state, Arc::default());
    let c = cert_client(&server, Duration::ZERO);
    assert!(matches!(
        c.verifier().refresh_certificates(),
        Err(Error::Decrypt(_))
    ));
    assert!(matches!(
        c.close("LT1"),
        Err(Error::BadSignature(SignatureError::UnknownSerial(_)))
    ));
}

#[test]
fn an_expired_certificate_is_not_accepted() {
    let state = platform();
    {
        let mut p = state.lock().unwrap();
        let a = key("platform-a");
        let now = Utc::now();
        p.served[0].2 = PlatformCertificate::self_signed_pem(
            &a,
            SERIAL_A,
            now - TimeDelta::days(400),
            now - TimeDelta::days(1),
        )
        .unwrap();
    }
    let server = platform_fake(state, Arc::default());
    let c = cert_client(&server, Duration::ZERO);
    assert!(c.close("LT1").is_err());
    assert!(c.verifier().certificate_serials().is_empty());
}

#[test]
fn while_migrating_both_modes_route_by_serial() {
    let sign_with = Arc::new(Mutex::new(None));
    let server = platform_fake(platform(), sign_with.clone());
    let mut config = v3_config(&server.base_url());
    config.platform_certificates = true; // public key configured too
    config.certificate_refresh_cooldown = Duration::ZERO;
    let c = Client::new(config).unwrap();

    // Signed with the public key: no certificate download needed.
    if let Signing::By(k, s) = by_wechat() {
        *sign_with.lock().unwrap() = Some((k, s));
    }
    c.close("LT1").unwrap();
    assert_eq!(server.count("/v3/certificates"), 0);
    // Signed with platform certificate A: downloaded and accepted.
    *sign_with.lock().unwrap() = None;
    c.close("LT2").unwrap();
    assert_eq!(server.count("/v3/certificates"), 1);
}

#[test]
fn a_certificate_round_trips_through_pem() {
    let a = key("platform-a");
    let pem = cert(&a, SERIAL_A, 30);
    let parsed = PlatformCertificate::from_pem(&pem).unwrap();
    assert_eq!(parsed.serial, SERIAL_A);
    assert_eq!(parsed.public_key, a.public_key());
    assert!(parsed.is_valid_at(Utc::now()));
    assert!(!parsed.is_valid_at(Utc::now() + TimeDelta::days(31)));
    assert!(
        PlatformCertificate::from_pem(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
        )
        .is_err()
    );
}

#[test]
fn the_async_client_downloads_certificates_off_the_runtime_and_verifies() {
    let server = platform_fake(platform(), Arc::default());
    let client = wechat_pay::v3::AsyncClient::with_http(
        cert_client(&server, Duration::from_secs(60)),
        reqwest::Client::new(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        client.close("LT1").await.unwrap();
        client.close("LT2").await.unwrap();
    });
    assert_eq!(server.count("/v3/certificates"), 1);
    assert_eq!(
        client.verifier().certificate_serials(),
        vec![SERIAL_A.to_owned()]
    );
}
