//! Ready-to-send JSON bodies of the home page and category lists.
//!
//! These lists change rarely and are read on every app start, so their
//! replies are rendered once and served from memory. Each instance reloads
//! them from the database when they are older than the TTL, so a change made
//! through another instance (or straight in the database) shows within one
//! TTL; a change made through this instance calls [`CatalogueCache::invalidate`].
//! A TTL of zero turns the cache off: every request reads the database.

use crate::views::{
    BannersReply, BrandView, CategoryView, GridListReply, HomeItemView, OK, OneCategoryReply,
    SportView, SportsReply, TwoCategoryReply,
};
use bytes::Bytes;
use letao_db::{Db, DbError};
use letao_domain::{Brand, Category, HomeItem, HomeItemKind, Id, Product};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Which cached list a request wants.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    /// `/gridlist`.
    Grid,
    /// `/banners`.
    Banners,
    /// `/sports`.
    Sports,
    /// `/oneCategory`.
    Categories,
    /// `/twoCategory?id=N`.
    BrandsOf(Id<Category>),
}

struct Snapshot {
    loaded_at: Instant,
    grid: Bytes,
    banners: Bytes,
    sports: Bytes,
    categories: Bytes,
    brands_by_category: HashMap<i32, Bytes>,
    no_brands: Bytes,
}

impl Snapshot {
    fn get(&self, listing: Listing) -> Bytes {
        match listing {
            Listing::Grid => self.grid.clone(),
            Listing::Banners => self.banners.clone(),
            Listing::Sports => self.sports.clone(),
            Listing::Categories => self.categories.clone(),
            Listing::BrandsOf(id) => self
                .brands_by_category
                .get(&id.get())
                .unwrap_or(&self.no_brands)
                .clone(),
        }
    }
}

/// The cache; one per process, shared by all workers.
pub struct CatalogueCache {
    db: Db,
    ttl: Duration,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    reloading: tokio::sync::Mutex<()>,
}

impl CatalogueCache {
    /// A cache over `db` whose entries live for `ttl` (zero: no caching).
    pub fn new(db: Db, ttl: Duration) -> Self {
        CatalogueCache {
            db,
            ttl,
            snapshot: RwLock::new(None),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The JSON body of `listing`.
    pub async fn body(&self, listing: Listing) -> Result<Bytes, DbError> {
        if self.ttl.is_zero() {
            return self.load_one(listing).await;
        }
        Ok(self.snapshot().await?.get(listing))
    }

    /// Forgets everything, so the next request reads the database.
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.snapshot.write() {
            *guard = None;
        }
    }

    /// The snapshot, if there is one younger than the TTL.
    fn fresh(&self) -> Option<Arc<Snapshot>> {
        let current = self.snapshot.read().ok()?.clone()?;
        (current.loaded_at.elapsed() < self.ttl).then_some(current)
    }

    async fn snapshot(&self) -> Result<Arc<Snapshot>, DbError> {
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        // One reload at a time; requests that arrive meanwhile wait for it
        // and then use its result instead of querying again.
        let _reloading = self.reloading.lock().await;
        if let Some(s) = self.fresh() {
            return Ok(s);
        }
        let fresh = Arc::new(self.load_all().await?);
        if let Ok(mut guard) = self.snapshot.write() {
            *guard = Some(fresh.clone());
        }
        Ok(fresh)
    }

    async fn load_all(&self) -> Result<Snapshot, DbError> {
        let loaded_at = Instant::now();
        let grid = self.db.home_items(HomeItemKind::Grid).await?;
        let banners = self.db.home_items(HomeItemKind::Banner).await?;
        let sports = self.db.featured_products().await?;
        let categories = self.db.categories().await?;
        let brands = self.db.brands().await?;
        let mut by_category: HashMap<i32, Vec<&Brand>> = HashMap::new();
        for b in &brands {
            if let Some(c) = b.category_id {
                by_category.entry(c).or_default().push(b);
            }
        }
        Ok(Snapshot {
            loaded_at,
            grid: render_grid(&grid),
            banners: render_banners(&banners),
            sports: render_sports(&sports),
            categories: render_categories(&categories),
            brands_by_category: by_category
                .into_iter()
                .map(|(c, list)| (c, render_brands(list)))
                .collect(),
            no_brands: render_brands(Vec::new()),
        })
    }

    async fn load_one(&self, listing: Listing) -> Result<Bytes, DbError> {
        Ok(match listing {
            Listing::Grid => render_grid(&self.db.home_items(HomeItemKind::Grid).await?),
            Listing::Banners => render_banners(&self.db.home_items(HomeItemKind::Banner).await?),
            Listing::Sports => render_sports(&self.db.featured_products().await?),
            Listing::Categories => render_categories(&self.db.categories().await?),
            Listing::BrandsOf(id) => {
                render_brands(self.db.brands_of_category(id).await?.iter().collect())
            }
        })
    }
}

fn to_bytes<T: serde::Serialize>(value: &T) -> Bytes {
    // Serialising these plain structs cannot fail; an empty body would show it.
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

fn render_grid(items: &[HomeItem]) -> Bytes {
    to_bytes(&GridListReply {
        status: OK,
        grid_list: items.iter().map(HomeItemView::from).collect(),
    })
}

fn render_banners(items: &[HomeItem]) -> Bytes {
    to_bytes(&BannersReply {
        status: OK,
        swipe_list: items.iter().map(HomeItemView::from).collect(),
    })
}

fn render_sports(products: &[Product]) -> Bytes {
    to_bytes(&SportsReply {
        status: OK,
        sports: products.iter().map(SportView::from).collect(),
    })
}

fn render_categories(categories: &[Category]) -> Bytes {
    to_bytes(&OneCategoryReply {
        status: OK,
        one_category_list: categories.iter().map(CategoryView::from).collect(),
    })
}

fn render_brands(brands: Vec<&Brand>) -> Bytes {
    to_bytes(&TwoCategoryReply {
        status: OK,
        two_category_list: brands.into_iter().map(BrandView::from).collect(),
    })
}
