//! The in-memory fake.

use letao_domain::Mobile;
use letao_sms::{FakeSender, SmsError, SmsSender};

#[tokio::test]
async fn records_sends_and_fails_on_request() {
    let fake = FakeSender::new();
    let to: Mobile = "13800138000".parse().unwrap();
    fake.send(&to, &["111111".into()]).await.unwrap();
    fake.fail_next(SmsError::Transport("down".into()));
    let err = fake.send(&to, &["222222".into()]).await.unwrap_err();
    assert_eq!(err, SmsError::Transport("down".into()));
    fake.send(&to, &["333333".into()]).await.unwrap();
    let sent = fake.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].params, vec!["111111"]);
    assert_eq!(
        fake.last_params_to("13800138000"),
        Some(vec!["333333".to_owned()])
    );
    assert_eq!(fake.last_params_to("19900000000"), None);
}
