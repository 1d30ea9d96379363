//! Demo catalogue for a new, empty database.

use crate::pool::Backend;
use crate::schema::{brand, category, product, sku};
use crate::{Db, DbError};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, RunQueryDsl};

/// The original server's categories, verbatim.
const CATEGORIES: [(i32, &str); 5] = [
    (1, "运动馆"),
    (2, "女士馆"),
    (3, "男士馆"),
    (4, "帆布馆"),
    (5, "户外管"),
];

/// The original server's brands, verbatim: (id, name, category, logo, hot).
const BRANDS: [(i32, &str, i32, &str, i32); 7] = [
    (1, "耐克", 1, "/images/brand1.png", 1),
    (2, "阿迪", 1, "/images/brand2.png", 1),
    (3, "新百伦", 1, "/images/brand3.png", 1),
    (4, "哥伦比亚", 1, "/images/brand4.png", 0),
    (5, "匡威", 1, "/images/brand5.png", 1),
    (6, "阿萨德1", 2, "/images/brand5.png", 1),
    (7, "阿萨德2", 2, "/images/brand5.png", 1),
];

/// Demo products: (id, brand, name, price fen, old price fen, stock, featured).
/// The four featured ones are the original's home-page sports section.
const PRODUCTS: [(i32, i32, &str, i64, i64, i32, bool); 21] = [
    (
        1,
        2,
        "adidas阿迪达斯 男式 场下休闲篮球鞋S83700",
        100,
        88_800,
        50,
        true,
    ),
    (
        2,
        2,
        "FORUM 84 LOW 新款低帮经典运动鞋",
        100,
        89_900,
        50,
        true,
    ),
    (3, 1, "Nike Air Zoom Pegasus 跑步鞋", 100, 88_800, 50, true),
    (4, 3, "New Balance 574 复古休闲鞋", 100, 88_800, 50, true),
    (
        5,
        1,
        "Nike Revolution 7 男子公路跑步鞋",
        39_900,
        49_900,
        80,
        false,
    ),
    (
        6,
        1,
        "Nike Court Vision 低帮板鞋",
        45_900,
        59_900,
        60,
        false,
    ),
    (
        7,
        2,
        "adidas Ultraboost Light 跑鞋",
        99_900,
        139_900,
        30,
        false,
    ),
    (
        8,
        3,
        "New Balance 990v6 美产跑鞋",
        159_900,
        179_900,
        20,
        false,
    ),
    (
        9,
        3,
        "New Balance 327 潮流休闲鞋",
        59_900,
        75_900,
        40,
        false,
    ),
    (
        10,
        4,
        "Columbia 哥伦比亚 防水徒步鞋",
        69_900,
        89_900,
        25,
        false,
    ),
    (11, 4, "Columbia 户外缓震登山鞋", 79_900, 99_900, 25, false),
    (12, 4, "Columbia 轻量溯溪鞋", 49_900, 59_900, 30, false),
    (
        13,
        5,
        "Converse Chuck 70 高帮帆布鞋",
        56_900,
        62_900,
        70,
        false,
    ),
    (
        14,
        5,
        "Converse One Star 低帮板鞋",
        49_900,
        59_900,
        70,
        false,
    ),
    (
        15,
        5,
        "Converse Run Star Hike 厚底鞋",
        79_900,
        89_900,
        35,
        false,
    ),
    (16, 6, "女士 轻盈透气 运动休闲鞋", 29_900, 39_900, 90, false),
    (17, 6, "女士 厚底 小白鞋", 25_900, 32_900, 90, false),
    (18, 6, "女士 一脚蹬 乐福鞋", 35_900, 45_900, 60, false),
    (19, 7, "女士 复古 德训鞋", 31_900, 39_900, 60, false),
    (20, 7, "女士 缓震 健步鞋", 27_900, 35_900, 60, false),
    (21, 7, "女士 百搭 帆布鞋", 15_900, 19_900, 100, false),
];

