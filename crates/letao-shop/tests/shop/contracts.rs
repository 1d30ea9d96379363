//! The store contracts on the in-memory fakes (letao-db runs the same on
//! each database).

use async_trait::async_trait;
use letao_domain::Fen;
use letao_shop::store::contract::orders::OrderSubject;
use letao_shop::store::fake::{FakeAccounts, FakeOrders};
use letao_shop::store::{AccountStore, OrderStore};
use std::sync::Arc;

/// The fake order store and its products.
struct Orders(Arc<FakeOrders>);

#[async_trait]
impl OrderSubject for Orders {
    fn store(&self) -> Arc<dyn OrderStore> {
        self.0.clone()
    }

    async fn product(&self, price: Fen, stock: i32) -> i32 {
        self.0.add_product("contract product", price, stock)
    }

    async fn stock(&self, id: i32) -> i32 {
        self.0.stock(id).expect("a product of the test")
    }

    async fn sku_of(&self, id: i32) -> i32 {
        self.0.sku_of(id).expect("a product of the test")
    }
}

mod orders {
    use super::*;
    letao_shop::order_store_contract!(async { Orders(Arc::new(FakeOrders::new())) });
}

mod accounts {
    use super::*;
    letao_shop::account_store_contract!(async {
        let store: Arc<dyn AccountStore> = Arc::new(FakeAccounts::new());
        store
    });
}
