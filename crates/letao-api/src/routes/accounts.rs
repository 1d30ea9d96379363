//! `POST /sms`, `POST /register`, `POST /login`, `GET /user/me`.

use crate::auth::AuthUser;
use crate::client_ip::ClientIp;
use crate::input::{Input, validation_error};
use crate::openapi::errors as e;
use crate::replies::{LoginData, LoginReply, MeReply, MsgReply, OK, UserInfo};
use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};
use garde::Validate;
use letao_domain::account::{PASSWORD_CHARS, is_sms_code};
use letao_domain::verification::SmsPurpose;
use letao_domain::{Mobile, Username};
use letao_shop::RegisterRequest;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

fn mainland_mobile(value: &str, _: &()) -> garde::Result {
    value
        .parse::<Mobile>()
        .map(|_| ())
        .map_err(|e| garde::Error::new(e.to_string()))
}

fn username_rules(value: &str, _: &()) -> garde::Result {
    value
        .parse::<Username>()
        .map(|_| ())
        .map_err(|e| garde::Error::new(e.to_string()))
}

fn sms_code(value: &str, _: &()) -> garde::Result {
    if is_sms_code(value) {
        Ok(())
    } else {
        Err(garde::Error::new("must be the 6 digits sent by SMS"))
    }
}

fn password_rules(value: &str, _: &()) -> garde::Result {
    if PASSWORD_CHARS.contains(&value.chars().count()) {
        Ok(())
    } else {
        Err(garde::Error::new("must be 6 to 64 characters"))
    }
}

/// The body of `POST /sms`.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"mobile": "13800138000", "purpose": "register"}))]
pub struct SmsInput {
    /// A mainland mobile number (`1[3-9]` and 9 digits; `+86` may precede it).
    #[garde(custom(mainland_mobile))]
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$", example = "13800138000")]
    mobile: String,
    /// What the code is for; `register` when absent or empty. A login code
    /// for an unregistered mobile is not sent (the reply is the same).
    #[garde(skip)]
    #[schema(value_type = Option<String>, pattern = "^(register|login)?$", example = "register")]
    purpose: Option<String>,
}

/// `POST /sms {mobile, purpose?}`
#[utoipa::path(post, path = "/sms", tag = "accounts", request_body(content((SmsInput = "application/json"), (SmsInput = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The code was sent (it is never in the reply).", body = MsgReply,
            example = json!({"msg": "验证码已发送 (code sent)", "status": 200})),
        (status = 400, response = e::InvalidInput), (status = 413, response = e::PayloadTooLarge),
        (status = 429, response = e::TooMany), (status = 502, response = e::SmsProvider),
        (status = 503, response = e::Unavailable)))]
pub async fn sms(
    state: web::Data<AppState>,
    ip: ClientIp,
    Input(input): Input<SmsInput>,
) -> Result<HttpResponse, ApiError> {
    input.validate().map_err(validation_error)?;
    let mobile: Mobile = input
        .mobile
        .parse()
        .map_err(|e| ApiError::invalid("mobile", e))?;
    let purpose = match input.purpose.as_deref() {
        None | Some("") => SmsPurpose::Register,
        Some(p) => SmsPurpose::parse(p)
            .ok_or_else(|| ApiError::invalid("purpose", "must be register or login"))?,
    };
    state.accounts.send_code(&mobile, purpose, ip.0).await?;
    Ok(HttpResponse::Ok().json(MsgReply::ok("验证码已发送 (code sent)")))
}

/// The body of `POST /register`.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"username": "shoe_fan", "password": "123456", "repeat_password": "123456", "mobile": "13800138000", "smscode": "123456"}))]
pub struct RegisterInput {
    /// 3 to 20 characters of any script, no control characters, no spaces
    /// at either end; compared exactly.
    #[garde(custom(username_rules))]
    #[schema(min_length = 3, max_length = 20, example = "shoe_fan")]
    username: String,
    /// 6 to 64 characters.
    #[garde(custom(password_rules))]
    #[schema(min_length = 6, max_length = 64, example = "123456")]
    password: String,
    /// When sent, it must equal `password`.
    #[garde(skip)]
    #[schema(example = "123456")]
    repeat_password: Option<String>,
    /// The mobile the code was sent to.
    #[garde(custom(mainland_mobile))]
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$", example = "13800138000")]
    mobile: String,
    /// The 6 digits sent by SMS (purpose `register`).
    #[garde(custom(sms_code))]
    #[schema(pattern = "^[0-9]{6}$", example = "123456")]
    smscode: String,
}

