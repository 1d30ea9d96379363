//! Placing, paying, refunding and expiring orders, over the fakes.

use crate::support::{OrderShop, ip};
use chrono::TimeDelta;
use letao_domain::Fen;
use letao_domain::order::{RefundState, TradeState};
use letao_shop::ShopError;
use letao_shop::orders::{NotifyOutcome, PayWith, RefundRequest, Refusal};
use letao_shop::payments::GatewayErrorKind;
use letao_shop::payments::Notice;
use letao_shop::payments::fake::body;
use letao_shop::store::OrderStore;

#[tokio::test]
async fn placing_an_order_prices_it_reserves_stock_and_opens_it_at_wechat() {
    let shop = OrderShop::new();
    let items = shop.items(&[(shop.shoe, 1), (shop.laces, 2)]);
    let placed = shop
        .orders
        .create(42, &items, None, ip(), PayWith::Native)
        .await
        .unwrap();
    assert_eq!(
        placed.order.total,
        Fen::new(20_400),
        "priced by the store, not the client"
    );
    assert_eq!(placed.order.user_id, Some(42));
    assert_eq!(placed.order.trade_state, TradeState::NotPay);
    assert_eq!(
        placed.order.expires_at,
        Some(shop.clock_now() + TimeDelta::hours(2))
    );
    assert!(
        placed
            .code_url
            .as_deref()
            .unwrap_or_default()
            .starts_with("weixin://")
    );
    assert!(
        placed
            .pay_url
            .as_deref()
            .unwrap_or_default()
            .starts_with("data:image/png;base64,")
    );
    assert_eq!((shop.stock(shop.shoe), shop.stock(shop.laces)), (4, 1));
    assert_eq!(shop.gateway.count("create"), 1);

    // Short stock: nothing reserved, WeChat not asked.
    let greedy = shop.items(&[(shop.shoe, 1), (shop.laces, 2)]);
    assert!(matches!(
        shop.orders
            .create(42, &greedy, None, ip(), PayWith::Native)
            .await,
        Err(ShopError::OutOfStock(_))
    ));
    assert_eq!((shop.stock(shop.shoe), shop.stock(shop.laces)), (4, 1));
    assert_eq!(shop.gateway.count("create"), 1);
}

#[tokio::test]
async fn an_order_wechat_refuses_is_closed_and_its_stock_returned() {
    let shop = OrderShop::new();
    shop.gateway
        .fail_next("create", GatewayErrorKind::Retryable);
    let items = shop.items(&[(shop.shoe, 2)]);
    assert!(matches!(
        shop.orders
            .create(42, &items, None, ip(), PayWith::Native)
            .await,
        Err(ShopError::Payment(_))
    ));
    assert_eq!(shop.stock(shop.shoe), 5);
}

#[tokio::test]
async fn a_payment_notification_pays_the_order_once() {
    let shop = OrderShop::new();
    let placed = shop
        .orders
        .create(
            42,
            &shop.items(&[(shop.shoe, 1)]),
            None,
            ip(),
            PayWith::Native,
        )
        .await
        .unwrap();
    let no = placed.order.out_trade_no.clone();
    let paid = body(&format!("pay:{no}:4200tx:19900"));
    for _ in 0..3 {
        assert_eq!(
            shop.orders.payment_notification(Notice::body(&paid)).await,
            NotifyOutcome::Ack
        );
    }
    let order = shop.store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.trade_state, TradeState::Success);
    assert_eq!(order.transaction_id.as_deref(), Some("4200tx"));
    // Another amount, another transaction, a forgery: refused, nothing changes.
    let wrong = body(&format!("pay:{no}:4200tx:1"));
    assert_eq!(
        shop.orders.payment_notification(Notice::body(&wrong)).await,
        NotifyOutcome::Refuse(Refusal::Mismatch)
    );
    let forged = body("not signed");
    assert_eq!(
        shop.orders
            .payment_notification(Notice::body(&forged))
            .await,
        NotifyOutcome::Refuse(Refusal::Invalid)
    );
    assert_eq!(shop.store.order_by_no(&no).await.unwrap().unwrap(), order);
}

