//! Refunds by the shop's owners, in full or in part, and under contention.

use super::{buyer, wait_for_state};
use crate::api::helpers::{TestApp, mobile};
use serde_json::json;
use std::time::Duration;

each_backend! {
    async fn admins_refund_in_full_or_in_part_but_never_more(app: TestApp) {
        let token = buyer(&app, "refundee", 63).await;
        app.register("shop_admin", "admin-password", &mobile(64)).await;
        let res = app.order(&token, json!([{"productId": 10, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        let total = 69_900;
        // Not paid yet, and not an admin.
        let admin_token = app.login("shop_admin", "admin-password").await;
        app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "reason": "x"})).await.assert_error(403, 403);
        app.grant("shop_admin", letao_domain::Role::Admin).await;
        app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "reason": "x"})).await.assert_error(409, 1061);
        app.post_auth("/admin/refund", &token, json!({"out_trade_no": no, "reason": "x"})).await.assert_error(403, 403);

        app.sim.pay(&no).expect("pay");
        wait_for_state(&app, &token, &no, "SUCCESS").await;
        let part = app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "refund_fee": 20_000, "reason": "尺码不合适"})).await;
        assert_eq!(part.status, 200, "{}", part.text());
        assert_eq!(part.json()["data"]["refund_fee"], 20_000);
        app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "refund_fee": total, "reason": "x"})).await.assert_error(409, 1061);
        let msg = app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "refund_fee": 0, "reason": "x"})).await.assert_error(400, 1010);
        assert!(msg.contains("refund_fee"));
        // The rest, by default.
        let rest = app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "reason": "退货"})).await;
        assert_eq!(rest.status, 200, "{}", rest.text());
        assert_eq!(rest.json()["data"]["refund_fee"], total - 20_000);
        app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "reason": "x"})).await.assert_error(409, 1061);

        let sim_refunds = app.sim.order(&no).expect("sim").refunds;
        assert_eq!(sim_refunds.iter().map(|r| r.refund_fee).sum::<i64>(), total);
        assert_eq!(app.query_order(&token, &no).await["trade_state"], "REFUND");
        // The simulator's refund notifications settle both refunds.
        for _ in 0..100 {
            if app.events(&no, "refund").await == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(app.events(&no, "refund").await, 2);
    }

    async fn concurrent_refunds_never_exceed_the_payment(app: TestApp) {
        let token = buyer(&app, "race_refund", 65).await;
        app.register("race_admin", "admin-password", &mobile(66)).await;
        app.grant("race_admin", letao_domain::Role::Admin).await;
        let admin_token = app.login("race_admin", "admin-password").await;
        let res = app.order(&token, json!([{"productId": 1, "size": "40", "quantity": 1}])).await;
        let no = res.json()["data"]["out_trade_no"].as_str().expect("no").to_owned();
        app.sim.pay(&no).expect("pay");
        wait_for_state(&app, &token, &no, "SUCCESS").await;
        let results = futures_util::future::join_all((0..20).map(|_| {
            app.post_auth("/admin/refund", &admin_token, json!({"out_trade_no": no, "refund_fee": 30, "reason": "race"}))
        }))
        .await;
        let ok = results.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 3, "3 x 30 fen fit in 100");
        assert!(results.iter().all(|r| r.status == 200 || r.status == 409), "the others are conflicts");
        let refunded: i64 = app.sim.order(&no).expect("sim").refunds.iter().map(|r| r.refund_fee).sum();
        assert_eq!(refunded, 90);
    }
}
