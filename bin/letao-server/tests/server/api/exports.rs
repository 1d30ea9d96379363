//! The owner's CSV exports: orders with the list's filters, products a row
//! per SKU; Excel's needs (a BOM, yuan, no formulas) and roles.

use crate::api::helpers::TestApp;
use letao_domain::Role;
use serde_json::json;

/// The CSV rows of a reply (after checking it is a CSV download with a BOM).
fn rows(res: &crate::api::helpers::TestResponse) -> Vec<csv::StringRecord> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        res.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let body = res.body.as_ref();
    let text = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a byte order mark first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(Result::unwrap)
        .collect()
}

each_backend! {
    async fn orders_export_as_excel_reads_them_with_the_lists_filters(app: TestApp) {
        let buyer = app.user_with("csv_buyer", 80, None).await;
        let staff = app.user_with("csv_staff", 81, Some(Role::Staff)).await;
        let address = json!({"name": "=HYPERLINK(\"x\")", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"});
        let address_id = app.send("POST", "/addresses", &buyer, Some(address)).await.json()["address"]["id"].clone();
        let paid = app.paid_order(&buyer, json!({"items": [{"productId": 5, "size": "40", "quantity": 2}], "addressId": address_id})).await;
        let placed = app.post_auth("/order", &buyer, json!({"items": [{"productId": 5, "size": "41", "quantity": 1}]})).await;
        assert_eq!(placed.status, 200, "{}", placed.text());
        let unpaid = placed.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        let listed = app.send("GET", "/admin/orders?pageSize=100", &staff, None).await.json();

        let all = rows(&app.send("GET", "/admin/orders.csv", &staff, None).await);
        assert_eq!(all[0].iter().collect::<Vec<_>>()[..3], ["订单号", "下单时间", "支付时间"]);
        let body: Vec<_> = all[1..].iter().collect();
        assert_eq!(body.len(), listed["orders"].as_array().unwrap().len());
        // Newest first, as the list.
        assert_eq!(&body[0][0], unpaid.as_str());
        let row = body.iter().find(|r| &r[0] == paid.as_str()).unwrap();
        assert_eq!(&row[3], "SUCCESS");
        assert_eq!(&row[5], "csv_buyer");
        assert!(row[7].contains("(40, ") && row[7].ends_with(" x2"), "{}", &row[7]);
        let total = listed["orders"].as_array().unwrap().iter().find(|o| o["out_trade_no"] == paid.as_str()).unwrap()["total_fee"].as_i64().unwrap();
        assert_eq!(row[8], format!("{}.{:02}", total / 100, total % 100), "yuan with two decimals");
        assert_eq!(&row[9], "0.00");
        assert_eq!(&row[10], "'=HYPERLINK(\"x\")", "a formula is text");
        assert_eq!(&row[12], "浙江省 杭州市 西湖区 文三路 1 号");
        assert!(row[2].len() == 19 && row[1].len() == 19, "China time to the second");

        // The list's filters, and its refusals.
        let only_paid = rows(&app.send("GET", "/admin/orders.csv?trade_state=SUCCESS", &staff, None).await);
        assert!(only_paid[1..].iter().all(|r| &r[3] == "SUCCESS"));
        assert!(only_paid[1..].iter().any(|r| &r[0] == paid.as_str()));
        let by_no = rows(&app.send("GET", &format!("/admin/orders.csv?q={unpaid}"), &staff, None).await);
        assert_eq!(by_no.len(), 2);
        let msg = app.send("GET", "/admin/orders.csv?trade_state=PAID_MAYBE", &staff, None).await.assert_error(400, 1010);
        assert!(msg.contains("trade_state"), "{msg}");
        app.send("GET", "/admin/orders.csv", &buyer, None).await.assert_error(403, 403);
        app.get("/admin/orders.csv").await.assert_error(401, 401);
    }

    async fn orders_export_reads_every_page(app: TestApp) {
        let admin = app.user_with("csv_pages", 82, Some(Role::Admin)).await;
        // More than two of the export's pages, inserted directly.
        for batch in 0..3 {
            let values: Vec<String> = (0..400)
                .map(|n| format!("('wx0000000000000000', '1900000000', 'n', 'bulk', 'BULK{:010}', '100', '127.0.0.1', 'NATIVE', 'NOTPAY', 100)", batch * 400 + n))
                .collect();
            app.database.execute_sql(&format!(
                "INSERT INTO payorder (appid, mch_id, nonce_str, body, out_trade_no, total_fee, spbill_create_ip, trade_type, trade_state, total_fen) VALUES {}",
                values.join(", ")
            ));
        }
        let all = rows(&app.send("GET", "/admin/orders.csv", &admin, None).await);
        let nos: std::collections::BTreeSet<&str> = all[1..].iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(all.len() - 1, 1200, "one row an order");
        assert_eq!(nos.len(), 1200, "no order twice");
        assert_eq!(&all[1][0], "BULK0000001199", "newest first");
    }

    async fn products_export_a_row_per_sku_with_stock(app: TestApp) {
        let admin = app.user_with("csv_admin", 83, Some(Role::Admin)).await;
        let created = app.send("POST", "/admin/products", &admin, Some(json!({
            "brandId": 1, "name": "+跑鞋 =1", "img": "/images/product1.svg", "price": 299.0, "oldPrice": 399.0,
            "skus": [{"size": "40", "code": "-RUN-40", "stock": 3}, {"size": "41", "code": "RUN-41", "stock": 0, "price": 319.5}]
        }))).await;
        assert_eq!(created.status, 200, "{}", created.text());
        let id = created.json()["product"]["id"].as_i64().unwrap().to_string();
        let all = rows(&app.send("GET", "/admin/products.csv", &admin, None).await);
        assert_eq!(&all[0][0], "商品ID");
        let mine: Vec<_> = all[1..].iter().filter(|r| r[0] == id).collect();
        assert_eq!(mine.len(), 2, "a row per SKU");
        assert_eq!(&mine[0][1], "'+跑鞋 =1");
        assert_eq!((&mine[0][4], &mine[0][6], &mine[0][7], &mine[0][8]), ("40", "'-RUN-40", "299.00", "3"));
        assert_eq!((&mine[1][4], &mine[1][7], &mine[1][8]), ("41", "319.50", "0"));
        // Every product of the demo catalogue has its SKUs listed.
        let products: std::collections::BTreeSet<&str> = all[1..].iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(products.len(), 22);
        let brand = rows(&app.send("GET", "/admin/products.csv?brandId=1", &admin, None).await);
        assert!(brand[1..].iter().all(|r| &r[2] == "1"));
        app.send("GET", "/admin/products.csv?hidden=maybe", &admin, None).await.assert_error(400, 1010);
        let staff = app.user_with("csv_staff2", 84, Some(Role::Staff)).await;
        app.send("GET", "/admin/products.csv", &staff, None).await.assert_error(403, 403);
    }
}
