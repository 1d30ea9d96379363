//! What every implementation of a faked store must do, written once and
//! run on the in-memory fake (letao-shop's tests) and on `Db` over each
//! backend (letao-db's tests), so a fake cannot drift from the database
//! (feature `test-utils`). [`order_store_contract!`](crate::order_store_contract)
//! [`account_store_contract!`](crate::account_store_contract) and
//! [`wechat_id_store_contract!`](crate::wechat_id_store_contract) make one
//! test of each function for a subject.

// Test support: failing loudly is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub mod accounts;
pub mod orders;
pub mod wechat_ids;

/// One test per contract function: `$make` is an async expression giving
/// the subject, `$module` the contract module, then the functions.
#[doc(hidden)]
#[macro_export]
macro_rules! store_contract_tests {
    (@one $module:ident, [$(#[$meta:meta])*] $make:expr; $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $(#[$meta])*
        async fn $name() {
            let subject = $make.await;
            $crate::store::contract::$module::$name(&subject).await;
        }
    };
    ($module:ident, $attrs:tt $make:expr; $($name:ident),*) => {$(
        $crate::store_contract_tests!(@one $module, $attrs $make; $name);
    )*};
}
