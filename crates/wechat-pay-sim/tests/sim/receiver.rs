//! A merchant's notify endpoint: records every notification and answers
//! FAIL to the first `fail_first` of them, SUCCESS after.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use wechat_pay::testing::http::{read_request, serve, write_response};

pub struct Receiver {
    pub addr: SocketAddr,
    pub bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Receiver {
    pub fn start(fail_first: usize) -> Receiver {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let log = bodies.clone();
        let addr = serve(move |mut stream| {
            let body = read_request(&mut stream)
                .map(|r| r.body)
                .unwrap_or_default();
            let n = {
                let mut l = log.lock().unwrap();
                l.push(body);
                l.len()
            };
            let code = if n <= fail_first { "FAIL" } else { "SUCCESS" };
            let reply = wechat_pay::xml::build([("return_code", code), ("return_msg", "OK")]);
            write_response(&mut stream, 200, &[], reply.as_bytes());
        });
        Receiver { addr, bodies }
    }

    pub fn url(&self) -> String {
        format!("http://{}/pay/notify", self.addr)
    }

    pub fn count(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }

    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}
