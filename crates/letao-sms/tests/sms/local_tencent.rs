//! A local stand-in for sms.tencentcloudapi.com: it checks the request's
//! headers and TC3 signature with the secret it was given, then answers as
//! scripted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SECRET_ID: &str = "AKIDlocaltest0000000000000000000000";
pub const SECRET_KEY: &str = "localtestsecretkey00000000000000";

/// How the server answers one request.
#[derive(Clone)]
pub enum Reply {
    /// 200 with this JSON, when the signature checks out.
    Json(String),
    /// This HTTP status with this body, whatever the request.
    Status(u16, String),
    /// Wait, then 200 with this JSON.
    Slow(Duration, String),
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub signature_ok: bool,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct LocalTencent {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl LocalTencent {
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `reply` to every request until the process ends.
    pub fn start(reply: Reply) -> LocalTencent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let reply = reply.clone();
                let log = log.clone();
                std::thread::spawn(move || handle(stream, reply, log));
            }
        });
        LocalTencent { addr, received }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn handle(mut stream: std::net::TcpStream, reply: Reply, log: Arc<Mutex<Vec<Received>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let timestamp: i64 = get("X-TC-Timestamp").parse().unwrap_or(-1);
    let expected = letao_sms::tc3_authorization(
        SECRET_ID,
        SECRET_KEY,
        "sms",
        &get("Host"),
        &get("Content-Type"),
        timestamp,
        &body,
    );
    let signature_ok = request_line.starts_with("POST / ") && get("Authorization") == expected;
    log.lock().unwrap().push(Received {
        headers: headers.clone(),
        body,
        signature_ok,
    });
    let (status, text) = match reply {
        Reply::Status(s, b) => (s, b),
        Reply::Slow(wait, b) => {
            std::thread::sleep(wait);
            (200, b)
        }
        Reply::Json(b) if signature_ok => (200, b),
        // Tencent's answer to a bad signature: HTTP 200 with an error body.
        Reply::Json(_) => (
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"00000000-0000-0000-0000-000000000000"}}"#.to_owned(),
        ),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}
