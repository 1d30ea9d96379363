//! Bills of a past day, over v2 and v3, parsed by the crate's parser.

use crate::{client, native, order, start_sim_v3, v3_client};
use chrono::{NaiveDate, TimeZone};
use wechat_pay::bill::{self, BillError, BillType, CHINA_TIME};
use wechat_pay::v3::{Api, Error, RefundOrder, RefundRequest, TradeBillRequest};
use wechat_pay::{BillOutcome, SignType, WechatPayApi};
use wechat_pay_sim::{Faults, RunningSim};

fn yesterday() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&CHINA_TIME)
        .date_naive()
        .pred_opt()
        .unwrap()
}

/// Yesterday at 10:00 China time: a v2 order of 1.00 and a v3 order of
/// 25.90 are paid, 10.00 of the v3 one refunded.
fn sim_with_yesterday() -> RunningSim {
    let sim = start_sim_v3(|_| {});
    let at = CHINA_TIME
        .from_local_datetime(&yesterday().and_hms_opt(10, 0, 0).unwrap())
        .unwrap();
    sim.set_clock(Some(at.to_utc()));
    WechatPayApi::unified_order(
        &client(&sim, SignType::Md5),
        &order("LT600001", 100, "http://127.0.0.1:9/n"),
    )
    .unwrap();
    let c = v3_client(&sim);
    c.create_native(&native("LT600002", 2590, "http://127.0.0.1:9/n"))
        .unwrap();
    sim.pay("LT600001").unwrap();
    sim.pay("LT600002").unwrap();
    c.refund(&RefundRequest {
        order: RefundOrder::OutTradeNo("LT600002".into()),
        out_refund_no: "RF600002".into(),
        reason: None,
        notify_url: None,
        refund: 1000,
        total: 2590,
    })
    .unwrap();
    sim.set_clock(None);
    sim
}

#[test]
fn v2_bills_of_each_type_parse_and_match_the_orders() {
    let sim = sim_with_yesterday();
    let c = client(&sim, SignType::Md5);
    let BillOutcome::Bill(all) = c.download_bill(yesterday(), BillType::All, false).unwrap() else {
        panic!("no bill")
    };
    // Fees as current bills write them: five decimals (0.6% of 25.90).
    assert!(String::from_utf8_lossy(&all).contains(",`0.16000,`0.60%,"));
    let all = bill::parse(&all, BillType::All).unwrap();
    assert_eq!(all.rows.len(), 3);
    let v3_row = all
        .rows
        .iter()
        .find(|r| r.out_trade_no == "LT600002" && r.refund.is_none())
        .unwrap();
    assert_eq!(v3_row.total, 2590);
    assert_eq!(v3_row.fee, bill::Decimal::new(16, 2));
    assert_eq!(v3_row.rate_percent, Some(bill::Decimal::new(60, 2)));
    assert_eq!(v3_row.trade_time.date_naive(), yesterday());
    assert_eq!(
        v3_row.transaction_id,
        sim.order("LT600002").unwrap().transaction_id.unwrap()
    );
    let refund_row = all.rows.iter().find(|r| r.refund.is_some()).unwrap();
    assert_eq!(
        refund_row.refund.as_ref().unwrap().out_refund_no,
        "RF600002"
    );
    assert_eq!(refund_row.refund.as_ref().unwrap().refund, 1000);
    assert_eq!(all.summary.settlement_total, 2690);
    assert_eq!(all.summary.refund_total, 1000);

    let BillOutcome::Bill(success) = c
        .download_bill(yesterday(), BillType::Success, true)
        .unwrap()
    else {
        panic!("no bill")
    };
    assert_eq!(
        bill::parse(&success, BillType::Success).unwrap().rows.len(),
        2
    );
    let BillOutcome::Bill(refund) = c
        .download_bill(yesterday(), BillType::Refund, false)
        .unwrap()
    else {
        panic!("no bill")
    };
    let refund = bill::parse(&refund, BillType::Refund).unwrap();
    assert_eq!(refund.rows.len(), 1);
    assert!(refund.rows[0].refund.as_ref().unwrap().applied_at.is_some());

    let today = yesterday().succ_opt().unwrap();
    assert_eq!(
        c.download_bill(today, BillType::All, false).unwrap(),
        BillOutcome::NoBill
    );
}

#[test]
fn v3_bills_download_with_hash_and_gzip_and_parse() {
    let sim = sim_with_yesterday();
    let c = v3_client(&sim);
    for gzip in [false, true] {
        let req = TradeBillRequest {
            bill_date: yesterday(),
            bill_type: BillType::All,
            gzip,
        };
        let BillOutcome::Bill(data) = c.bill(&req).unwrap() else {
            panic!("no bill")
        };
        assert!(
            data.starts_with("\u{feff}".as_bytes()),
            "v3 files carry a BOM"
        );
        let parsed = bill::parse(&data, BillType::All).unwrap();
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(parsed.summary.count, 3);
    }
    let other = TradeBillRequest {
        bill_date: yesterday().pred_opt().unwrap(),
        bill_type: BillType::All,
        gzip: false,
    };
    assert_eq!(c.bill(&other).unwrap(), BillOutcome::NoBill);
}

#[test]
fn corrupted_bills_are_caught() {
    let sim = sim_with_yesterday();
    sim.set_faults(Faults {
        corrupt_bills: true,
        ..Faults::default()
    });
    let req = TradeBillRequest {
        bill_date: yesterday(),
        bill_type: BillType::Success,
        gzip: true,
    };
    assert!(matches!(
        v3_client(&sim).bill(&req),
        Err(Error::BillHash { .. })
    ));
    let BillOutcome::Bill(cut) = client(&sim, SignType::Md5)
        .download_bill(yesterday(), BillType::All, false)
        .unwrap()
    else {
        panic!("no bill")
    };
    assert_eq!(
        bill::parse(&cut, BillType::All).unwrap_err(),
        BillError::Truncated
    );
}
