//! The shop's store contracts on `Db`, on each backend: the same tests the
//! in-memory fakes pass (letao-shop's tests), so the two cannot drift.

use crate::support::Seeded;
use async_trait::async_trait;
use letao_db::Backend;
use letao_db::testing::Fixture;
use letao_domain::{AuditAction, Fen};
use letao_shop::store::contract::accounts::AccountSubject;
use letao_shop::store::contract::orders::OrderSubject;
use letao_shop::store::contract::wechat_ids::WechatIdSubject;
use letao_shop::store::{
    AccountStore, Actor, AuditNote, CatalogueAdminStore, Edit, NewProduct, OrderStore,
    WechatIdStore,
};
use std::sync::Arc;

/// The database as an order store, with products of the demo brand 1.
pub struct Orders(Seeded);

impl Orders {
    pub async fn of(backend: Backend) -> Orders {
        Orders(Seeded::fixture(backend).await)
    }
}

#[async_trait]
impl OrderSubject for Orders {
    fn store(&self) -> Arc<dyn OrderStore> {
        Arc::new(self.0.db.clone())
    }

    async fn product(&self, price: Fen, stock: i32) -> i32 {
        let sizes = Vec::new();
        let new = NewProduct {
            brand_id: 1,
            name: "contract product",
            img: "/images/product1.svg",
            price,
            old_price: price,
            sizes: &sizes,
            stock,
            skus: None,
            featured: false,
            sort: 0,
            keywords: &[],
        };
        let note = AuditNote {
            actor: &Actor::CLI,
            action: AuditAction::ProductCreate,
            detail: &|_, _| "{}".to_owned(),
        };
        let db: &dyn CatalogueAdminStore = &self.0.db;
        match db
            .create_product(&new, &note, chrono::Utc::now())
            .await
            .unwrap()
        {
            Edit::Done(p) => p.product.id.get(),
            other => panic!("not created: {other:?}"),
        }
    }

    async fn stock(&self, id: i32) -> i32 {
        let db: &dyn CatalogueAdminStore = &self.0.db;
        db.admin_product(id)
            .await
            .unwrap()
            .expect("the product")
            .product
            .stock
    }

    async fn sku_of(&self, id: i32) -> i32 {
        let db: &dyn CatalogueAdminStore = &self.0.db;
        let product = db.admin_product(id).await.unwrap().expect("the product");
        product.product.skus[0].id.get()
    }
}

/// The database as an account store (kept while the test runs).
pub struct Accounts(Seeded);

async fn accounts(backend: Backend) -> Accounts {
    Accounts(Seeded::fixture(backend).await)
}

impl AccountSubject for Accounts {
    fn store(&self) -> Arc<dyn AccountStore> {
        Arc::new(self.0.db.clone())
    }
}

mod orders_sqlite {
    use super::*;
    letao_shop::order_store_contract!(Orders::of(Backend::Sqlite));
}

mod orders_mysql {
    use super::*;
    letao_shop::order_store_contract!(
        Orders::of(Backend::Mysql),
        #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    );
}

mod orders_postgres {
    use super::*;
    letao_shop::order_store_contract!(
        Orders::of(Backend::Postgres),
        #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
    );
}

mod accounts_sqlite {
    use super::*;
    letao_shop::account_store_contract!(accounts(Backend::Sqlite));
}

mod accounts_mysql {
    use super::*;
    letao_shop::account_store_contract!(
        accounts(Backend::Mysql),
        #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    );
}

mod accounts_postgres {
    use super::*;
    letao_shop::account_store_contract!(
        accounts(Backend::Postgres),
        #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
    );
}

/// The database as the store of openids and OAuth states.
pub struct WechatIds(Seeded);

async fn wechat_ids(backend: Backend) -> WechatIds {
    WechatIds(Seeded::fixture(backend).await)
}

impl WechatIdSubject for WechatIds {
    fn store(&self) -> Arc<dyn WechatIdStore> {
        Arc::new(self.0.db.clone())
    }
}

mod wechat_ids_sqlite {
    use super::*;
    letao_shop::wechat_id_store_contract!(wechat_ids(Backend::Sqlite));
}

mod wechat_ids_mysql {
    use super::*;
    letao_shop::wechat_id_store_contract!(
        wechat_ids(Backend::Mysql),
        #[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
    );
}

mod wechat_ids_postgres {
    use super::*;
    letao_shop::wechat_id_store_contract!(
        wechat_ids(Backend::Postgres),
        #[ignore = "needs TEST_POSTGRES_URL (bash .ci/run runs it)"]
    );
}
