//! The outbox backend.

use letao_domain::Mobile;
use letao_sms::{OutboxLine, OutboxSender, SmsSender};
use std::path::PathBuf;

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("letao-sms-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("nested").join("outbox.jsonl")
}

#[tokio::test]
async fn lines_parse_back_exactly() {
    let path = temp_file("exact");
    let sender = OutboxSender::new(&path);
    let a: Mobile = "13800138000".parse().unwrap();
    let b: Mobile = "19912345678".parse().unwrap();
    sender.send(&a, &["123456".into()]).await.unwrap();
    sender
        .send(&b, &["000042".into(), "5".into()])
        .await
        .unwrap();
    sender
        .send(&a, &["含\"引号\"和\n换行".into()])
        .await
        .unwrap();

    let lines = OutboxSender::read_all(&path).unwrap();
    let plain: Vec<(String, Vec<String>)> = lines
        .iter()
        .map(|l| (l.to.clone(), l.params.clone()))
        .collect();
    assert_eq!(
        plain,
        vec![
            ("13800138000".into(), vec!["123456".into()]),
            ("19912345678".into(), vec!["000042".into(), "5".into()]),
            ("13800138000".into(), vec!["含\"引号\"和\n换行".into()]),
        ]
    );
    for l in &lines {
        chrono::DateTime::parse_from_rfc3339(&l.sent_at).unwrap();
    }
    // The documented shape, field for field.
    let first = std::fs::read_to_string(&path).unwrap();
    let first = first.lines().next().unwrap();
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 3);
    assert_eq!(v["to"], "13800138000");
    assert_eq!(v["params"], serde_json::json!(["123456"]));
    std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
}

#[test]
fn concurrent_writers_never_interleave_lines() {
    let path = temp_file("concurrent");
    let writers = 8;
    let per_writer = 150;
    let big = "x".repeat(8 * 1024); // larger than a pipe buffer's atomic write
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for w in 0..writers {
            // A sender (and file handle) per writer, as separate processes would have.
            let sender = OutboxSender::new(&path);
            let big = big.clone();
            tasks.push(tokio::spawn(async move {
                let to: Mobile = format!("1380000{:04}", w).parse().unwrap();
                for i in 0..per_writer {
                    sender
                        .send(&to, &[format!("{w}-{i}"), big.clone()])
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    let lines: Vec<OutboxLine> = OutboxSender::read_all(&path).unwrap();
    assert_eq!(lines.len(), writers * per_writer);
    for w in 0..writers {
        let mine: Vec<&OutboxLine> = lines
            .iter()
            .filter(|l| l.to == format!("1380000{:04}", w))
            .collect();
        assert_eq!(mine.len(), per_writer);
        // Each writer's lines keep their order.
        for (i, l) in mine.iter().enumerate() {
            assert_eq!(l.params[0], format!("{w}-{i}"));
            assert_eq!(l.params[1].len(), big.len());
        }
    }
    std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).unwrap();
}

#[test]
fn an_unwritable_outbox_is_an_error_not_a_panic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // A path below a regular file cannot be created.
    let file = std::env::temp_dir().join(format!("letao-sms-file-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let sender = OutboxSender::new(file.join("outbox.jsonl"));
    let to: Mobile = "13800138000".parse().unwrap();
    let err = rt.block_on(sender.send(&to, &["1".into()])).unwrap_err();
    assert!(matches!(err, letao_sms::SmsError::Outbox(_)), "{err:?}");
    std::fs::remove_file(file).unwrap();
}
