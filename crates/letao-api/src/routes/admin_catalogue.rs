//! The owner's catalogue routes (admin): categories, brands, products,
//! home items and image uploads. After a write, this instance drops its
//! cached catalogue lists so its next read shows the change at once.

mod input;

use crate::auth::{OwnerUser, require_user};
use crate::query::{Query, cursor};
use crate::replies::{
    AdminProductReply, AdminProductView, AdminProductsReply, BrandReply, BrandView, CategoryReply,
    CategoryView, HomeItemAdminView, HomeItemReply, HomeItemsReply, ImageReply, MsgReply, OK,
};
use crate::routes::{get_or_post, post_only, put_or_delete};
use crate::{ApiError, AppState, input::Input};
use actix_multipart::Multipart;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, guard, web};
use futures_util::StreamExt;
use input::{BrandInput, CategoryInput, HomeItemInput, NewProductInput, ProductPatchInput};
use letao_db::{NewProduct, ProductFilter};
use letao_domain::{Id, Permission};
use letao_shop::ShopError;
use letao_shop::owners::images::{CleanImage, MAX_IMAGE_BYTES};

/// Registers every route of this module, each behind a valid token, with
/// a JSON 405 for methods a path does not take.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let read = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
    cfg.service(
        web::resource("/admin/categories")
            .route(web::post().to(create_category))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/categories/{id}")
            .route(web::put().to(update_category))
            .route(web::delete().to(delete_category))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/brands")
            .route(web::post().to(create_brand))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/brands/{id}")
            .route(web::put().to(update_brand))
            .route(web::delete().to(delete_brand))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/products")
            .route(read().to(list_products))
            .route(web::post().to(create_product))
            .default_service(web::to(get_or_post))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/products/{id}")
            .route(web::put().to(update_product))
            .route(web::delete().to(hide_product))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/home-items")
            .route(read().to(list_home_items))
            .route(web::post().to(create_home_item))
            .default_service(web::to(get_or_post))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/home-items/{id}")
            .route(web::put().to(update_home_item))
            .route(web::delete().to(delete_home_item))
            .default_service(web::to(put_or_delete))
            .wrap(from_fn(require_user)),
    )
    .service(
        web::resource("/admin/images")
            .route(web::post().to(upload_image))
            .default_service(web::to(post_only))
            .wrap(from_fn(require_user)),
    );
}

/// The `{id}` of the path (malformed: 400 naming `id`).
fn path_id<T>(req: &HttpRequest) -> Result<Id<T>, ApiError> {
    let raw = req.match_info().get("id").unwrap_or_default();
    raw.parse().map_err(|e| ApiError::invalid("id", e))
}

/// A referenced object that does not exist is the client's bad `field`
/// (400), unlike the object the path names (404).
fn reference(what: &'static str, field: &'static str) -> impl Fn(ShopError) -> ApiError {
    move |e| match e {
        ShopError::NotFound(w) if w == what => ApiError::invalid(field, format!("names no {what}")),
        other => other.into(),
    }
}

/// `POST /admin/categories {categoryName}`
pub async fn create_category(
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let name = input.name()?;
    let category = state.owners.create_category(&owner.0, name).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(CategoryReply {
        status: OK,
        category: CategoryView::from(&category),
    }))
}

/// `PUT /admin/categories/{id} {categoryName}`
pub async fn update_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<CategoryInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    let name = input.name()?;
    let category = state.owners.rename_category(&owner.0, id, name).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(CategoryReply {
        status: OK,
        category: CategoryView::from(&category),
    }))
}

/// `DELETE /admin/categories/{id}` (409 while it has brands)
pub async fn delete_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.delete_category(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}

/// `POST /admin/brands {brandName, categoryId, brandLogo, hot}`
pub async fn create_brand(
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<BrandInput>,
) -> Result<HttpResponse, ApiError> {
    let fields = input.fields()?;
    let brand = state
        .owners
        .create_brand(&owner.0, &fields)
        .await
        .map_err(reference("category", "categoryId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(BrandReply {
        status: OK,
        brand: BrandView::from(&brand),
    }))
}

/// `PUT /admin/brands/{id}` (same body)
pub async fn update_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<BrandInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    let fields = input.fields()?;
    let brand = state
        .owners
        .update_brand(&owner.0, id, &fields)
        .await
        .map_err(reference("category", "categoryId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(BrandReply {
        status: OK,
        brand: BrandView::from(&brand),
    }))
}

/// `DELETE /admin/brands/{id}` (409 while it has products, hidden ones too)
pub async fn delete_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.delete_brand(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}

