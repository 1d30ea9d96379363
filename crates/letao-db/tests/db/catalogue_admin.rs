//! The owner's catalogue writes: each one transaction with the version
//! bump and its audit entry; refused writes leave nothing behind; stock
//! deltas under contention with orders.

use crate::support::{Seeded, at, place, placed, sku40, stock, user};
use letao_db::{Db, each_backend};
use letao_domain::{AuditAction, Brand, Category, Fen, HomeItemKind, Id};
use letao_shop::store::{
    Actor, AdminProduct, AuditNote, BrandFields, Created, Edit, NewProduct, PageStart,
    ProductChange, ProductFilter,
};

fn boss() -> Actor {
    Actor {
        id: Some(7),
        name: Some("boss".into()),
    }
}

/// A detail that shows which rows the transaction saw.
fn seen<T: std::fmt::Debug>(before: Option<&T>, after: Option<&T>) -> String {
    format!("{:?} -> {:?}", before.is_some(), after.is_some())
}

fn note<T: std::fmt::Debug>(actor: &Actor, action: AuditAction) -> AuditNote<'_, T> {
    AuditNote {
        actor,
        action,
        detail: &seen::<T>,
    }
}

fn sizes() -> Vec<String> {
    vec!["40".into(), "41".into()]
}

fn new_product(brand_id: i32, sizes: &[String]) -> NewProduct<'_> {
    NewProduct {
        brand_id,
        name: "跑鞋",
        img: "/images/product1.svg",
        price: Fen::new(1999),
        old_price: Fen::new(2999),
        sizes,
        stock: 10,
        skus: None,
        featured: true,
        sort: 3,
        keywords: &[],
    }
}

async fn create(db: &Db, brand_id: i32) -> AdminProduct {
    let (actor, sizes) = (boss(), sizes());
    let note = note(&actor, AuditAction::ProductCreate);
    match db
        .create_product(&new_product(brand_id, &sizes), &note, at(0))
        .await
        .unwrap()
    {
        Edit::Done(p) => p,
        other => panic!("not created: {other:?}"),
    }
}

/// Adds `d` to SKU `sku`'s stock, as the owner does.
async fn sku_delta(db: &Db, sku: i32, d: i32) -> Edit<AdminProduct> {
    let actor = boss();
    db.adjust_stock(
        sku,
        d,
        1_000_000,
        &note(&actor, AuditAction::SkuStock),
        at(1),
    )
    .await
    .unwrap()
}

async fn delta(db: &Db, id: i32, d: i32) -> Edit<AdminProduct> {
    let actor = boss();
    let change = ProductChange {
        stock_delta: Some(d),
        ..ProductChange::default()
    };
    db.update_product(
        id,
        &change,
        1_000_000,
        &note(&actor, AuditAction::ProductStock),
        at(1),
    )
    .await
    .unwrap()
}

/// Entries in the audit log and the catalogue version.
async fn trail(db: &Db) -> (i64, i64) {
    (
        db.audit_count().await.unwrap(),
        db.catalogue_version().await.unwrap(),
    )
}

