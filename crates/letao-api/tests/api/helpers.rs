//! `TestApp`: the real application on a fresh database, called in-process.

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test;
use bytes::Bytes;
use letao_api::{AppState, AppStateBuilder, app};
use letao_db::Backend;
use letao_db::testing::TestDatabase;
use std::path::PathBuf;
use std::time::Duration;

/// Runs each test body once per backend, as `<name>::sqlite`,
/// `<name>::mysql` and `<name>::postgres`. The argument's type says what
/// the body gets: a ready [`TestApp`] or a bare [`TestDatabase`].
macro_rules! each_backend {
    ($(async fn $name:ident($arg:ident : $ty:ty) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::Fixture;

            async fn body($arg: $ty) $body

            #[actix_web::test]
            async fn sqlite() {
                if let Some(f) = <$ty as Fixture>::fixture(letao_db::Backend::Sqlite).await { body(f).await }
            }
            #[actix_web::test]
            async fn mysql() {
                if let Some(f) = <$ty as Fixture>::fixture(letao_db::Backend::Mysql).await { body(f).await }
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(f) = <$ty as Fixture>::fixture(letao_db::Backend::Postgres).await { body(f).await }
            }
        }
    )*};
}

/// Something a test body can be given, made fresh for one backend.
pub trait Fixture: Sized {
    async fn fixture(backend: Backend) -> Option<Self>;
}

impl Fixture for TestDatabase {
    async fn fixture(backend: Backend) -> Option<Self> {
        TestDatabase::create(backend)
    }
}

impl Fixture for TestApp {
    async fn fixture(backend: Backend) -> Option<Self> {
        TestApp::spawn(backend, |b| b).await
    }
}

/// The repository's `static/` folder.
pub fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static")
}

/// The application over a migrated database holding the demo data.
pub struct TestApp {
    pub state: AppState,
    pub database: TestDatabase,
}

impl TestApp {
    /// A new database for `backend`, migrated and seeded, and the state
    /// built over it; `configure` adjusts the state (defaults: no cache).
    pub async fn spawn(
        backend: Backend,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> Option<TestApp> {
        let database = TestDatabase::create(backend)?;
        let db = database.pool();
        db.migrate().await.expect("migrations apply");
        db.seed_demo_data().await.expect("demo data");
        Some(TestApp::over(database, configure))
    }

    /// The state over an existing database, as it is.
    pub fn over(
        database: TestDatabase,
        configure: impl FnOnce(AppStateBuilder) -> AppStateBuilder,
    ) -> TestApp {
        let builder = AppState::builder(database.pool())
            .catalogue_ttl(Duration::ZERO)
            .static_dir(static_dir());
        TestApp {
            state: configure(builder).build(),
            database,
        }
    }

    /// Sends one request through the whole application.
    pub async fn call(&self, req: test::TestRequest) -> TestResponse {
        let service = test::init_service(app(self.state.clone())).await;
        let res = test::call_service(&service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.call(test::TestRequest::get().uri(uri)).await
    }
}

/// What came back.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error reply of the SPEC shape and returns its `msg`.
    #[track_caller]
    pub fn assert_error(&self, http: u16, code: u16) -> String {
        assert_eq!(self.status.as_u16(), http, "{}", self.text());
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "content type {:?}",
            self.header("content-type")
        );
        let body = self.json();
        assert_eq!(body["status"], code, "{body}");
        let msg = body["msg"].as_str().expect("msg is a string").to_owned();
        assert!(!msg.is_empty());
        msg
    }
}
