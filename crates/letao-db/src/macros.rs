//! The macro that runs one query body on whichever backend is in use.

/// Runs `$body` with `$conn` bound to a pooled connection of whichever
/// backend `$db` uses. The body is compiled once per backend, so it must be
/// valid diesel for all three; the second form gives per-backend bodies for
/// the few statements whose SQL differs. The body returns
/// `Result<T, DbError>` (diesel errors convert with `?`).
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
            $crate::pool::Pools::Sqlite(pool) => {
                let mut obj = pool.get().await.map_err($crate::DbError::from)?;
                #[allow(unused_mut)]
                let result: Result<_, $crate::DbError> = async {
                    let $c1 = &mut *obj;
                    $b1
                }
                .await;
                $crate::pool::discard_if_broken(obj, &result);
                result
            }
            $crate::pool::Pools::Mysql(pool) => {
                let mut obj = pool.get().await.map_err($crate::DbError::from)?;
                let result: Result<_, $crate::DbError> = async {
                    let $c2 = &mut *obj;
                    $b2
                }
                .await;
                $crate::pool::discard_if_broken(obj, &result);
                result
            }
            $crate::pool::Pools::Postgres(pool) => {
                let mut obj = pool.get().await.map_err($crate::DbError::from)?;
                let result: Result<_, $crate::DbError> = async {
                    let $c3 = &mut *obj;
                    $b3
                }
                .await;
                $crate::pool::discard_if_broken(obj, &result);
                result
            }
        }
    };
}
