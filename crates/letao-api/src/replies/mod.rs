//! Every reply body, as a `Serialize` struct with the original server's
//! field names. Fields of replies that the first version built as JSON
//! maps are listed in byte order, so the bytes on the wire are unchanged.

mod accounts;
mod admin_catalogue;
mod catalogue;
mod orders;
mod owners;
mod search;

pub use accounts::*;
pub use admin_catalogue::*;
pub use catalogue::*;
pub use orders::*;
pub use owners::*;
pub use search::*;

use serde::Serialize;
use utoipa::ToSchema;

/// `status` of every successful reply.
pub const OK: u16 = 200;

/// `{msg, status}`: a success with a message and nothing else.
#[derive(Debug, Serialize, ToSchema)]
pub struct MsgReply {
    /// Human-readable.
    pub msg: &'static str,
    /// Always 200.
    pub status: u16,
}

impl MsgReply {
    /// A 200 reply saying `msg`.
    pub const fn ok(msg: &'static str) -> MsgReply {
        MsgReply { msg, status: OK }
    }
}

/// `GET /ready`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyReply {
    /// The backend that answered.
    pub database: &'static str,
    /// Always `ready`.
    pub msg: &'static str,
    /// Always 200.
    pub status: u16,
}

/// Times as clients see them: RFC 3339 in UTC, whole seconds.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
