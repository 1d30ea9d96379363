//! Liveness and readiness, including a database that goes away and comes back.

use crate::api::helpers::TestApp;
use letao_db::Backend;
use letao_db::testing::TestDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

each_backend! {
    async fn health_and_ready_answer_when_all_is_well(app: TestApp) {
        let health = app.get("/health").await;
        assert_eq!(health.status, 200);
        assert_eq!(health.json()["status"], 200);
        let ready = app.get("/ready").await;
        assert_eq!(ready.status, 200);
        assert_eq!(ready.json()["database"], app.database.backend().name());
    }
}

/// A TCP forwarder in front of the database that can be cut and restored.
struct Outage {
    addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Outage {
    async fn start(target: String) -> Outage {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let up = Arc::new(AtomicBool::new(true));
        let (tx, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(tx);
        let (up2, gen2) = (up.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let mut cut = gen2.subscribe();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (mut c, mut s) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut c, &mut s) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Outage {
            addr,
            up,
            generation,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn ready_follows_the_database(backend: Backend) {
    let database = TestDatabase::create(backend);
    database.pool().migrate().await.expect("migrate");
    let mut url = url::Url::parse(database.url()).expect("url");
    let target = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    );
    let outage = Outage::start(target).await;
    url.set_port(Some(outage.addr.port())).expect("port");
    let app = TestApp::over(database)
        .url(url.to_string())
        .set("LETAO__DATABASE__POOL_SIZE", "2")
        .set("LETAO__DATABASE__TIMEOUT_SECS", "1")
        .build()
        .await;
    assert_eq!(app.get("/ready").await.status, 200);

    outage.cut();
    let down = app.get("/ready").await;
    down.assert_error(503, 503);
    assert!(down.header("retry-after").is_some());
    app.get("/oneCategory").await.assert_error(503, 503);

    outage.restore();
    // Connections cut during the outage are dropped as they fail; within a
    // few probes the pool has reconnected.
    let mut status = 0;
    for _ in 0..10 {
        status = app.get("/ready").await.status.as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again after the database came back");
    assert_eq!(app.get("/oneCategory").await.status, 200);
}

#[actix_web::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn ready_follows_the_database_mysql() {
    ready_follows_the_database(Backend::Mysql).await;
}

#[actix_web::test]
#[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
async fn ready_follows_the_database_postgres() {
    ready_follows_the_database(Backend::Postgres).await;
}
