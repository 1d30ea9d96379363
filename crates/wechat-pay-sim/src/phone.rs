//! The payer's side of phone payments: the JS bridge a page outside WeChat
//! loads instead of WeChat's own (JSAPI), and the H5 cashier page that
//! `mweb_url` / `h5_url` point to.

use crate::Simulator;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use wechat_pay::JsapiParams;

/// How long the cashier page of an H5 order can be opened (WeChat: 5 min).
pub(crate) const H5_URL_TTL: Duration = Duration::from_secs(300);

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sim/jsbridge.js", web::get().to(jsbridge_js))
        .route("/sim/jsbridge/pay", web::post().to(jsbridge_pay))
        .route("/sim/h5/cashier", web::get().to(cashier))
        .route("/sim/h5/pay", web::post().to(cashier_pay))
        .route("/sim/openid", web::get().to(openid));
}

/// Where the simulator is reached by the request's client: the cashier
/// page's and the bridge's origin.
pub(crate) fn cashier_base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// The bridge: `WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)`
/// posts `params` to the simulator and calls `cb` with its answer.
async fn jsbridge_js(req: HttpRequest) -> HttpResponse {
    let origin = Value::String(cashier_base(&req)).to_string();
    let script = format!(
        r#"// wechat-pay-sim: WeixinJSBridge for a browser outside WeChat.
(function () {{
  var SIM = {origin};
  function invoke(name, params, cb) {{
    cb = cb || function () {{}};
    if (name !== "getBrandWCPayRequest") {{
      setTimeout(function () {{ cb({{err_msg: name + ":fail", err_desc: "not simulated"}}); }}, 0);
      return;
    }}
    // text/plain: a simple cross-origin request, no preflight.
    fetch(SIM + "/sim/jsbridge/pay", {{
      method: "POST",
      headers: {{"Content-Type": "text/plain"}},
      body: JSON.stringify(params || {{}})
    }}).then(function (r) {{ return r.json(); }})
      .then(cb, function (e) {{ cb({{err_msg: "get_brand_wcpay_request:fail", err_desc: String(e)}}); }});
  }}
  window.WeixinJSBridge = {{invoke: invoke, call: invoke, on: function () {{}}}};
  var ready;
  try {{ ready = new Event("WeixinJSBridgeReady"); }}
  catch (e) {{ ready = document.createEvent("Event"); ready.initEvent("WeixinJSBridgeReady", true, true); }}
  document.dispatchEvent(ready);
}})();
"#
    );
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(script)
}

/// The bridge's answer: `{err_msg}` (and `err_desc` on failure), readable
/// from the shop's origin.
fn bridge_answer(outcome: &str, desc: Option<&str>) -> HttpResponse {
    let mut body = json!({"err_msg": format!("get_brand_wcpay_request:{outcome}")});
    if let Some(d) = desc {
        body["err_desc"] = json!(d);
    }
    HttpResponse::Ok()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(body)
}

/// Why a bridge payment is refused, or `Ok(out_trade_no)` to pay.
enum Bridge {
    Pay(String),
    Cancel,
    Fail(String),
}

fn check_bridge(sim: &Simulator, body: &[u8]) -> Bridge {
    let Ok(params) = serde_json::from_slice::<JsapiParams>(body) else {
        return Bridge::Fail(
            "参数错误: appId, timeStamp, nonceStr, package, signType, paySign".into(),
        );
    };
    let Some(prepay_id) = params.prepay_id() else {
        return Bridge::Fail("package 应为 prepay_id=...".into());
    };
    if params.time_stamp.is_empty() || !params.time_stamp.bytes().all(|b| b.is_ascii_digit()) {
        return Bridge::Fail("timeStamp 应为秒数字符串".into());
    }
    let Ok(mut state) = sim.state.lock() else {
        return Bridge::Fail("系统错误".into());
    };
    let merchant_key = state.merchant_public_key.clone();
    let Some(order) = state.by_prepay_id(prepay_id) else {
        return Bridge::Fail("prepay_id 不存在".into());
    };
    if order.trade_type != "JSAPI" {
        return Bridge::Fail(format!("{} 订单不能用 JSAPI 支付", order.trade_type));
    }
    if params.app_id != order.appid {
        return Bridge::Fail("appId 与下单的 appid 不一致".into());
    }
    let signed = if order.api == "v3" {
        merchant_key.is_some_and(|k| params.verify_v3(&k))
    } else {
        params.verify_v2(&sim.config.api_key)
    };
    if !signed {
        return Bridge::Fail("支付验证签名失败 (paySign)".into());
    }
    let out_trade_no = order.out_trade_no.clone();
    if state.faults.jsapi_cancel > 0 {
        state.faults.jsapi_cancel -= 1;
        return Bridge::Cancel;
    }
    Bridge::Pay(out_trade_no)
}

async fn jsbridge_pay(sim: web::Data<Simulator>, body: web::Bytes) -> HttpResponse {
    match check_bridge(&sim, &body) {
        Bridge::Cancel => bridge_answer("cancel", None),
        Bridge::Fail(why) => bridge_answer("fail", Some(&why)),
        Bridge::Pay(out_trade_no) => match sim.pay(&out_trade_no) {
            Ok(_) => bridge_answer("ok", None),
            Err(why) => bridge_answer("fail", Some(&why)),
        },
    }
}

