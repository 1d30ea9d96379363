//! Paying on the phone: `POST /orders/{out_trade_no}/pay`, and the OAuth
//! round trip that learns the buyer's openid for JSAPI
//! (`POST /wechat/oauth/start`, `GET /wechat/oauth/callback`).

use crate::auth::AuthUser;
use crate::client_ip::ClientIp;
use crate::input::Input;
use crate::middleware::path_param;
use crate::openapi::errors as e;
use crate::query::Query;
use crate::replies::{DataReply, PlacedData};
use crate::routes::orders::order_no;
use crate::{ApiError, AppState};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieAge};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use letao_shop::orders::{PayWith, TradeType};
use letao_shop::wechat_oauth::{OAuthStart, STATE_TTL, check_next};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The cookie holding the OAuth round trip's nonce.
pub(crate) const OAUTH_COOKIE: &str = "letao_oauth";
/// The path the cookie is sent to (the callback only).
const OAUTH_PATH: &str = "/wechat/oauth";

/// The body of `POST /orders/{out_trade_no}/pay`.
#[derive(Deserialize, ToSchema)]
pub struct PayInput {
    /// `NATIVE` (default), `JSAPI` or `H5`.
    #[serde(rename = "tradeType")]
    #[schema(example = "JSAPI")]
    trade_type: Option<String>,
    /// JSAPI: where the OAuth round trip returns when the buyer's openid
    /// is not known yet (a path on this site; default `/`).
    #[schema(max_length = 512, example = "/")]
    next: Option<String>,
}

/// `data` of a 409/1062: where to send the browser for the openid.
#[derive(Serialize)]
pub struct OAuthUrl<'a> {
    /// WeChat's authorize URL.
    #[serde(rename = "oauthUrl")]
    pub oauth_url: &'a str,
}

/// `{status: 1062, msg, data: {oauthUrl}}` (documented as
/// `OrderStateOrOpenid`).
#[derive(Serialize)]
pub struct NeedsOpenid<'a> {
    /// The OAuth URL.
    pub data: OAuthUrl<'a>,
    /// Human-readable.
    pub msg: &'static str,
    /// Always 1062.
    pub status: u16,
}

/// The nonce cookie of a round trip: HttpOnly, SameSite=Lax (sent on
/// WeChat's top-level redirect back, not on other sites' requests), for
/// the callback's path only, as long as the state lives.
fn nonce_cookie(state: &AppState, nonce: &str) -> Cookie<'static> {
    Cookie::build(OAUTH_COOKIE, nonce.to_owned())
        .path(OAUTH_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.wechat.secure_cookie())
        .max_age(CookieAge::seconds(STATE_TTL.num_seconds()))
        .finish()
}

/// 409/1062 with the OAuth URL and the cookie that goes with it.
fn needs_openid(state: &AppState, start: &OAuthStart) -> HttpResponse {
    HttpResponse::Conflict()
        .cookie(nonce_cookie(state, &start.nonce))
        .json(NeedsOpenid {
            data: OAuthUrl {
                oauth_url: &start.url,
            },
            msg: "JSAPI needs the buyer's openid first: open oauthUrl",
            status: 1062,
        })
}

/// How the buyer pays, from the request's `tradeType` (and `next`); for
/// JSAPI without a known openid, the 409/1062 reply to send instead.
pub(crate) async fn pay_with(
    state: &AppState,
    user: AuthUser,
    trade_type: Option<&str>,
    next: Option<&str>,
) -> Result<Result<PayWith, HttpResponse>, ApiError> {
    let trade_type = match trade_type {
        None => TradeType::Native,
        Some(t) => TradeType::parse(t)
            .ok_or_else(|| ApiError::invalid("tradeType", "must be NATIVE, JSAPI or H5"))?,
    };
    let next = next.unwrap_or("/");
    check_next(next).map_err(|msg| ApiError::invalid("next", msg))?;
    Ok(Ok(match trade_type {
        TradeType::Native => PayWith::Native,
        TradeType::H5 => PayWith::H5,
        TradeType::Jsapi => match state.wechat.openid(user.id).await? {
            Some(openid) => PayWith::Jsapi { openid },
            None => {
                let start = state.wechat.start(user.id, next).await?;
                return Ok(Err(needs_openid(state, &start)));
            }
        },
    }))
}

