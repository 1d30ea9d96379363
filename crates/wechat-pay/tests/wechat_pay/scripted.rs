//! A local HTTP server that answers every request with one scripted reply
//! and records what it received.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let script = script.clone();
                let log = log.clone();
                std::thread::spawn(move || {
                    let body = read_request(&mut stream);
                    log.lock().unwrap().push(body);
                    let (status, bytes) = match script {
                        Script::Body(b) => (200, b.into_bytes()),
                        Script::Status(s, b) => (s, b.into_bytes()),
                        Script::Slow(d, b) => {
                            std::thread::sleep(d);
                            (200, b.into_bytes())
                        }
                        Script::Bytes(b) => (200, b),
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        bytes.len()
                    );
                    let _ = stream.write_all(&bytes);
                });
            }
        });
        Scripted { addr, received }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Reads one HTTP/1.1 request and returns its body.
pub fn read_request(stream: &mut impl Read) -> Vec<u8> {
    let mut reader = BufReader::new(stream);
    let mut len = 0usize;
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
