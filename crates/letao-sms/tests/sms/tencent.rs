//! The Tencent Cloud backend: signature check values and protocol handling.

use crate::local_tencent::{LocalTencent, Reply, SECRET_ID, SECRET_KEY};
use letao_domain::Mobile;
use letao_sms::{SmsError, SmsSender, TencentConfig, TencentSender, tc3_authorization};
use secrecy::SecretString;
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
struct Vector {
    secret_id: String,
    secret_key: String,
    timestamp: i64,
    host: String,
    content_type: String,
    body: String,
    authorization: String,
}

#[test]
fn signatures_equal_those_of_tencents_sdk() {
    let vectors: Vec<Vector> =
        serde_json::from_str(include_str!("../fixtures/tc3_vectors.json")).unwrap();
    assert!(vectors.len() >= 2);
    for v in vectors {
        let auth = tc3_authorization(
            &v.secret_id,
            &v.secret_key,
            "sms",
            &v.host,
            &v.content_type,
            v.timestamp,
            v.body.as_bytes(),
        );
        assert_eq!(auth, v.authorization);
    }
}

const OK_REPLY: &str = r#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613800138000","Fee":1,"SessionContext":"","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}"#;

fn sender(endpoint: String, secret_key: &str, timeout: Duration) -> TencentSender {
    TencentSender::new(TencentConfig {
        secret_id: SECRET_ID.into(),
        secret_key: SecretString::from(secret_key),
        sdk_app_id: "1400006666".into(),
        sign_name: "乐淘".into(),
        template_id: "449739".into(),
        region: "ap-guangzhou".into(),
        endpoint,
        timeout,
    })
    .unwrap()
}

fn mobile() -> Mobile {
    "13800138000".parse().unwrap()
}

async fn send_with(reply: Reply) -> (Result<letao_sms::Receipt, SmsError>, LocalTencent) {
    let server = LocalTencent::start(reply);
    let s = sender(server.endpoint(), SECRET_KEY, Duration::from_secs(5));
    let result = s.send(&mobile(), &["123456".into(), "5".into()]).await;
    (result, server)
}

#[tokio::test]
async fn a_signed_request_is_accepted_and_the_serial_number_returned() {
    let (result, server) = send_with(Reply::Json(OK_REPLY.into())).await;
    let receipt = result.unwrap();
    assert_eq!(
        receipt.message_id.as_deref(),
        Some("5000:1045710669157053657849499619")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert!(
        req.signature_ok,
        "the server's recomputed signature matches"
    );
    assert_eq!(req.header("X-TC-Action"), Some("SendSms"));
    assert_eq!(req.header("X-TC-Version"), Some("2021-01-11"));
    assert_eq!(req.header("X-TC-Region"), Some("ap-guangzhou"));
    assert_eq!(req.header("Host"), Some(server.addr.to_string().as_str()));
    let ts: i64 = req.header("X-TC-Timestamp").unwrap().parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body["PhoneNumberSet"],
        serde_json::json!(["+8613800138000"])
    );
    assert_eq!(body["SmsSdkAppId"], "1400006666");
    assert_eq!(body["SignName"], "乐淘");
    assert_eq!(body["TemplateId"], "449739");
    assert_eq!(body["TemplateParamSet"], serde_json::json!(["123456", "5"]));
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_server_and_reported_as_misconfiguration() {
    let server = LocalTencent::start(Reply::Json(OK_REPLY.into()));
    let s = sender(server.endpoint(), "not-the-key", Duration::from_secs(5));
    let err = s.send(&mobile(), &["1".into()]).await.unwrap_err();
    assert!(!server.requests()[0].signature_ok);
    assert!(
        matches!(&err, SmsError::Misconfigured { code, .. } if code == "AuthFailure.SignatureFailure"),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_per_number_failure_inside_send_status_set_is_an_error() {
    let body = r#"{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"SessionContext":"","Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"the number of SMS messages sent from a single mobile number every day exceeds the upper limit","IsoCode":"CN"}],"RequestId":"b0aabda6-cf91-4f3e-a81f-9198114a2279"}}"#;
    let (result, _server) = send_with(Reply::Json(body.into())).await;
    assert!(
        matches!(result, Err(SmsError::RateLimited { ref code, .. }) if code == "LimitExceeded.PhoneNumberDailyLimit"),
        "{result:?}"
    );

    let bad_number = body.replace(
        "LimitExceeded.PhoneNumberDailyLimit",
        "InvalidParameterValue.IncorrectPhoneNumber",
    );
    let (result, _server) = send_with(Reply::Json(bad_number)).await;
    assert!(
        matches!(result, Err(SmsError::Rejected { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn response_errors_map_to_their_kind() {
    for (code, check) in [
        (
            "AuthFailure.SecretIdNotFound",
            (|e: &SmsError| matches!(e, SmsError::Misconfigured { .. })) as fn(&SmsError) -> bool,
        ),
        ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", |e| {
            matches!(e, SmsError::Misconfigured { .. })
        }),
        ("FailedOperation.TemplateIncorrectOrUnapproved", |e| {
            matches!(e, SmsError::Rejected { .. })
        }),
        ("LimitExceeded.AppDailyLimit", |e| {
            matches!(e, SmsError::RateLimited { .. })
        }),
        ("InternalError.Timeout", |e| {
            matches!(e, SmsError::Provider { .. }) && e.is_retryable()
        }),
    ] {
        let body = format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
        );
        let (result, _server) = send_with(Reply::Json(body)).await;
        let err = result.unwrap_err();
        assert!(check(&err), "{code}: {err:?}");
    }
}

#[tokio::test]
async fn http_errors_and_malformed_replies_are_retryable_transport_failures() {
    for reply in [
        Reply::Status(500, "Internal Server Error".into()),
        Reply::Status(502, "".into()),
        Reply::Json("not json".into()),
        Reply::Json(r#"{"Response":{"RequestId":"x"}}"#.into()),
        Reply::Json(r#"{"Response":{"SendStatusSet":[{"Message":"no code"}]}}"#.into()),
        Reply::Json("[]".into()),
    ] {
        let (result, _server) = send_with(reply).await;
        let err = result.unwrap_err();
        assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn a_silent_provider_times_out_without_hanging() {
    let server = LocalTencent::start(Reply::Slow(Duration::from_secs(5), OK_REPLY.into()));
    let s = sender(server.endpoint(), SECRET_KEY, Duration::from_millis(300));
    let started = Instant::now();
    let err = s.send(&mobile(), &["1".into()]).await.unwrap_err();
    assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_unreachable_provider_is_a_transport_failure() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = sender(
        format!("http://127.0.0.1:{port}"),
        SECRET_KEY,
        Duration::from_secs(2),
    );
    let err = s.send(&mobile(), &["1".into()]).await.unwrap_err();
    assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
}
