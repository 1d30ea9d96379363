//! The macros that compile one query body for each backend. Macros, not
//! functions: a body is type-checked against each connection type in turn
//! (diesel resolves a query's SQL from the concrete connection), and a
//! closure or generic function over "any of the three connections" would
//! need a bound for each of diesel's query traits on each of them.

/// Runs `$body` with `$conn` bound to a pooled connection of whichever
/// backend `$db` uses. The body is compiled once per backend, so it must be
/// valid diesel for all three; the second form gives per-backend bodies for
/// the few statements whose SQL differs. The body returns
/// `Result<T, DbError>` (diesel errors convert with `?`, faults becoming
/// `Unavailable`). A connection whose error says it is broken, or whose
/// body was cancelled half-way, is dropped from the pool (see
/// `checkout.rs`). Runs once: use it for writes and for `ping`.
macro_rules! with_conn {
    (@once $conns:ident, |$conn:ident| $body:expr) => {{
        // Pool errors (timeouts, no database) end the call here: they have
        // waited their timeout already.
        let mut checkout = $conns.checkout().await?;
        #[allow(unused_mut)]
        let result: Result<_, $crate::DbError> = async {
            let Some($conn) = checkout.conn() else {
                return Err($crate::DbError::fault_error(
                    $crate::Fault::NoConnection,
                    "connection already returned",
                ));
            };
            $body
        }
        .await;
        checkout.finish(result)
    }};
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
        match &*$db.pools()? {
            $crate::pool::Pools::Sqlite(conns) => with_conn!(@once conns, |$c1| $b1),
            $crate::pool::Pools::Mysql(conns) => with_conn!(@once conns, |$c2| $b2),
            $crate::pool::Pools::Postgres(conns) => with_conn!(@once conns, |$c3| $b3),
        }
    };
}

/// Like `with_conn!`, for a body that only reads: when it fails because
/// the connection broke or the node refused it, it runs once more on a
/// connection opened after the failure, so one dropped connection costs
/// the client nothing. Running a read twice is harmless; never use this
/// for a body that writes.
macro_rules! read_conn {
    (@run $conns:ident, |$conn:ident| $body:expr) => {{
        let mut retried = false;
        loop {
            match with_conn!(@once $conns, |$conn| $body) {
                Err(e) if !retried && e.fault().is_some_and(|f| f.breaks_connection()) => {
                    retried = true;
                    tracing::info!(error = %e, "read failed with its connection; running it again on a new one");
                }
                other => break other,
            }
        }
    }};
    ($db:expr, |$conn:ident| $body:expr) => {
        read_conn!($db,
            sqlite: |$conn| $body,
            mysql: |$conn| $body,
            postgres: |$conn| $body)
    };
    ($db:expr,
     sqlite: |$c1:ident| $b1:expr,
     mysql: |$c2:ident| $b2:expr,
     postgres: |$c3:ident| $b3:expr $(,)?) => {
        match &*$db.pools()? {
            $crate::pool::Pools::Sqlite(conns) => read_conn!(@run conns, |$c1| $b1),
            $crate::pool::Pools::Mysql(conns) => read_conn!(@run conns, |$c2| $b2),
            $crate::pool::Pools::Postgres(conns) => read_conn!(@run conns, |$c3| $b3),
        }
    };
}

/// Runs `$body` as one write transaction (see [`crate::txn::run_write`]),
/// retried whole while the database aborts it for contention (or a Galera
/// node refuses it before running anything); never after a lost
/// connection, whose COMMIT may have happened. The body evaluates to
/// `Result<T, Abort<T>>`: `Ok` commits, `Abort::Rollback(v)` rolls back and
/// yields `v`, a diesel error rolls back and fails. On SQLite the
/// transaction waits for its turn first (`Db::write_gate`).
macro_rules! write_txn {
    ($db:expr, |$conn:ident| $body:expr) => {
        $crate::contention::retry_contention(|| async {
            let _writer = $db.write_gate().await;
            with_conn!($db, |c| {
                $crate::txn::run_write(c, async |$conn| $body).await
            })
        })
        .await
    };
}

/// Implements a trait of transaction steps for the three connection types;
/// the items are compiled once per type. A macro, not a blanket impl: a
/// blanket `impl<C: AsyncConnection>` would need diesel's query bounds for
/// every statement of every item.
macro_rules! impl_for_each_conn {
    ($trait:path { $($items:tt)* }) => {
        impl $trait for $crate::pool::SqliteConn { $($items)* }
        impl $trait for diesel_async::AsyncMysqlConnection { $($items)* }
        impl $trait for diesel_async::AsyncPgConnection { $($items)* }
    };
}

/// The active SKUs of products `ids`, by product and the owner's order; one
/// statement for a page of products (one product: `= ?`, which stays in the
/// statement cache). `active <> false`, not `= true`: an equality on
/// `active` makes SQLite (which keeps no statistics) walk `sku_low_stock`,
/// every active SKU of the shop, instead of these products' SKUs.
macro_rules! active_skus_of {
    ($conn:expr, $ids:expr) => {{
        use $crate::schema::sku;
        let ids: &[i32] = $ids;
        let q = sku::table
            .select($crate::skus::SkuRow::as_select())
            .filter(sku::active.ne(false))
            .order((sku::product_id, sku::position, sku::id));
        match ids {
            [] => Vec::new(),
            [id] => {
                q.filter(sku::product_id.eq(*id))
                    .load::<$crate::skus::SkuRow>($conn)
                    .await?
            }
            _ => {
                q.filter(sku::product_id.eq_any(ids))
                    .load::<$crate::skus::SkuRow>($conn)
                    .await?
            }
        }
    }};
}
