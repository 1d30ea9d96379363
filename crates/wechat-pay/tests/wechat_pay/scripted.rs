//! A local HTTP server that answers every request with one scripted reply
//! and records the bodies it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wechat_pay::testing::http::{read_request, serve, write_response};

#[derive(Clone)]
pub enum Script {
    /// 200 with this body.
    Body(String),
    /// This status and body.
    Status(u16, String),
    /// Sleep, then 200 with the body.
    Slow(Duration, String),
    /// 200 with these bytes.
    Bytes(Vec<u8>),
}

pub struct Scripted {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Scripted {
    pub fn start(script: Script) -> Scripted {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let addr = serve(move |mut stream| {
            let body = read_request(&mut stream)
                .map(|r| r.body)
                .unwrap_or_default();
            log.lock().unwrap().push(body);
            let (status, bytes) = match script.clone() {
                Script::Body(b) => (200, b.into_bytes()),
                Script::Status(s, b) => (s, b.into_bytes()),
                Script::Slow(d, b) => {
                    std::thread::sleep(d);
                    (200, b.into_bytes())
                }
                Script::Bytes(b) => (200, b),
            };
            write_response(&mut stream, status, &[("Content-Type", "text/xml")], &bytes);
        });
        Scripted { addr, received }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
