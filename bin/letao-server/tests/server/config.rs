//! Configuration layers, overrides and errors.

use letao_server::Settings;
use letao_server::settings::{Environment, SettingsError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn repo_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    Settings::load_with(&repo_config(), vars(pairs))
}

#[test]
fn defaults_are_those_of_the_spec() {
    let s = load(&[]).unwrap();
    assert_eq!(s.environment, Environment::Development);
    assert_eq!(s.server.addr, "127.0.0.1:3000");
    assert_eq!(s.database.url, "sqlite://data/letao.db");
    assert_eq!(s.database.pool_size, None);
    assert!(s.database.demo_data);
    assert!(!s.log.json);
}

#[test]
fn the_compiled_in_defaults_serve_without_a_config_folder() {
    let s = Settings::load_with(Path::new("/nonexistent/config"), HashMap::new()).unwrap();
    assert_eq!(s.server.addr, "127.0.0.1:3000");
    assert_eq!(s.database.url, "sqlite://data/letao.db");
}

#[test]
fn environment_variables_override_the_files() {
    let s = load(&[
        ("LETAO__SERVER__ADDR", "127.0.0.1:8080"),
        ("LETAO__DATABASE__URL", "postgres://u:p@127.0.0.1:5432/shop"),
        ("LETAO__DATABASE__POOL_SIZE", "7"),
        ("LETAO__CATALOGUE__CACHE_TTL_MS", "0"),
        ("LETAO__LOG__JSON", "true"),
        ("UNRELATED", "x"),
        ("LETAO_UNRELATED", "x"),
    ])
    .unwrap();
    assert_eq!(s.server.addr, "127.0.0.1:8080");
    assert_eq!(s.database.url, "postgres://u:p@127.0.0.1:5432/shop");
    assert_eq!(s.database.pool_size, Some(7));
    assert!(s.catalogue_ttl().is_zero());
    assert!(s.log.json);
}

/// What production needs besides the files: a real secret and an SMS account.
const PRODUCTION: [(&str, &str); 9] = [
    ("LETAO_ENV", "production"),
    (
        "LETAO__WECHAT_PAY__API_KEY",
        "production-wechat-key-placeholder",
    ),
    (
        "LETAO__AUTH__JWT_SECRET",
        "0123456789abcdef0123456789abcdef-prod",
    ),
    ("LETAO__SMS__TENCENT__SECRET_ID", "AKIDplaceholder"),
    ("LETAO__SMS__TENCENT__SECRET_KEY", "placeholder-key"),
    ("LETAO__SMS__TENCENT__SDK_APP_ID", "1400000000"),
    ("LETAO__SMS__TENCENT__SIGN_NAME", "Letao"),
    ("LETAO__SMS__TENCENT__TEMPLATE_ID", "100001"),
    (
        "LETAO__WECHAT__OA_SECRET",
        "production-oa-secret-placeholder",
    ),
];

fn production_with(extra: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let mut all: Vec<(&str, &str)> = PRODUCTION.to_vec();
    all.extend_from_slice(extra);
    load(&all)
}

#[test]
fn letao_env_selects_the_environment_file_and_variables_still_win() {
    let prod = production_with(&[]).unwrap();
    assert_eq!(prod.environment, Environment::Production);
    assert!(!prod.database.demo_data);
    assert!(prod.log.json);
    assert_eq!(
        prod.sms.backend,
        letao_server::settings::SmsBackend::Tencent
    );
    let overridden = production_with(&[("LETAO__DATABASE__DEMO_DATA", "true")]).unwrap();
    assert!(overridden.database.demo_data);
    assert_eq!(load(&[("LETAO_ENV", "test")]).unwrap().log.level, "warn");
}

