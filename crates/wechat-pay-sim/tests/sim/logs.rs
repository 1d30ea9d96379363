//! The `wechat-pay-sim` binary's log when its output is a pipe (a file, a
//! CI log): requests logged, and no colour codes.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn the_binary_logs_requests_without_colour_codes_into_a_pipe() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wechat-pay-sim"))
        .args(["--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // The address comes in the start-up line; read lines until it does.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut line = Vec::new();
        while stdout.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            let listening = String::from_utf8_lossy(&line).contains("listening");
            let _ = tx.send(std::mem::take(&mut line));
            if listening {
                break;
            }
        }
        let mut rest = Vec::new();
        let _ = stdout.read_to_end(&mut rest);
        rest
    });
    let mut output = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a start-up line");
        output.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).into_owned();
        if let Some(at) = text.find("127.0.0.1:") {
            let port: String = text[at + 10..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            break format!("127.0.0.1:{port}");
        }
    };
    let status = crate::http_agent()
        .get(&format!("http://{addr}/sim/orders"))
        .call()
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    // The request line is written once the reply is out; give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    let _ = child.wait();
    output.extend(reader.join().unwrap());
    let log = String::from_utf8_lossy(&output);
    assert!(
        log.lines()
            .any(|l| l.contains("request") && l.contains("/sim/orders") && l.contains("200")),
        "the request is logged: {log}"
    );
    assert!(
        !output.contains(&0x1b),
        "no ANSI escape in a piped log: {log:?}"
    );
}
