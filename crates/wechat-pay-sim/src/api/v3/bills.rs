//! Trade bills: `/v3/bill/tradebill` announces a file (its SHA1 and a
//! one-off link), `/v3/billdownload/file` serves it unsigned.

use super::{Out, err, handle, query};
use crate::Simulator;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde_json::json;
use wechat_pay::BillType;
use wechat_pay::bill;

pub(super) async fn trade_bill(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    let host = req.connection_info().host().to_owned();
    handle(&sim, &req, b"", |sim, state| {
        let q = query(&req);
        let Some(date) = q
            .get("bill_date")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return err(400, "PARAM_ERROR", "bill_date 格式错误");
        };
        let Some(bill_type) =
            BillType::parse(q.get("bill_type").map(String::as_str).unwrap_or("ALL"))
        else {
            return err(400, "PARAM_ERROR", "bill_type 不支持");
        };
        let gzip = match q.get("tar_type").map(String::as_str) {
            None => false,
            Some("GZIP") => true,
            Some(_) => return err(400, "PARAM_ERROR", "tar_type 不支持"),
        };
        let orders = state.orders_in_order();
        let Some(text) = crate::bills::build(&sim.config, &orders, date, bill_type) else {
            return err(400, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
        };
        // The v3 file starts with a UTF-8 BOM.
        let file = format!("\u{feff}{text}").into_bytes();
        let mut hash = bill::sha1_hex(&file);
        if state.faults.corrupt_bills {
            hash = bill::sha1_hex(hash.as_bytes());
        }
        let token = wechat_pay::nonce_str();
        state.bill_files.insert(token.clone(), (file, gzip));
        let suffix = if gzip { "&tartype=gzip" } else { "" };
        Out::Json(
            200,
            json!({"hash_type": "SHA1", "hash_value": hash,
                   "download_url": format!("http://{host}/v3/billdownload/file?token={token}{suffix}")}),
        )
    })
}

pub(super) async fn download(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    handle(&sim, &req, b"", |_, state| {
        let token = query(&req).remove("token").unwrap_or_default();
        match state.bill_files.get(&token) {
            Some((file, true)) => Out::File(bill::gzip(file)),
            Some((file, false)) => Out::File(file.clone()),
            None => err(404, "RESOURCE_NOT_EXISTS", "下载链接已失效"),
        }
    })
}
