//! A merchant's v3 notify endpoint: verifies each notification with the
//! crate, records it, answers 204 when it verified (500 for the first
//! `fail_first`, and 401 when it did not verify).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use wechat_pay::v3::{Notification, Notifications, SignedHeaders};

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub parsed: Result<Notification, wechat_pay::v3::Error>,
    pub status: u16,
}

pub struct V3Receiver {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl V3Receiver {
    pub fn start(notifications: Notifications, fail_first: usize) -> V3Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::<Received>::new()));
        let log = received.clone();
        let notifications = Arc::new(notifications);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (log, notifications) = (log.clone(), notifications.clone());
                std::thread::spawn(move || {
                    let (headers, body) = read(&mut stream);
                    let parsed = SignedHeaders::from_map(&headers)
                        .map_err(wechat_pay::v3::Error::from)
                        .and_then(|h| notifications.parse(&h, &body));
                    let mut l = log.lock().unwrap();
                    let status = if parsed.is_err() {
                        401
                    } else if l.iter().filter(|r| r.parsed.is_ok()).count() < fail_first {
                        500
                    } else {
                        204
                    };
                    l.push(Received {
                        headers,
                        body,
                        parsed,
                        status,
                    });
                    drop(l);
                    let reply = if status == 204 {
                        wechat_pay::v3::NotifyReply::success()
                    } else {
                        wechat_pay::v3::NotifyReply::fail("not accepted")
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                        reply.body.len(),
                        reply.body
                    );
                });
            }
        });
        V3Receiver { addr, received }
    }

    pub fn url(&self) -> String {
        format!("http://{}/pay/v3/notify", self.addr)
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn accepted(&self) -> Vec<Notification> {
        self.all()
            .into_iter()
            .filter(|r| r.status == 204)
            .filter_map(|r| r.parsed.ok())
            .collect()
    }
}

fn read(stream: &mut std::net::TcpStream) -> (HashMap<String, String>, Vec<u8>) {
    let mut reader = BufReader::new(stream);
    let mut headers = HashMap::new();
    let mut first = true;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return (headers, Vec::new());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if first {
            first = false;
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    (headers, body)
}
