//! The `letao-server` binary as an operator runs it.

use crate::http::request;
use letao_db::Backend;
use letao_db::testing::TestDatabase;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn server(database_url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letao-server"));
    cmd.args(args)
        .current_dir(repo_root())
        .env_remove("RUST_LOG")
        .env("LETAO_ENV", "development")
        .env("LETAO__SERVER__ADDR", "127.0.0.1:0")
        .env("LETAO__SERVER__WORKERS", "1")
        .env("LETAO__DATABASE__URL", database_url)
        .env("LETAO__LOG__JSON", "true")
        .env("LETAO__LOG__LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Reads stdout lines on a thread; returns the listening address once the
/// start-up line shows and a receiver of every line.
fn wait_for_listen(child: &mut Child) -> (SocketAddr, mpsc::Receiver<String>) {
    let (addr, rx, _) = wait_for_listen_seen(child);
    (addr, rx)
}

/// As [`wait_for_listen`], also returning the lines before the start-up line.
fn wait_for_listen_seen(child: &mut Child) -> (SocketAddr, mpsc::Receiver<String>, Vec<String>) {
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no start-up line; saw {seen:?}"));
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["message"] == "letao-server listening"
        {
            let addr = v["addr"]
                .as_str()
                .expect("addr field")
                .parse()
                .expect("addr");
            assert!(v["backend"].is_string(), "{line}");
            return (addr, rx, seen);
        }
        seen.push(line);
    }
}

/// Waits (up to 30 s) for a log line with this message.
fn wait_for_line(lines: &mpsc::Receiver<String>, message: &str) {
    let mut seen = Vec::new();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no {message:?} line; saw {seen:?}"));
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["message"] == message
        {
            return;
        }
        seen.push(line);
    }
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("server did not exit after SIGTERM");
}

fn runs_serves_and_exits_on_sigterm(backend: Backend) {
    let database = TestDatabase::create(backend);
    let mut child = server(database.url(), &[])
        .spawn()
        .expect("start the server");
    let (addr, lines) = wait_for_listen(&mut child);
    assert_eq!(request(addr, "GET", "/health").status, 200);
    let cats = request(addr, "GET", "/oneCategory");
    assert_eq!(cats.status, 200);
    terminate(&child);
    let status = wait_exit(&mut child);
    assert!(status.success(), "exit status {status}");
    let log: Vec<String> = lines.try_iter().collect();
    assert!(
        log.iter().any(|l| l.contains("letao-server stopped")),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.contains("request completed") && l.contains("request_id"))
    );
    // The URL's password (if any) never reaches the log.
    if let Ok(url) = url::Url::parse(database.url())
        && let Some(password) = url.password()
    {
        assert!(
            !log.iter().any(|l| l.contains(password)),
            "password in the log"
        );
    }
}

#[test]
fn binary_runs_and_exits_on_sigterm_sqlite() {
    runs_serves_and_exits_on_sigterm(Backend::Sqlite);
}

#[test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
fn binary_runs_and_exits_on_sigterm_mysql() {
    runs_serves_and_exits_on_sigterm(Backend::Mysql);
}

#[test]
#[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
fn binary_runs_and_exits_on_sigterm_postgres() {
    runs_serves_and_exits_on_sigterm(Backend::Postgres);
}

