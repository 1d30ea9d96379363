//! Pooled connections taken for one query body, safe to cancel, and kept
//! out of the pool once a fault says they are dead.
//!
//! A request can be dropped half-way (the client went away, a sibling
//! extractor failed, a timeout fired). A connection dropped in the middle
//! of a statement is in an unknown state, so it never goes back to the
//! pool: the guard takes it out and closes it (a transaction still open is
//! rolled back by the database). A connection whose statement failed at the
//! connection level is closed too, and so is every pooled connection opened
//! before that failure when it is next taken: after a database restart they
//! are all dead, and a retried read must get a new one. SQLite's calls run
//! on blocking threads; diesel-async's default waits for an interrupted
//! call by blocking the dropping thread, which panics on actix's
//! single-threaded runtimes, so [`Detached`] lets the call finish on its
//! own instead.

use crate::DbError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolableConnection};
use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::cell::Cell;
use std::error::Error;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

/// The pooled connections of one backend.
pub(crate) struct Conns<C>
where
    C: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    pool: Pool<C>,
    suspect: Arc<SuspectBefore>,
}

impl<C> Conns<C>
where
    C: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
{
    /// `pool`, whose pre-recycle hook refuses the connections `suspect`
    /// covers.
    pub(crate) fn new(pool: Pool<C>, suspect: Arc<SuspectBefore>) -> Self {
        Conns { pool, suspect }
    }
}

impl<C> Conns<C>
where
    C: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>: deadpool::managed::Manager<Type = C>,
    <AsyncDieselConnectionManager<C> as deadpool::managed::Manager>::Error: fmt::Display,
{
    /// A connection, waiting at most the pool's timeout; `Unavailable` otherwise.
    pub(crate) async fn get(&self) -> Result<Object<C>, DbError> {
        Ok(self.pool.get().await?)
    }

    /// A connection held for one body.
    pub(crate) async fn checkout(&self) -> Result<Checkout<'_, C>, DbError> {
        Ok(Checkout {
            obj: Some(self.get().await?),
            suspect: &self.suspect,
        })
    }

    /// The pool's size and use now.
    pub(crate) fn status(&self) -> deadpool::Status {
        self.pool.status()
    }
}

/// A checked-out connection that returns to the pool only when its body
/// finished, and only when its error (if any) left it usable.
pub(crate) struct Checkout<'a, M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager,
{
    obj: Option<Object<M>>,
    suspect: &'a SuspectBefore,
}

impl<M> Checkout<'_, M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager<Type = M>,
{
    /// The connection.
    pub(crate) fn conn(&mut self) -> Option<&mut M> {
        self.obj.as_deref_mut()
    }

    /// The body finished with `result`: back to the pool unless its fault
    /// (anything but contention) says the connection is dead, in which case
    /// the connections opened before now are suspect as well. The result
    /// comes back as this backend tells its faults ([`DbError::on`]).
    pub(crate) fn finish<T>(mut self, result: Result<T, DbError>) -> Result<T, DbError>
    where
        M: crate::error::Uncoded,
    {
        let result = result.map_err(DbError::on::<M>);
        let broken = matches!(&result, Err(e) if e.fault().is_some_and(|f| f.breaks_connection()));
        if let Some(obj) = self.obj.take()
            && broken
        {
            self.suspect.mark();
            drop(Object::take(obj));
        }
        // A finished, healthy connection drops back into the pool here.
        result
    }
}

impl<M> Drop for Checkout<'_, M>
where
    M: PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<M>: deadpool::managed::Manager,
{
    fn drop(&mut self) {
        // Still here: the body was cancelled half-way. Only this connection
        // is in doubt; the others are not suspect.
        if let Some(obj) = self.obj.take() {
            drop(Object::take(obj));
        }
    }
}

/// The moment of the last connection-level failure, as nanoseconds since
/// `origin` (0: none yet).
pub(crate) struct SuspectBefore {
    origin: Instant,
    nanos: AtomicU64,
}

impl SuspectBefore {
    pub(crate) fn new() -> SuspectBefore {
        SuspectBefore {
            origin: Instant::now(),
            nanos: AtomicU64::new(0),
        }
    }

    fn since_origin(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    fn mark(&self) {
        let now = self.since_origin(Instant::now()).saturating_add(1);
        self.nanos.fetch_max(now, Ordering::Relaxed);
    }

    /// True for a connection opened before the last failure.
    pub(crate) fn covers(&self, created: Instant) -> bool {
        self.since_origin(created) < self.nanos.load(Ordering::Relaxed)
    }
}

/// Runs SQLite's blocking calls on tokio's blocking threads without ever
/// blocking the caller when the call is abandoned; inside [`Locked`], on
/// the calling thread.
pub struct Detached(Option<tokio::runtime::Handle>);

thread_local! {
    /// Set while a [`Locked`] future is being polled on this thread.
    static LOCKED: Cell<bool> = const { Cell::new(false) };
}

/// A future that holds SQLite's write lock: its SQLite calls run on the
/// thread that polls it. Each call would otherwise be a trip to a blocking
/// thread and back with the lock held, and every other writer waits for
/// the lock (the trips, not the statements, were most of a short
/// transaction's time). A call there never waits for another connection:
/// the lock is held, and WAL readers do not block the writer. Set only
/// while this future is polled, so the runtime's other tasks keep the
/// blocking threads.
pub(crate) struct Locked<F>(Pin<Box<F>>);

impl<F: Future> Locked<F> {
    pub(crate) fn new(fut: F) -> Self {
        Locked(Box::pin(fut))
    }
}

impl<F: Future> Future for Locked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                LOCKED.set(self.0);
            }
        }
        let _reset = Reset(LOCKED.replace(true));
        self.0.as_mut().poll(cx)
    }
}

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
        if LOCKED.get() {
            let result = task();
            return async move { Ok(result) }.boxed();
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn connections_opened_before_a_failure_are_suspect() {
        let suspect = SuspectBefore::new();
        let before = Instant::now();
        assert!(!suspect.covers(before), "no failure yet");
        suspect.mark();
        let after = Instant::now() + Duration::from_millis(1);
        assert!(suspect.covers(before));
        assert!(!suspect.covers(after));
    }
}