const SIZES: [&str; 7] = ["38", "39", "40", "41", "42", "43", "44"];

impl Db {
    /// Fills an empty catalogue (no categories at all) with the demo data:
    /// the original's categories and brands and a few products per brand.
    /// Returns whether it did. A database with any category is left alone,
    /// so an adopted original database keeps exactly its own catalogue.
    pub async fn seed_demo_data(&self) -> Result<bool, DbError> {
        let now = chrono::Utc::now().naive_utc();
        let result = with_conn!(self, |conn| {
            Ok(conn
                .transaction(async |conn| {
                    let existing: i64 = category::table.count().get_result(conn).await?;
                    if existing > 0 {
                        return Ok::<bool, DieselError>(false);
                    }
                    let categories: Vec<_> = CATEGORIES
                        .iter()
                        .map(|&(id, name)| (category::id.eq(id), category::category_name.eq(name)))
                        .collect();
                    // One statement per row: SQLite's driver has no multi-row insert here.
                    for row in categories {
                        diesel::insert_into(category::table)
                            .values(row)
                            .execute(conn)
                            .await?;
                    }
                    let brands: Vec<_> = BRANDS
                        .iter()
                        .map(|&(id, name, category_id, logo, hot)| {
                            (
                                brand::id.eq(id),
                                brand::brand_name.eq(name),
                                brand::category_id.eq(category_id),
                                brand::brand_logo.eq(logo),
                                brand::hot.eq(hot),
                            )
                        })
                        .collect();
                    // One statement per row: SQLite's driver has no multi-row insert here.
                    for row in brands {
                        diesel::insert_into(brand::table)
                            .values(row)
                            .execute(conn)
                            .await?;
                    }
                    let products: Vec<_> = PRODUCTS
                        .iter()
                        .map(|&(id, brand_id, name, price, old, _, featured)| {
                            (
                                product::id.eq(id),
                                product::brand_id.eq(brand_id),
                                product::name.eq(name),
                                product::img.eq(format!("/images/product{}.svg", (id - 1) % 6 + 1)),
                                product::price_fen.eq(price),
                                product::old_price_fen.eq(old),
                                product::sizes.eq(""),
                                product::stock.eq(0),
                                product::featured.eq(featured),
                                product::sort_order.eq(id),
                                product::created_at.eq(now),
                            )
                        })
                        .collect();
                    // One statement per row: SQLite's driver has no multi-row insert here.
                    for row in products {
                        diesel::insert_into(product::table)
                            .values(row)
                            .execute(conn)
                            .await?;
                    }
                    // Every demo product in every size, each size with the
                    // product's listed stock.
                    for &(id, _, _, _, _, stock, _) in &PRODUCTS {
                        for (position, size) in (0i32..).zip(SIZES) {
                            diesel::insert_into(sku::table)
                                .values((
                                    sku::product_id.eq(id),
                                    sku::size.eq(size),
                                    sku::colour.eq(""),
                                    sku::code.eq(format!("P{id}-{size}")),
                                    sku::stock.eq(stock),
                                    sku::active.eq(true),
                                    sku::position.eq(position),
                                ))
                                .execute(conn)
                                .await?;
                        }
                    }
                    Ok(true)
                })
                .await)
        })?;
        let seeded = match result {
            Ok(seeded) => seeded,
            // Another instance seeded the same empty database first.
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => false,
            Err(e) => return Err(e.into()),
        };
        if seeded && self.backend() == Backend::Postgres {
            // Rows were inserted with explicit ids; move the sequences past them.
            with_conn!(self, |conn| {
                for table in ["category", "brand", "product"] {
                    diesel::sql_query(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                         (SELECT MAX(id) FROM {table}))"
                    ))
                    .execute(conn)
                    .await?;
                }
                Ok(())
            })?;
        }
        Ok(seeded)
    }
}