#[tokio::test]
async fn a_refund_never_exceeds_what_was_paid_and_follows_wechat() {
    let shop = OrderShop::new();
    let placed = shop
        .orders
        .create(
            42,
            &shop.items(&[(shop.shoe, 1)]),
            None,
            ip(),
            PayWith::Native,
        )
        .await
        .unwrap();
    let no = placed.order.out_trade_no.clone();
    let request = |amount: Option<i64>| RefundRequest {
        out_trade_no: no.clone(),
        amount: amount.map(Fen::new),
        reason: "尺码不合适".into(),
    };
    assert!(
        matches!(
            shop.orders.refund(&shop.admin, request(None)).await,
            Err(ShopError::OrderState(_))
        ),
        "not paid yet"
    );
    shop.gateway.pay(&no);
    let paid = body(&format!("pay:{no}:4200{no}:19900"));
    assert_eq!(
        shop.orders.payment_notification(Notice::body(&paid)).await,
        NotifyOutcome::Ack
    );

    let part = shop
        .orders
        .refund(&shop.admin, request(Some(5_000)))
        .await
        .unwrap();
    assert_eq!(
        (part.amount, part.state),
        (Fen::new(5_000), RefundState::Processing)
    );
    assert!(matches!(
        shop.orders.refund(&shop.admin, request(Some(15_000))).await,
        Err(ShopError::RefundAmount(_))
    ));
    // WeChat refuses the next one: its amount is given back.
    shop.gateway.fail_next("refund", GatewayErrorKind::Refused);
    assert!(matches!(
        shop.orders.refund(&shop.admin, request(None)).await,
        Err(ShopError::Payment(_))
    ));
    let order = shop.store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.refunded, Fen::new(5_000));
    let rest = shop
        .orders
        .refund(&shop.admin, request(None))
        .await
        .unwrap();
    assert_eq!(rest.amount, Fen::new(14_900));
    let order = shop.store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(
        (order.trade_state, order.refunded),
        (TradeState::Refund, Fen::new(19_900))
    );
    // A staff member may not refund.
    let staff = letao_shop::Owner {
        role: letao_domain::Role::Staff,
        ..shop.admin.clone()
    };
    assert!(matches!(
        shop.orders.refund(&staff, request(None)).await,
        Err(ShopError::Forbidden)
    ));
    // The refund notification settles it, once.
    let done = body(&format!("refund:{}:5030x:SUCCESS", rest.out_refund_no));
    assert_eq!(
        shop.orders.refund_notification(Notice::body(&done)).await,
        NotifyOutcome::Ack
    );
    assert_eq!(
        shop.orders.refund_notification(Notice::body(&done)).await,
        NotifyOutcome::Ack
    );
}

#[tokio::test]
async fn expired_orders_are_closed_at_wechat_and_here_with_their_stock_back() {
    let shop = OrderShop::new();
    let placed = shop
        .orders
        .create(
            42,
            &shop.items(&[(shop.shoe, 2)]),
            None,
            ip(),
            PayWith::Native,
        )
        .await
        .unwrap();
    let no = placed.order.out_trade_no.clone();
    assert_eq!(shop.orders.expire_due().await.unwrap(), 0, "not due yet");
    shop.clock
        .advance(TimeDelta::hours(2) + TimeDelta::seconds(1));
    // WeChat cannot be reached: the order waits for the next round.
    shop.gateway.fail_next("close", GatewayErrorKind::Retryable);
    shop.gateway.fail_next("query", GatewayErrorKind::Retryable);
    assert_eq!(shop.orders.expire_due().await.unwrap(), 0);
    assert_eq!(
        shop.store
            .order_by_no(&no)
            .await
            .unwrap()
            .unwrap()
            .trade_state,
        TradeState::NotPay
    );
    assert_eq!(shop.stock(shop.shoe), 3);
    assert_eq!(shop.orders.expire_due().await.unwrap(), 1);
    assert_eq!(
        shop.store
            .order_by_no(&no)
            .await
            .unwrap()
            .unwrap()
            .trade_state,
        TradeState::Closed
    );
    assert_eq!(shop.stock(shop.shoe), 5);
    assert_eq!(shop.orders.expire_due().await.unwrap(), 0, "closed once");
}

