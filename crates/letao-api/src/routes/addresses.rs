//! The buyer's address book: `/addresses`.

use crate::auth::AuthUser;
use crate::input::{Input, validation_error};
use crate::openapi::errors as e;
use crate::replies::{AddressReply, AddressView, AddressesReply, MsgReply, OK};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use garde::Validate;
use letao_domain::{DeliveryAddress, Mobile};
use serde::Deserialize;
use utoipa::ToSchema;

fn plain_text(value: &str, _: &()) -> garde::Result {
    if value.chars().any(char::is_control) || value.trim().is_empty() {
        Err(garde::Error::new("must be text without control characters"))
    } else {
        Ok(())
    }
}

fn mainland_mobile(value: &str, _: &()) -> garde::Result {
    value
        .trim()
        .parse::<Mobile>()
        .map(|_| ())
        .map_err(|e| garde::Error::new(e.to_string()))
}

/// The body of `POST /addresses` and `PUT /addresses/{id}`.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"name": "张三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号", "isDefault": true}))]
pub struct AddressInput {
    /// Recipient: 1 to 20 characters, not blank, no control characters.
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    #[schema(min_length = 1, max_length = 20, example = "张三")]
    name: String,
    /// Recipient's mainland mobile.
    #[garde(custom(mainland_mobile))]
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$", example = "13800138000")]
    mobile: String,
    /// 1 to 20 characters.
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    #[schema(min_length = 1, max_length = 20, example = "浙江省")]
    province: String,
    /// 1 to 20 characters.
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    #[schema(min_length = 1, max_length = 20, example = "杭州市")]
    city: String,
    /// 1 to 20 characters.
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    #[schema(min_length = 1, max_length = 20, example = "西湖区")]
    district: String,
    /// Street and number: 1 to 120 characters.
    #[garde(length(chars, min = 1, max = 120), custom(plain_text))]
    #[schema(min_length = 1, max_length = 120, example = "文三路 1 号")]
    detail: String,
    /// Make it the default (the first address always is).
    #[garde(skip)]
    #[serde(rename = "isDefault", default)]
    is_default: bool,
}

impl AddressInput {
    /// The checked address, or 400/1010 naming the field.
    fn address(&self) -> Result<DeliveryAddress, ApiError> {
        self.validate().map_err(validation_error)?;
        DeliveryAddress::new(
            &self.name,
            &self.mobile,
            &self.province,
            &self.city,
            &self.district,
            &self.detail,
        )
        .map_err(|e| match e {
            letao_domain::AddressError::Field { field, .. } => ApiError::invalid(field, e),
            letao_domain::AddressError::Mobile => ApiError::invalid("mobile", e),
        })
    }
}

/// The `{id}` of the path (another user's or a malformed id is 404).
fn address_id(req: &HttpRequest) -> Result<i32, ApiError> {
    req.match_info()
        .get("id")
        .unwrap_or_default()
        .parse::<letao_domain::Id<DeliveryAddress>>()
        .map(letao_domain::Id::get)
        .map_err(|e| ApiError::invalid("id", e))
}

/// `GET /addresses`
#[utoipa::path(get, path = "/addresses", tag = "addresses", operation_id = "list_addresses", security(("bearer" = [])),
    responses((status = 200, description = "The caller's addresses, oldest first.", body = AddressesReply), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let addresses = state.addresses.list(user.id).await?;
    Ok(HttpResponse::Ok().json(AddressesReply {
        status: OK,
        addresses: addresses.iter().map(AddressView::from).collect(),
    }))
}

/// `POST /addresses {name, mobile, province, city, district, detail, isDefault?}`
#[utoipa::path(post, path = "/addresses", tag = "addresses", operation_id = "create_address", security(("bearer" = [])), request_body(content((AddressInput = "application/json"), (AddressInput = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The stored address (the first one is the default).", body = AddressReply,
            links(("UpdateAddress" = (operation_id = "update_address", parameters(("id" = "$response.body#/address/id")))),
                  ("DeleteAddress" = (operation_id = "delete_address", parameters(("id" = "$response.body#/address/id")))))),
        (status = 400, response = e::InvalidInput), (status = 409, response = e::Conflict),
        (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    let address = input.address()?;
    let stored = state
        .addresses
        .add(user.id, &address, input.is_default)
        .await?;
    Ok(HttpResponse::Ok().json(AddressReply {
        status: OK,
        address: AddressView::from(&stored),
    }))
}

/// `PUT /addresses/{id}` (same body)
#[utoipa::path(put, path = "/addresses/{id}", tag = "addresses", operation_id = "update_address", security(("bearer" = [])), request_body(content((AddressInput = "application/json"), (AddressInput = "application/x-www-form-urlencoded"))),
    params(crate::openapi::params::IdPath),
    responses((status = 200, description = "The stored address.", body = AddressReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound),
        (status = 413, response = e::PayloadTooLarge), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    let id = address_id(&req)?;
    let address = input.address()?;
    let stored = state
        .addresses
        .update(user.id, id, &address, input.is_default)
        .await?;
    Ok(HttpResponse::Ok().json(AddressReply {
        status: OK,
        address: AddressView::from(&stored),
    }))
}

/// `DELETE /addresses/{id}`
#[utoipa::path(delete, path = "/addresses/{id}", tag = "addresses", operation_id = "delete_address", security(("bearer" = [])),
    params(crate::openapi::params::IdPath),
    responses((status = 200, description = "Deleted (the newest remaining one becomes the default).", body = MsgReply),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::NotFound), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let id = address_id(&req)?;
    state.addresses.delete(user.id, id).await?;
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}
