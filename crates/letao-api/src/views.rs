//! JSON reply shapes, with the original server's field names.

use letao_domain::money::serialize_as_yuan;
use letao_domain::{Brand, Category, Fen, HomeItem, Product};
use serde::Serialize;

/// `status` of every successful reply.
pub const OK: u16 = 200;

/// `{id, img_src}` of `/gridlist` and `/banners`.
#[derive(Serialize)]
pub struct HomeItemView<'a> {
    pub id: i32,
    pub img_src: &'a str,
}

impl<'a> From<&'a HomeItem> for HomeItemView<'a> {
    fn from(item: &'a HomeItem) -> Self {
        HomeItemView {
            id: item.id,
            img_src: &item.img_src,
        }
    }
}

#[derive(Serialize)]
pub struct GridListReply<'a> {
    pub status: u16,
    #[serde(rename = "gridList")]
    pub grid_list: Vec<HomeItemView<'a>>,
}

#[derive(Serialize)]
pub struct BannersReply<'a> {
    pub status: u16,
    #[serde(rename = "swipeList")]
    pub swipe_list: Vec<HomeItemView<'a>>,
}

/// A product in the home page's sports section.
#[derive(Serialize)]
pub struct SportView<'a> {
    pub id: i32,
    pub name: &'a str,
    pub img: &'a str,
    #[serde(serialize_with = "serialize_as_yuan")]
    pub price: Fen,
    #[serde(rename = "oldPrice", serialize_with = "serialize_as_yuan")]
    pub old_price: Fen,
}

impl<'a> From<&'a Product> for SportView<'a> {
    fn from(p: &'a Product) -> Self {
        SportView {
            id: p.id.get(),
            name: &p.name,
            img: &p.img,
            price: p.price,
            old_price: p.old_price,
        }
    }
}

#[derive(Serialize)]
pub struct SportsReply<'a> {
    pub status: u16,
    pub sports: Vec<SportView<'a>>,
}

#[derive(Serialize)]
pub struct CategoryView<'a> {
    pub id: i32,
    #[serde(rename = "categoryName")]
    pub category_name: Option<&'a str>,
}

impl<'a> From<&'a Category> for CategoryView<'a> {
    fn from(c: &'a Category) -> Self {
        CategoryView {
            id: c.id.get(),
            category_name: c.name.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub struct OneCategoryReply<'a> {
    pub status: u16,
    #[serde(rename = "oneCategoryList")]
    pub one_category_list: Vec<CategoryView<'a>>,
}

#[derive(Serialize)]
pub struct BrandView<'a> {
    pub id: i32,
    #[serde(rename = "brandName")]
    pub brand_name: Option<&'a str>,
    #[serde(rename = "categoryId")]
    pub category_id: Option<i32>,
    #[serde(rename = "brandLogo")]
    pub brand_logo: Option<&'a str>,
    pub hot: Option<i32>,
}

impl<'a> From<&'a Brand> for BrandView<'a> {
    fn from(b: &'a Brand) -> Self {
        BrandView {
            id: b.id.get(),
            brand_name: b.name.as_deref(),
            category_id: b.category_id,
            brand_logo: b.logo.as_deref(),
            hot: b.hot,
        }
    }
}

#[derive(Serialize)]
pub struct TwoCategoryReply<'a> {
    pub status: u16,
    #[serde(rename = "twoCategoryList")]
    pub two_category_list: Vec<BrandView<'a>>,
}

/// A product with everything a product page shows.
#[derive(Serialize)]
pub struct ProductView<'a> {
    pub id: i32,
    #[serde(rename = "brandId")]
    pub brand_id: i32,
    pub name: &'a str,
    pub img: &'a str,
    #[serde(serialize_with = "serialize_as_yuan")]
    pub price: Fen,
    #[serde(rename = "oldPrice", serialize_with = "serialize_as_yuan")]
    pub old_price: Fen,
    pub sizes: &'a [String],
    pub stock: i32,
}

impl<'a> From<&'a Product> for ProductView<'a> {
    fn from(p: &'a Product) -> Self {
        ProductView {
            id: p.id.get(),
            brand_id: p.brand_id.get(),
            name: &p.name,
            img: &p.img,
            price: p.price,
            old_price: p.old_price,
            sizes: &p.sizes,
            stock: p.stock,
        }
    }
}

#[derive(Serialize)]
pub struct ProductsReply<'a> {
    pub status: u16,
    pub products: Vec<ProductView<'a>>,
    pub page: u32,
    #[serde(rename = "pageSize")]
    pub page_size: u32,
    pub total: i64,
}

#[derive(Serialize)]
pub struct ProductReply<'a> {
    pub status: u16,
    pub product: ProductView<'a>,
}

/// `userInfo` of login and `/user/me`.
#[derive(Serialize)]
pub struct UserInfo<'a> {
    pub id: i32,
    pub username: Option<&'a str>,
    pub mobile: Option<&'a str>,
}

impl<'a> From<&'a letao_db::UserRecord> for UserInfo<'a> {
    fn from(u: &'a letao_db::UserRecord) -> Self {
        UserInfo {
            id: u.id,
            username: u.username.as_deref(),
            mobile: u.mobile.as_deref(),
        }
    }
}
