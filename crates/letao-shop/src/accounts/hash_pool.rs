//! Password hashing on a few dedicated threads.
//!
//! argon2 allocates its memory (19 MiB by default) per hash. Run on tokio's
//! blocking pool, the hashes land on many different threads over time and
//! the allocator keeps a copy of that memory per thread: hundreds of MiB
//! after a burst of logins. One thread per core keeps the process small and
//! the cores busy, with the work queued in between.

use crate::ShopError;
use letao_auth::PasswordHasher;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce(&PasswordHasher) + Send>;

/// A fixed set of hashing threads fed by a queue.
pub struct HashPool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl HashPool {
    /// `threads` hashing threads sharing `hasher`.
    pub fn new(hasher: PasswordHasher, threads: usize) -> Result<HashPool, ShopError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads.max(1) {
            let rx = rx.clone();
            let hasher = hasher.clone();
            std::thread::Builder::new()
                .name(format!("letao-hash-{n}"))
                .spawn(move || {
                    loop {
                        // Hold the lock only to take a job, not while hashing.
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        match job {
                            Ok(job) => job(&hasher),
                            Err(_) => break, // the pool was dropped
                        }
                    }
                })
                .map_err(|e| ShopError::Internal(Box::new(e)))?;
        }
        Ok(HashPool {
            jobs: Mutex::new(tx),
        })
    }

    /// Runs `work` on a hashing thread and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, ShopError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |hasher| {
            let _ = tx.send(work(hasher));
        });
        self.jobs
            .lock()
            .map_err(|_| ShopError::Internal("hash pool poisoned".into()))?
            .send(job)
            .map_err(|_| ShopError::Internal("hash pool stopped".into()))?;
        rx.await
            .map_err(|_| ShopError::Internal("hash job lost".into()))
    }
}
