//! A pooled connection held for one query body, safe to cancel.
//!
//! A request can be dropped half-way (the client went away, a sibling
//! extractor failed, a timeout fired). A connection dropped in the middle
//! of a statement is in an unknown state, so it never goes back to the
//! pool: the guard takes it out and closes it (a transaction still open is
//! rolled back by the database). SQLite's calls run on blocking threads;
//! diesel-async's default waits for an interrupted call by blocking the
//! dropping thread, which panics on actix's single-threaded runtimes, so
//! [`Detached`] lets the call finish on its own instead.

use crate::DbError;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolableConnection};
use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::error::Error;
use std::sync::OnceLock;

/// A checked-out connection that returns to the pool only when its body
/// finished, and only when its error (if any) left it usable.
pub(crate) struct Checkout<M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager,
{
    obj: Option<Object<M>>,
}

impl<M> Checkout<M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager<Type = M>,
{
    /// Holds `obj` for one body.
    pub(crate) fn new(obj: Object<M>) -> Self {
        Checkout { obj: Some(obj) }
    }

    /// The connection.
    pub(crate) fn conn(&mut self) -> Option<&mut M> {
        self.obj.as_deref_mut()
    }

    /// The body finished with `result`: back to the pool unless the error
    /// says the connection is unusable.
    pub(crate) fn finish<T>(mut self, result: &Result<T, DbError>) {
        let broken = match result {
            Err(DbError::Query(e)) => DbError::poisons_connection(e),
            Err(DbError::Unavailable(_)) => true,
            _ => false,
        };
        if let Some(obj) = self.obj.take()
            && broken
        {
            drop(Object::take(obj));
        }
        // A finished, healthy connection drops back into the pool here.
    }
}

impl<M> Drop for Checkout<M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager,
{
    fn drop(&mut self) {
        // Still here: the body was cancelled half-way.
        if let Some(obj) = self.obj.take() {
            drop(Object::take(obj));
        }
    }
}

/// Runs SQLite's blocking calls on tokio's blocking threads without ever
/// blocking the caller when the call is abandoned.
pub struct Detached(Option<tokio::runtime::Handle>);

/// A runtime for connections made outside any (never on a request path).
fn fallback_runtime() -> Option<tokio::runtime::Handle> {
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
        .map(|rt| rt.handle().clone())
}

impl SpawnBlocking for Detached {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        match &self.0 {
            // Dropping a JoinHandle detaches the task; it runs to its end.
            Some(rt) => {
                let handle = rt.spawn_blocking(task);
                async move { handle.await.map_err(Box::from) }.boxed()
            }
            None => async { Err("no tokio runtime to run SQLite on".into()) }.boxed(),
        }
    }

    fn get_runtime() -> Self {
        Detached(
            tokio::runtime::Handle::try_current()
                .ok()
                .or_else(fallback_runtime),
        )
    }
}
