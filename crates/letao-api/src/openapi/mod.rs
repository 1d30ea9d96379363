//! The OpenAPI 3.1 document of every route, generated from the handlers'
//! `#[utoipa::path]` attributes and the request and reply types' derives;
//! served at `GET /openapi.json` and shown by `GET /docs`.
//!
//! Paths are written in the SPEC's case (`/oneCategory`); the server lowers
//! paths before routing, so any case works. The compatibility aliases
//! (`/users/register`, `/users/login`, `/sendsms`, `/admin/`) are copies of
//! the routes they stand for.

pub mod errors;
pub(crate) mod params;
pub mod schemas;

use crate::replies::V3Failure;
use crate::routes;
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr, Response};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};

/// Routes served by the same handler under a second path, for the
/// original server's clients: (alias, route).
pub const ALIASES: [(&str, &str); 4] = [
    ("/users/register", "/register"),
    ("/users/login", "/login"),
    ("/sendsms", "/sms"),
    ("/admin/", "/admin"),
];

/// The document's derive: every handler's path, the shared error replies.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Letao shop API",
        description = "The shoe shop's HTTP API (SPEC §4, §4.1, §8). Every JSON reply carries \
            `status` (200, or an error code); errors are `{status, msg}` with a real HTTP status. \
            Request bodies are JSON or, where listed, `application/x-www-form-urlencoded` (64 KiB at \
            most); unknown body fields are ignored except on the owner's catalogue routes. Paths match \
            case-insensitively. Prices (`price`, `oldPrice`) are yuan as JSON numbers with two \
            decimals (`399.00`); `total_fee`, `refund_fee`, `unit_fee` and `refunded_fee` are \
            integer fen. Every GET route also answers HEAD; a method a path does not take is 405 \
            with `Allow`; an unknown path is 404. Files under `static/` (`/images/…`, `/shop/…`, \
            `/console/…`) and uploads under `/media/…` are served as they are.",
        version = env!("CARGO_PKG_VERSION"),
    ),
    paths(
        routes::pages::storefront, routes::pages::console,
        routes::health::health, routes::health::ready, routes::metrics::metrics,
        routes::docs::openapi_json, routes::docs::page, routes::docs::asset,
        routes::catalogue::gridlist, routes::catalogue::banners, routes::catalogue::sports,
        routes::catalogue::one_category, routes::catalogue::two_category,
        routes::products::list, routes::products::detail,
        routes::search::search, routes::search::suggest,
        routes::accounts::sms, routes::accounts::register, routes::accounts::login,
        routes::accounts::me,
        routes::addresses::list, routes::addresses::create, routes::addresses::update,
        routes::addresses::delete,
        routes::orders::create, routes::orders::query, routes::orders::close,
        routes::orders::list, routes::orders::set_address, routes::orders::receive,
        routes::orders::refund,
        routes::phone_pay::pay, routes::phone_pay::oauth_start, routes::phone_pay::oauth_callback,
        routes::admin_orders::list, routes::admin_orders::detail, routes::admin_orders::ship,
        routes::exports::orders, routes::exports::products,
        routes::admin_orders::audit, routes::admin_orders::reconciliation,
        routes::admin_catalogue::create_category, routes::admin_catalogue::update_category,
        routes::admin_catalogue::delete_category,
        routes::admin_catalogue::create_brand, routes::admin_catalogue::update_brand,
        routes::admin_catalogue::delete_brand,
        routes::admin_catalogue::list_products, routes::admin_catalogue::create_product,
        routes::admin_catalogue::update_product, routes::admin_catalogue::hide_product,
        routes::cart::show, routes::cart::set_line, routes::cart::clear, routes::cart::merge,
        routes::admin_catalogue::stock::admin_product, routes::admin_catalogue::stock::set_skus,
        routes::admin_catalogue::stock::adjust_stock, routes::admin_catalogue::stock::low_stock,
        routes::admin_catalogue::home_items::list_home_items, routes::admin_catalogue::home_items::create_home_item,
        routes::admin_catalogue::home_items::update_home_item, routes::admin_catalogue::home_items::delete_home_item,
        routes::admin_catalogue::images::upload_image,
        routes::orders::pay_notify, routes::orders::refund_notify,
        routes::orders::pay_notify_v3, routes::orders::refund_notify_v3,
    ),
    components(responses(
        errors::InvalidInput, errors::InvalidInputOrCode, errors::Unauthorized,
        errors::LoginFailed, errors::Forbidden, errors::NotFound, errors::OrderNotFound,
        errors::OrderOrObjectNotFound, errors::Taken, errors::OrderState, errors::OrderStateOrOpenid, errors::Conflict,
        errors::PayloadTooLarge, errors::TooMany, errors::SmsProvider, errors::PaymentProvider,
        errors::Unavailable,
    )),
    modifiers(&Finish),
    tags(
        (name = "catalogue", description = "Home page lists, categories, brands and products."),
        (name = "accounts", description = "SMS codes, registration, login."),
        (name = "addresses", description = "The buyer's address book (token)."),
        (name = "cart", description = "The buyer's cart on the server, by SKU (token)."),
        (name = "orders", description = "The buyer's orders and their WeChat Pay payments: Native (QR code), JSAPI (inside WeChat, after OAuth) and H5 (token)."),
        (name = "owner orders", description = "Orders, refunds, audit log and reconciliation for the shop's owners (staff or admin)."),
        (name = "owner catalogue", description = "The owner's catalogue (admin); JSON bodies, unknown fields refused."),
        (name = "payments", description = "WeChat Pay's notifications (API v2 XML, API v3 JSON)."),
        (name = "pages", description = "The storefront and the owner console."),
        (name = "probes", description = "Liveness and readiness."),
        (name = "docs", description = "This document and its page."),
    ),
)]
pub struct ApiDoc;

