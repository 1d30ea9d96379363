//! Certificate mode: the client downloads the simulator's platform
//! certificates and follows a rotation without restarting.

use crate::v3_receiver::V3Receiver;
use crate::{eventually, http_agent, key, native, start_sim_v3, v3_config};
use std::time::Duration;
use wechat_pay::v3::{Api, Client};

#[test]
fn certificate_mode_with_rotation() {
    let sim = start_sim_v3(|c| {
        if let Some(v3) = c.v3.as_mut() {
            v3.platform_cert_mode = true;
        }
    });
    let mut config = v3_config(&sim);
    config.wechat_public_key = None;
    config.platform_certificates = true;
    config.certificate_refresh_cooldown = Duration::ZERO;
    let c = Client::new(config).unwrap();

    c.create_native(&native("LT500001", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    let first = sim.certificate_serials();
    assert_eq!(first.len(), 1);
    assert_eq!(c.verifier().certificate_serials(), first);
    assert_eq!(c.verifier().certificate_downloads(), 1);

    // Rotate over the control API with a key of ours (generating one in a
    // debug build is slow).
    let pem = {
        use secrecy::ExposeSecret;
        key("platform-b")
            .to_pkcs8_pem()
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    let rotated: serde_json::Value = http_agent()
        .post(&format!("{}/sim/rotate-certificate", sim.base_url()))
        .header("Content-Type", "application/json")
        .send(serde_json::json!({"private_key_pem": pem}).to_string())
        .unwrap()
        .body_mut()
        .read_to_vec()
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    let new_serial = rotated["serial"]
        .as_str()
        .unwrap_or_else(|| panic!("{rotated}"))
        .to_owned();
    assert_eq!(
        rotated["certificate_serials"].as_array().unwrap().len(),
        2,
        "both served"
    );

    // The next reply is signed with the new certificate: one download, accepted.
    let t = c.query_by_out_trade_no("LT500001").unwrap();
    assert_eq!(t.out_trade_no, "LT500001");
    assert_eq!(c.verifier().certificate_downloads(), 2);
    let mut both = vec![first[0].clone(), new_serial.clone()];
    both.sort();
    assert_eq!(c.verifier().certificate_serials(), both);

    // Notifications are signed with the new one too, and verify.
    let receiver = V3Receiver::start(c.notifications(), 0);
    c.create_native(&native("LT500002", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT500002").unwrap();
    eventually("the notification", || receiver.accepted().len() == 1);
    assert_eq!(receiver.all()[0].headers["wechatpay-serial"], new_serial);
    assert_eq!(
        c.verifier().certificate_downloads(),
        2,
        "no download for a known serial"
    );
}

#[test]
fn rotation_is_refused_in_public_key_mode() {
    let sim = start_sim_v3(|_| {});
    assert!(sim.rotate_certificate(Some(key("platform-b"))).is_err());
}
