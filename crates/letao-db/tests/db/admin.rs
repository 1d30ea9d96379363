//! A connection of the test's own beside the pool under test.

use diesel::sql_types::BigInt;
use diesel_async::{
    AsyncConnection, AsyncMysqlConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
};
use letao_db::Backend;
use letao_db::testing::TestDatabase;
use std::time::{Duration, Instant};

/// A connection of the test's own to the test database, beside the pool:
/// it holds locks, watches the pool's connections and kills them.
pub enum Admin {
    Mysql(AsyncMysqlConnection),
    Postgres(Box<AsyncPgConnection>),
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    v: i64,
}

impl Admin {
    pub async fn connect(database: &TestDatabase) -> Admin {
        match database.backend() {
            Backend::Mysql => {
                let url = format!("{}?prefer_socket=false", database.url());
                Admin::Mysql(AsyncMysqlConnection::establish(&url).await.unwrap())
            }
            Backend::Postgres => Admin::Postgres(Box::new(
                AsyncPgConnection::establish(database.url()).await.unwrap(),
            )),
            Backend::Sqlite => unreachable!("no server to kill connections on"),
        }
    }

    pub async fn batch(&mut self, sql: &str) {
        match self {
            Admin::Mysql(c) => c.batch_execute(sql).await.unwrap(),
            Admin::Postgres(c) => c.batch_execute(sql).await.unwrap(),
        }
    }

    pub async fn ids(&mut self, mysql: &str, postgres: &str) -> Vec<i64> {
        let rows: Vec<Id> = match self {
            Admin::Mysql(c) => diesel::sql_query(mysql).load(c).await.unwrap(),
            Admin::Postgres(c) => diesel::sql_query(postgres).load(c).await.unwrap(),
        };
        rows.into_iter().map(|r| r.v).collect()
    }

    /// The server's ids of the other connections to this database.
    pub async fn others(&mut self) -> Vec<i64> {
        self.ids(
            "SELECT CAST(id AS SIGNED) AS v FROM information_schema.PROCESSLIST \
             WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command <> 'Killed'",
            "SELECT CAST(pid AS BIGINT) AS v FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
    }

    /// The other connections, less the fixture's (`fixtures`): the pool's.
    pub async fn pool_connections(&mut self, fixtures: &[i64]) -> Vec<i64> {
        let mut ids = self.others().await;
        ids.retain(|id| !fixtures.contains(id));
        ids
    }

    /// Those of them waiting for a lock (a table, or a row: MariaDB shows
    /// a statement waiting for a row as "Updating").
    pub async fn waiting(&mut self) -> Vec<i64> {
        self.ids(
            "SELECT CAST(id AS SIGNED) AS v FROM information_schema.PROCESSLIST \
             WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command IN ('Query', 'Execute') \
             AND (state LIKE 'Waiting for table%' OR state = 'Updating')",
            "SELECT CAST(pid AS BIGINT) AS v FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
        )
        .await
    }

    /// Has the server end connection `id`, as an operator would.
    pub async fn kill(&mut self, id: i64) {
        match self {
            Admin::Mysql(c) => c.batch_execute(&format!("KILL {id}")).await.unwrap(),
            Admin::Postgres(c) => {
                diesel::sql_query(format!(
                    "SELECT CAST(1 AS BIGINT) AS v WHERE pg_terminate_backend({id})"
                ))
                .load::<Id>(c)
                .await
                .unwrap();
            }
        }
    }

    /// Polls `probe` until it returns something, for at most 10 s.
    pub async fn until<F>(&mut self, what: &str, probe: F) -> Vec<i64>
    where
        F: AsyncFn(&mut Admin) -> Vec<i64>,
    {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = probe(&mut *self).await;
            if !found.is_empty() {
                return found;
            }
            assert!(Instant::now() < deadline, "{what}: not within 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
