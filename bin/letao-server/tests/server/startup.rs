//! `Application::build` on a real listener.

use crate::http::request;
use letao_db::Backend;
use letao_db::testing::TestDatabase;
use letao_server::{Application, Settings};
use std::collections::HashMap;
use std::path::PathBuf;

pub fn settings_for(database: &TestDatabase) -> Settings {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let vars: HashMap<String, String> = [
        ("LETAO_ENV", "test".to_owned()),
        ("LETAO__SERVER__ADDR", "127.0.0.1:0".to_owned()),
        ("LETAO__SERVER__WORKERS", "1".to_owned()),
        (
            "LETAO__SERVER__STATIC_DIR",
            root.join("static").display().to_string(),
        ),
        ("LETAO__DATABASE__URL", database.url().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Settings::load_with(&root.join("config"), vars).unwrap()
}

async fn serves_migrated_demo_data_and_stops_gracefully(backend: Backend) {
    let database = TestDatabase::create(backend);
    let app = within(
        "Application::build",
        Application::build(&settings_for(&database)),
    )
    .await
    .unwrap();
    let addr = app.addr();
    assert_ne!(addr.port(), 0);
    let handle = app.handle();
    let running = actix_web::rt::spawn(app.run_until_stopped());

    let res = within(
        "the requests",
        actix_web::rt::task::spawn_blocking(move || {
            let get = request(addr, "GET", "/oneCategory");
            let head = request(addr, "HEAD", "/gridList");
            let image = request(addr, "GET", "/images/banner1.png");
            (get, head, image)
        }),
    )
    .await
    .unwrap();
    let (get, head, image) = res;
    assert_eq!(get.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&get.body).unwrap();
    assert_eq!(body["oneCategoryList"][0]["categoryName"], "运动馆");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    assert!(head.header("content-length").is_some_and(|l| l != "0"));
    assert_eq!(image.status, 200);
    assert!(image.header("cache-control").is_some());

    within("the graceful stop", handle.stop(true)).await;
    within("run_until_stopped's end", running)
        .await
        .unwrap()
        .unwrap();
}

/// `step`, failing the test with its name when it takes over a minute
/// (instead of hanging until the test runner's limit, which says nothing
/// about where).
async fn within<T>(step: &str, step_future: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(std::time::Duration::from_secs(60), step_future).await {
        Ok(out) => out,
        Err(_) => panic!("{step} took over 60 s"),
    }
}

#[actix_web::test]
async fn serves_and_stops_on_sqlite() {
    serves_migrated_demo_data_and_stops_gracefully(Backend::Sqlite).await;
}

#[actix_web::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn serves_and_stops_on_mysql() {
    serves_migrated_demo_data_and_stops_gracefully(Backend::Mysql).await;
}

#[actix_web::test]
#[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
async fn serves_and_stops_on_postgres() {
    serves_migrated_demo_data_and_stops_gracefully(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_busy_port_is_a_clear_start_error() {
    let database = TestDatabase::create(Backend::Sqlite);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut settings = settings_for(&database);
    settings.server.addr = taken.local_addr().unwrap().to_string();
    let err = Application::build(&settings)
        .await
        .err()
        .expect("bind fails")
        .to_string();
    assert!(err.contains("cannot listen on"), "{err}");
}