/// `true`/`false` (or `1`/`0`).
fn flag(value: &str) -> Option<bool> {
    match value {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `GET /admin/products?brandId=&hidden=&page=&pageSize=&after=`
pub async fn list_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let q = Query::from_request(&req)?;
    let filter = ProductFilter {
        brand_id: q
            .optional_id::<letao_domain::Brand>("brandId")?
            .map(Id::get),
        hidden: q.state("hidden", flag, "true, false")?,
    };
    let paging = q.paging()?;
    let page = state
        .owners
        .products(&owner.0, filter, paging.start, paging.limit())
        .await?;
    Ok(HttpResponse::Ok().json(AdminProductsReply {
        status: OK,
        products: page.items.iter().map(AdminProductView::from).collect(),
        page: paging.page,
        page_size: paging.size,
        total: page.total,
        next: cursor(page.next),
    }))
}

/// `POST /admin/products {brandId, name, img, price, oldPrice, sizes, stock, featured, sort?}`
pub async fn create_product(
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<NewProductInput>,
) -> Result<HttpResponse, ApiError> {
    let checked = input.check()?;
    let new = NewProduct {
        brand_id: checked.brand_id,
        name: input.name.trim(),
        img: &input.img,
        price: checked.price,
        old_price: checked.old_price,
        sizes: &checked.sizes,
        stock: checked.stock,
        featured: input.featured,
        sort: checked.sort,
    };
    let product = state
        .owners
        .create_product(&owner.0, &new)
        .await
        .map_err(reference("brand", "brandId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(AdminProductReply {
        status: OK,
        product: AdminProductView::from(&product),
    }))
}

/// `PUT /admin/products/{id}` with any of `brandId, name, img, price,
/// oldPrice, sizes, featured, hidden, sort, stockDelta` (stock by delta:
/// 409 if it would fall below zero, with nothing changed)
pub async fn update_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<ProductPatchInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    let change = input.change()?;
    let product = state
        .owners
        .update_product(&owner.0, id, &change)
        .await
        .map_err(reference("brand", "brandId"))?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(AdminProductReply {
        status: OK,
        product: AdminProductView::from(&product),
    }))
}

/// `DELETE /admin/products/{id}`: hides it (old orders keep their lines)
pub async fn hide_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&req)?;
    state.owners.hide_product(&owner.0, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已下架 (hidden from the shop)")))
}

/// `GET /admin/home-items`
pub async fn list_home_items(
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let items = state.owners.home_items(&owner.0).await?;
    Ok(HttpResponse::Ok().json(HomeItemsReply {
        status: OK,
        items: items.iter().map(HomeItemAdminView::from).collect(),
    }))
}

/// `POST /admin/home-items {kind, img_src, sort}`
pub async fn create_home_item(
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<HomeItemInput>,
) -> Result<HttpResponse, ApiError> {
    let (kind, img_src, sort) = input.check()?;
    let item = state
        .owners
        .create_home_item(&owner.0, kind, img_src, sort)
        .await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(HomeItemReply {
        status: OK,
        item: HomeItemAdminView::from(&item),
    }))
}

/// `PUT /admin/home-items/{id} {kind, img_src, sort}`: the body's `kind`
/// says which item (the original's grid and banner ids overlap)
pub async fn update_home_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    Input(input): Input<HomeItemInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<()>(&req)?.get();
    let (kind, img_src, sort) = input.check()?;
    let item = state
        .owners
        .update_home_item(&owner.0, kind, id, img_src, sort)
        .await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(HomeItemReply {
        status: OK,
        item: HomeItemAdminView::from(&item),
    }))
}

/// `DELETE /admin/home-items/{id}?kind=grid|banner`; `kind` may be left
/// out when only one kind has that id.
pub async fn delete_home_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
) -> Result<HttpResponse, ApiError> {
    let id = path_id::<()>(&req)?.get();
    let kind = match Query::from_request(&req)?.state("kind", input::home_kind, "grid, banner")? {
        Some(kind) => kind,
        None => match state.owners.home_item_kinds(&owner.0, id).await?.as_slice() {
            [] => return Err(ApiError::Missing("home item")),
            [one] => *one,
            _ => {
                return Err(ApiError::invalid(
                    "kind",
                    "is needed: a grid icon and a banner have this id",
                ));
            }
        },
    };
    state.owners.delete_home_item(&owner.0, kind, id).await?;
    state.invalidate_catalogue();
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}

/// Room for the multipart framing around the file.
const FRAMING_BYTES: usize = 16 * 1024;

/// Reads the multipart field `file` (one, at most 2 MiB) and nothing
/// else; stops reading as soon as the body is too large.
async fn read_file(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_IMAGE_BYTES + FRAMING_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    let not_multipart =
        || ApiError::invalid("file", "send the image as multipart/form-data field `file`");
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut file: Option<web::BytesMut> = None;
    let mut other_bytes = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| not_multipart())?;
        let is_file = field.name() == Some("file");
        if is_file && file.is_some() {
            return Err(ApiError::invalid("file", "send one file"));
        }
        let mut buf = web::BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| not_multipart())?;
            if is_file {
                if buf.len() + chunk.len() > MAX_IMAGE_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                buf.extend_from_slice(&chunk);
            } else {
                other_bytes += chunk.len();
                if other_bytes > FRAMING_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
            }
        }
        if is_file {
            file = Some(buf);
        }
    }
    file.map(web::BytesMut::freeze)
        .ok_or_else(|| ApiError::invalid("file", "is missing"))
}

/// `POST /admin/images` (multipart field `file`: PNG, JPEG or WebP by
/// content, at most 2 MiB) -> `{status, url}`
pub async fn upload_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: OwnerUser,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Refuse before reading megabytes from someone who may not upload.
    owner.0.require(Permission::EditCatalogue)?;
    let bytes = read_file(&req, payload).await?;
    let image = CleanImage::from_upload(bytes).map_err(|e| ApiError::invalid("file", e))?;
    let name = state.owners.store_image(&owner.0, &image).await?;
    Ok(HttpResponse::Ok().json(ImageReply {
        status: OK,
        url: format!("/media/{name}"),
    }))
}
