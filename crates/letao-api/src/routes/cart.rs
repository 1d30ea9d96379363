//! The buyer's cart on the server: `/cart` (docs/stock.md).

use crate::auth::AuthUser;
use crate::input::Input;
use crate::openapi::errors as e;
use crate::replies::{MsgReply, OK};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use letao_domain::money::serialize_as_yuan;
use letao_domain::{Fen, Id, Sku};
use letao_shop::carts::{CartItem, CartView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A cart line as the buyer sees it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"skuId": 3, "productId": 1, "name": "Nike Air Zoom Pegasus 跑步鞋", "img": "/images/product3.svg", "size": "42", "colour": null, "price": 399.00, "quantity": 1, "stock": 30, "available": true}))]
pub struct CartLineView<'a> {
    #[serde(rename = "skuId")]
    pub sku_id: i32,
    #[serde(rename = "productId")]
    pub product_id: i32,
    pub name: &'a str,
    pub img: &'a str,
    pub size: &'a str,
    pub colour: Option<&'a str>,
    /// The SKU's price now, in yuan.
    #[serde(serialize_with = "serialize_as_yuan")]
    #[schema(schema_with = crate::openapi::schemas::yuan)]
    pub price: Fen,
    pub quantity: i32,
    /// What can be bought now.
    pub stock: i32,
    /// False for a SKU gone, no longer sold, or short of stock: shown, not dropped.
    pub available: bool,
}

impl<'a> From<&'a CartItem> for CartLineView<'a> {
    fn from(i: &'a CartItem) -> Self {
        let l = &i.line;
        CartLineView {
            sku_id: l.sku.id.get(),
            product_id: l.sku.product_id.get(),
            name: &l.name,
            img: &l.img,
            size: &l.sku.size,
            colour: l.sku.colour.as_deref(),
            price: l.unit,
            quantity: l.quantity,
            stock: l.sku.stock,
            available: i.available,
        }
    }
}

/// `cart` of the cart replies.
#[derive(Serialize, ToSchema)]
pub struct CartBody<'a> {
    /// Oldest first.
    pub lines: Vec<CartLineView<'a>>,
    /// What the available lines cost, in fen.
    #[schema(minimum = 0, example = 39900, format = Int64)]
    pub total_fee: i64,
}

/// `GET /cart`, `PUT /cart/lines/{skuId}`, `POST /cart/merge`.
#[derive(Serialize, ToSchema)]
pub struct CartReply<'a> {
    /// Always 200.
    pub status: u16,
    pub cart: CartBody<'a>,
    /// The SKUs a merge skipped (unknown, no longer sold, or past 50 lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Vec<i32>>,
}

fn reply(view: &CartView, skipped: Option<Vec<i32>>) -> HttpResponse {
    HttpResponse::Ok().json(CartReply {
        status: OK,
        cart: CartBody {
            lines: view.items.iter().map(CartLineView::from).collect(),
            total_fee: view.total.get(),
        },
        skipped,
    })
}

/// `GET /cart`
#[utoipa::path(get, path = "/cart", tag = "cart", operation_id = "cart", security(("bearer" = [])),
    responses((status = 200, description = "The buyer's cart, each line with whether it can be ordered now.", body = CartReply),
        (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn show(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    Ok(reply(&state.carts.view(user.id).await?, None))
}

/// The body of `PUT /cart/lines/{skuId}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quantity": 2}))]
pub struct CartLineInput {
    /// 0 to 99; 0 removes the line.
    #[schema(minimum = 0, maximum = 99, example = 2)]
    quantity: i64,
}

/// `PUT /cart/lines/{skuId} {quantity}`
#[utoipa::path(put, path = "/cart/lines/{skuId}", tag = "cart", operation_id = "set_cart_line", security(("bearer" = [])),
    params(("skuId" = u32, Path, description = "A SKU on sale.", minimum = 1, maximum = 2147483647)),
    request_body(content((CartLineInput = "application/json"))),
    responses((status = 200, description = "The cart after.", body = CartReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn set_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<CartLineInput>,
) -> Result<HttpResponse, ApiError> {
    let raw = req.match_info().get("skuId").unwrap_or_default();
    let sku: Id<Sku> = raw.parse().map_err(|e| ApiError::invalid("skuId", e))?;
    let view = state.carts.set(user.id, sku, input.quantity).await?;
    Ok(reply(&view, None))
}

/// `DELETE /cart`
#[utoipa::path(delete, path = "/cart", tag = "cart", operation_id = "clear_cart", security(("bearer" = [])),
    responses((status = 200, description = "Emptied.", body = MsgReply),
        (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn clear(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    state.carts.clear(user.id).await?;
    Ok(HttpResponse::Ok().json(MsgReply::ok("已清空 (emptied)")))
}

/// One line of the device's cart.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeLineInput {
    #[serde(rename = "skuId")]
    #[schema(minimum = 1, maximum = 2147483647, example = 3)]
    sku_id: i64,
    /// At least 1; more than 99 in all is cut to 99.
    #[schema(minimum = 1, example = 1)]
    quantity: i64,
}

/// The body of `POST /cart/merge`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [{"skuId": 3, "quantity": 1}]}))]
pub struct MergeInput {
    /// At most 100 lines.
    #[schema(max_items = 100)]
    lines: Vec<MergeLineInput>,
}

/// `POST /cart/merge {lines:[{skuId, quantity}]}`: the device's cart at sign-in.
#[utoipa::path(post, path = "/cart/merge", tag = "cart", operation_id = "merge_cart", security(("bearer" = [])),
    request_body(content((MergeInput = "application/json"))),
    responses((status = 200, description = "The cart after, and the SKUs skipped.", body = CartReply),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn merge(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<MergeInput>,
) -> Result<HttpResponse, ApiError> {
    let lines: Vec<(i64, i64)> = input.lines.iter().map(|l| (l.sku_id, l.quantity)).collect();
    let (view, skipped) = state.carts.merge(user.id, &lines).await?;
    Ok(reply(&view, Some(skipped)))
}
