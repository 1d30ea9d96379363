//! Bearer tokens: the middleware that checks them on protected routes, and
//! the extractors handlers use to get the user.

use crate::{ApiError, AppState};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use letao_shop::Owner;
use std::future::{Ready, ready};

/// The user a valid access token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    /// User id (the token's subject).
    pub id: i32,
}

fn bearer(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Middleware for protected routes: 401 unless the request carries a valid
/// `Authorization: Bearer <token>`; otherwise the [`AuthUser`] is stored for
/// the handler.
pub async fn require_user(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match authenticate(&req) {
        Ok(user) => {
            req.extensions_mut().insert(user);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(err) => Ok(req.error_response(err).map_into_right_body()),
    }
}

fn authenticate(req: &ServiceRequest) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let token = bearer(req).ok_or(ApiError::Unauthorized)?;
    let now = state.accounts.clock().now();
    let id = state
        .accounts
        .tokens()
        .verify(token, now)
        .map_err(|_| ApiError::Unauthorized)?;
    let id = i32::try_from(id).map_err(|_| ApiError::Unauthorized)?;
    Ok(AuthUser { id })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Present on every route wrapped by `require_user`; a route that
        // forgot the middleware fails closed.
        ready(
            req.extensions()
                .get::<AuthUser>()
                .copied()
                .ok_or(ApiError::Unauthorized),
        )
    }
}

/// A user with an owner role (`admin` or `staff`), read from the database
/// on every request, so a revoked role ends at once. What the role allows
/// is checked by the use case (`Owner::require`): 403 otherwise.
#[derive(Debug, Clone)]
pub struct OwnerUser(pub Owner);

impl FromRequest for OwnerUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let user = user?;
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            // 401 when the user is gone, 403 without a role.
            Ok(OwnerUser(state.accounts.owner(user.id).await?))
        })
    }
}