/// `POST /orders/{out_trade_no}/pay {tradeType, next?}`: the order opened
/// again at WeChat, the way it was placed.
#[utoipa::path(post, path = "/orders/{out_trade_no}/pay", tag = "orders", operation_id = "pay_order", security(("bearer" = [])),
    params(crate::openapi::params::OrderNoPath),
    request_body(content((PayInput = "application/json"))),
    responses((status = 200, description = "What the page needs to pay: the QR code (NATIVE), WeChat's cashier URL (H5) or the signed JSAPI parameters.", body = DataReply<PlacedData>),
        (status = 400, response = e::InvalidInput), (status = 404, response = e::OrderNotFound),
        (status = 409, response = e::OrderStateOrOpenid),
        (status = 413, response = e::PayloadTooLarge),
        (status = 502, response = e::PaymentProvider), (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn pay(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    Input(input): Input<PayInput>,
) -> Result<HttpResponse, ApiError> {
    let no = path_param(&req, "out_trade_no").unwrap_or_default();
    let no = order_no(&no)?;
    let with = match pay_with(
        &state,
        user,
        input.trade_type.as_deref(),
        input.next.as_deref(),
    )
    .await?
    {
        Ok(with) => with,
        Err(reply) => return Ok(reply),
    };
    let placed = state.orders.pay(user.id, no, ip.0, with).await?;
    Ok(HttpResponse::Ok().json(DataReply::ok(PlacedData::new(&placed, None))))
}

/// The body of `POST /wechat/oauth/start`.
#[derive(Deserialize, ToSchema)]
pub struct OAuthStartInput {
    /// Where to return: a path on this site (one leading `/` not followed
    /// by `/` or `\`), at most 512 bytes.
    #[schema(max_length = 512, example = "/")]
    next: Option<String>,
}

/// `data` of `POST /wechat/oauth/start`.
#[derive(Serialize, ToSchema)]
pub struct OAuthStartData<'a> {
    /// WeChat's authorize URL to send the browser to.
    pub url: &'a str,
}

/// `POST /wechat/oauth/start {next}`: begins the silent OAuth that learns
/// the buyer's openid (for JSAPI).
#[utoipa::path(post, path = "/wechat/oauth/start", tag = "orders", operation_id = "oauth_start", security(("bearer" = [])),
    request_body(content((OAuthStartInput = "application/json"))),
    responses((status = 200, description = "The authorize URL; the reply sets the round trip's HttpOnly nonce cookie.", body = DataReply<OAuthStartData>),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge),
        (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn oauth_start(
    state: web::Data<AppState>,
    user: AuthUser,
    Input(input): Input<OAuthStartInput>,
) -> Result<HttpResponse, ApiError> {
    let start = state
        .wechat
        .start(user.id, input.next.as_deref().unwrap_or("/"))
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(nonce_cookie(&state, &start.nonce))
        .json(DataReply::ok(OAuthStartData { url: &start.url })))
}

/// `GET /wechat/oauth/callback?code=&state=`: WeChat's redirect back; the
/// state names the buyer, the cookie proves it is their browser.
#[utoipa::path(get, path = "/wechat/oauth/callback", tag = "orders", operation_id = "oauth_callback",
    params(("code" = String, Query, description = "WeChat's code (single-use, 5 minutes)."),
        ("state" = String, Query, description = "The state `start` made (1 to 128 of a-zA-Z0-9).")),
    responses((status = 302, description = "The openid is kept; on to `next`."),
        (status = 400, response = e::InvalidInput),
        (status = 502, response = e::PaymentProvider), (status = 503, response = e::Unavailable)))]
pub async fn oauth_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = Query::from_request(&req)?;
    let code = query.raw("code").unwrap_or_default();
    let oauth_state = query.raw("state").unwrap_or_default();
    if code.is_empty() {
        return Err(ApiError::invalid("code", "is required"));
    }
    let cookie = req.cookie(OAUTH_COOKIE);
    let next = state
        .wechat
        .callback(code, oauth_state, cookie.as_ref().map(Cookie::value))
        .await?;
    // The cookie has done its work.
    let mut gone = nonce_cookie(&state, "");
    gone.make_removal();
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, next))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(gone)
        .finish())
}
