//! `/pay/downloadbill`: the bill as text (gzip with `tar_type=GZIP`), or an
//! unsigned XML failure ("No Bill Exist" when nothing happened that day).

use super::{get, return_fail, verified, xml_reply};
use crate::Simulator;
use actix_web::{HttpResponse, web};
use wechat_pay::{BillType, xml};

pub(super) async fn download_bill(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    let req = match verified(&sim, &body) {
        Ok((req, _)) => req,
        Err(msg) => return return_fail(msg),
    };
    if get(&req, "appid") != sim.config.appid || get(&req, "mch_id") != sim.config.mch_id {
        return return_fail("appid or mch_id mismatch");
    }
    let Ok(date) = chrono::NaiveDate::parse_from_str(get(&req, "bill_date"), "%Y%m%d") else {
        return return_fail("invalid bill_date");
    };
    let Some(bill_type) = BillType::parse(match get(&req, "bill_type") {
        "" => "ALL",
        t => t,
    }) else {
        return return_fail("invalid bill_type");
    };
    let gzip = match get(&req, "tar_type") {
        "" => false,
        "GZIP" => true,
        _ => return return_fail("invalid tar_type"),
    };
    let corrupt = sim
        .state
        .lock()
        .map(|s| s.faults.corrupt_bills)
        .unwrap_or(false);
    let Some(mut text) = sim.bill(date, bill_type) else {
        return xml_reply(xml::build([
            ("return_code", "FAIL"),
            ("return_msg", "No Bill Exist"),
            ("error_code", "20002"),
        ]));
    };
    if corrupt && let Some(cut) = text.find(wechat_pay::bill::SUMMARY_COLUMNS[0]) {
        text.truncate(cut);
    }
    let bytes = if gzip {
        wechat_pay::bill::gzip(text.as_bytes())
    } else {
        text.into_bytes()
    };
    HttpResponse::Ok()
        .content_type(if gzip {
            "application/octet-stream"
        } else {
            "text/plain; charset=utf-8"
        })
        .body(bytes)
}
