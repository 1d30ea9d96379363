//! Addresses, an order's address, shipping and receipt.

use crate::orders::refund_audit;
use crate::support::{Seeded, at, placed, user};
use letao_db::each_backend;
use letao_domain::order::{EventKind, Fulfilment, PaymentSource, RefundEvent, ShipBlocker};
use letao_domain::{AuditAction, DeliveryAddress, Fen};
use letao_shop::store::{Actor, AddressAdded, AddressSet, AuditEntry, Payment, Shipment, Shipped};

fn address(city: &str) -> DeliveryAddress {
    DeliveryAddress::new(
        "张三",
        "13800138000",
        "浙江省",
        city,
        "西湖区",
        "文三路 1 号",
    )
    .unwrap()
}

fn shipment(no: &str) -> Shipment {
    Shipment {
        carrier: "顺丰".into(),
        tracking_no: no.into(),
    }
}

async fn pay(m: &Seeded, no: &str, total: i64) {
    let p = Payment {
        out_trade_no: no,
        transaction_id: &format!("tx-{no}"),
        total: Fen::new(total),
        bank_type: None,
        time_end: None,
        cash: None,
        openid: None,
        source: PaymentSource::Notification,
    };
    m.db.record_payment(&p, at(1)).await.unwrap();
}

fn owner() -> Actor {
    Actor {
        id: Some(9),
        name: Some("staffer".into()),
    }
}

fn ship_audit(actor: &Actor) -> AuditEntry<'_> {
    AuditEntry {
        actor,
        action: AuditAction::OrderShip,
        target: "order".into(),
        detail: "{}".into(),
    }
}