#[test]
fn migrate_and_check_config_subcommands() {
    let database = TestDatabase::create(Backend::Sqlite);
    let out = server(database.url(), &["migrate"])
        .output()
        .expect("migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));

    let out = server(database.url(), &["check-config"])
        .output()
        .expect("check-config");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration OK"));

    let out = server(database.url(), &["check-config"])
        .env("LETAO__DATABASE__USERNAME", "x")
        .output()
        .expect("check-config");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("username"));

    let help = server(database.url(), &["--help"]).output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    for cmd in ["serve", "migrate", "check-config", "grant-admin"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn grant_admin_gives_and_takes_roles_in_the_database() {
    let database = TestDatabase::create(Backend::Sqlite);
    let out = server(database.url(), &["migrate"])
        .output()
        .expect("migrate");
    assert!(out.status.success());
    database.execute_sql(
        "INSERT INTO \"user\" (username, password, mobile, password_scheme, created_at) \
         VALUES ('boss', 'x', '13900000000', 'argon2id', '2026-01-01 00:00:00')",
    );
    let out = server(database.url(), &["grant-admin", "boss"])
        .output()
        .expect("grant");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let role = |r: &str| {
        database.scalar_i64(&format!(
            "SELECT COUNT(*) FROM \"user\" WHERE username = 'boss' AND role = '{r}'"
        ))
    };
    assert_eq!(role("admin"), 1);
    let out = server(database.url(), &["grant-admin", "boss", "--role", "staff"])
        .output()
        .expect("grant staff");
    assert!(out.status.success());
    assert_eq!(role("staff"), 1);
    let out = server(database.url(), &["grant-admin", "boss", "--role", "owner"])
        .output()
        .expect("grant an unknown role");
    assert!(!out.status.success(), "unknown roles are refused");
    assert_eq!(role("staff"), 1);
    let out = server(database.url(), &["grant-admin", "nobody"])
        .output()
        .expect("grant");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody"));
    let out = server(database.url(), &["grant-admin", "--revoke", "boss"])
        .output()
        .expect("revoke");
    assert!(out.status.success());
    assert_eq!(
        database
            .scalar_i64("SELECT COUNT(*) FROM \"user\" WHERE username = 'boss' AND role IS NULL"),
        1
    );
    assert_eq!(
        database.scalar_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'user.role'"),
        3,
        "every change of role is audited"
    );
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::{Read, Write};
    let database = TestDatabase::create(Backend::Sqlite);
    let mut child = server(database.url(), &[])
        .spawn()
        .expect("start the server");
    let (addr, lines) = wait_for_listen(&mut child);
    let body = r#"{"username":"nobody_here","password":"whatever"}"#;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .expect("send the head");
    // Give the worker a moment to take the connection, then signal.
    std::thread::sleep(Duration::from_millis(200));
    terminate(&child);
    wait_for_line(
        &lines,
        "shutdown signal received; finishing in-flight requests",
    );
    stream
        .write_all(&body.as_bytes()[10..])
        .expect("send the rest");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read the reply");
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    assert!(reply.contains("\"status\":1040"), "{reply}");
    let status = wait_exit(&mut child);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn metrics_are_served_in_prometheus_text_and_kept_off_a_production_listener() {
    let database = TestDatabase::create(Backend::Sqlite);
    let mut child = server(database.url(), &[]).spawn().expect("start");
    let (addr, _lines) = wait_for_listen(&mut child);
    assert_eq!(request(addr, "GET", "/oneCategory").status, 200);
    assert_eq!(request(addr, "GET", "/products/1").status, 200);
    assert_eq!(request(addr, "GET", "/products/1").status, 200);
    let metrics = request(addr, "GET", "/metrics");
    assert_eq!(metrics.status, 200);
    let body = String::from_utf8_lossy(&metrics.body);
    for expected in [
        "http_requests_total{route=\"/onecategory\",method=\"GET\",status=\"200\"} 1",
        "http_request_duration_seconds_bucket{route=\"/products/{id}\"",
        "cache_requests_total{cache=\"products\",result=\"hit\"} 1",
        "db_pool_max_size 4",
    ] {
        assert!(body.contains(expected), "{expected} missing from:\n{body}");
    }
    terminate(&child);
    wait_exit(&mut child);

    // Not public: 404 on the main listener, served on its own address.
    let mut child = server(database.url(), &[])
        .env("LETAO__METRICS__PUBLIC", "false")
        .env("LETAO__METRICS__ADDR", "127.0.0.1:0")
        .spawn()
        .expect("start");
    let (addr, _lines, earlier) = wait_for_listen_seen(&mut child);
    let metrics_addr: std::net::SocketAddr = earlier
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["message"] == "metrics listening")
        .and_then(|v| v["addr"].as_str().and_then(|a| a.parse().ok()))
        .expect("the metrics listener's address");
    assert_eq!(request(addr, "GET", "/metrics").status, 404);
    let private = request(metrics_addr, "GET", "/metrics");
    assert_eq!(private.status, 200);
    assert!(String::from_utf8_lossy(&private.body).contains("db_pool_size"));
    assert_eq!(request(metrics_addr, "GET", "/oneCategory").status, 404);
    terminate(&child);
    wait_exit(&mut child);
}
