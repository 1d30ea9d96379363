//! The actix application: routes, middleware, state.

use crate::AppState;
use crate::auth::require_user;
use crate::middleware::{lowercase_path, request_span};
use crate::registry::{record, resource};
use crate::routes::{
    self, accounts, addresses, admin_catalogue, admin_orders, cart, catalogue, exports, fallback,
    health, orders, pages, phone_pay, products, read,
};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, Error, web};

/// A read-only resource at `path`: other methods get a JSON 405.
fn get_resource<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    record(path, &["GET"]);
    web::resource(path)
        .route(read().to(handler))
        .default_service(web::to(routes::get_only))
}

/// A resource at `path` that takes POST only.
fn post_resource<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    record(path, &["POST"]);
    web::resource(path)
        .route(web::post().to(handler))
        .default_service(web::to(routes::post_only))
}

/// The whole application for one worker. Paths are lower-cased before
/// routing, so every route below is written in lower case.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let cors = Condition::new(state.cors.enabled(), state.cors.middleware());
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(crate::input::MAX_BODY_BYTES))
        .wrap(from_fn(lowercase_path))
        // Outside the router: a preflight is answered before routing.
        .wrap(cors)
        .wrap(from_fn(request_span))
        .service(get_resource("/", pages::storefront))
        .service(get_resource("/admin", pages::console))
        .service(get_resource("/admin/", pages::console))
        .service(get_resource("/health", health::health))
        .service(get_resource("/metrics", routes::metrics::metrics))
        .service(get_resource("/ready", health::ready))
        .service(get_resource("/gridlist", catalogue::gridlist))
        .service(get_resource("/banners", catalogue::banners))
        .service(get_resource("/sports", catalogue::sports))
        .service(get_resource("/onecategory", catalogue::one_category))
        .service(get_resource("/twocategory", catalogue::two_category))
        .service(get_resource("/products", products::list))
        .service(get_resource("/products/{id}", products::detail))
        .service(get_resource("/search", routes::search::search))
        .service(get_resource("/search/suggest", routes::search::suggest))
        .service(post_resource("/sms", accounts::sms))
        .service(post_resource("/register", accounts::register))
        .service(post_resource("/login", accounts::login))
        // The original's clients: koa-generator mounted users under /users.
        .service(post_resource("/users/register", accounts::register))
        .service(post_resource("/users/login", accounts::login))
        .service(post_resource("/sendsms", accounts::sms))
        .service(get_resource("/user/me", accounts::me).wrap(from_fn(require_user)))
        .service(post_resource("/order", orders::create).wrap(from_fn(require_user)))
        .service(post_resource("/queryorder", orders::query).wrap(from_fn(require_user)))
        .service(post_resource("/closeorder", orders::close).wrap(from_fn(require_user)))
        .service(get_resource("/orders", orders::list).wrap(from_fn(require_user)))
        .service(
            resource("/orders/{out_trade_no}/address", &["PUT"])
                .route(web::put().to(orders::set_address))
                .default_service(web::to(routes::put_only))
                .wrap(from_fn(require_user)),
        )
        .service(
            post_resource("/orders/{out_trade_no}/receive", orders::receive)
                .wrap(from_fn(require_user)),
        )
        .configure(phone_pay_routes)
        .service(
            resource("/cart", &["GET", "DELETE"])
                .route(read().to(cart::show))
                .route(web::delete().to(cart::clear))
                .default_service(web::to(routes::get_or_delete))
                .wrap(from_fn(require_user)),
        )
        .service(
            resource("/cart/lines/{skuId}", &["PUT"])
                .route(web::put().to(cart::set_line))
                .default_service(web::to(routes::put_only))
                .wrap(from_fn(require_user)),
        )
        .service(post_resource("/cart/merge", cart::merge).wrap(from_fn(require_user)))
        .service(
            resource("/addresses", &["GET", "POST"])
                .route(read().to(addresses::list))
                .route(web::post().to(addresses::create))
                .default_service(web::to(routes::get_or_post))
                .wrap(from_fn(require_user)),
        )
        .service(
            resource("/addresses/{id}", &["PUT", "DELETE"])
                .route(web::put().to(addresses::update))
                .route(web::delete().to(addresses::delete))
                .default_service(web::to(routes::put_or_delete))
                .wrap(from_fn(require_user)),
        )
        .service(get_resource("/admin/orders", admin_orders::list).wrap(from_fn(require_user)))
        .service(get_resource("/admin/orders.csv", exports::orders).wrap(from_fn(require_user)))
        .service(get_resource("/admin/products.csv", exports::products).wrap(from_fn(require_user)))
        .service(
            get_resource("/admin/orders/{out_trade_no}", admin_orders::detail)
                .wrap(from_fn(require_user)),
        )
        .service(
            post_resource("/admin/orders/{out_trade_no}/ship", admin_orders::ship)
                .wrap(from_fn(require_user)),
        )
        .service(get_resource("/admin/audit", admin_orders::audit).wrap(from_fn(require_user)))
        .service(
            get_resource("/admin/reconciliations", admin_orders::reconciliation)
                .wrap(from_fn(require_user)),
        )
        .service(post_resource("/admin/refund", orders::refund).wrap(from_fn(require_user)))
        .configure(admin_catalogue::configure)
        .service(post_resource("/pay/notify", orders::pay_notify))
        .service(post_resource("/pay/refund_notify", orders::refund_notify))
        .service(post_resource("/pay/v3/notify", orders::pay_notify_v3))
        .service(post_resource(
            "/pay/v3/refund_notify",
            orders::refund_notify_v3,
        ))
        .service(get_resource("/openapi.json", routes::docs::openapi_json))
        .service(get_resource("/docs", routes::docs::page))
        .service(get_resource("/docs/{file:.*}", routes::docs::asset))
        .default_service(web::to(fallback::fallback))
}

/// Paying on the phone and the OAuth round trip for JSAPI.
fn phone_pay_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        post_resource("/orders/{out_trade_no}/pay", phone_pay::pay).wrap(from_fn(require_user)),
    )
    .service(
        post_resource("/wechat/oauth/start", phone_pay::oauth_start).wrap(from_fn(require_user)),
    )
    .service(get_resource(
        "/wechat/oauth/callback",
        phone_pay::oauth_callback,
    ));
}

/// An application with `/metrics` only, for a separate listen address.
pub fn metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .service(get_resource("/metrics", routes::metrics::metrics))
        .default_service(web::to(fallback::not_found))
}
