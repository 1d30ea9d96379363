//! The control API: act as the payer and inspect or disturb the simulator.

use crate::{Faults, Simulator};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sim/pay", web::post().to(pay))
        .route("/sim/orders", web::get().to(orders))
        .route("/sim/deliveries", web::get().to(deliveries))
        .route("/sim/faults", web::get().to(get_faults))
        .route("/sim/faults", web::post().to(set_faults))
        .route("/sim/clock", web::get().to(get_clock))
        .route("/sim/clock", web::post().to(set_clock))
        .route("/sim/v3/public-key", web::get().to(public_key))
        .route(
            "/sim/v3/merchant-public-key",
            web::post().to(set_merchant_public_key),
        )
        .route(
            "/sim/rotate-certificate",
            web::post().to(rotate_certificate),
        );
}

#[derive(Deserialize)]
struct ClockRequest {
    /// RFC 3339; `null` goes back to real time.
    now: Option<chrono::DateTime<chrono::FixedOffset>>,
}

async fn get_clock(sim: web::Data<Simulator>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"now": crate::china_time::rfc3339(sim.now())}))
}

async fn set_clock(sim: web::Data<Simulator>, req: web::Json<ClockRequest>) -> HttpResponse {
    sim.set_clock(req.now.map(|n| n.with_timezone(&chrono::Utc)));
    get_clock(sim).await
}

async fn public_key(sim: web::Data<Simulator>) -> HttpResponse {
    let Some(v3) = &sim.config.v3 else {
        return HttpResponse::NotFound().json(json!({"msg": "API v3 is not enabled"}));
    };
    match v3.platform_key.public_key().to_pem() {
        Ok(pem) => HttpResponse::Ok().json(json!({
            "public_key_id": v3.public_key_id,
            "public_key_pem": pem,
            "platform_cert_mode": v3.platform_cert_mode,
            "certificate_serials": sim.certificate_serials(),
        })),
        Err(e) => HttpResponse::InternalServerError().json(json!({"msg": e.to_string()})),
    }
}

#[derive(Deserialize)]
struct MerchantKeyRequest {
    public_key_pem: String,
}

async fn set_merchant_public_key(
    sim: web::Data<Simulator>,
    req: web::Json<MerchantKeyRequest>,
) -> HttpResponse {
    match wechat_pay::v3::PublicKey::from_pem(&req.public_key_pem) {
        Ok(key) => {
            sim.set_merchant_public_key(key);
            HttpResponse::NoContent().finish()
        }
        Err(e) => HttpResponse::BadRequest().json(json!({"msg": e.to_string()})),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RotateRequest {
    /// The new certificate's key (PEM); generated when absent.
    private_key_pem: Option<String>,
}

async fn rotate_certificate(
    sim: web::Data<Simulator>,
    req: Option<web::Json<RotateRequest>>,
) -> HttpResponse {
    let pem = req.and_then(|r| r.into_inner().private_key_pem);
    let key = match pem
        .map(|p| wechat_pay::v3::PrivateKey::from_pem(&p))
        .transpose()
    {
        Ok(k) => k,
        Err(e) => return HttpResponse::BadRequest().json(json!({"msg": e.to_string()})),
    };
    // Generating a key takes a while: off the async runtime.
    let simulator = sim.get_ref().clone();
    match web::block(move || simulator.rotate_certificate(key)).await {
        Ok(Ok(serial)) => HttpResponse::Ok().json(json!({
            "serial": serial,
            "certificate_serials": sim.certificate_serials(),
        })),
        Ok(Err(msg)) => HttpResponse::Conflict().json(json!({"msg": msg})),
        Err(e) => HttpResponse::InternalServerError().json(json!({"msg": e.to_string()})),
    }
}

#[derive(Deserialize)]
struct PayRequest {
    out_trade_no: String,
}

async fn pay(sim: web::Data<Simulator>, req: web::Json<PayRequest>) -> HttpResponse {
    match sim.pay(&req.out_trade_no) {
        Ok(transaction_id) => HttpResponse::Ok().json(json!({
            "status": "SUCCESS",
            "out_trade_no": req.out_trade_no,
            "transaction_id": transaction_id,
        })),
        Err(msg) if msg.starts_with("no order") => {
            HttpResponse::NotFound().json(json!({"status": "ORDERNOTEXIST", "msg": msg}))
        }
        Err(msg) => HttpResponse::Conflict().json(json!({"status": "NOTPAYABLE", "msg": msg})),
    }
}

async fn orders(sim: web::Data<Simulator>) -> HttpResponse {
    HttpResponse::Ok().json(sim.orders())
}

async fn deliveries(sim: web::Data<Simulator>) -> HttpResponse {
    HttpResponse::Ok().json(sim.deliveries())
}

async fn get_faults(sim: web::Data<Simulator>) -> HttpResponse {
    let faults = sim
        .state
        .lock()
        .map(|s| s.faults.clone())
        .unwrap_or_default();
    HttpResponse::Ok().json(faults)
}

async fn set_faults(sim: web::Data<Simulator>, faults: web::Json<Faults>) -> HttpResponse {
    sim.set_faults(faults.into_inner());
    get_faults(sim).await
}
