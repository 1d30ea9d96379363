//! The owner's catalogue use cases: roles, audit entries with before and
//! after, refusals as errors, cached totals, and image uploads.

use crate::shop::support::Shop;
use letao_db::testing::Fixture;
use letao_db::{Backend, each_backend};
use letao_domain::{AuditAction, Fen, HomeItemKind, Id, Role};
use letao_shop::media::{MediaStore, MemoryMedia};
use letao_shop::owners::images::{CleanImage, ImageError, ImageFormat};
use letao_shop::store::{BrandFields, NewProduct, PageStart, ProductChange, ProductFilter};
use letao_shop::{Owner, Owners, ShopError};
use serde_json::{Value, json};
use std::sync::Arc;

/// A shop with the owner's service over an in-memory media store.
pub struct Catalogue {
    shop: Shop,
    owners: Arc<Owners>,
    media: Arc<MemoryMedia>,
}

impl Fixture for Catalogue {
    async fn fixture(backend: Backend) -> Self {
        let media = Arc::new(MemoryMedia::new());
        let m = letao_db::testing::Migrated::fixture(backend).await;
        m.db.seed_demo_data().await.unwrap();
        let shop = Shop::over(m, media.clone()).await;
        let owners = shop.services.owners.clone();
        Catalogue {
            shop,
            owners,
            media,
        }
    }
}

impl Catalogue {
    fn admin(&self) -> &Owner {
        &self.shop.admin
    }

    /// The newest audit entry: action, target and detail as JSON.
    async fn last_entry(&self) -> (AuditAction, String, Value) {
        let e = self
            .shop
            .m
            .db
            .audit_page(None, 0, 1)
            .await
            .unwrap()
            .pop()
            .expect("an entry");
        assert_eq!(e.actor_name.as_deref(), Some("boss"));
        (e.action, e.target, serde_json::from_str(&e.detail).unwrap())
    }

    /// The names in the media store.
    fn media_files(&self) -> Vec<String> {
        self.media.names()
    }

    /// The bytes stored as `name`, with the type they are served as.
    async fn stored(&self, name: &str) -> (Vec<u8>, String) {
        let object = self.media.get(name).await.unwrap().expect("stored");
        (object.bytes.to_vec(), object.content_type)
    }
}

fn staff() -> Owner {
    Owner {
        id: 1,
        username: Some("clerk".into()),
        role: Role::Staff,
    }
}

/// A JPEG container: JFIF, an EXIF segment, tables, a 2x2 frame, one scan.
pub fn jpeg_with_exif() -> Vec<u8> {
    let segment = |marker: u8, body: &[u8]| {
        let len = u16::try_from(body.len() + 2).unwrap().to_be_bytes();
        [&[0xFF, marker][..], &len, body].concat()
    };
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(b"\0\x01\x01\x0f\0\x02\0\0\0\x06\0\0\0\x1aCamera\0");
    [
        vec![0xFF, 0xD8],
        segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
        segment(0xE1, &exif),
        segment(0xDB, &[&[0u8][..], &[1u8; 64]].concat()),
        segment(0xC0, &[8, 0, 2, 0, 2, 1, 1, 0x11, 0]),
        segment(0xC4, &[&[0u8, 0, 1][..], &[0; 14], &[0]].concat()),
        segment(0xDA, &[1, 1, 0, 0, 63, 0]),
        vec![0x12, 0x34, 0xFF, 0x00, 0x56],
        vec![0xFF, 0xD9],
    ]
    .concat()
}

/// The smallest lossless WebP (1x1), with EXIF and XMP chunks added.
pub fn webp_with_metadata() -> Vec<u8> {
    let vp8l = b"VP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";
    let exif = b"EXIF\x08\0\0\0MM\0\x2a\0\0\0\x08";
    let xmp = b"XMP \x04\0\0\0<x/>";
    let body = [&b"WEBP"[..], vp8l, exif, xmp].concat();
    let size = u32::try_from(body.len()).unwrap().to_le_bytes();
    [&b"RIFF"[..], &size, &body].concat()
}

fn png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../static/images/nav1.png"
    ))
    .unwrap()
}