/// The finishing touches the derive cannot express: the bearer scheme and
/// the alias routes.
struct Finish;

impl Modify for Finish {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `token` of `POST /login` (HS256, 36 h); the role is read per request.",
                    ))
                    .build(),
            ),
        );
        for (alias, route) in ALIASES {
            let Some(mut item) = doc.paths.paths.get(route).cloned() else {
                continue;
            };
            for op in operations(&mut item) {
                op.operation_id = op.operation_id.as_ref().map(|id| format!("{id}_alias"));
                op.summary = Some(format!("Alias of {route} (the original server's path)"));
            }
            doc.paths.paths.insert(alias.to_owned(), item);
        }
    }
}

/// The operations of a path item.
pub(crate) fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The whole document.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The whole document as JSON, as `/openapi.json` serves it.
///
/// utoipa 5 writes a link's fields in snake case (`operation_id`,
/// `request_body`), which no OpenAPI tool reads, so they are renamed to
/// the specification's `operationId`, `operationRef` and `requestBody`.
pub fn document_json() -> Result<serde_json::Value, serde_json::Error> {
    let mut doc = serde_json::to_value(document())?;
    let links = doc
        .get_mut("paths")
        .and_then(|p| p.as_object_mut())
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|reply| reply.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (snake, camel) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.to_owned(), value);
            }
        }
    }
    Ok(doc)
}

/// The body of `POST /admin/images`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// PNG, JPEG or WebP (by content), at most 2 MiB; EXIF, XMP and text
    /// metadata are removed without re-encoding.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// A WeChat Pay API v3 notification (its `resource` is AEAD_AES_256_GCM
/// ciphertext under the APIv3 key).
#[derive(ToSchema)]
#[schema(example = json!({"id": "EV-2018022511223320873", "create_time": "2026-11-30T10:00:00+08:00",
    "event_type": "TRANSACTION.SUCCESS", "resource_type": "encrypt-resource",
    "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": "…", "nonce": "…", "associated_data": "transaction"}}))]
#[allow(dead_code)]
pub struct V3Notification {
    /// The notification's id.
    pub id: Option<String>,
    /// When WeChat made it.
    pub create_time: Option<String>,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, ...
    pub event_type: Option<String>,
    /// `encrypt-resource`.
    pub resource_type: Option<String>,
    /// `{algorithm, ciphertext, nonce, associated_data}`.
    #[schema(value_type = Option<Object>)]
    pub resource: Option<serde_json::Value>,
}

/// A reconciliation difference (`letao_shop::reconcile::Difference` on the wire).
#[derive(ToSchema)]
#[schema(as = Difference)]
#[allow(dead_code)]
pub struct DifferenceDoc {
    /// What does not match.
    #[schema(schema_with = schemas::difference_kind)]
    pub kind: String,
    /// The order.
    pub out_trade_no: String,
    /// WeChat's transaction id, when known.
    #[schema(required = false)]
    pub transaction_id: Option<String>,
    /// The shop's amount, fen.
    #[schema(required = false)]
    pub ours: Option<i64>,
    /// WeChat's amount, fen.
    #[schema(required = false)]
    pub wechat: Option<i64>,
}

/// The replies to an API v2 notification: always HTTP 200 with WeChat's XML.
pub struct V2NotifyReplies;

impl IntoResponses for V2NotifyReplies {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let xml = ContentBuilder::new()
            .schema(Some(String::schema()))
            .examples_from_iter([
                (
                    "received",
                    utoipa::openapi::example::ExampleBuilder::new()
                        .summary("stored (or a duplicate)")
                        .value(Some(json!(
                            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
                        ))),
                ),
                (
                    "refused",
                    utoipa::openapi::example::ExampleBuilder::new()
                        .summary("not verified, not ours, or not stored: WeChat sends it again")
                        .value(Some(json!(
                            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[invalid notification]]></return_msg></xml>"
                        ))),
                ),
            ])
            .build();
        let ok = ResponseBuilder::new()
            .description(
                "WeChat's XML: `SUCCESS` once the change is stored (duplicates too), `FAIL` for \
                 anything unverifiable (signature over every field, appid, mch_id, order, amount) \
                 or not stored; WeChat retries a FAIL for 24 h.",
            )
            .content("text/xml", xml)
            .build();
        BTreeMap::from([("200".to_owned(), RefOr::T(ok))])
    }
}

/// The replies to an API v3 notification.
pub struct V3NotifyReplies;

impl IntoResponses for V3NotifyReplies {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let failure = |description: &str, message: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(V3Failure::schema()))
                            .example(Some(json!({"code": "FAIL", "message": message})))
                            .build(),
                    )
                    .build(),
            )
        };
        BTreeMap::from([
            (
                "204".to_owned(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description("Received: verified, decrypted, checked against the order and stored (or a duplicate).")
                        .build(),
                ),
            ),
            (
                "400".to_owned(),
                failure(
                    "The message is at fault: bad or stale signature, probe, undecryptable, or not matching the order.",
                    "invalid notification",
                ),
            ),
            (
                "500".to_owned(),
                failure(
                    "The shop is at fault (it could not check or store it now): WeChat sends it again.",
                    "not stored",
                ),
            ),
        ])
    }
}
