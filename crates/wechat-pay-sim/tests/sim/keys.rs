//! RSA keys made by the tests themselves. Generating a 2048-bit key takes
//! seconds in a debug build and nextest runs every test in its own process,
//! so each named key is generated once and kept under the target directory.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use wechat_pay::v3::PrivateKey;

pub fn key(name: &str) -> PrivateKey {
    static KEYS: OnceLock<Mutex<HashMap<String, PrivateKey>>> = OnceLock::new();
    let mut keys = KEYS.get_or_init(Default::default).lock().unwrap();
    if let Some(k) = keys.get(name) {
        return k.clone();
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wechat-pay-test-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pem"));
    let read = || {
        std::fs::read_to_string(&path)
            .ok()
            .and_then(|pem| PrivateKey::from_pem(&pem).ok())
    };
    // One process generates a key while the others (nextest runs tests in
    // parallel processes) wait for it; a lock left by a killed run is
    // ignored after two minutes.
    let lock = dir.join(format!("{name}.lock"));
    let started = std::time::Instant::now();
    let k = loop {
        if let Some(k) = read() {
            break k;
        }
        let ours = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
            .is_ok();
        if ours || started.elapsed() > std::time::Duration::from_secs(120) {
            let k = PrivateKey::generate(2048).unwrap();
            use secrecy::ExposeSecret;
            // Write then rename, so nobody reads half a key.
            let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
            std::fs::write(&tmp, k.to_pkcs8_pem().unwrap().expose_secret()).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
            let _ = std::fs::remove_file(&lock);
            break k;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    keys.insert(name.to_owned(), k.clone());
    k
}
