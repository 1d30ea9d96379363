//! `POST /sms`, `POST /register`, `POST /login`, `GET /user/me`.

use crate::auth::AuthUser;
use crate::client_ip::ClientIp;
use crate::input::{Input, validation_error};
use crate::replies::{LoginReply, MeReply, MsgReply, OK, UserInfo};
use crate::{ApiError, AppState};
use actix_web::{HttpResponse, web};
use garde::Validate;
use letao_domain::account::{PASSWORD_CHARS, is_sms_code};
use letao_domain::verification::SmsPurpose;
use letao_domain::{Mobile, Username};
use letao_shop::RegisterRequest;
use secrecy::SecretString;
use serde::Deserialize;

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

#[derive(Deserialize, Validate)]
pub struct SmsInput {
    #[garde(custom(mainland_mobile))]
    mobile: String,
    #[garde(skip)]
    purpose: Option<String>,
}

/// `POST /sms {mobile, purpose?}`
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

#[derive(Deserialize, Validate)]
pub struct RegisterInput {
    #[garde(custom(username_rules))]
    username: String,
    #[garde(custom(password_rules))]
    password: String,
    #[garde(skip)]
    repeat_password: Option<String>,
    #[garde(custom(mainland_mobile))]
    mobile: String,
    #[garde(custom(sms_code))]
    smscode: String,
}

/// `POST /register {username, password, repeat_password?, mobile, smscode}`
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

#[derive(Deserialize)]
pub struct LoginInput {
    username: Option<String>,
    password: Option<String>,
    mobile: Option<String>,
    smscode: Option<String>,
}

/// Longest password a login tries (longer ones cannot have been registered,
/// and are not worth hashing).
const MAX_LOGIN_PASSWORD_CHARS: usize = 128;

/// `POST /login {username, password}` or `{mobile, smscode}`
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
    Ok(HttpResponse::Ok().json(LoginReply {
        msg: "登录成功",
        status: OK,
        token: &logged_in.token,
        user_info: UserInfo::from(&logged_in.user),
    }))
}

/// `GET /user/me`
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
