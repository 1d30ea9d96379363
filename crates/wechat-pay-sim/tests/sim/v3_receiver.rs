//! A merchant's v3 notify endpoint: verifies each notification with the
//! crate, records it, answers 204 when it verified (500 for the first
//! `fail_first`, and 401 when it did not verify).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use wechat_pay::testing::http::{read_request, serve, write_response};
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
        let received = Arc::new(Mutex::new(Vec::<Received>::new()));
        let log = received.clone();
        let addr = serve(move |mut stream| {
            let Some(request) = read_request(&mut stream) else {
                return;
            };
            let (headers, body) = (request.headers, request.body);
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
            write_response(&mut stream, status, &[], reply.body.as_bytes());
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