each_backend! {
    #[tokio::test]

    async fn an_address_book_holds_twenty_with_exactly_one_default(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000101").await;
        let mut ids = Vec::new();
        for n in 0..20 {
            match m.db.add_address(buyer, &address(&format!("城{n}")), false, at(n)).await.unwrap() {
                AddressAdded::Added(a) => ids.push(a.id),
                AddressAdded::Full => panic!("full at {n}"),
            }
        }
        assert_eq!(m.db.add_address(buyer, &address("多"), false, at(30)).await.unwrap(), AddressAdded::Full);
        let book = m.db.addresses(buyer).await.unwrap();
        assert_eq!(book.iter().filter(|a| a.is_default).map(|a| a.id).collect::<Vec<_>>(), [ids[0]], "the first is the default");
        m.db.update_address(buyer, ids[5], &address("新城"), true, at(31)).await.unwrap().unwrap();
        let book = m.db.addresses(buyer).await.unwrap();
        assert_eq!(book.iter().filter(|a| a.is_default).map(|a| a.id).collect::<Vec<_>>(), [ids[5]]);
        assert_eq!(book[5].city, "新城");
        // Deleting the default makes the newest remaining one the default.
        assert!(m.db.delete_address(buyer, ids[5]).await.unwrap());
        let book = m.db.addresses(buyer).await.unwrap();
        assert_eq!(book.len(), 19);
        assert_eq!(book.iter().filter(|a| a.is_default).map(|a| a.id).collect::<Vec<_>>(), [ids[19]]);
        assert!(matches!(m.db.add_address(buyer, &address("又"), false, at(32)).await.unwrap(), AddressAdded::Added(_)));
        // Another user's address is invisible and untouchable.
        let other = user(&m.db, "other", "13900000102").await;
        assert!(m.db.address_of(other, ids[0]).await.unwrap().is_none());
        assert!(m.db.update_address(other, ids[0], &address("x"), false, at(33)).await.unwrap().is_none());
        assert!(!m.db.delete_address(other, ids[0]).await.unwrap());
    }

    async fn an_order_ships_once_paid_and_addressed_and_is_received_once(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000103").await;
        let order = placed(&m.db, buyer, "LT-S1", &[(5, 1)]).await;
        let actor = owner();
        let audit = ship_audit(&actor);
        assert_eq!(m.db.ship_order(order.id, &shipment("SF1"), &audit, at(2)).await.unwrap(), Shipped::Blocked(ShipBlocker::NotPaid));
        pay(&m, "LT-S1", 39_900).await;
        assert_eq!(m.db.ship_order(order.id, &shipment("SF1"), &audit, at(2)).await.unwrap(), Shipped::Blocked(ShipBlocker::NoAddress));
        assert_eq!(m.db.set_order_address(order.id, &address("杭州市"), at(3)).await.unwrap(), AddressSet::Set);
        assert_eq!(m.db.ship_order(order.id, &shipment("SF1"), &audit, at(4)).await.unwrap(), Shipped::Now);
        assert_eq!(m.db.ship_order(order.id, &shipment("SF1"), &audit, at(5)).await.unwrap(), Shipped::Already);
        assert_eq!(m.db.ship_order(order.id, &shipment("SF2"), &audit, at(5)).await.unwrap(), Shipped::Conflict(shipment("SF1")));
        assert_eq!(m.db.audit_count().await.unwrap(), 1, "audited once, with the change");
        assert_eq!(m.db.set_order_address(order.id, &address("宁波市"), at(6)).await.unwrap(), AddressSet::NotEditable(Fulfilment::Shipped));
        let delivery = m.db.deliveries(&[order.id]).await.unwrap().pop().unwrap();
        assert_eq!(delivery.city.as_deref(), Some("杭州市"));
        assert_eq!(delivery.tracking_no.as_deref(), Some("SF1"));
        assert_eq!(delivery.shipped_at, Some(at(4)));
        assert_eq!(m.db.due_receipts(at(100), 10).await.unwrap(), [order.id]);
        assert!(m.db.receive_order(order.id, "buyer", at(7)).await.unwrap());
        assert!(!m.db.receive_order(order.id, "automatic", at(8)).await.unwrap(), "once");
        assert!(m.db.due_receipts(at(100), 10).await.unwrap().is_empty());
        let received = m.db.order_by_no("LT-S1").await.unwrap().unwrap();
        assert_eq!(received.fulfilment, Fulfilment::Received);
        assert_eq!(m.db.order_event_details(order.id, EventKind::Received).await.unwrap(), ["buyer"]);
    }

    async fn an_address_given_when_ordering_is_copied_and_later_edits_do_not_change_it(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000104").await;
        let a = address("苏州市");
        let items = crate::support::items(&m.db, &[(5, 1)]).await;
        let created = m
            .db
            .create_order(
                &letao_shop::store::NewOrder {
                    out_trade_no: "LT-S2",
                    nonce_str: "n",
                    appid: "wx",
                    mch_id: "1",
                    user_id: buyer,
                    client_ip: "127.0.0.1",
                    items: &items,
                    expires_at: at(7200),
                    address: Some(&a),
                    from_cart: false,
                    trade_type: "NATIVE",
                },
                at(0),
            )
            .await
            .unwrap();
        let letao_shop::store::Created::Order(order, _) = created else { panic!("not placed") };
        let d = m.db.deliveries(&[order.id]).await.unwrap().pop().unwrap();
        assert_eq!(d.city.as_deref(), Some("苏州市"));
        assert!(d.has_address());
    }

    async fn a_full_refund_before_shipping_cancels_the_delivery(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000105").await;
        let order = placed(&m.db, buyer, "LT-S3", &[(5, 1)]).await;
        pay(&m, "LT-S3", 39_900).await;
        m.db.set_order_address(order.id, &address("温州市"), at(2)).await.unwrap();
        let audit = refund_audit();
        assert!(m.db.reserve_refund(order.id, "RF-A", Fen::new(39_900), "all", &audit.entry(), at(3)).await.unwrap());
        // Reserved in full: it cannot ship any more, even before WeChat answers.
        let actor = owner();
        assert_eq!(
            m.db.ship_order(order.id, &shipment("SF3"), &ship_audit(&actor), at(4)).await.unwrap(),
            Shipped::Blocked(ShipBlocker::RefundedInFull)
        );
        m.db.settle_refund("RF-A", RefundEvent::Accepted, Some("r1"), at(5)).await.unwrap();
        assert_eq!(m.db.order_by_no("LT-S3").await.unwrap().unwrap().fulfilment, Fulfilment::Cancelled);
        assert_eq!(m.db.order_events(order.id, EventKind::DeliveryCancelled).await.unwrap(), 1);
    }

    async fn a_partial_refund_keeps_the_order_shippable(m: Seeded) {
        let buyer = user(&m.db, "buyer", "13900000106").await;
        let order = placed(&m.db, buyer, "LT-S4", &[(5, 1)]).await;
        pay(&m, "LT-S4", 39_900).await;
        m.db.set_order_address(order.id, &address("台州市"), at(2)).await.unwrap();
        let audit = refund_audit();
        m.db.reserve_refund(order.id, "RF-P", Fen::new(100), "part", &audit.entry(), at(3)).await.unwrap();
        m.db.settle_refund("RF-P", RefundEvent::Accepted, Some("r2"), at(4)).await.unwrap();
        let actor = owner();
        assert_eq!(m.db.ship_order(order.id, &shipment("SF4"), &ship_audit(&actor), at(5)).await.unwrap(), Shipped::Now);
    }
}
