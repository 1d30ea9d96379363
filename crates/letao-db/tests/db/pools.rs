//! On MySQL and PostgreSQL each worker thread that queries has a pool of
//! its own, of its share of `pool_size`: a connection belongs to the
//! runtime that opened it, and each actix worker is a runtime on a thread
//! of its own. A thread that ends takes its connections with it, and the
//! others never meet them. Threads beyond the workers borrow: however many
//! query, the connections stay within `pool_size`.

use crate::admin::Admin;
use crate::support::{Seeded, user};
use letao_db::testing::Fixture;
use letao_db::{Backend, Db, DbConfig};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// A pool of `size` connections for 2 workers on `m`'s database: three
/// slots, one per worker and one for the runtime that starts the server.
fn for_two_workers(m: &Seeded, size: usize) -> Db {
    Db::connect(&DbConfig {
        url: m.database.url().to_owned(),
        pool_size: Some(size),
        timeout: Duration::from_secs(10),
        workers: 2,
    })
    .unwrap()
}

/// Two worker threads, each reading twice at once on a runtime of its own
/// while the other does, then ending.
async fn each_worker_thread_has_a_pool_of_its_share(backend: Backend) {
    let m = Seeded::fixture(backend).await;
    let db = for_two_workers(&m, 6);
    let read = Arc::new(Barrier::new(3));
    let end = Arc::new(Barrier::new(3));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (db, read, end) = (db.clone(), read.clone(), end.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let (a, b) = tokio::join!(db.categories(), db.categories());
                    assert!(!a.unwrap().is_empty() && !b.unwrap().is_empty());
                });
                read.wait();
                end.wait();
            })
        })
        .collect();
    let wait = |b: Arc<Barrier>| tokio::task::spawn_blocking(move || b.wait());

    wait(read).await.unwrap();
    let both = db.pool_status();
    assert_eq!(both.max_size, 4, "two pools of 2: {both:?}");
    assert_eq!(both.size, 4, "each worker opened its 2: {both:?}");
    assert_eq!(both.available, 4, "{both:?}");

    wait(end).await.unwrap();
    for w in workers {
        w.join().unwrap();
    }
    let none = db.pool_status();
    assert_eq!((none.max_size, none.size), (0, 0), "{none:?}");

    // This thread's runtime writes on connections of its own: none of the
    // ended runtimes' is left to fail under it.
    let id = user(&db, "after_workers", "13800000077").await;
    assert!(id > 0);
    let mine = db.pool_status();
    assert_eq!((mine.max_size, mine.size), (2, 1), "{mine:?}");
}

/// Eight threads, each a runtime of its own reading four at once, for a
/// pool of 4 connections for 2 workers: three threads take the slots and
/// the others borrow their pools. The server sees 4 connections
/// of the pool at most (each thread opening its own share would be 16).
async fn threads_beyond_the_workers_stay_within_the_pool_size(backend: Backend) {
    let m = Seeded::fixture(backend).await;
    let mut admin = Admin::connect(&m.database).await;
    let fixtures = admin.others().await;
    let db = for_two_workers(&m, 4);
    // Async barriers: a thread's runtime keeps serving its connections to
    // the borrowers while it waits.
    let read = Arc::new(tokio::sync::Barrier::new(9));
    let end = Arc::new(tokio::sync::Barrier::new(9));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (db, read, end) = (db.clone(), read.clone(), end.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    for _ in 0..3 {
                        let reads = (0..4).map(|_| db.categories());
                        for r in futures_util::future::join_all(reads).await {
                            assert!(!r.unwrap().is_empty());
                        }
                    }
                    read.wait().await;
                    end.wait().await;
                });
            })
        })
        .collect();

    read.wait().await;
    let status = db.pool_status();
    assert_eq!(status.max_size, 4, "{status:?}");
    assert!(status.size <= 4, "{status:?}");
    let open = admin.pool_connections(&fixtures).await;
    assert!(
        (1..=4).contains(&open.len()),
        "the server sees {} connections of the pool",
        open.len()
    );
    end.wait().await;
    for t in threads {
        t.join().unwrap();
    }
}

mod threads_beyond_the_workers_stay_within_the_pool_size {
    #[tokio::test]
    #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    async fn mysql() {
        super::threads_beyond_the_workers_stay_within_the_pool_size(letao_db::Backend::Mysql).await;
    }
    #[tokio::test]
    #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
    async fn postgres() {
        super::threads_beyond_the_workers_stay_within_the_pool_size(letao_db::Backend::Postgres)
            .await;
    }
}

/// SQLite's calls run on blocking threads: one pool of `pool_size` for
/// every thread.
#[tokio::test]
async fn sqlite_has_one_pool_for_every_thread() {
    let m = Seeded::fixture(Backend::Sqlite).await;
    let db = for_two_workers(&m, 4);
    let read = Arc::new(Barrier::new(2));
    let end = Arc::new(Barrier::new(2));
    let (other, r, e) = (db.clone(), read.clone(), end.clone());
    let worker = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert!(!rt.block_on(other.categories()).unwrap().is_empty());
        r.wait();
        e.wait();
    });
    let wait = |b: Arc<Barrier>| tokio::task::spawn_blocking(move || b.wait());

    wait(read).await.unwrap();
    assert!(!db.categories().await.unwrap().is_empty());
    let status = db.pool_status();
    assert_eq!(status.max_size, 4, "{status:?}");
    assert_eq!(
        status.size, 1,
        "the worker's connection served this read too: {status:?}"
    );
    wait(end).await.unwrap();
    worker.join().unwrap();
}

mod each_worker_thread_has_a_pool_of_its_share {
    #[tokio::test]
    #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    async fn mysql() {
        super::each_worker_thread_has_a_pool_of_its_share(letao_db::Backend::Mysql).await;
    }
    #[tokio::test]
    #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
    async fn postgres() {
        super::each_worker_thread_has_a_pool_of_its_share(letao_db::Backend::Postgres).await;
    }
}
