//! China time (UTC+8, as WeChat writes times) in the forms the simulator
//! writes: RFC 3339 for v3, `yyyy-MM-dd HH:mm:ss` for bills and v2 refunds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use wechat_pay::bill::CHINA_TIME;

/// `2026-01-02T08:00:00+08:00`.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.with_timezone(&CHINA_TIME).to_rfc3339()
}

/// `2026-01-02 08:00:00`.
pub(crate) fn plain(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The China day of `at`.
pub(crate) fn day(at: DateTime<Utc>) -> NaiveDate {
    local(at).date()
}

/// `at` on a China wall clock.
pub(crate) fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&CHINA_TIME).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_china_time() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T16:30:05Z")
            .unwrap()
            .to_utc();
        assert_eq!(rfc3339(at), "2026-01-02T00:30:05+08:00");
        assert_eq!(plain(at), "2026-01-02 00:30:05");
        assert_eq!(day(at).to_string(), "2026-01-02");
    }
}
