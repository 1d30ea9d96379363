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
        .route("/sim/faults", web::post().to(set_faults));
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
