//! RSA keys for tests. Generating a 2048-bit key takes seconds in a debug
//! build and nextest runs every test in its own process, so each named key
//! is generated once and kept in a folder the caller names.

use crate::v3::PrivateKey;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The key called `name` kept in `dir` (generated and written there the
/// first time); a test binary passes `env!("CARGO_TARGET_TMPDIR")`.
pub fn cached_key(dir: &Path, name: &str) -> PrivateKey {
    static KEYS: OnceLock<Mutex<HashMap<String, PrivateKey>>> = OnceLock::new();
    let mut keys = KEYS
        .get_or_init(Default::default)
        .lock()
        .expect("key cache poisoned");
    if let Some(k) = keys.get(name) {
        return k.clone();
    }
    let dir = dir.join("wechat-pay-test-keys");
    std::fs::create_dir_all(&dir).expect("create the key folder");
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
    let started = Instant::now();
    let k = loop {
        if let Some(k) = read() {
            break k;
        }
        let ours = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
            .is_ok();
        if ours || started.elapsed() > Duration::from_secs(120) {
            let k = PrivateKey::generate(2048).expect("generate a key");
            let pem = k.to_pkcs8_pem().expect("encode the key");
            // Write then rename, so nobody reads half a key.
            let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
            std::fs::write(&tmp, pem.expose_secret()).expect("write the key");
            std::fs::rename(&tmp, &path).expect("put the key in place");
            let _ = std::fs::remove_file(&lock);
            break k;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    keys.insert(name.to_owned(), k.clone());
    k
}
