//! Account replies.

use serde::Serialize;
use utoipa::ToSchema;

/// `userInfo` of login and `/user/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo<'a> {
    /// User id.
    #[schema(example = 1)]
    pub id: i32,
    /// Mobile, when the account has one.
    #[schema(example = "13800138000")]
    pub mobile: Option<&'a str>,
    /// Owner role: `admin`, `staff`, or null for a shopper.
    #[schema(schema_with = crate::openapi::schemas::role)]
    pub role: Option<letao_domain::Role>,
    /// Username, when the account has one.
    #[schema(example = "shoe_fan")]
    pub username: Option<&'a str>,
}

impl<'a> From<&'a letao_shop::store::UserRecord> for UserInfo<'a> {
    fn from(u: &'a letao_shop::store::UserRecord) -> Self {
        UserInfo {
            id: u.id,
            mobile: u.mobile.as_deref(),
            role: u.role,
            username: u.username.as_deref(),
        }
    }
}

/// `data` of `POST /login`, where the original server's first clients read
/// the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginData<'a> {
    /// Mobile, when the account has one.
    #[schema(example = "13800138000")]
    pub mobile: Option<&'a str>,
    /// The access token, as in `token`.
    pub token: &'a str,
    /// Username, when the account has one.
    #[schema(example = "shoe_fan")]
    pub username: Option<&'a str>,
}

/// `POST /login`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": 200, "data": {"mobile": "13800138000", "token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "username": "shoe_fan"}, "msg": "登录成功", "status": 200, "token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "userInfo": {"id": 1, "username": "shoe_fan", "mobile": "13800138000"}}))]
pub struct LoginReply<'a> {
    /// Always 200, as `status` (the original server's first clients read `code`).
    pub code: u16,
    /// The token and who logged in, for the original server's clients.
    pub data: LoginData<'a>,
    /// Always `登录成功`.
    pub msg: &'static str,
    /// Always 200.
    pub status: u16,
    /// The access token (HS256 JWT, 36 h): send it as `Authorization: Bearer <token>`.
    pub token: &'a str,
    /// Who logged in.
    #[serde(rename = "userInfo")]
    pub user_info: UserInfo<'a>,
}

/// `GET /user/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeReply<'a> {
    /// Always 200.
    pub status: u16,
    /// The caller.
    #[serde(rename = "userInfo")]
    pub user_info: UserInfo<'a>,
}
