//! Migrating a database made by the original Koa server (MySQL/MariaDB).

use letao_db::testing::TestDatabase;
use letao_db::{Backend, Payment, Recorded};
use letao_domain::Fen;
use letao_domain::order::{PaymentSource, TradeState};

/// The original server's DDL and data, as its notes give them (utf8 tables).
const ORIGINAL_SCHEMA: &str = r#"
CREATE TABLE `category` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `categoryName` varchar(50) DEFAULT null,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert  into `category`(`id`,`categoryName`) values (1,'运动馆'),(2,'女士馆');
CREATE TABLE `brand` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `brandName` varchar(50) DEFAULT NULL,
  `categoryId` int(11) DEFAULT NULL,
  `brandLogo` varchar(200) DEFAULT NULL,
  `hot` int(4) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert  into `brand`(`id`,`brandName`,`categoryId`,`brandLogo`,`hot`) values (1,'耐克',1,'/images/brand1.png',1);
CREATE TABLE `user` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(50) DEFAULT NULL,
  `password` varchar(100) DEFAULT NULL,
  `mobile` char(11) DEFAULT NULL,
  `smscode` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8;
insert into `user` (username, password, mobile) values ('letao', 'ed5b2b5f8b9c3ac3bdd1b2d5a0e2d9f0', '13800138000');
create table payorder (
  `id` int NOT NULL auto_increment PRIMARY KEY,
  `appid` varchar(50) NOT NULL,
  `mch_id` varchar(50) NOT NULL,
  `nonce_str` varchar(50) NOT NULL,
  `body` varchar(100) NOT NULL,
  `out_trade_no` varchar(50) NOT NULL,
  `total_fee` varchar(50) NOT NULL,
  `spbill_create_ip` varchar(50) NOT NULL,
  `trade_type` varchar(20) NOT NULL,
  `trade_state` varchar(20) NOT null
);
insert into payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, trade_type, trade_state)
  values ('wx0000000000000000', '1000000000', 'abc', '乐淘商品', 'LT2021090100001', '1', '127.0.0.1', 'NATIVE', 'NOTPAY');
"#;

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
    assert_eq!(categories.len(), 2);
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
    assert_eq!(
        db.categories().await.unwrap()[2].name.as_deref(),
        Some("👟 新馆")
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
