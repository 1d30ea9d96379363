//! Orders through the fake gateway.

use crate::shop::support::Shop;
use chrono::TimeDelta;
use letao_db::each_backend;
use letao_domain::Fen;
use letao_domain::Role;
use letao_domain::order::{EventKind, OrderItems, RawLine, RefundState, TradeState};
use letao_shop::ShopError;
use letao_shop::orders::{NotifyOutcome, OrderQuery, PayWith, RefundRequest, Refusal};
use letao_shop::payments::fake::body;
use letao_shop::payments::{GatewayErrorKind, Notice};
use letao_shop::store::{Actor, PageStart};
use std::net::IpAddr;

fn ip() -> IpAddr {
    "10.0.0.1".parse().unwrap()
}

/// Lines of demo products, each in size 40 (which every one has).
fn items(lines: &[(i64, i64)]) -> OrderItems {
    let raw: Vec<RawLine<'_>> = lines
        .iter()
        .map(|&(product_id, quantity)| RawLine {
            product_id,
            size: Some("40"),
            quantity,
            ..RawLine::default()
        })
        .collect();
    OrderItems::from_raw(&raw).unwrap()
}

async fn paid_by(shop: &Shop, no: &str) -> Vec<String> {
    let order = shop.m.db.order_by_no(no).await.unwrap().unwrap();
    shop.m
        .db
        .order_event_details(order.id, EventKind::Paid)
        .await
        .unwrap()
}

