//! The S3 store's requests and how it reads replies, against a local
//! server that records each request and answers as told (no S3 needed).

use letao_media::{S3Config, S3Media};
use letao_shop::media::contract::object;
use letao_shop::media::{MediaError, MediaStore, StoredMedia};
use letao_shop::owners::images::ImageFormat;
use secrecy::SecretString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A request as the server read it.
#[derive(Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves `replies` in order, one a connection, and hands over each
/// request read; the endpoint URL.
fn server(replies: Vec<String>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for reply in replies {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut parts = line.split_whitespace();
            let (method, target) = (
                parts.next().unwrap().to_owned(),
                parts.next().unwrap().to_owned(),
            );
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            let len = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send(Seen {
                method,
                target,
                headers,
                body,
            });
            let mut stream = stream;
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    (endpoint, rx)
}

fn reply(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out
}

fn s3_error(code: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>m</Message></Error>"
    )
}

fn store(endpoint: &str, timeout: Duration) -> S3Media {
    S3Media::new(S3Config {
        endpoint: endpoint.to_owned(),
        bucket: "shop-media".into(),
        region: "cn-test-1".into(),
        access_key_id: "AKIDLETAO".into(),
        secret_access_key: SecretString::from("letao-test-secret"),
        timeout,
    })
    .unwrap()
}

#[tokio::test]
async fn a_put_is_a_signed_path_style_request_carrying_the_type() {
    let (endpoint, seen) = server(vec![reply("200 OK", &[("ETag", "\"x\"")], "")]);
    let (name, bytes) = object(ImageFormat::Png, 1_000);
    store(&endpoint, Duration::from_secs(5))
        .put(&name, "image/png", bytes.clone())
        .await
        .unwrap();
    let req = seen.recv().unwrap();
    assert_eq!(req.method, "PUT");
    let (path, query) = req.target.split_once('?').unwrap();
    assert_eq!(path, format!("/shop-media/{name}"));
    for part in [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=AKIDLETAO%2F",
        "%2Fcn-test-1%2Fs3%2Faws4_request",
        "X-Amz-SignedHeaders=content-type%3Bhost",
        "X-Amz-Signature=",
    ] {
        assert!(query.contains(part), "{part} in {query}");
    }
    assert!(!query.contains("letao-test-secret"));
    assert_eq!(req.header("content-type"), Some("image/png"));
    assert_eq!(req.body, bytes);
}

#[tokio::test]
async fn a_get_reads_the_object_and_its_type() {
    let (name, _) = object(ImageFormat::Jpeg, 10);
    let (endpoint, seen) = server(vec![
        reply("200 OK", &[("Content-Type", "image/jpeg")], "jpeg bytes"),
        reply("200 OK", &[], "no type"),
    ]);
    let s = store(&endpoint, Duration::from_secs(5));
    assert_eq!(
        s.get(&name).await.unwrap(),
        Some(StoredMedia {
            bytes: "jpeg bytes".into(),
            content_type: "image/jpeg".into()
        })
    );
    let req = seen.recv().unwrap();
    assert_eq!(req.method, "GET");
    assert!(
        req.target
            .starts_with(&format!("/shop-media/{name}?X-Amz-")),
        "{}",
        req.target
    );
    let untyped = s.get(&name).await.unwrap().unwrap();
    assert_eq!(
        untyped.content_type, "image/jpeg",
        "the name's type when the store sends none"
    );
}

#[tokio::test]
async fn only_a_missing_key_is_none_and_other_failures_are_told_apart() {
    let (name, bytes) = object(ImageFormat::Webp, 10);
    let (endpoint, _seen) = server(vec![
        reply("404 Not Found", &[], &s3_error("NoSuchKey")),
        reply("404 Not Found", &[], ""),
        reply("404 Not Found", &[], &s3_error("NoSuchBucket")),
        reply("403 Forbidden", &[], &s3_error("SignatureDoesNotMatch")),
        reply("503 Service Unavailable", &[], &s3_error("SlowDown")),
        reply("500 Internal Server Error", &[], "oops"),
        reply("403 Forbidden", &[], &s3_error("AccessDenied")),
        reply("429 Too Many Requests", &[], ""),
    ]);
    let s = store(&endpoint, Duration::from_secs(5));
    assert_eq!(s.get(&name).await.unwrap(), None);
    assert_eq!(s.get(&name).await.unwrap(), None);
    let told = |r: Result<Option<StoredMedia>, MediaError>| format!("{:?}", r.unwrap_err());
    assert_eq!(
        told(s.get(&name).await),
        r#"Refused("HTTP 404 NoSuchBucket")"#
    );
    assert_eq!(
        told(s.get(&name).await),
        r#"Refused("HTTP 403 SignatureDoesNotMatch")"#
    );
    assert_eq!(
        told(s.get(&name).await),
        r#"Unavailable("HTTP 503 SlowDown")"#
    );
    assert_eq!(told(s.get(&name).await), r#"Unavailable("HTTP 500")"#);
    let put = s.put(&name, "image/webp", bytes.clone()).await.unwrap_err();
    assert_eq!(format!("{put:?}"), r#"Refused("HTTP 403 AccessDenied")"#);
    let put = s.put(&name, "image/webp", bytes).await.unwrap_err();
    assert_eq!(format!("{put:?}"), r#"Unavailable("HTTP 429")"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_does_not_answer_times_out() {
    // Accepts connections (the backlog does) and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let s = store(&endpoint, Duration::from_millis(300));
    let (name, bytes) = object(ImageFormat::Png, 10);
    let started = Instant::now();
    let get = s.get(&name).await;
    assert!(
        matches!(&get, Err(MediaError::Unavailable(m)) if m.contains("300 ms")),
        "{get:?}"
    );
    let put = s.put(&name, "image/png", bytes).await;
    assert!(matches!(&put, Err(MediaError::Unavailable(_))), "{put:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

#[tokio::test]
async fn a_store_that_is_not_there_is_unavailable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = store(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2));
    let (name, _) = object(ImageFormat::Png, 10);
    assert!(matches!(
        s.get(&name).await,
        Err(MediaError::Unavailable(_))
    ));
}

#[tokio::test]
async fn names_are_checked_before_anything_is_sent() {
    // No server at all: a refused name never becomes a request.
    let s = store("http://127.0.0.1:9", Duration::from_secs(1));
    assert!(matches!(
        s.get("../etc/passwd").await,
        Err(MediaError::InvalidName(_))
    ));
    let (name, bytes) = object(ImageFormat::Png, 10);
    assert!(matches!(
        s.put(&name, "image/svg+xml", bytes).await,
        Err(MediaError::WrongType { .. })
    ));
}