#[test]
fn production_refuses_the_placeholder_secret_and_the_outbox() {
    let all_but_secret: Vec<(&str, &str)> = PRODUCTION
        .iter()
        .copied()
        .filter(|(k, _)| *k != "LETAO__AUTH__JWT_SECRET")
        .collect();
    let err = load(&all_but_secret).unwrap_err().to_string();
    assert!(err.contains("jwt_secret"), "{err}");
    let err = production_with(&[("LETAO__AUTH__JWT_SECRET", "short")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("jwt_secret"), "{err}");
    let err = production_with(&[("LETAO__SMS__BACKEND", "outbox")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("outbox"), "{err}");
    let err = load(&[
        ("LETAO_ENV", "production"),
        (
            "LETAO__AUTH__JWT_SECRET",
            "0123456789abcdef0123456789abcdef-prod",
        ),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("sms.tencent"), "{err}");
    // Development accepts both, so `cargo run` works out of the box.
    let dev = load(&[]).unwrap();
    assert_eq!(dev.sms.backend, letao_server::settings::SmsBackend::Outbox);
}

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    let err = load(&[("LETAO__DATABASE__PASSWORD", "x")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("password") && err.contains("database"),
        "{err}"
    );
    let err = load(&[("LETAO__DATABSE__URL", "x")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("databse"), "{err}");

    let dir = std::env::temp_dir().join(format!("letao-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.toml"),
        "[server]\nadress = \"0.0.0.0:1\"\n",
    )
    .unwrap();
    let err = Settings::load_with(&dir, HashMap::new())
        .unwrap_err()
        .to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("adress"), "{err}");
}

#[test]
fn bad_values_are_errors() {
    for (key, value, mention) in [
        ("LETAO__DATABASE__POOL_SIZE", "many", "pool_size"),
        ("LETAO__DATABASE__POOL_SIZE", "0", "pool_size"),
        (
            "LETAO__DATABASE__URL",
            "redis://127.0.0.1/0",
            "database.url",
        ),
        ("LETAO__SERVER__WORKERS", "0", "workers"),
        ("LETAO__SERVER__WORKERS", "513", "workers"),
        ("LETAO_ENV", "staging", "LETAO_ENV"),
    ] {
        let err = load(&[(key, value)]).unwrap_err().to_string();
        assert!(err.contains(mention), "{key}={value}: {err}");
    }
}

#[test]
fn debug_output_never_shows_the_database_password() {
    let s = load(&[("LETAO__DATABASE__URL", "mysql://shop:hunter2@db:3306/letao")]).unwrap();
    let debug = format!("{s:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("mysql://shop:***@db:3306/letao"), "{debug}");
}

fn v3(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut pairs = vec![
        ("LETAO__WECHAT_PAY__API_VERSION", "v3"),
        (
            "LETAO__WECHAT_PAY__MERCHANT_PRIVATE_KEY",
            "data/merchant-key.pem",
        ),
        ("LETAO__WECHAT_PAY__MERCHANT_SERIAL", "5F1E2D3C"),
        (
            "LETAO__WECHAT_PAY__NOTIFY_URL",
            "http://127.0.0.1:3000/pay/v3/notify",
        ),
        (
            "LETAO__WECHAT_PAY__REFUND_NOTIFY_URL",
            "http://127.0.0.1:3000/pay/v3/refund_notify",
        ),
    ];
    pairs.extend_from_slice(extra);
    pairs
}

fn refused(pairs: &[(&str, &str)], naming: &str) {
    match load(pairs) {
        Err(e) => assert!(e.to_string().contains(naming), "{e}"),
        Ok(_) => panic!("expected a refusal naming {naming}"),
    }
}

#[test]
fn api_v3_needs_its_keys_and_v3_notify_urls() {
    let s = load(&v3(&[])).unwrap();
    assert_eq!(
        s.wechat_pay.api_version,
        letao_server::settings::ApiVersion::V3
    );
    refused(
        &v3(&[("LETAO__WECHAT_PAY__MERCHANT_PRIVATE_KEY", "")]),
        "merchant_private_key",
    );
    refused(
        &v3(&[("LETAO__WECHAT_PAY__MERCHANT_SERIAL", " ")]),
        "merchant_serial",
    );
    refused(
        &v3(&[("LETAO__WECHAT_PAY__APIV3_KEY", "short")]),
        "apiv3_key",
    );
    refused(
        &v3(&[("LETAO__WECHAT_PAY__NOTIFY_URL", "http://h/pay/notify")]),
        "notify_url",
    );
    refused(
        &v3(&[(
            "LETAO__WECHAT_PAY__REFUND_NOTIFY_URL",
            "http://h/pay/refund_notify",
        )]),
        "refund_notify_url",
    );
    refused(
        &v3(&[("LETAO__WECHAT_PAY__PLATFORM_PUBLIC_KEY", "data/pub.pem")]),
        "platform_public_key_id",
    );
    refused(&[("LETAO__WECHAT_PAY__API_VERSION", "v4")], "api_version");
}

#[test]
fn production_refuses_the_development_oa_secret() {
    let without: Vec<(&str, &str)> = PRODUCTION
        .iter()
        .copied()
        .filter(|(k, _)| *k != "LETAO__WECHAT__OA_SECRET")
        .collect();
    let err = load(&without).unwrap_err().to_string();
    assert!(err.contains("oa_secret"), "{err}");
}

#[test]
fn the_official_account_is_the_pay_appid_and_urls_are_absolute() {
    let err = load(&[("LETAO__WECHAT__OA_APPID", "wx-another-account")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("oa_appid"), "{err}");
    let same = load(&[("LETAO__WECHAT__OA_APPID", "wx0000000000000000")]).unwrap();
    assert_eq!(same.oa_appid(), "wx0000000000000000");
    let err = load(&[(
        "LETAO__WECHAT__OAUTH_REDIRECT_URL",
        "/wechat/oauth/callback",
    )])
    .unwrap_err()
    .to_string();
    assert!(err.contains("oauth_redirect_url"), "{err}");
}

#[test]
fn production_refuses_the_development_apiv3_key() {
    match production_with(&v3(&[])) {
        Err(e) => assert!(e.to_string().contains("apiv3_key"), "{e}"),
        Ok(_) => panic!("the development APIv3 key was accepted in production"),
    }
    let real = v3(&[(
        "LETAO__WECHAT_PAY__APIV3_KEY",
        "production-apiv3-key-0123456789a",
    )]);
    assert!(production_with(&real).is_ok());
}

#[test]
fn lists_are_comma_separated_in_variables_and_origins_are_checked() {
    let s = load(&[
        (
            "LETAO__SERVER__CORS_ORIGINS",
            "https://shop.example,http://127.0.0.1:5173",
        ),
        ("LETAO__SERVER__TRUSTED_PROXIES", "10.0.0.1,10.0.0.2"),
    ])
    .unwrap();
    assert_eq!(
        s.server.cors_origins,
        ["https://shop.example", "http://127.0.0.1:5173"]
    );
    assert_eq!(s.server.trusted_proxies.len(), 2);
    assert!(load(&[]).unwrap().server.cors_origins.is_empty());
    assert_eq!(
        load(&[("LETAO__SERVER__CORS_ORIGINS", "*")])
            .unwrap()
            .server
            .cors_origins,
        ["*"]
    );
    for bad in [
        "shop.example",
        "https://shop.example/",
        "https://shop.example/app",
    ] {
        let err = load(&[("LETAO__SERVER__CORS_ORIGINS", bad)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.cors_origins"), "{bad}: {err}");
    }
}

#[test]
fn media_stays_in_the_local_folder_unless_s3_is_chosen() {
    use letao_server::settings::MediaBackend;
    let s = load(&[]).unwrap();
    assert_eq!(s.media.backend, MediaBackend::Local);
    assert_eq!(s.server.media_dir, PathBuf::from("data/media"));
    let moved = load(&[("LETAO__SERVER__MEDIA_DIR", "/srv/letao/media")]).unwrap();
    assert_eq!(moved.server.media_dir, PathBuf::from("/srv/letao/media"));
    let err = load(&[("LETAO__MEDIA__BACKEND", "ftp")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("ftp"), "{err}");
}

/// Everything the S3 media backend needs.
const S3: [(&str, &str); 6] = [
    ("LETAO__MEDIA__BACKEND", "s3"),
    ("LETAO__MEDIA__S3__ENDPOINT", "http://127.0.0.1:9000"),
    ("LETAO__MEDIA__S3__BUCKET", "letao-media"),
    ("LETAO__MEDIA__S3__REGION", "us-east-1"),
    ("LETAO__MEDIA__S3__ACCESS_KEY_ID", "letao"),
    (
        "LETAO__MEDIA__S3__SECRET_ACCESS_KEY",
        "s3-secret-never-shown",
    ),
];

#[test]
fn the_s3_media_backend_names_each_missing_key_and_never_shows_the_secret() {
    let s = load(&S3).unwrap();
    assert_eq!(s.media.backend, letao_server::settings::MediaBackend::S3);
    assert_eq!(s.media.s3.timeout_secs, 10);
    let debug = format!("{s:?}");
    assert!(!debug.contains("s3-secret-never-shown"), "{debug}");
    assert!(letao_server::compose::media_store(&s).is_ok());

    for (missing, _) in &S3[1..] {
        let pairs: Vec<(&str, &str)> = S3.iter().copied().filter(|(k, _)| k != missing).collect();
        let err = load(&pairs).unwrap_err().to_string();
        let key = missing
            .trim_start_matches("LETAO__MEDIA__S3__")
            .to_ascii_lowercase();
        assert!(
            err.contains(&format!("media.s3.{key} must be set")),
            "{err}"
        );
        assert!(err.contains(missing), "names the variable: {err}");
    }
    let mut bad = S3.to_vec();
    bad.push(("LETAO__MEDIA__S3__ENDPOINT", "127.0.0.1:9000"));
    let err = load(&bad).unwrap_err().to_string();
    assert!(err.contains("media.s3.endpoint"), "{err}");
    // The local backend ignores an unfinished [media.s3].
    assert!(load(&[("LETAO__MEDIA__S3__BUCKET", "b")]).is_ok());
}
