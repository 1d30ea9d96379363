//! The macros that compile one query body for each backend.

/// Runs `$body` with `$conn` bound to a pooled connection of whichever
/// backend `$db` uses. The body is compiled once per backend, so it must be
/// valid diesel for all three; the second form gives per-backend bodies for
/// the few statements whose SQL differs. The body returns
/// `Result<T, DbError>` (diesel errors convert with `?`). A connection whose
/// error says it is broken, or whose body was cancelled half-way, is
/// dropped from the pool (see `checkout.rs`).
macro_rules! with_conn {
    ($db:expr, |$conn:ident| $body:expr) => {
        with_conn!($db,
            sqlite: |$conn| $body,
            mysql: |$conn| $body,
            postgres: |$conn| $body)
    };
    ($db:expr,
     sqlite: |$c1:ident| $b1:expr,
     mysql: |$c2:ident| $b2:expr,
     postgres: |$c3:ident| $b3:expr $(,)?) => {
        match $db.pools() {
            $crate::pool::Pools::Sqlite(pool) => with_conn!(@run pool, |$c1| $b1),
            $crate::pool::Pools::Mysql(pool) => with_conn!(@run pool, |$c2| $b2),
            $crate::pool::Pools::Postgres(pool) => with_conn!(@run pool, |$c3| $b3),
        }
    };
    (@run $pool:ident, |$conn:ident| $body:expr) => {{
        let mut checkout =
            $crate::checkout::Checkout::new($pool.get().await.map_err($crate::DbError::from)?);
        #[allow(unused_mut)]
        let result: Result<_, $crate::DbError> = async {
            let Some($conn) = checkout.conn() else {
                return Err($crate::DbError::Unavailable("connection already returned".into()));
            };
            $body
        }
        .await;
        checkout.finish(&result);
        result
    }};
}

/// Runs `$body` as one write transaction (see [`crate::txn::run_write`]),
/// retried whole while the database aborts it for contention. The body
/// evaluates to `Result<T, Abort<T>>`: `Ok` commits, `Abort::Rollback(v)`
/// rolls back and yields `v`, a diesel error rolls back and fails. On
/// SQLite the transaction waits for its turn first (`Db::write_gate`).
macro_rules! write_txn {
    ($db:expr, |$conn:ident| $body:expr) => {
        $crate::txn::retry_contention(|| async {
            let _writer = $db.write_gate().await;
            with_conn!($db, |c| {
                $crate::txn::run_write(c, async |$conn| $body).await
            })
        })
        .await
    };
}

/// Implements a trait of transaction steps for the three connection types
/// (diesel needs the concrete type); the items are compiled once per type.
macro_rules! impl_for_each_conn {
    ($trait:path { $($items:tt)* }) => {
        impl $trait for $crate::pool::SqliteConn { $($items)* }
        impl $trait for diesel_async::AsyncMysqlConnection { $($items)* }
        impl $trait for diesel_async::AsyncPgConnection { $($items)* }
    };
}
