//! The error replies of SPEC §4 as reusable response components: the one
//! shape `{status, msg}` with the body codes each HTTP status can carry
//! (see `ApiError::code` and its `ResponseError` impl), and the headers
//! that come with them.

use serde_json::json;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Response};

/// `{status, msg}` with `status` one of `codes`.
fn error_response(description: &str, codes: &[u16], msg: &str) -> ResponseBuilder {
    let schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "status",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some(codes.iter().copied()))
                .description(Some("The error code of SPEC §4.")),
        )
        .required("status")
        .property(
            "msg",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "Human-readable (Chinese or English); never internals.",
                )),
        )
        .required("msg");
    let example = json!({ "status": codes.first().copied().unwrap_or_default(), "msg": msg });
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(schema))
            .example(Some(example))
            .build(),
    )
}

/// A header of an error reply.
fn header(kind: Type, description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(kind))
        .description(Some(description))
        .build()
}

fn retry_after() -> utoipa::openapi::header::Header {
    header(Type::Integer, "Seconds to wait before trying again.")
}

macro_rules! error_responses {
    ($($(#[$doc:meta])* $name:ident = ($desc:literal, [$($code:literal),+], $msg:literal) $(+ $header:literal: $value:expr)*;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    let reply = error_response($desc, &[$($code),+], $msg)
                        $(.header($header, $value))*;
                    (stringify!($name), RefOr::T(reply.build()))
                }
            }
        )+
    };
}

error_responses! {
    /// 400/1010.
    InvalidInput = ("Invalid input (1010): `msg` names the field.", [1010], "invalid mobile: must be a mainland mobile number");
    /// 400/1010 or 1020.
    InvalidInputOrCode = ("Invalid input (1010, `msg` names the field), or the SMS code is wrong, expired or used up (1020).", [1010, 1020], "SMS code is wrong, expired or used up");
    /// 401/401.
    Unauthorized = ("Missing, malformed or expired token (401).", [401], "missing, malformed or expired token")
        + "WWW-Authenticate": header(Type::String, "`Bearer`.");
    /// 401/1040.
    LoginFailed = ("Login failed (1040): the same reply whether the user exists or not.", [1040], "login failed");
    /// 403/403.
    Forbidden = ("Authenticated, but the caller's role may not do this (403).", [403], "not allowed");
    /// 404/404.
    NotFound = ("No such object, or not the caller's (404).", [404], "no such address");
    /// 404/1060.
    OrderNotFound = ("Order not found, or not the caller's (1060).", [1060], "order not found");
    /// 404/404 or 1060.
    OrderOrObjectNotFound = ("Order not found or not the caller's (1060), or another object named by the body (404).", [1060, 404], "order not found");
    /// 409/1000.
    Taken = ("Username or mobile already registered (1000).", [1000], "该用户已注册 (username already registered)");
    /// 409/1061 or 409.
    OrderState = ("The order cannot do that in its state (1061), or the change conflicts with what is stored (409).", [1061, 409], "order is not payable in state SUCCESS");
    /// 409/1061, 409 or 1062.
    OrderStateOrOpenid = ("The order cannot do that in its state (1061, 409), or JSAPI needs the buyer's openid first (1062): `data.oauthUrl` is WeChat's authorize URL, and the reply sets the round trip's HttpOnly nonce cookie.", [1061, 409, 1062], "JSAPI needs the buyer's openid first: open oauthUrl");
    /// 409/409.
    Conflict = ("The change conflicts with what is stored (409), e.g. a category that still has brands.", [409], "category has brands");
    /// 413/1010.
    PayloadTooLarge = ("The body is larger than this route accepts (1010).", [1010], "request body too large");
    /// 429/1030.
    TooMany = ("Too many requests (1030); `Retry-After` says when to try again.", [1030], "too many requests, try again later")
        + "Retry-After": retry_after();
    /// 502/1045.
    SmsProvider = ("The SMS provider failed (1045); the code was withdrawn and the limits given back.", [1045], "the SMS could not be sent, try again later");
    /// 502/1050.
    PaymentProvider = ("WeChat Pay refused or failed (1050); `msg` is its `err_code_des`.", [1050], "SYSTEMERROR");
    /// 503/503.
    Unavailable = ("The database is unavailable (503); retry later.", [503], "service temporarily unavailable")
        + "Retry-After": retry_after();
}
