//! The S3 store against a real S3-compatible server (`TEST_S3_*`; `bash
//! .ci/run` starts one that checks signatures).

use letao_media::{S3Config, S3Media};
use letao_shop::media::contract::object;
use letao_shop::media::{MediaError, MediaStore};
use letao_shop::owners::images::ImageFormat;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

/// The test server's bucket and keys, from the environment.
pub fn config_from_env() -> S3Config {
    let var = |name: &str| match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: run the S3 tests through `bash .ci/run`, or export \
             the TEST_S3_* variables (`eval \"$(bash .ci/run --dbs-only)\"`)"
        ),
    };
    S3Config {
        endpoint: var("TEST_S3_ENDPOINT"),
        bucket: var("TEST_S3_BUCKET"),
        region: var("TEST_S3_REGION"),
        access_key_id: var("TEST_S3_ACCESS_KEY_ID"),
        secret_access_key: SecretString::from(var("TEST_S3_SECRET_ACCESS_KEY")),
        timeout: Duration::from_secs(10),
    }
}

fn s3() -> Arc<dyn MediaStore> {
    Arc::new(S3Media::new(config_from_env()).unwrap())
}

mod contract {
    use super::*;
    letao_shop::media_contract!(
        s3(),
        #[ignore = "needs TEST_S3_ENDPOINT (bash .ci/run runs it)"]
    );
}

#[tokio::test]
#[ignore = "needs TEST_S3_ENDPOINT (bash .ci/run runs it)"]
async fn a_wrong_secret_is_refused_not_taken_for_a_missing_object() {
    let mut config = config_from_env();
    config.secret_access_key = SecretString::from("not-the-secret-of-this-key");
    let store = S3Media::new(config).unwrap();
    let (name, bytes) = object(ImageFormat::Png, 10);
    let get = store.get(&name).await;
    assert!(
        matches!(&get, Err(MediaError::Refused(m)) if m.starts_with("HTTP 403")),
        "{get:?}"
    );
    let put = store.put(&name, "image/png", bytes).await;
    assert!(
        matches!(&put, Err(MediaError::Refused(m)) if m.starts_with("HTTP 403")),
        "{put:?}"
    );
    assert_eq!(s3().get(&name).await.unwrap(), None, "nothing was stored");
}

#[tokio::test]
#[ignore = "needs TEST_S3_ENDPOINT (bash .ci/run runs it)"]
async fn an_object_put_through_one_store_is_read_through_another() {
    // As two instances on two machines share one bucket.
    let (a, b) = (s3(), s3());
    let (name, bytes) = object(ImageFormat::Jpeg, 300_000);
    a.put(&name, "image/jpeg", bytes.clone()).await.unwrap();
    let got = b.get(&name).await.unwrap().expect("stored");
    assert_eq!(
        (got.bytes, got.content_type.as_str()),
        (bytes, "image/jpeg")
    );
}