#[derive(Deserialize)]
struct CashierQuery {
    prepay_id: String,
    redirect_url: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: actix_web::http::StatusCode, title: &str, inner: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>{}</title></head><body>{inner}</body></html>",
            escape(title)
        ))
}

fn refused(msg: &str) -> HttpResponse {
    page(
        actix_web::http::StatusCode::FORBIDDEN,
        "微信支付",
        &format!("<p id=\"error\">{}</p>", escape(msg)),
    )
}

/// Whether `url`'s host is `domain` or a subdomain of it.
fn on_domain(url: &str, domain: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| {
            let domain = domain.to_ascii_lowercase();
            host == domain || host.ends_with(&format!(".{domain}"))
        })
}

/// The peer's address, as WeChat sees it (never a forwarded header).
fn peer_ip(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

/// The order of an H5 cashier request, if the buyer may pay it from here;
/// otherwise why not, in WeChat's words.
fn cashier_order(
    sim: &Simulator,
    req: &HttpRequest,
    prepay_id: &str,
    redirect_url: Option<&str>,
) -> Result<crate::SimOrder, &'static str> {
    let order = {
        let mut state = sim.state.lock().map_err(|_| "系统繁忙，请稍后再试")?;
        state
            .by_prepay_id(prepay_id)
            .map(|o| o.snapshot())
            .ok_or("订单不存在")?
    };
    if order.trade_type != "MWEB" {
        return Err("该订单不是 H5 支付订单");
    }
    let age = sim.now() - order.created_at;
    if age.to_std().is_ok_and(|age| age > H5_URL_TTL) {
        return Err("支付链接已过期，请返回商户重新下单");
    }
    if peer_ip(req).as_deref() != order.payer_client_ip.as_deref() {
        // WeChat's words when the page is opened from another network
        // than the one the order named.
        return Err("网络环境未能通过安全验证，请稍后再试");
    }
    if let (Some(domain), Some(url)) = (&sim.config.h5_domain, redirect_url)
        && !on_domain(url, domain)
    {
        return Err("redirect_url 的域名与商户配置的 H5 域名不一致");
    }
    Ok(order)
}

async fn cashier(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    let Ok(q) = web::Query::<CashierQuery>::from_query(req.query_string()) else {
        return refused("缺少 prepay_id");
    };
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok());
    let Some(referer) = referer else {
        // WeChat requires the page to be reached from the merchant's site.
        return refused("商家参数格式有误，请联系商家解决 (no Referer)");
    };
    if let Some(domain) = &sim.config.h5_domain
        && !on_domain(referer, domain)
    {
        return refused("商家存在未配置的参数，请联系商家解决 (Referer not on the H5 domain)");
    }
    let order = match cashier_order(&sim, &req, &q.prepay_id, q.redirect_url.as_deref()) {
        Ok(order) => order,
        Err(why) => return refused(why),
    };
    if order.trade_state != "NOTPAY" {
        return refused(&format!("订单状态为 {}，不能支付", order.trade_state));
    }
    let inner = format!(
        "<h1>微信支付 (simulated)</h1>\
         <p id=\"body\">{}</p><p id=\"amount\">¥{}.{:02}</p>\
         <form method=\"post\" action=\"/sim/h5/pay\">\
         <input type=\"hidden\" name=\"prepay_id\" value=\"{}\">\
         <input type=\"hidden\" name=\"redirect_url\" value=\"{}\">\
         <button id=\"pay\" type=\"submit\">立即支付</button></form>",
        escape(&order.body),
        order.total_fee / 100,
        order.total_fee % 100,
        escape(&order.prepay_id),
        escape(q.redirect_url.as_deref().unwrap_or("")),
    );
    page(actix_web::http::StatusCode::OK, "微信支付", &inner)
}

#[derive(Deserialize)]
struct CashierPay {
    prepay_id: String,
    #[serde(default)]
    redirect_url: String,
}

async fn cashier_pay(
    sim: web::Data<Simulator>,
    req: HttpRequest,
    form: web::Form<CashierPay>,
) -> HttpResponse {
    let redirect = Some(form.redirect_url.as_str()).filter(|u| !u.is_empty());
    let order = match cashier_order(&sim, &req, &form.prepay_id, redirect) {
        Ok(order) => order,
        Err(why) => return refused(why),
    };
    if let Err(why) = sim.pay(&order.out_trade_no) {
        return refused(&why);
    }
    match redirect {
        Some(url) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, url))
            .finish(),
        None => page(
            actix_web::http::StatusCode::OK,
            "微信支付",
            "<p id=\"paid\">支付成功</p>",
        ),
    }
}

#[derive(Deserialize)]
struct OpenidQuery {
    appid: Option<String>,
    sim_user: Option<String>,
}

/// `GET /sim/openid?appid=&sim_user=`: a buyer's openid, as if the OAuth
/// round trip had been made (for scripts and tests that skip it).
async fn openid(sim: web::Data<Simulator>, q: web::Query<OpenidQuery>) -> HttpResponse {
    let appid = q
        .appid
        .clone()
        .unwrap_or_else(|| sim.config.oa_appid.clone());
    let user = q.sim_user.as_deref().unwrap_or(crate::oauth::DEFAULT_USER);
    match sim.openid(&appid, user) {
        Ok(openid) => HttpResponse::Ok().json(json!({"appid": appid, "openid": openid})),
        Err(msg) => HttpResponse::BadRequest().json(json!({"msg": msg})),
    }
}
