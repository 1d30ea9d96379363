//! A merchant's notify endpoint: records every notification and answers
//! FAIL to the first `fail_first` of them, SUCCESS after.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

pub struct Receiver {
    pub addr: SocketAddr,
    pub bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Receiver {
    pub fn start(fail_first: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let log = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let body = read_body(&mut stream);
                    let n = {
                        let mut l = log.lock().unwrap();
                        l.push(body);
                        l.len()
                    };
                    let code = if n <= fail_first { "FAIL" } else { "SUCCESS" };
                    let reply =
                        wechat_pay::xml::build([("return_code", code), ("return_msg", "OK")]);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                });
            }
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

fn read_body(stream: &mut std::net::TcpStream) -> Vec<u8> {
    let mut reader = BufReader::new(stream);
    let mut len = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return Vec::new();
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    body
}
