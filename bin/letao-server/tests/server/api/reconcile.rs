//! Daily reconciliation with the simulator's trade bill.

use crate::api::helpers::TestApp;
use chrono::{Days, TimeDelta, Timelike};
use letao_auth::Clock;
use letao_domain::Role;
use letao_domain::reconciliation::{DifferenceKind, ReconcileState};
use letao_shop::ShopError;
use letao_shop::reconcile::{BillSource, DailyReconciliation, china, china_today};
use serde_json::json;

impl TestApp {
    /// Places an order of `product` and pays it at the simulator; the
    /// number.
    async fn pay_at_sim(&self, token: &str, product: i64) -> String {
        let res = self
            .post_auth(
                "/order",
                token,
                json!({"items": [{"productId": product, "size": "40", "quantity": 1}]}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        let no = res.json()["data"]["out_trade_no"]
            .as_str()
            .unwrap()
            .to_owned();
        self.sim.pay(&no).expect("pay");
        no
    }

    /// The day the simulator paid things on, and the app's clock moved to
    /// the next morning (China time) so that day's bill can be read.
    fn next_morning(&self) -> chrono::NaiveDate {
        let day = china_today(self.sim.now());
        let now = self.clock.now().with_timezone(&china());
        let target = (day + Days::new(1)).and_hms_opt(11, 0, 0).unwrap();
        let ahead = target.signed_duration_since(now.naive_local());
        if ahead > TimeDelta::zero() {
            self.clock.advance(ahead);
        }
        day
    }
}

each_backend! {
    async fn a_day_of_lost_notifications_is_recovered_from_the_bill_once(app: TestApp) {
        let token = app.user_with("rec_buyer", 100, None).await;
        app.sim.set_faults(wechat_pay_sim::Faults { drop_next_notifications: 3, ..Default::default() });
        let mut nos = Vec::new();
        for product in [5, 6, 7] {
            let no = app.pay_at_sim(&token, product).await;
            app.wait_for_delivery(&no, "dropped").await;
            nos.push(no);
        }
        for no in &nos {
            assert!(app.paid_by(no).await.is_empty(), "the notification was lost");
        }
        let day = app.next_morning();
        let report = app.services.reconciler.reconcile(day, BillSource::Fetch).await.unwrap();
        assert_eq!(report.state, ReconcileState::Done);
        assert_eq!((report.bill_rows, report.matched, report.recovered), (3, 3, 3));
        assert!(report.differences.is_empty(), "{:?}", report.differences);
        for no in &nos {
            let paid = app.paid_by(no).await;
            assert_eq!(paid.len(), 1);
            assert!(paid[0].starts_with("reconcile 4200"), "{paid:?}");
        }
        // Again: nothing recorded twice, the report unchanged.
        let again = app.services.reconciler.reconcile(day, BillSource::Fetch).await.unwrap();
        assert_eq!(again, report);
        for no in &nos {
            assert_eq!(app.events(no, "paid").await, 1);
        }
        // The owner reads it; staff may not.
        let admin = app.user_with("rec_admin", 101, Some(Role::Admin)).await;
        let staff = app.user_with("rec_staff", 102, Some(Role::Staff)).await;
        let shown = app.send("GET", &format!("/admin/reconciliations?date={day}"), &admin, None).await;
        assert_eq!(shown.status, 200, "{}", shown.text());
        let shown = shown.json();
        assert_eq!(shown["reconciliation"]["date"], day.to_string());
        assert_eq!(shown["reconciliation"]["matched"], 3);
        assert_eq!(shown["reconciliation"]["recovered"], 3);
        assert_eq!(shown["reconciliation"]["differences"], json!([]));
        app.send("GET", &format!("/admin/reconciliations?date={day}"), &staff, None).await.assert_error(403, 403);
        app.send("GET", "/admin/reconciliations?date=2020-01-01", &admin, None).await.assert_error(404, 404);
        app.send("GET", "/admin/reconciliations?date=yesterday", &admin, None).await.assert_error(400, 1010);
    }

    async fn differing_amounts_and_payments_the_bill_lacks_are_reported(app: TestApp) {
        let token = app.user_with("rec_diff", 103, None).await;
        let good = app.pay_at_sim(&token, 5).await;
        app.wait_for_delivery(&good, "SUCCESS").await;
        let altered = app.pay_at_sim(&token, 6).await;
        app.wait_for_delivery(&altered, "SUCCESS").await;
        // The shop's books say another amount for one order...
        app.database.execute_sql(&format!("UPDATE payorder SET total_fen = total_fen + 1 WHERE out_trade_no = '{altered}'"));
        // ...and hold a payment WeChat never took.
        let res = app.post_auth("/order", &token, json!({"items": [{"productId": 7, "size": "40", "quantity": 1}]})).await;
        let phantom = res.json()["data"]["out_trade_no"].as_str().unwrap().to_owned();
        let time_end = app.sim.now().with_timezone(&china()).format("%Y%m%d%H%M%S").to_string();
        let total = app.db.order_by_no(&phantom).await.unwrap().unwrap().total;
        app.db.record_payment(&letao_shop::store::Payment {
            out_trade_no: &phantom, transaction_id: "4200PHANTOM", total, bank_type: None,
            time_end: Some(&time_end), cash: None, openid: None,
            source: letao_domain::order::PaymentSource::Notification,
        }, app.clock.now()).await.unwrap();
        let day = app.next_morning();
        let report = app.services.reconciler.reconcile(day, BillSource::Fetch).await.unwrap();
        let kinds: Vec<(DifferenceKind, String)> = report.differences.iter().map(|d| (d.kind, d.out_trade_no.clone())).collect();
        assert!(kinds.contains(&(DifferenceKind::AmountMismatch, altered.clone())), "{kinds:?}");
        assert!(kinds.contains(&(DifferenceKind::MissingPayment, phantom.clone())), "{kinds:?}");
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert_eq!(report.matched, 1);
        let mismatch = report.differences.iter().find(|d| d.kind == DifferenceKind::AmountMismatch).unwrap();
        assert_eq!(mismatch.wechat.map(|w| w + 1), mismatch.ours);
    }

    async fn bad_bills_and_days_record_nothing(app: TestApp) {
        let token = app.user_with("rec_bad", 104, None).await;
        app.sim.set_faults(wechat_pay_sim::Faults { drop_next_notifications: 1, ..Default::default() });
        let no = app.pay_at_sim(&token, 5).await;
        app.wait_for_delivery(&no, "dropped").await;
        let day = app.next_morning();
        let orders = app.services.reconciler.clone();
        // A bill whose hash does not match.
        app.sim.set_faults(wechat_pay_sim::Faults { corrupt_bills: true, ..Default::default() });
        let err = orders.reconcile(day, BillSource::Fetch).await.unwrap_err();
        assert!(matches!(err, ShopError::Bill(_)), "{err:?}");
        app.sim.set_faults(wechat_pay_sim::Faults::default());
        // A truncated file, and a malformed line.
        let bill = app.sim.bill(day, wechat_pay::BillType::All).expect("a bill");
        let truncated = bill[..bill.find("总交易单数").unwrap()].to_owned();
        assert!(matches!(orders.reconcile(day, BillSource::File(truncated.into_bytes())).await, Err(ShopError::Bill(_))));
        let summary_at = bill.find("总交易单数").unwrap();
        let malformed = format!("{}`only-one-field\r\n{}", &bill[..summary_at], &bill[summary_at..]);
        let err = orders.reconcile(day, BillSource::File(malformed.into_bytes())).await.unwrap_err();
        assert!(err.to_string().contains("line"), "{err}");
        // Days the bill cannot cover.
        let today = china_today(app.clock.now());
        assert!(matches!(orders.reconcile(today, BillSource::Fetch).await, Err(ShopError::InvalidDate(_))));
        assert!(matches!(orders.reconcile(today + Days::new(3), BillSource::Fetch).await, Err(ShopError::InvalidDate(_))));
        assert!(matches!(orders.reconcile(day - Days::new(400), BillSource::Fetch).await, Err(ShopError::InvalidDate(_))));
        assert!(app.paid_by(&no).await.is_empty(), "nothing recorded");
        assert!(orders.reconciliation(day).await.unwrap().is_none());
        // The good bill, from a file, then works.
        let report = orders.reconcile(day, BillSource::File(bill.into_bytes())).await.unwrap();
        assert_eq!(report.recovered, 1);
    }

    async fn the_daily_job_runs_once_across_two_instances_and_waits_for_the_bill(app: TestApp) {
        let token = app.user_with("rec_daily", 105, None).await;
        app.sim.set_faults(wechat_pay_sim::Faults { drop_next_notifications: 1, ..Default::default() });
        let no = app.pay_at_sim(&token, 5).await;
        app.wait_for_delivery(&no, "dropped").await;
        let day = app.next_morning();
        let daily = DailyReconciliation::default();
        // Before 10:30 nothing runs; from then on, one of two instances does.
        let early = DailyReconciliation { at: chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap(), ..daily };
        assert!(!app.services.reconciler.reconcile_due(&early).await.unwrap());
        let (a, b) = futures_util::future::join(
            app.services.reconciler.reconcile_due(&daily),
            app.second_services.reconciler.reconcile_due(&daily),
        )
        .await;
        assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|ran| **ran).count(), 1, "claimed once");
        assert!(!app.second_services.reconciler.reconcile_due(&daily).await.unwrap(), "done: not run again");
        let report = app.services.reconciler.reconciliation(day).await.unwrap().expect("stored");
        assert_eq!(report.state, ReconcileState::Done);
        assert_eq!(report.recovered, 1);
        assert_eq!(app.events(&no, "paid").await, 1);
        assert!(app.clock.now().with_timezone(&china()).hour() >= 10);
    }

