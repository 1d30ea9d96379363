//! What operators see of the store: whether it answers, and its connections.

use super::StoreError;

/// The connections' size and use at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Most connections the store opens.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Open and idle.
    pub available: usize,
    /// Requests waiting for one.
    pub waiting: usize,
}

/// Readiness and metrics of the store.
#[async_trait::async_trait]
pub trait StoreProbe: Send + Sync {
    /// Runs a trivial query once; `Err` when the store cannot be reached.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The store's kind, for replies and logs (`sqlite`, `mysql`, ...).
    fn name(&self) -> &'static str;

    /// The connections now.
    fn pool_status(&self) -> PoolStatus;
}
