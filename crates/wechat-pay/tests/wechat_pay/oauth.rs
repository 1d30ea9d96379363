//! The OAuth code exchange against a local server answering like WeChat.

use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use wechat_pay::oauth::{OAuth, OAuthError};
use wechat_pay::testing::http::{read_request, serve, write_response};

/// A server answering `body` and recording the paths asked for.
fn server(body: &'static str) -> (OAuth, Arc<Mutex<Vec<String>>>) {
    let paths = Arc::new(Mutex::new(Vec::new()));
    let log = paths.clone();
    let addr = serve(move |mut stream| {
        if let Some(req) = read_request(&mut stream) {
            log.lock().unwrap().push(req.path);
        }
        let headers = [("Content-Type", "application/json")];
        write_response(&mut stream, 200, &headers, body.as_bytes());
    });
    let base = format!("http://{addr}");
    let oauth =
        OAuth::new("wxoa0000000000001", SecretString::from("oa-secret")).with_bases(&base, &base);
    (oauth, paths)
}

#[test]
fn a_code_is_exchanged_for_the_openid() {
    let (oauth, paths) = server(
        r#"{"access_token":"AT","expires_in":7200,"refresh_token":"RT","openid":"oBuyer1","scope":"snsapi_base"}"#,
    );
    let token = oauth.exchange_code("CODE1").unwrap();
    assert_eq!(token.openid, "oBuyer1");
    assert_eq!(token.scope, "snsapi_base");
    assert_eq!(
        paths.lock().unwrap()[0],
        "/sns/oauth2/access_token?appid=wxoa0000000000001&secret=oa-secret&code=CODE1&grant_type=authorization_code"
    );
}

#[test]
fn used_and_unknown_codes_are_typed_errors() {
    let (oauth, _) = server(r#"{"errcode":40163,"errmsg":"code been used, rid: 1"}"#);
    assert_eq!(oauth.exchange_code("C").unwrap_err(), OAuthError::CodeUsed);
    let (oauth, _) = server(r#"{"errcode":40029,"errmsg":"invalid code, rid: 2"}"#);
    let err = oauth.exchange_code("C").unwrap_err();
    assert_eq!(err, OAuthError::InvalidCode);
    assert!(!err.is_retryable());
}
