//! WeChat's web OAuth stand-ins: the authorize page (which redirects at
//! once, as `snsapi_base` does) and the code exchange. Codes are single-use
//! and live 5 minutes on the simulator's clock; a buyer's openid is stable
//! per appid and per `sim_user` (query value, else cookie, else `buyer`).

use crate::Simulator;
use crate::state::State;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a code can be exchanged.
pub(crate) const CODE_TTL_SECS: i64 = 300;
/// The buyer when a request names none.
pub(crate) const DEFAULT_USER: &str = "buyer";

/// A code the authorize stand-in handed out.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    appid: String,
    openid: String,
    scope: String,
    issued: DateTime<Utc>,
    used: bool,
}

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/connect/oauth2/authorize", web::get().to(authorize))
        .route("/sns/oauth2/access_token", web::get().to(access_token));
}

/// The openid of `user` under `appid`: 28 characters starting with `o`,
/// as WeChat's are, the same every time.
pub fn openid_for(appid: &str, user: &str) -> String {
    let digest = Sha256::digest(format!("{appid}\0{user}").as_bytes());
    format!("o{}", &hex::encode(digest)[..27])
}

impl State {
    /// Whether the OAuth stand-in has given out `openid` under `appid`.
    pub(crate) fn knows_openid(&self, appid: &str, openid: &str) -> bool {
        self.openids
            .contains(&(appid.to_owned(), openid.to_owned()))
    }

    /// `user`'s openid under `appid`, remembered as given out.
    pub(crate) fn register_buyer(&mut self, appid: &str, user: &str) -> String {
        let openid = openid_for(appid, user);
        self.openids.insert((appid.to_owned(), openid.clone()));
        openid
    }
}

/// A `sim_user` value: 1 to 64 of `a-zA-Z0-9_-`.
fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= 64
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The `sim_user` cookie (actix is built without its cookie feature; one
/// name is all the simulator reads).
fn sim_user_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == "sim_user").then(|| value.to_owned())
        })
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    appid: String,
    redirect_uri: String,
    response_type: String,
    scope: String,
    state: Option<String>,
    sim_user: Option<String>,
}

fn refuse(msg: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .body(msg.to_owned())
}

async fn authorize(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    let Ok(q) = web::Query::<AuthorizeQuery>::from_query(req.query_string()) else {
        return refuse("参数错误: appid, redirect_uri, response_type and scope are required");
    };
    if q.appid != sim.config.oa_appid {
        return refuse("appid 参数错误 (not the simulator's official account)");
    }
    if q.response_type != "code" {
        return refuse("response_type 参数错误");
    }
    if q.scope != "snsapi_base" && q.scope != "snsapi_userinfo" {
        return refuse("scope 参数错误");
    }
    let state = q.state.clone().unwrap_or_default();
    if state.len() > 128 || !state.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return refuse("state 参数错误 (a-zA-Z0-9, at most 128 bytes)");
    }
    let Ok(mut target) = url::Url::parse(&q.redirect_uri) else {
        return refuse("redirect_uri 参数错误");
    };
    if !matches!(target.scheme(), "http" | "https") {
        return refuse("redirect_uri 参数错误");
    }
    let user = q
        .sim_user
        .clone()
        .or_else(|| sim_user_cookie(&req))
        .unwrap_or_else(|| DEFAULT_USER.to_owned());
    if !valid_user(&user) {
        return refuse("sim_user: 1 to 64 of a-zA-Z0-9_-");
    }
    let code = wechat_pay::nonce_str();
    {
        let Ok(mut s) = sim.state.lock() else {
            return HttpResponse::InternalServerError().finish();
        };
        let openid = s.register_buyer(&q.appid, &user);
        let issued = s.now();
        s.oauth_codes.insert(
            code.clone(),
            IssuedCode {
                appid: q.appid.clone(),
                openid,
                scope: q.scope.clone(),
                issued,
                used: false,
            },
        );
    }
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    HttpResponse::Found()
        .insert_header((header::LOCATION, target.as_str()))
        // Valid users are cookie-safe characters only.
        .insert_header((
            header::SET_COOKIE,
            format!("sim_user={user}; Path=/; HttpOnly; SameSite=Lax"),
        ))
        .finish()
}

#[derive(Deserialize)]
struct TokenQuery {
    appid: Option<String>,
    secret: Option<String>,
    code: Option<String>,
    grant_type: Option<String>,
}

fn errcode(code: i64, msg: &str) -> HttpResponse {
    // WeChat answers errors with HTTP 200 and a JSON body.
    HttpResponse::Ok().json(json!({"errcode": code, "errmsg": msg}))
}

async fn access_token(sim: web::Data<Simulator>, req: HttpRequest) -> HttpResponse {
    let Ok(q) = web::Query::<TokenQuery>::from_query(req.query_string()) else {
        return errcode(40001, "invalid query");
    };
    if q.grant_type.as_deref() != Some("authorization_code") {
        return errcode(40002, "invalid grant_type");
    }
    if q.appid.as_deref() != Some(sim.config.oa_appid.as_str()) {
        return errcode(40013, "invalid appid");
    }
    if q.secret.as_deref() != Some(sim.config.oa_secret.as_str()) {
        return errcode(40125, "invalid appsecret");
    }
    let Ok(mut s) = sim.state.lock() else {
        return HttpResponse::InternalServerError().finish();
    };
    let now = s.now();
    let Some(issued) = q.code.as_deref().and_then(|c| s.oauth_codes.get_mut(c)) else {
        return errcode(40029, "invalid code");
    };
    if issued.appid != sim.config.oa_appid
        || now - issued.issued > TimeDelta::seconds(CODE_TTL_SECS)
    {
        return errcode(40029, "invalid code");
    }
    if issued.used {
        return errcode(40163, "code been used");
    }
    issued.used = true;
    HttpResponse::Ok().json(json!({
        "access_token": format!("SIM_AT_{}", wechat_pay::nonce_str()),
        "expires_in": 7200,
        "refresh_token": format!("SIM_RT_{}", wechat_pay::nonce_str()),
        "openid": issued.openid,
        "scope": issued.scope,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_stable_per_appid_and_user() {
        let a = openid_for("wx1", "alice");
        assert_eq!(a, openid_for("wx1", "alice"));
        assert_eq!(a.len(), 28);
        assert!(a.starts_with('o'));
        assert_ne!(a, openid_for("wx2", "alice"));
        assert_ne!(a, openid_for("wx1", "bob"));
    }
}