    async fn a_bill_not_out_yet_is_tried_again_then_given_up(app: TestApp) {
        let token = app.user_with("rec_wait", 106, None).await;
        let no = app.pay_at_sim(&token, 5).await;
        app.wait_for_delivery(&no, "SUCCESS").await;
        let day = app.next_morning();
        // WeChat has no bill for the day (the simulator forgets it), while
        // the shop holds a payment: not ready.
        app.sim.set_clock(Some(app.sim.now() + TimeDelta::days(30)));
        let daily = DailyReconciliation { tries: 2, ..DailyReconciliation::default() };
        let _ = app.services.reconciler.reconcile_due(&daily).await.unwrap();
        let waiting = app.services.reconciler.reconciliation(day).await.unwrap().unwrap();
        assert!(waiting.state == ReconcileState::Waiting || waiting.state == ReconcileState::Done, "{waiting:?}");
        if waiting.state == ReconcileState::Waiting {
            assert!(!app.services.reconciler.reconcile_due(&daily).await.unwrap(), "not before the retry time");
            app.clock.advance(TimeDelta::minutes(5));
            assert!(app.services.reconciler.reconcile_due(&daily).await.unwrap());
            let failed = app.services.reconciler.reconciliation(day).await.unwrap().unwrap();
            assert_eq!(failed.state, ReconcileState::Failed, "{failed:?}");
            assert!(failed.error.is_some());
        }
    }
}
