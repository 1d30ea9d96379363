//! A local stand-in for WeChat Pay's v3 API: it checks each request's
//! `Authorization` with the merchant's public key (independently of the
//! crate's own verification code, straight with `rsa`), records it, and
//! answers what the test's handler says, signed as the handler asks.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wechat_pay::testing::http::{read_request, serve, write_response};
use wechat_pay::v3::{PrivateKey, PublicKey, sign_message};

#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// Whether the Authorization header verified with the merchant key.
    pub signed_ok: bool,
}

#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // test code: a few values per test
pub enum Signing {
    /// Signed with this key, `Wechatpay-Serial` = the serial.
    By(PrivateKey, String),
    /// No `Wechatpay-*` headers.
    Unsigned,
    /// A `WECHATPAY/SIGNTEST/` probe.
    SignTest(String),
}

pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub signing: Signing,
    /// Seconds added to the signed timestamp.
    pub skew: i64,
    /// Bytes sent instead of the signed body (tampering in transit).
    pub tamper: Option<Vec<u8>>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: &str, signing: Signing) -> Reply {
        Reply::bytes(status, body.as_bytes().to_vec(), signing)
    }

    pub fn bytes(status: u16, body: Vec<u8>, signing: Signing) -> Reply {
        Reply {
            status,
            body,
            signing,
            skew: 0,
            tamper: None,
            delay: Duration::ZERO,
        }
    }
}

pub struct Fake {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Req>>>,
}

/// Independent check of `WECHATPAY2-SHA256-RSA2048 k="v",...`.
fn check_authorization(
    merchant: &PublicKey,
    mchid: &str,
    serial: &str,
    method: &str,
    path: &str,
    body: &[u8],
    header: &str,
) -> bool {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    let Some(rest) = header.strip_prefix("WECHATPAY2-SHA256-RSA2048 ") else {
        return false;
    };
    let params: HashMap<&str, &str> = rest
        .split(',')
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k, v.trim_matches('"')))
        })
        .collect();
    if params.get("mchid") != Some(&mchid) || params.get("serial_no") != Some(&serial) {
        return false;
    }
    let (Some(ts), Some(nonce), Some(sig)) = (
        params.get("timestamp"),
        params.get("nonce_str"),
        params.get("signature"),
    ) else {
        return false;
    };
    let mut message = format!("{method}\n{path}\n{ts}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    let key = rsa::RsaPublicKey::from_public_key_pem(&merchant.to_pem().unwrap()).unwrap();
    let verifying = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    let Ok(bytes) = B64.decode(sig) else {
        return false;
    };
    let Ok(signature) = rsa::pkcs1v15::Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    verifying.verify(&message, &signature).is_ok()
}

impl Fake {
    pub fn start(
        merchant: PublicKey,
        mchid: &str,
        serial: &str,
        handler: impl Fn(&Req) -> Reply + Send + Sync + 'static,
    ) -> Fake {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let (mchid, serial) = (mchid.to_owned(), serial.to_owned());
        let addr = serve(move |mut stream| {
            let Some(request) = read_request(&mut stream) else {
                return;
            };
            let authorization = request.headers.get("authorization").map(String::as_str);
            let signed_ok = check_authorization(
                &merchant,
                &mchid,
                &serial,
                &request.method,
                &request.path,
                &request.body,
                authorization.unwrap_or(""),
            );
            let req = Req {
                method: request.method,
                path: request.path,
                headers: request.headers,
                body: request.body,
                signed_ok,
            };
            log.lock().unwrap().push(req.clone());
            let reply = handler(&req);
            std::thread::sleep(reply.delay);
            write_reply(&mut stream, &reply);
        });
        Fake { addr, received }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self, path_prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with(path_prefix))
            .count()
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn write_reply(stream: &mut std::net::TcpStream, reply: &Reply) {
    let timestamp = now() + reply.skew;
    let nonce = wechat_pay::nonce_str();
    let signature = match &reply.signing {
        Signing::By(key, serial) => {
            Some((sign_message(key, timestamp, &nonce, &reply.body), serial))
        }
        Signing::SignTest(serial) => Some(("WECHATPAY/SIGNTEST/abc".to_owned(), serial)),
        Signing::Unsigned => None,
    };
    let timestamp = timestamp.to_string();
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some((signature, serial)) = &signature {
        headers.extend([
            ("Wechatpay-Timestamp", timestamp.as_str()),
            ("Wechatpay-Nonce", nonce.as_str()),
            ("Wechatpay-Signature", signature.as_str()),
            ("Wechatpay-Serial", serial.as_str()),
        ]);
    }
    let body = reply.tamper.as_ref().unwrap_or(&reply.body);
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    write_response(stream, reply.status, &headers, body);
}