/// `POST /register {username, password, repeat_password?, mobile, smscode}`
#[utoipa::path(post, path = "/register", tag = "accounts", request_body(content((RegisterInput = "application/json"), (RegisterInput = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Registered.", body = MsgReply, example = json!({"msg": "注册成功", "status": 200})),
        (status = 400, response = e::InvalidInputOrCode), (status = 409, response = e::Taken),
        (status = 413, response = e::PayloadTooLarge), (status = 503, response = e::Unavailable)))]
pub async fn register(
    state: web::Data<AppState>,
    Input(input): Input<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    input.validate().map_err(validation_error)?;
    if input
        .repeat_password
        .as_ref()
        .is_some_and(|r| *r != input.password)
    {
        return Err(ApiError::invalid(
            "repeat_password",
            "does not match password",
        ));
    }
    let request = RegisterRequest {
        username: input
            .username
            .parse()
            .map_err(|e| ApiError::invalid("username", e))?,
        password: SecretString::from(input.password),
        mobile: input
            .mobile
            .parse()
            .map_err(|e| ApiError::invalid("mobile", e))?,
        code: input.smscode,
    };
    state.accounts.register(request).await?;
    Ok(HttpResponse::Ok().json(MsgReply::ok("注册成功")))
}

/// The body of `POST /login`: `username` and `password`, or `mobile` and
/// `smscode` (a code sent with purpose `login`).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"username": "shoe_fan", "password": "123456"}))]
pub struct LoginInput {
    /// With `password`.
    #[schema(min_length = 1, max_length = 50)]
    username: Option<String>,
    /// With `username`.
    #[schema(min_length = 1, max_length = 128)]
    password: Option<String>,
    /// With `smscode`, when there is no `username`.
    #[schema(pattern = r"^(\+86)?1[3-9][0-9]{9}$", example = "13800138000")]
    mobile: Option<String>,
    /// With `mobile`: the 6 digits sent by SMS.
    #[schema(pattern = "^[0-9]{6}$")]
    smscode: Option<String>,
}

/// Longest password a login tries (longer ones cannot have been registered,
/// and are not worth hashing).
const MAX_LOGIN_PASSWORD_CHARS: usize = 128;

/// `POST /login {username, password}` or `{mobile, smscode}`
#[utoipa::path(post, path = "/login", tag = "accounts", request_body(content((LoginInput = "application/json"), (LoginInput = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Logged in: the token for `Authorization: Bearer`.", body = LoginReply),
        (status = 400, response = e::InvalidInputOrCode), (status = 401, response = e::LoginFailed),
        (status = 413, response = e::PayloadTooLarge),
        (status = 429, response = e::TooMany), (status = 503, response = e::Unavailable)))]
pub async fn login(
    state: web::Data<AppState>,
    ip: ClientIp,
    Input(input): Input<LoginInput>,
) -> Result<HttpResponse, ApiError> {
    let logged_in = match (input.username, input.password, input.mobile, input.smscode) {
        (Some(username), Some(password), _, _) => {
            if username.is_empty() || username.chars().count() > 50 {
                return Err(ApiError::invalid("username", "must be 1 to 50 characters"));
            }
            if password.is_empty() || password.chars().count() > MAX_LOGIN_PASSWORD_CHARS {
                return Err(ApiError::invalid("password", "must be 1 to 128 characters"));
            }
            state
                .accounts
                .login_password(&username, SecretString::from(password), ip.0)
                .await?
        }
        (Some(_), None, _, _) => return Err(ApiError::invalid("password", "is missing")),
        (None, _, Some(mobile), Some(code)) => {
            let mobile: Mobile = mobile.parse().map_err(|e| ApiError::invalid("mobile", e))?;
            if !is_sms_code(&code) {
                return Err(ApiError::invalid(
                    "smscode",
                    "must be the 6 digits sent by SMS",
                ));
            }
            state.accounts.login_code(&mobile, &code, ip.0).await?
        }
        (None, _, Some(_), None) => return Err(ApiError::invalid("smscode", "is missing")),
        (None, _, None, _) => {
            return Err(ApiError::invalid(
                "username",
                "is missing (or send mobile and smscode)",
            ));
        }
    };
    let user = &logged_in.user;
    Ok(HttpResponse::Ok().json(LoginReply {
        code: OK,
        data: LoginData {
            mobile: user.mobile.as_deref(),
            token: &logged_in.token,
            username: user.username.as_deref(),
        },
        msg: "登录成功",
        status: OK,
        token: &logged_in.token,
        user_info: UserInfo::from(&logged_in.user),
    }))
}

/// `GET /user/me`
#[utoipa::path(get, path = "/user/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "The caller.", body = MeReply),
        (status = 401, response = e::Unauthorized), (status = 503, response = e::Unavailable)))]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let record = state
        .accounts
        .profile(user.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(MeReply {
        status: OK,
        user_info: UserInfo::from(&record),
    }))
}
