//! The buyer's address book: `/addresses`.

use crate::auth::AuthUser;
use crate::input::{Input, validation_error};
use crate::replies::{AddressReply, AddressView, AddressesReply, MsgReply, OK};
use crate::{ApiError, AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use garde::Validate;
use letao_domain::{DeliveryAddress, Mobile};
use serde::Deserialize;

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
#[derive(Deserialize, Validate)]
pub struct AddressInput {
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    name: String,
    #[garde(custom(mainland_mobile))]
    mobile: String,
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    province: String,
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    city: String,
    #[garde(length(chars, min = 1, max = 20), custom(plain_text))]
    district: String,
    #[garde(length(chars, min = 1, max = 120), custom(plain_text))]
    detail: String,
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
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let addresses = state.addresses.list(user.id).await?;
    Ok(HttpResponse::Ok().json(AddressesReply {
        status: OK,
        addresses: addresses.iter().map(AddressView::from).collect(),
    }))
}

/// `POST /addresses {name, mobile, province, city, district, detail, isDefault?}`
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
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let id = address_id(&req)?;
    state.addresses.delete(user.id, id).await?;
    Ok(HttpResponse::Ok().json(MsgReply::ok("已删除 (deleted)")))
}
