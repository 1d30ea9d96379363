//! Catalogue reads over the demo data.

use crate::support::Seeded;
use letao_db::each_backend;
use letao_domain::{HomeItemKind, Id};
use letao_shop::store::PageStart;

each_backend! {
    #[tokio::test]

    async fn demo_data_fills_an_empty_catalogue_once(m: Seeded) {
        assert!(!m.db.seed_demo_data().await.unwrap(), "a catalogue with categories is left alone");
        let categories = m.db.categories().await.unwrap();
        let names: Vec<_> = categories.iter().map(|c| c.name.clone().unwrap_or_default()).collect();
        assert_eq!(names, ["运动馆", "女士馆", "男士馆", "帆布馆", "户外管"]);
        assert_eq!(m.db.brands().await.unwrap().len(), 7);
    }

    async fn brands_home_items_and_featured_products_read_in_display_order(m: Seeded) {
        let women = m.db.brands_of_category(Id::from_db(2)).await.unwrap();
        let ids: Vec<i32> = women.iter().map(|b| b.id.get()).collect();
        assert_eq!(ids, [6, 7]);
        assert!(m.db.brands_of_category(Id::from_db(99)).await.unwrap().is_empty());
        assert_eq!(m.db.home_items(HomeItemKind::Grid).await.unwrap().len(), 6);
        assert_eq!(m.db.home_items(HomeItemKind::Banner).await.unwrap().len(), 5);
        let featured: Vec<i32> = m.db.featured_products().await.unwrap().iter().map(|p| p.id.get()).collect();
        assert_eq!(featured, [1, 2, 3, 4]);
    }

    async fn products_page_by_brand_by_offset_or_after_an_id(m: Seeded) {
        assert_eq!(m.db.count_products(None).await.unwrap(), 21);
        let all = m.db.products(None, PageStart::Offset(0), 100).await.unwrap();
        assert_eq!(all.len(), 21);
        let nike = m.db.products(Some(Id::from_db(1)), PageStart::Offset(0), 2).await.unwrap();
        assert_eq!(nike.len(), 2);
        assert!(nike.iter().all(|p| p.brand_id.get() == 1));
        let by_offset = m.db.products(Some(Id::from_db(1)), PageStart::Offset(2), 2).await.unwrap();
        let after = i64::from(nike[1].id.get());
        let by_cursor = m.db.products(Some(Id::from_db(1)), PageStart::After(after), 2).await.unwrap();
        assert_eq!(by_offset, by_cursor, "both ways reach the same page");
        assert!(by_cursor[0].id.get() > nike[1].id.get());
        assert!(m.db.products(Some(Id::from_db(1)), PageStart::Offset(999), 2).await.unwrap().is_empty());
        // A numbered page of every brand is the same slice of the list.
        let middle = m.db.products(None, PageStart::Offset(5), 3).await.unwrap();
        assert_eq!(middle, all[5..8]);
        // Hidden products leave lists, product pages and totals.
        m.database.execute_sql("UPDATE product SET hidden = TRUE WHERE id = 1");
        let middle = m.db.products(None, PageStart::Offset(5), 3).await.unwrap();
        assert_eq!(middle, all[6..9], "numbered pages skip hidden products");
        assert_eq!(m.db.count_products(None).await.unwrap(), 20);
        assert!(m.db.product(Id::from_db(1)).await.unwrap().is_none());
        let featured: Vec<i32> = m.db.featured_products().await.unwrap().iter().map(|p| p.id.get()).collect();
        assert_eq!(featured, [2, 3, 4]);
    }

    async fn one_product_or_none(m: Seeded) {
        let p = m.db.product(Id::from_db(5)).await.unwrap().expect("product 5");
        assert_eq!(p.price.get(), 39_900);
        assert_eq!(p.old_price.get(), 49_900);
        assert!(!p.sizes.is_empty());
        assert!(m.db.product(Id::from_db(999)).await.unwrap().is_none());
    }
}
