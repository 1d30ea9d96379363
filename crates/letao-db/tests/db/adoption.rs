//! Migrating a database made by the original Koa server (MySQL/MariaDB).

use letao_db::Backend;
use letao_db::testing::{ORIGINAL_SCHEMA, TestDatabase};
use letao_domain::Fen;
use letao_domain::order::{PaymentSource, TradeState};
use letao_shop::store::{Payment, Recorded};

#[tokio::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn an_original_database_is_migrated_in_place_and_its_rows_read() {
    let database = TestDatabase::create(Backend::Mysql);
    database.execute_sql(ORIGINAL_SCHEMA);
    let db = database.pool();
    assert!(!db.migrate().await.unwrap().is_empty());
    assert!(
        db.migrate().await.unwrap().is_empty(),
        "nothing left to apply"
    );
    assert!(
        !db.seed_demo_data().await.unwrap(),
        "an adopted catalogue is not reseeded"
    );
    let categories = db.categories().await.unwrap();
    assert_eq!(categories.len(), 5);
    assert_eq!(categories[1].name.as_deref(), Some("女士馆"));
    assert_eq!(
        db.brands().await.unwrap()[0].logo.as_deref(),
        Some("/images/brand1.png")
    );
    let user = db
        .user_by_username("letao")
        .await
        .unwrap()
        .expect("the original user");
    assert_eq!(user.mobile.as_deref(), Some("13800138000"));
    // The original order reads as a typed record and can be paid.
    let order = db
        .order_by_no("LT2021090100001")
        .await
        .unwrap()
        .expect("the original order");
    assert_eq!(order.trade_state, TradeState::NotPay);
    assert_eq!(order.total, Fen::new(1));
    let paid = db
        .record_payment(
            &Payment {
                out_trade_no: "LT2021090100001",
                transaction_id: "4200000000000000000000000001",
                total: Fen::new(1),
                bank_type: None,
                time_end: None,
                cash: None,
                openid: None,
                source: PaymentSource::Reconciliation,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(paid, Recorded::Paid);
    // Converted tables take four-byte UTF-8.
    database.execute_sql("INSERT INTO category (categoryName) VALUES ('👟 新馆')");
    let after = db.categories().await.unwrap();
    assert_eq!(after[5].name.as_deref(), Some("👟 新馆"));
    assert_eq!(
        after[5].id.get(),
        6,
        "auto-increment continues after the original rows"
    );
}

#[tokio::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn duplicate_users_stop_the_migration_without_touching_a_row() {
    let database = TestDatabase::create(Backend::Mysql);
    database.execute_sql(ORIGINAL_SCHEMA);
    database.execute_sql(
        "insert into `user` (username, password, mobile) values \
         ('twin', 'a', '13900000001'), ('twin', 'b', '13900000002'), \
         ('solo', 'c', '13900000003'), ('other', 'd', '13900000003')",
    );
    let db = database.pool();
    let err = db
        .migrate()
        .await
        .expect_err("the upgrade must stop")
        .to_string();
    assert!(err.contains("username \"twin\" (ids 2,3)"), "{err}");
    assert!(err.contains("mobile \"13900000003\" (ids 4,5)"), "{err}");
    assert_eq!(database.scalar_i64("SELECT COUNT(*) FROM `user`"), 5);
    assert_eq!(
        database.scalar_i64("SELECT COUNT(*) FROM __diesel_schema_migrations"),
        0
    );
    database.execute_sql(
        "UPDATE `user` SET username = 'twin2' WHERE id = 3; UPDATE `user` SET mobile = NULL WHERE id = 5",
    );
    db.migrate().await.expect("migrates after the fix");
    assert_eq!(database.scalar_i64("SELECT COUNT(*) FROM `user`"), 5);
}