each_backend! {
    #[tokio::test]

    async fn staff_and_shoppers_may_not_touch_the_catalogue(c: Catalogue) {
        let clerk = staff();
        assert!(matches!(c.owners.create_category(&clerk, "x").await, Err(ShopError::Forbidden)));
        assert!(matches!(c.owners.products(&clerk, ProductFilter::default(), PageStart::Offset(0), 5).await, Err(ShopError::Forbidden)));
        assert!(matches!(c.owners.home_items(&clerk).await, Err(ShopError::Forbidden)));
        let image = CleanImage::from_upload(png().into()).unwrap();
        assert!(matches!(c.owners.store_image(&clerk, &image).await, Err(ShopError::Forbidden)));
        assert!(c.media_files().is_empty());
        assert_eq!(c.shop.m.db.audit_count().await.unwrap(), 0);
    }

    async fn every_write_is_audited_with_what_changed(c: Catalogue) {
        let cat = c.owners.create_category(c.admin(), "童鞋馆").await.unwrap();
        let (action, target, detail) = c.last_entry().await;
        assert_eq!((action, target.as_str()), (AuditAction::CategoryCreate, format!("category {}", cat.id).as_str()));
        assert_eq!(detail, json!({"before": null, "after": {"id": cat.id.get(), "categoryName": "童鞋馆"}}));
        c.owners.rename_category(c.admin(), cat.id, "儿童馆").await.unwrap();
        assert_eq!(c.last_entry().await.2, json!({"before": {"categoryName": "童鞋馆"}, "after": {"categoryName": "儿童馆"}}));

        let sizes = vec!["40".to_owned()];
        let new = NewProduct { brand_id: 1, name: "跑鞋", img: "/media/x.png", price: Fen::new(1999), old_price: Fen::new(2999), sizes: &sizes, stock: 5, skus: None, featured: false, sort: 0, keywords: &[] };
        let p = c.owners.create_product(c.admin(), &new).await.unwrap();
        let id = p.product.id;
        assert_eq!(c.last_entry().await.2["after"]["price"], "19.99");
        let stock = ProductChange { stock_delta: Some(-2), ..ProductChange::default() };
        assert_eq!(c.owners.update_product(c.admin(), id, &stock).await.unwrap().product.stock, 3);
        let (action, target, detail) = c.last_entry().await;
        assert_eq!((action, target), (AuditAction::ProductStock, format!("product {id}")));
        // A pooled product: the stock is the pool, which each size shows.
        assert_eq!(detail["stockDelta"], -2);
        assert_eq!((detail["before"]["stock"].clone(), detail["after"]["stock"].clone()), (json!(5), json!(3)));
        assert_eq!(detail["after"]["skus"][0]["stock"], 3);
        let price = ProductChange { price: Some(Fen::new(1)), ..ProductChange::default() };
        c.owners.update_product(c.admin(), id, &price).await.unwrap();
        let (action, _, detail) = c.last_entry().await;
        assert_eq!((action, detail), (AuditAction::ProductUpdate, json!({"before": {"price": "19.99"}, "after": {"price": "0.01"}})));
        c.owners.hide_product(c.admin(), id).await.unwrap();
        assert_eq!(c.last_entry().await.0, AuditAction::ProductHide);
        let item = c.owners.create_home_item(c.admin(), HomeItemKind::Banner, "/media/b.png", 2).await.unwrap();
        assert_eq!(c.last_entry().await.1, format!("banner {}", item.id));
        c.owners.delete_home_item(c.admin(), HomeItemKind::Banner, item.id).await.unwrap();
        assert_eq!(c.last_entry().await.2["before"]["img_src"], "/media/b.png");
        assert_eq!(c.shop.m.db.audit_count().await.unwrap(), 8);
        assert_eq!(c.shop.m.db.catalogue_version().await.unwrap(), 8);
    }

    async fn refusals_are_errors_and_change_nothing(c: Catalogue) {
        assert!(matches!(c.owners.delete_category(c.admin(), Id::from_db(1)).await, Err(ShopError::Conflict(_))));
        assert!(matches!(c.owners.delete_category(c.admin(), Id::from_db(99)).await, Err(ShopError::NotFound("category"))));
        let fields = BrandFields { name: "安踏", category_id: 99, logo: None, hot: 0 };
        assert!(matches!(c.owners.create_brand(c.admin(), &fields).await, Err(ShopError::NotFound("category"))));
        assert!(matches!(c.owners.update_brand(c.admin(), Id::from_db(99), &fields).await, Err(ShopError::NotFound("brand"))));
        assert!(matches!(c.owners.delete_brand(c.admin(), Id::from_db(1)).await, Err(ShopError::Conflict(_))));
        let below = ProductChange { stock_delta: Some(-51), ..ProductChange::default() };
        let Err(ShopError::Conflict(msg)) = c.owners.update_product(c.admin(), Id::from_db(1), &below).await else { panic!("not refused") };
        assert!(msg.contains("several sizes"), "sold per size: {msg}");
        let size40 = Id::from_db(c.shop.sku40(1));
        let Err(ShopError::Conflict(msg)) = c.owners.adjust_stock(c.admin(), size40, -51, "盘点").await else { panic!("not refused") };
        assert!(msg.contains("it is 50"), "{msg}");
        assert!(matches!(c.owners.adjust_stock(c.admin(), Id::from_db(999_999), 1, "盘点").await, Err(ShopError::NotFound("SKU"))));
        let brand = ProductChange { brand_id: Some(99), ..ProductChange::default() };
        assert!(matches!(c.owners.update_product(c.admin(), Id::from_db(1), &brand).await, Err(ShopError::NotFound("brand"))));
        assert!(matches!(c.owners.update_product(c.admin(), Id::from_db(99), &below).await, Err(ShopError::NotFound("product"))));
        assert!(matches!(c.owners.hide_product(c.admin(), Id::from_db(99)).await, Err(ShopError::NotFound("product"))));
        assert!(matches!(c.owners.update_home_item(c.admin(), HomeItemKind::Grid, 99, "/media/x.png", 0).await, Err(ShopError::NotFound("home item"))));
        assert_eq!(c.shop.stock(1), 50);
        assert_eq!(c.shop.m.db.audit_count().await.unwrap(), 0);
        assert_eq!(c.shop.m.db.catalogue_version().await.unwrap(), 0);
    }

    async fn the_owners_product_list_pages_by_id_with_a_fresh_total_after_a_change(c: Catalogue) {
        let all = ProductFilter::default();
        let first = c.owners.products(c.admin(), all, PageStart::Offset(0), 20).await.unwrap();
        assert_eq!((first.items.len(), first.total, first.next), (20, 21, Some(20)));
        c.owners.hide_product(c.admin(), Id::from_db(3)).await.unwrap();
        let hidden = ProductFilter { hidden: Some(true), ..all };
        let page = c.owners.products(c.admin(), hidden, PageStart::Offset(0), 20).await.unwrap();
        assert_eq!((page.total, page.items[0].product.id.get()), (1, 3));
        let sizes = vec!["39".to_owned()];
        let new = NewProduct { brand_id: 1, name: "新品", img: "/images/product2.svg", price: Fen::new(100), old_price: Fen::new(100), sizes: &sizes, stock: 1, skus: None, featured: false, sort: 0, keywords: &[] };
        c.owners.create_product(c.admin(), &new).await.unwrap();
        let next = c.owners.products(c.admin(), all, PageStart::After(20), 20).await.unwrap();
        assert_eq!(next.items.iter().map(|p| p.product.id.get()).collect::<Vec<_>>(), [21, 22]);
        assert_eq!((next.total, next.next), (22, None), "the total was counted again after the change");
    }

    async fn images_are_stored_once_by_content_without_metadata(c: Catalogue) {
        let png = CleanImage::from_upload(png().into()).unwrap();
        let name = c.owners.store_image(c.admin(), &png).await.unwrap();
        assert!(name.ends_with(".png") && name.len() == 64 + 4, "{name}");
        assert_eq!(c.owners.store_image(c.admin(), &png).await.unwrap(), name, "same content, same name");
        assert_eq!(c.media_files(), std::slice::from_ref(&name), "one object");
        assert_eq!(c.stored(&name).await, (png.bytes().to_vec(), "image/png".to_owned()));
        let (action, target, detail) = c.last_entry().await;
        assert_eq!((action, target), (AuditAction::ImageUpload, format!("image {name}")));
        assert_eq!(detail, json!({"type": "image/png", "bytes": png.bytes().len()}));

        let jpeg = CleanImage::from_upload(jpeg_with_exif().into()).unwrap();
        assert_eq!(jpeg.format(), ImageFormat::Jpeg);
        let jpg = c.owners.store_image(c.admin(), &jpeg).await.unwrap();
        let (stored, ctype) = c.stored(&jpg).await;
        assert_eq!(ctype, "image/jpeg");
        assert!(!stored.windows(6).any(|w| w == b"Exif\0\0"), "EXIF removed");
        assert!(stored.windows(4).any(|w| w == b"JFIF"), "the rest kept");
        assert!(stored.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]), "scan data untouched");

        let webp = CleanImage::from_upload(webp_with_metadata().into()).unwrap();
        let w = c.owners.store_image(c.admin(), &webp).await.unwrap();
        assert!(w.ends_with(".webp"));
        let (stored, ctype) = c.stored(&w).await;
        assert_eq!(ctype, "image/webp");
        assert!(!stored.windows(4).any(|x| x == b"EXIF" || x == b"XMP "), "EXIF and XMP removed");
        assert!(stored.windows(4).any(|x| x == b"VP8L"));
        assert_eq!(c.media_files().len(), 3);
        assert_eq!(c.shop.m.db.audit_count().await.unwrap(), 4);
    }
}

#[test]
fn pictures_appended_after_a_jpeg_are_dropped() {
    let mut upload = jpeg_with_exif();
    upload.extend_from_slice(&jpeg_with_exif());
    upload.extend_from_slice(b"PK\x03\x04 a zip file");
    let clean = CleanImage::from_upload(upload.into()).unwrap();
    let first = CleanImage::from_upload(jpeg_with_exif().into()).unwrap();
    assert_eq!(clean.bytes(), first.bytes());
    assert_eq!(clean.file_name(), first.file_name());
}

#[test]
fn a_text_file_named_like_an_image_is_refused() {
    let text = b"hello, this is not a picture.png".to_vec();
    assert_eq!(
        CleanImage::from_upload(text.into()).err(),
        Some(ImageError::NotAnImage)
    );
    let truncated = jpeg_with_exif()[..40].to_vec();
    assert_eq!(
        CleanImage::from_upload(truncated.into()).err(),
        Some(ImageError::Malformed(ImageFormat::Jpeg))
    );
}
