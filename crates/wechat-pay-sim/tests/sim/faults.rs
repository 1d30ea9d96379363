//! Fault injection.

use crate::receiver::Receiver;
use crate::{client, eventually, order, start_sim};
use std::time::{Duration, Instant};
use wechat_pay::{OrderRef, SignType, WechatPayApi};
use wechat_pay_sim::Faults;

#[test]
fn duplicate_notifications_arrive_together() {
    let sim = start_sim(|_| {});
    sim.set_faults(Faults {
        duplicate_notifications: 4,
        ..Faults::default()
    });
    let receiver = Receiver::start(0);
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT1001", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT1001").unwrap();
    eventually("five copies", || receiver.count() == 5);
    let bodies = receiver.bodies();
    assert!(bodies.iter().all(|b| b == &bodies[0]), "identical copies");
}

#[test]
fn a_dropped_notification_never_arrives_but_the_order_is_paid() {
    let sim = start_sim(|_| {});
    sim.set_faults(Faults {
        drop_next_notifications: 1,
        ..Faults::default()
    });
    let receiver = Receiver::start(0);
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT1002", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT1002").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.count(), 0);
    assert!(
        sim.deliveries()
            .iter()
            .any(|d| d.out_trade_no == "LT1002" && d.outcome == "dropped")
    );
    let q = c
        .order_query(&OrderRef::OutTradeNo("LT1002".into()))
        .unwrap();
    assert_eq!(q.trade_state.as_str(), "SUCCESS");
    // Only the next one was dropped.
    c.unified_order(&order("LT1003", 100, &receiver.url()))
        .unwrap();
    sim.pay("LT1003").unwrap();
    eventually("the next notification", || receiver.count() == 1);
}

#[test]
fn delayed_notifications_wait() {
    let sim = start_sim(|_| {});
    sim.set_faults(Faults {
        notify_delay_ms: 300,
        ..Faults::default()
    });
    let receiver = Receiver::start(0);
    let c = client(&sim, SignType::Md5);
    c.unified_order(&order("LT1004", 100, &receiver.url()))
        .unwrap();
    let started = Instant::now();
    sim.pay("LT1004").unwrap();
    eventually("the delayed notification", || receiver.count() == 1);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn systemerror_answers_change_nothing_and_are_retryable() {
    let sim = start_sim(|_| {});
    sim.set_faults(Faults {
        systemerror_percent: 100,
        ..Faults::default()
    });
    let c = client(&sim, SignType::Md5);
    let err = c
        .unified_order(&order("LT1005", 100, "http://127.0.0.1:9/n"))
        .unwrap_err();
    assert_eq!(err.err_code(), Some("SYSTEMERROR"));
    assert!(err.is_retryable());
    assert!(sim.orders().is_empty());
    sim.set_faults(Faults::default());
    c.unified_order(&order("LT1005", 100, "http://127.0.0.1:9/n"))
        .unwrap();
    assert_eq!(sim.orders().len(), 1);
}