each_backend! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]

    async fn categories_are_created_renamed_and_deleted_only_without_brands(m: Seeded) {
        let actor = boss();
        let created = m.db.create_category("童鞋馆", &note(&actor, AuditAction::CategoryCreate), at(0)).await.unwrap();
        assert!(created.id.get() > 5, "a new id after the demo's");
        assert_eq!(created.name.as_deref(), Some("童鞋馆"));
        assert_eq!(trail(&m.db).await, (1, 1));
        let renamed = m.db.rename_category(created.id.get(), "儿童馆", &note(&actor, AuditAction::CategoryUpdate), at(1)).await.unwrap();
        assert_eq!(renamed, Edit::Done(Category { id: created.id, name: Some("儿童馆".into()) }));
        // Refused: nothing written, not even the version.
        assert_eq!(m.db.rename_category(999, "x", &note(&actor, AuditAction::CategoryUpdate), at(1)).await.unwrap(), Edit::Missing);
        assert_eq!(m.db.delete_category(1, &note(&actor, AuditAction::CategoryDelete), at(2)).await.unwrap(), Edit::HasBrands);
        assert_eq!(trail(&m.db).await, (2, 2));
        assert_eq!(m.db.categories().await.unwrap().len(), 6);
        let deleted = m.db.delete_category(created.id.get(), &note(&actor, AuditAction::CategoryDelete), at(3)).await.unwrap();
        assert!(matches!(deleted, Edit::Done(c) if c.name.as_deref() == Some("儿童馆")));
        assert_eq!(m.db.delete_category(created.id.get(), &note(&actor, AuditAction::CategoryDelete), at(3)).await.unwrap(), Edit::Missing);
        assert_eq!(m.db.categories().await.unwrap().len(), 5);
        let log = m.db.audit_page(None, 0, 10).await.unwrap();
        let actions: Vec<AuditAction> = log.iter().map(|e| e.action).collect();
        assert_eq!(actions, [AuditAction::CategoryDelete, AuditAction::CategoryUpdate, AuditAction::CategoryCreate]);
        assert_eq!(log[0].target, format!("category {}", created.id));
        assert_eq!((log[0].actor_id, log[0].actor_name.as_deref()), (Some(7), Some("boss")));
        assert_eq!(log[0].detail, "true -> false");
        assert_eq!(log[1].detail, "true -> true");
        assert_eq!(log[2].detail, "false -> true");
    }

    async fn brands_need_a_category_and_stay_while_they_have_products(m: Seeded) {
        let actor = boss();
        let fields = |category_id| BrandFields { name: "安踏", category_id, logo: Some("/media/a.png"), hot: 1 };
        let n = note::<Brand>(&actor, AuditAction::BrandCreate);
        assert_eq!(m.db.create_brand(&fields(99), &n, at(0)).await.unwrap(), Edit::NoCategory);
        let Edit::Done(anta) = m.db.create_brand(&fields(3), &n, at(0)).await.unwrap() else { panic!("not created") };
        assert_eq!((anta.name.as_deref(), anta.category_id, anta.logo.as_deref(), anta.hot), (Some("安踏"), Some(3), Some("/media/a.png"), Some(1)));
        let moved = BrandFields { name: "安踏体育", category_id: 2, logo: None, hot: 0 };
        let n = note::<Brand>(&actor, AuditAction::BrandUpdate);
        assert_eq!(m.db.update_brand(anta.id.get(), &fields(42), &n, at(1)).await.unwrap(), Edit::NoCategory);
        assert_eq!(m.db.update_brand(999, &moved, &n, at(1)).await.unwrap(), Edit::Missing);
        let Edit::Done(updated) = m.db.update_brand(anta.id.get(), &moved, &n, at(1)).await.unwrap() else { panic!("not updated") };
        assert_eq!((updated.category_id, updated.logo), (Some(2), None));
        assert_eq!(m.db.brands_of_category(Id::from_db(2)).await.unwrap().len(), 3);
        // A brand with products, even only hidden ones, stays.
        let n = note::<Brand>(&actor, AuditAction::BrandDelete);
        assert_eq!(m.db.delete_brand(1, &n, at(2)).await.unwrap(), Edit::HasProducts);
        let shoe = create(&m.db, anta.id.get()).await;
        m.db.hide_product(shoe.product.id.get(), &note(&actor, AuditAction::ProductHide), at(2)).await.unwrap();
        assert_eq!(m.db.delete_brand(anta.id.get(), &n, at(2)).await.unwrap(), Edit::HasProducts);
        let before = trail(&m.db).await;
        let Edit::Done(empty) = m.db.create_brand(&fields(3), &note(&actor, AuditAction::BrandCreate), at(3)).await.unwrap() else { panic!() };
        assert!(matches!(m.db.delete_brand(empty.id.get(), &n, at(4)).await.unwrap(), Edit::Done(_)));
        assert_eq!(trail(&m.db).await, (before.0 + 2, before.1 + 2));
    }

    async fn products_are_created_changed_and_hidden_but_kept(m: Seeded) {
        let actor = boss();
        let sz = sizes();
        let n = note::<AdminProduct>(&actor, AuditAction::ProductCreate);
        assert_eq!(m.db.create_product(&new_product(99, &sz), &n, at(0)).await.unwrap(), Edit::NoBrand);
        let p = create(&m.db, 2).await;
        let id = p.product.id;
        assert_eq!(id.get(), 22, "after the demo's 21");
        assert_eq!((p.product.price, p.product.sizes.clone(), p.product.stock, p.hidden, p.sort), (Fen::new(1999), sz.clone(), 10, false, 3));
        assert_eq!(m.db.product(id).await.unwrap(), Some(p.product.clone()), "on sale at once");
        let change = ProductChange {
            name: Some("新跑鞋".into()),
            price: Some(Fen::new(1)),
            sizes: Some(vec!["38.5".into()]),
            featured: Some(false),
            sort: Some(-1),
            brand_id: Some(3),
            ..ProductChange::default()
        };
        let n = note::<AdminProduct>(&actor, AuditAction::ProductUpdate);
        assert_eq!(m.db.update_product(999, &change, 1_000_000, &n, at(1)).await.unwrap(), Edit::Missing);
        let bad_brand = ProductChange { brand_id: Some(99), ..change.clone() };
        assert_eq!(m.db.update_product(id.get(), &bad_brand, 1_000_000, &n, at(1)).await.unwrap(), Edit::NoBrand);
        let Edit::Done(q) = m.db.update_product(id.get(), &change, 1_000_000, &n, at(1)).await.unwrap() else { panic!() };
        assert_eq!((q.product.name.as_str(), q.product.price, q.product.sizes.clone(), q.product.featured, q.sort, q.product.brand_id.get()), ("新跑鞋", Fen::new(1), vec!["38.5".to_owned()], false, -1, 3));
        assert_eq!((q.product.old_price, q.product.stock, q.product.img.as_str()), (Fen::new(2999), 10, "/images/product1.svg"), "the rest is kept");

        // Hidden: gone from the shop, kept for the owner and old orders.
        let buyer = user(&m.db, "buyer", "13900000201").await;
        let order = placed(&m.db, buyer, "LT-H1", &[(i64::from(id.get()), 1)]).await;
        let hide = note::<AdminProduct>(&actor, AuditAction::ProductHide);
        let Edit::Done(h) = m.db.hide_product(id.get(), &hide, at(2)).await.unwrap() else { panic!() };
        assert!(h.hidden);
        let logged = trail(&m.db).await;
        assert!(matches!(m.db.hide_product(id.get(), &hide, at(3)).await.unwrap(), Edit::Done(p) if p.hidden));
        assert_eq!(trail(&m.db).await, logged, "hiding twice changes and logs nothing");
        assert_eq!(m.db.hide_product(999, &hide, at(3)).await.unwrap(), Edit::Missing);
        assert!(m.db.product(id).await.unwrap().is_none());
        assert!(m.db.products(Some(Id::from_db(3)), PageStart::Offset(0), 100).await.unwrap().iter().all(|p| p.id != id));
        assert!(matches!(place(&m.db, buyer, "LT-H2", &[(i64::from(id.get()), 1)]).await, Created::UnknownProduct(p) if p == id));
        assert_eq!(m.db.order_lines(&[order.id]).await.unwrap().len(), 1, "the old order keeps its line");
        let all = ProductFilter { brand_id: Some(3), hidden: None };
        assert!(m.db.admin_products(all, PageStart::Offset(0), 100).await.unwrap().iter().any(|p| p.product.id == id));
        let hidden = ProductFilter { brand_id: None, hidden: Some(true) };
        assert_eq!(m.db.count_admin_products(hidden).await.unwrap(), 1);
        assert_eq!(m.db.count_admin_products(ProductFilter::default()).await.unwrap(), 22);
        let page = m.db.admin_products(ProductFilter::default(), PageStart::After(20), 5).await.unwrap();
        assert_eq!(page.iter().map(|p| p.product.id.get()).collect::<Vec<_>>(), [21, 22]);
        // Back on sale.
        let back = ProductChange { hidden: Some(false), ..ProductChange::default() };
        assert!(matches!(m.db.update_product(id.get(), &back, 1_000_000, &n, at(4)).await.unwrap(), Edit::Done(p) if !p.hidden));
        assert!(m.db.product(id).await.unwrap().is_some());
    }

    async fn stock_changes_by_deltas_within_zero_and_the_maximum(m: Seeded) {
        let p = create(&m.db, 1).await;
        let id = p.product.id.get();
        let before = trail(&m.db).await;
        assert_eq!(delta(&m.db, id, -11).await, Edit::Stock(10));
        assert_eq!(delta(&m.db, 999, 1).await, Edit::Missing);
        let actor = boss();
        let too_many = ProductChange { stock_delta: Some(5), ..ProductChange::default() };
        let n = note::<AdminProduct>(&actor, AuditAction::ProductStock);
        assert_eq!(m.db.update_product(id, &too_many, 12, &n, at(1)).await.unwrap(), Edit::Stock(10));
        assert_eq!(trail(&m.db).await, before, "refused: no entry, no version");
        assert!(matches!(delta(&m.db, id, -10).await, Edit::Done(p) if p.product.stock == 0));
        assert!(matches!(delta(&m.db, id, 7).await, Edit::Done(p) if p.product.stock == 7));
        assert_eq!(trail(&m.db).await, (before.0 + 2, before.1 + 2));
    }

    async fn concurrent_stock_deltas_and_orders_leave_exactly_the_arithmetic_result(m: Seeded) {
        let buyer = user(&m.db, "crowd", "13900000202").await;
        m.database.execute_sql("UPDATE sku SET stock = 40 WHERE product_id = 5 AND size = '40'");
        // 24 deltas (+3 and -2 alternately) and 12 orders of one pair each.
        let sku = sku40(&m, 5);
        let deltas: Vec<i32> = (0..24).map(|n| if n % 2 == 0 { 3 } else { -2 }).collect();
        let mut tasks = Vec::new();
        for (n, d) in deltas.iter().copied().enumerate() {
            let db = m.db.clone();
            tasks.push(tokio::spawn(async move {
                matches!(sku_delta(&db, sku, d).await, Edit::Done(_)).then_some(d)
            }));
            if n % 2 == 0 {
                let db = m.db.clone();
                tasks.push(tokio::spawn(async move {
                    matches!(place(&db, buyer, &format!("LT-M{n}"), &[(5, 1)]).await, Created::Order(..)).then_some(-1)
                }));
            }
        }
        let mut applied = 0;
        let mut count = 0;
        for t in tasks {
            if let Some(d) = t.await.unwrap() {
                applied += d;
                count += 1;
            }
        }
        assert_eq!(count, 36, "none needed refusing: stock never came near zero");
        assert_eq!(applied, 0, "12 × 3 in, 12 × 2 and 12 orders out");
        assert_eq!(stock(&m, 5), 40 + i64::from(applied));
        assert_eq!(m.db.audit_count().await.unwrap(), 24);
        assert_eq!(m.db.catalogue_version().await.unwrap(), 24);
    }

    async fn concurrent_removals_stop_at_zero(m: Seeded) {
        let buyer = user(&m.db, "rush", "13900000203").await;
        m.database.execute_sql("UPDATE sku SET stock = 10 WHERE product_id = 6 AND size = '40'");
        let sku = sku40(&m, 6);
        let mut tasks = Vec::new();
        for n in 0..25 {
            let db = m.db.clone();
            tasks.push(tokio::spawn(async move {
                if n % 5 == 0 {
                    matches!(place(&db, buyer, &format!("LT-Z{n}"), &[(6, 1)]).await, Created::Order(..))
                } else {
                    matches!(sku_delta(&db, sku, -1).await, Edit::Done(_))
                }
            }));
        }
        let mut taken = 0;
        for t in tasks {
            taken += i64::from(t.await.unwrap());
        }
        assert_eq!(taken, 10);
        assert_eq!(stock(&m, 6), 0);
    }

    async fn home_item_ids_are_new_across_both_kinds(m: Seeded) {
        let actor = boss();
        assert_eq!(m.db.home_item_kinds(1).await.unwrap(), [HomeItemKind::Grid, HomeItemKind::Banner]);
        let n = note(&actor, AuditAction::HomeItemCreate);
        let banner = m.db.create_home_item(HomeItemKind::Banner, "/media/b.webp", 0, &n, at(0)).await.unwrap();
        assert_eq!(banner.id, 7, "past the grid's 6, not the banners' 5");
        let grid = m.db.create_home_item(HomeItemKind::Grid, "/media/g.png", 9, &n, at(0)).await.unwrap();
        assert_eq!(grid.id, 8);
        assert_eq!(m.db.home_item_kinds(7).await.unwrap(), [HomeItemKind::Banner]);
        let u = note(&actor, AuditAction::HomeItemUpdate);
        assert_eq!(m.db.update_home_item(HomeItemKind::Grid, 7, "/images/x.png", 1, &u, at(1)).await.unwrap(), Edit::Missing);
        let Edit::Done(moved) = m.db.update_home_item(HomeItemKind::Banner, 7, "/images/x.png", -5, &u, at(1)).await.unwrap() else { panic!() };
        assert_eq!((moved.img_src.as_str(), moved.sort), ("/images/x.png", -5));
        let banners = m.db.home_items(HomeItemKind::Banner).await.unwrap();
        assert_eq!(banners[0].id, 7, "first by its order");
        let all = m.db.all_home_items().await.unwrap();
        assert_eq!(all.len(), 13);
        assert_eq!(all[0].kind, HomeItemKind::Grid);
        let d = note(&actor, AuditAction::HomeItemDelete);
        assert!(matches!(m.db.delete_home_item(HomeItemKind::Banner, 1, &d, at(2)).await.unwrap(), Edit::Done(_)));
        assert_eq!(m.db.home_item_kinds(1).await.unwrap(), [HomeItemKind::Grid], "the grid's 1 stays");
        assert_eq!(m.db.delete_home_item(HomeItemKind::Banner, 1, &d, at(2)).await.unwrap(), Edit::Missing);
        assert_eq!(trail(&m.db).await, (4, 4));
    }
}
