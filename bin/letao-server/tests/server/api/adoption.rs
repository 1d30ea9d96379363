//! Adopting a database made by the original Koa server (MySQL/MariaDB).

use crate::api::helpers::TestApp;
use letao_db::Backend;
use letao_db::testing::{ORIGINAL_SCHEMA, TestDatabase};
use serde_json::json;

#[actix_web::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn an_original_mysql_database_is_upgraded_in_place_and_served() {
    let database = TestDatabase::create(Backend::Mysql);
    database.execute_sql(ORIGINAL_SCHEMA);
    let db = database.pool();
    let applied = db
        .migrate()
        .await
        .expect("migrations apply to the original schema");
    assert!(!applied.is_empty());
    assert!(
        !db.seed_demo_data().await.expect("seed"),
        "an adopted catalogue is not reseeded"
    );
    assert!(
        db.migrate().await.expect("second run").is_empty(),
        "nothing left to apply"
    );

    let app = TestApp::over(database).build().await;
    let categories = app.get("/oneCategory").await.json();
    assert_eq!(
        categories["oneCategoryList"],
        json!([
            {"id": 1, "categoryName": "运动馆"}, {"id": 2, "categoryName": "女士馆"},
            {"id": 3, "categoryName": "男士馆"}, {"id": 4, "categoryName": "帆布馆"},
            {"id": 5, "categoryName": "户外管"}
        ])
    );
    let brands = app.get("/twoCategory?id=1").await.json();
    assert_eq!(brands["twoCategoryList"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        brands["twoCategoryList"][3],
        json!({"id": 4, "brandName": "哥伦比亚", "categoryId": 1,
               "brandLogo": "/images/brand4.png", "hot": 0})
    );
    let women = app.get("/twoCategory?id=2").await.json();
    assert_eq!(women["twoCategoryList"][1]["brandName"], "阿萨德2");
    // The home lists the original served from code are rows now.
    assert_eq!(
        app.get("/gridlist").await.json()["gridList"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(
        app.get("/banners").await.json()["swipeList"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );

    // Rows of the tables this issue does not serve yet are still there, and
    // the converted tables take four-byte UTF-8 now.
    assert_eq!(
        app.database.scalar_i64(
            "SELECT COUNT(*) FROM `user` WHERE username = 'letao' AND mobile = '13800138000'"
        ),
        1
    );
    assert_eq!(
        app.database
            .scalar_i64("SELECT COUNT(*) FROM payorder WHERE out_trade_no = 'LT2021090100001'"),
        1
    );
    app.database
        .execute_sql("INSERT INTO category (categoryName) VALUES ('👟 新馆')");
    let after = app.get("/oneCategory").await.json();
    assert_eq!(after["oneCategoryList"][5]["categoryName"], "👟 新馆");
    assert_eq!(
        after["oneCategoryList"][5]["id"], 6,
        "auto-increment continues after the original rows"
    );
}

/// The lecture notes' earlier draft of the order table, filled from
/// payment notifications.
const DRAFT_PAYORDER: &str = r#"
CREATE TABLE `payorder` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `appid` varchar(50) NOT NULL,
  `bank_type` varchar(50) NOT NULL,
  `cash_fee` varchar(50) NOT NULL,
  `fee_type` varchar(50) NOT NULL,
  `is_subscribe` varchar(50) NOT NULL,
  `mch_id` varchar(50) NOT NULL,
  `nonce_str` varchar(50) NOT NULL,
  `openid` varchar(50) NOT NULL,
  `out_trade_no` varchar(50) NOT NULL,
  `sign`varchar(50) NOT NULL,
  `time_end` varchar(50) NOT NULL,
  `total_fee` varchar(50) NOT NULL,
  `trade_type`  varchar(50) NOT NULL,
  `transaction_id` varchar(50) NOT NULL,
   PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
insert into payorder(appid, bank_type,cash_fee,fee_type,is_subscribe,mch_id,nonce_str,openid,out_trade_no,sign,time_end,total_fee,trade_type,transaction_id)
  values('wx0000000000000000','CFT','1','CNY','N','1000000000','abc','oUser','LT2021090100002','SIGN','20210901120000','1','NATIVE','4200000000202109010000000001');
"#;

#[actix_web::test]
#[ignore = "needs TEST_MYSQL_URL (bash .ci/run runs it)"]
async fn the_draft_order_table_is_adopted_too() {
    let database = TestDatabase::create(Backend::Mysql);
    let final_payorder_at = ORIGINAL_SCHEMA
        .find("create table payorder")
        .expect("payorder in the schema");
    database.execute_sql(&ORIGINAL_SCHEMA[..final_payorder_at]);
    database.execute_sql(DRAFT_PAYORDER);
    let db = database.pool();
    db.migrate().await.expect("the draft table is upgraded");
    db.seed_demo_data().await.expect("seed");
    assert_eq!(
        database.scalar_i64(
            "SELECT COUNT(*) FROM payorder WHERE out_trade_no = 'LT2021090100002' AND trade_state = 'SUCCESS' \
             AND wx_transaction_id = '4200000000202109010000000001' AND bank_type = 'CFT' AND total_fen = 1 AND cash_fen = 1"
        ),
        1,
        "the paid row is kept, its facts readable"
    );
    // The app places orders in the adopted table (the adopted catalogue has
    // no products yet: a shop adds them).
    database.execute_sql(
        "INSERT INTO product (brand_id, name, img, price_fen, old_price_fen, sizes, stock, featured, sort_order) \
         VALUES (1, 'Air', '/images/product1.svg', 100, 200, '40', 0, false, 1)",
    );
    database.execute_sql(
        "INSERT INTO sku (product_id, size, colour, code, stock, active, position) \
         SELECT id, '40', '', 'AIR-40', 5, TRUE, 0 FROM product WHERE name = 'Air'",
    );
    let app = TestApp::over(database).build().await;
    app.register("new_buyer", "123456", "13900000009").await;
    let token = app.login("new_buyer", "123456").await;
    let res = app
        .call(
            actix_web::test::TestRequest::post()
                .uri("/order")
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_json(json!({"items": [{"productId": 1, "size": "40", "quantity": 1}]})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(app.database.scalar_i64("SELECT COUNT(*) FROM payorder"), 2);
}