each_backend! {
    #[tokio::test]

    async fn a_placed_order_has_a_qr_code_and_reserved_stock(shop: Shop) {
        let buyer = shop.user("buyer", "13700000001").await;
        let before = shop.stock(5);
        let placed = shop.orders.create(buyer, &items(&[(5, 2)]), None, ip(), PayWith::Native).await.unwrap();
        assert_eq!(placed.order.total, Fen::new(2 * 39_900));
        assert!(placed.code_url.as_deref().unwrap_or_default().starts_with("weixin://"));
        assert!(placed.pay_url.as_deref().unwrap_or_default().starts_with("data:image/png;base64,"));
        assert_eq!(shop.stock(5), before - 2);
        assert_eq!(shop.gateway.count("create"), 1);
    }

    async fn when_wechat_refuses_the_order_is_closed_and_its_stock_returned(shop: Shop) {
        let buyer = shop.user("buyer", "13700000002").await;
        let before = shop.stock(5);
        shop.gateway.fail_next("create", GatewayErrorKind::Retryable);
        let err = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap_err();
        assert!(matches!(err, ShopError::Payment(_)), "{err:?}");
        assert_eq!(shop.stock(5), before);
        assert_eq!(shop.m.database.scalar_i64("SELECT COUNT(*) FROM payorder WHERE trade_state = 'CLOSED'"), 1);
    }

    async fn bad_lines_and_unknown_or_sold_out_products_are_refused(shop: Shop) {
        let buyer = shop.user("buyer", "13700000003").await;
        let unknown = shop.orders.create(buyer, &items(&[(999, 1)]), None, ip(), PayWith::Native).await.unwrap_err();
        assert!(matches!(unknown, ShopError::UnknownProduct(id) if id.get() == 999));
        shop.m.database.execute_sql("UPDATE sku SET stock = 0 WHERE product_id = 6 AND size = '40'");
        let sold_out = shop.orders.create(buyer, &items(&[(6, 1)]), None, ip(), PayWith::Native).await.unwrap_err();
        assert!(matches!(sold_out, ShopError::OutOfStock(id) if id.get() == shop.sku40(6)));
        assert_eq!(shop.gateway.count("create"), 0, "WeChat is not asked");
    }

    async fn the_notification_alone_records_a_payment_once(shop: Shop) {
        let buyer = shop.user("buyer", "13700000004").await;
        let placed = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let no = placed.order.out_trade_no.clone();
        let good = body(&format!("pay:{no}:tx-1:39900"));
        assert_eq!(shop.orders.payment_notification(Notice::body(b"forged")).await, NotifyOutcome::Refuse(Refusal::Invalid));
        assert_eq!(
            shop.orders.payment_notification(Notice::body(&body(&format!("pay:{no}:tx-1:1")))).await,
            NotifyOutcome::Refuse(Refusal::Mismatch)
        );
        assert_eq!(shop.orders.payment_notification(Notice::body(&good)).await, NotifyOutcome::Ack);
        assert_eq!(shop.orders.payment_notification(Notice::body(&good)).await, NotifyOutcome::Ack);
        assert_eq!(paid_by(&shop, &no).await, ["notify tx-1"]);
        assert_eq!(shop.gateway.count("query"), 0);
        let failed = body(&format!("fail:{no}"));
        assert_eq!(shop.orders.payment_notification(Notice::body(&failed)).await, NotifyOutcome::Ack);
    }

    async fn a_query_records_what_wechat_knows(shop: Shop) {
        let buyer = shop.user("buyer", "13700000005").await;
        let placed = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let no = placed.order.out_trade_no.clone();
        assert_eq!(shop.orders.query(buyer, &no).await.unwrap().trade_state, TradeState::NotPay);
        shop.gateway.pay(&no);
        let paid = shop.orders.query(buyer, &no).await.unwrap();
        assert_eq!(paid.trade_state, TradeState::Success);
        assert_eq!(paid_by(&shop, &no).await, [format!("query 4200{no}")]);
        // Paid orders are not asked about again; others' orders are not found.
        shop.orders.query(buyer, &no).await.unwrap();
        assert_eq!(shop.gateway.count("query"), 2);
        let other = shop.user("other", "13700000006").await;
        assert!(matches!(shop.orders.query(other, &no).await, Err(ShopError::OrderNotFound)));
    }

    async fn closing_a_paid_order_records_the_payment_instead(shop: Shop) {
        let buyer = shop.user("buyer", "13700000007").await;
        let before = shop.stock(5);
        let first = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let closed = shop.orders.close(buyer, &first.order.out_trade_no).await.unwrap();
        assert_eq!(closed.trade_state, TradeState::Closed);
        assert_eq!(shop.stock(5), before);
        assert!(matches!(shop.orders.close(buyer, &first.order.out_trade_no).await, Err(ShopError::OrderState(_))));

        let second = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        shop.gateway.pay(&second.order.out_trade_no);
        assert!(matches!(shop.orders.close(buyer, &second.order.out_trade_no).await, Err(ShopError::OrderState(_))));
        let kept = shop.m.db.order_by_no(&second.order.out_trade_no).await.unwrap().unwrap();
        assert_eq!(kept.trade_state, TradeState::Success);
    }

    async fn expiry_closes_due_orders_once_and_keeps_payments(shop: Shop) {
        let buyer = shop.user("buyer", "13700000008").await;
        let before = shop.stock(7);
        let unpaid = shop.orders.create(buyer, &items(&[(7, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let paid = shop.orders.create(buyer, &items(&[(7, 1)]), None, ip(), PayWith::Native).await.unwrap();
        shop.gateway.pay(&paid.order.out_trade_no);
        assert_eq!(shop.orders.expire_due().await.unwrap(), 0, "not due yet");
        shop.clock.advance(TimeDelta::hours(2) + TimeDelta::seconds(1));
        shop.gateway.fail_next("close", GatewayErrorKind::Retryable);
        // The first close fails: that order is given back and retried.
        let first = shop.orders.expire_due().await.unwrap();
        let second = shop.orders.expire_due().await.unwrap();
        assert_eq!(first + second, 1);
        assert_eq!(shop.orders.expire_due().await.unwrap(), 0);
        let closed = shop.m.db.order_by_no(&unpaid.order.out_trade_no).await.unwrap().unwrap();
        assert_eq!(closed.trade_state, TradeState::Closed);
        let kept = shop.m.db.order_by_no(&paid.order.out_trade_no).await.unwrap().unwrap();
        assert_eq!(kept.trade_state, TradeState::Success, "paid meanwhile: recorded, not closed");
        assert_eq!(shop.stock(7), before - 1);
    }

    async fn refunds_follow_wechats_answer(shop: Shop) {
        let buyer = shop.user("buyer", "13700000009").await;
        let placed = shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let no = placed.order.out_trade_no.clone();
        let refund = |amount: Option<i64>| RefundRequest {
            out_trade_no: no.clone(),
            amount: amount.map(Fen::new),
            reason: "size".into(),
        };
        assert!(matches!(shop.orders.refund(&shop.admin, refund(None)).await, Err(ShopError::OrderState(_))), "unpaid");
        shop.gateway.pay(&no);
        shop.orders.query(buyer, &no).await.unwrap();
        // Refused: the amount is free again.
        shop.gateway.fail_next("refund", GatewayErrorKind::Refused);
        assert!(matches!(shop.orders.refund(&shop.admin, refund(Some(10_000))).await, Err(ShopError::Payment(_))));
        // Unknown outcome: the amount stays reserved.
        shop.gateway.fail_next("refund", GatewayErrorKind::Retryable);
        assert!(matches!(shop.orders.refund(&shop.admin, refund(Some(10_000))).await, Err(ShopError::Payment(_))));
        let accepted = shop.orders.refund(&shop.admin, refund(None)).await.unwrap();
        assert_eq!(accepted.amount, Fen::new(29_900), "what is left after the reservation");
        assert_eq!(accepted.state, RefundState::Processing);
        assert!(matches!(shop.orders.refund(&shop.admin, refund(None)).await, Err(ShopError::RefundAmount(_))));
        let n = body(&format!("refund:{}:5030:SUCCESS", accepted.out_refund_no));
        assert_eq!(shop.orders.refund_notification(Notice::body(&n)).await, NotifyOutcome::Ack);
        assert_eq!(
            shop.orders.refund_notification(Notice::body(b"refund:RF-unknown:1:SUCCESS")).await,
            NotifyOutcome::Refuse(Refusal::UnknownRefund)
        );
        let order = shop.m.db.order_by_no(&no).await.unwrap().unwrap();
        assert_eq!(order.trade_state, TradeState::Refund);
        assert_eq!(order.refunded, Fen::new(39_900));
    }

    async fn a_buyers_list_carries_the_lines(shop: Shop) {
        let buyer = shop.user("buyer", "13700000010").await;
        shop.orders.create(buyer, &items(&[(5, 1), (6, 2)]), None, ip(), PayWith::Native).await.unwrap();
        let page = shop.desk.list(buyer, PageStart::Offset(0), 20).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].lines.len(), 2);
        assert_eq!(page.next, None, "not a full page");
    }

    async fn an_owners_list_shows_each_buyer_kept_a_minute(shop: Shop) {
        let buyer = shop.user("shown_buyer", "13700000020").await;
        let owner = shop.user("list_owner", "13700000021").await;
        assert!(shop.m.db.set_role("list_owner", Some(Role::Staff), &Actor::CLI, chrono::Utc::now()).await.unwrap());
        shop.orders.create(buyer, &items(&[(5, 1)]), None, ip(), PayWith::Native).await.unwrap();
        let shown = async || {
            let viewer = shop.accounts.owner(owner).await.unwrap();
            let page = shop.desk.admin_list(&viewer, &OrderQuery::default(), PageStart::Offset(0), 20).await.unwrap();
            let b = page.items[0].buyer.clone().expect("the buyer");
            (b.id, b.username.unwrap(), b.mobile.unwrap())
        };
        assert_eq!(shown().await, (buyer, "shown_buyer".to_owned(), "13700000020".to_owned()));

        // No route changes a mobile today; were one changed, owners would
        // see it within the minute a buyer is kept.
        let user = shop.m.database.quoted_user();
        shop.m.database.execute_sql(&format!("UPDATE {user} SET mobile = '13700000029' WHERE id = {buyer}"));
        shop.clock.advance(TimeDelta::seconds(59));
        assert_eq!(shown().await.2, "13700000020");
        shop.clock.advance(TimeDelta::seconds(2));
        assert_eq!(shown().await.2, "13700000029");

        let detail = shop.desk.admin_detail(&shop.admin, &shop.m.db.orders_page(&Default::default(), PageStart::Offset(0), 1).await.unwrap()[0].order.out_trade_no).await.unwrap();
        assert_eq!(detail.order.buyer.map(|b| b.id), Some(buyer));
    }
}