#[tokio::test]
async fn an_order_paid_as_it_expires_is_recorded_paid_not_closed() {
    let shop = OrderShop::new();
    let placed = shop
        .orders
        .create(
            42,
            &shop.items(&[(shop.shoe, 1)]),
            None,
            ip(),
            PayWith::Native,
        )
        .await
        .unwrap();
    let no = placed.order.out_trade_no.clone();
    shop.gateway.pay(&no);
    shop.clock.advance(TimeDelta::hours(3));
    shop.orders.expire_due().await.unwrap();
    let order = shop.store.order_by_no(&no).await.unwrap().unwrap();
    assert_eq!(order.trade_state, TradeState::Success);
    assert_eq!(shop.stock(shop.shoe), 4, "sold");
}

impl OrderShop {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        letao_auth::Clock::now(self.clock.as_ref())
    }
}

#[tokio::test]
async fn h5_from_an_address_wechat_would_refuse_places_nothing() {
    // The shop serves the public (h5_public_ip_only): a private, loopback
    // or documentation address means the proxy in front is not trusted.
    let shop = OrderShop::new();
    let items = shop.items(&[(shop.shoe, 1)]);
    for refused in [
        "10.0.0.3",
        "127.0.0.1",
        "192.168.1.9",
        "100.64.0.1",
        "::1",
        "0.0.0.0",
        "fd00::1",
    ] {
        let err = shop
            .orders
            .create(42, &items, None, refused.parse().unwrap(), PayWith::H5)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ShopError::Invalid { ref field, .. } if field == "tradeType"),
            "{refused}: {err:?}"
        );
    }
    assert_eq!(shop.stock(shop.shoe), 5, "nothing reserved");
    assert_eq!(
        shop.gateway.count("create_phone"),
        0,
        "nothing sent to WeChat"
    );
    let placed = shop
        .orders
        .create(42, &items, None, "1.2.3.4".parse().unwrap(), PayWith::H5)
        .await
        .unwrap();
    assert!(placed.h5_url.is_some() && placed.code_url.is_none());
    // Opened again from the same address: the same order; from another,
    // WeChat would refuse the number, and so does the shop.
    let again = shop
        .orders
        .pay(
            42,
            &placed.order.out_trade_no,
            "1.2.3.4".parse().unwrap(),
            PayWith::H5,
        )
        .await
        .unwrap();
    assert_eq!(again.order.id, placed.order.id);
    let moved = shop
        .orders
        .pay(
            42,
            &placed.order.out_trade_no,
            "5.6.7.8".parse().unwrap(),
            PayWith::H5,
        )
        .await
        .unwrap_err();
    assert!(matches!(moved, ShopError::OrderState(_)), "{moved:?}");
}

#[tokio::test]
async fn an_order_is_paid_the_way_it_was_placed_until_it_expires() {
    let shop = OrderShop::new();
    let items = shop.items(&[(shop.shoe, 1)]);
    let jsapi = PayWith::Jsapi {
        openid: "o-buyer".into(),
    };
    let placed = shop
        .orders
        .create(42, &items, None, ip(), jsapi.clone())
        .await
        .unwrap();
    assert!(placed.jsapi.is_some());
    let no = placed.order.out_trade_no.clone();
    for other in [PayWith::Native, PayWith::H5] {
        let err = shop.orders.pay(42, &no, ip(), other).await.unwrap_err();
        assert!(matches!(err, ShopError::OrderState(_)), "{err:?}");
    }
    let other_payer = PayWith::Jsapi {
        openid: "o-someone-else".into(),
    };
    assert!(matches!(
        shop.orders
            .pay(42, &no, ip(), other_payer)
            .await
            .unwrap_err(),
        ShopError::OrderState(_)
    ));
    assert!(matches!(
        shop.orders
            .pay(7, &no, ip(), jsapi.clone())
            .await
            .unwrap_err(),
        ShopError::OrderNotFound
    ));
    assert!(shop.orders.pay(42, &no, ip(), jsapi.clone()).await.is_ok());
    shop.clock.advance(TimeDelta::hours(2));
    assert!(matches!(
        shop.orders.pay(42, &no, ip(), jsapi).await.unwrap_err(),
        ShopError::OrderState(_)
    ));
}
