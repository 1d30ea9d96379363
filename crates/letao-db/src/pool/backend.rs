//! Which database a URL names, and the URL as its driver wants it.

use crate::DbError;
use std::fmt;

/// The database products supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (bundled library).
    Sqlite,
    /// MySQL 8 or MariaDB 10.11.
    Mysql,
    /// PostgreSQL 15 or newer.
    Postgres,
}

impl Backend {
    /// The backend named by a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, DbError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "mysql" | "mariadb" => Ok(Backend::Mysql),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(DbError::BadUrl(format!(
                "expected sqlite://, mysql:// or postgres://, got `{}`",
                redact_url(url)
            ))),
        }
    }

    /// A lower-case name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Mysql => "mysql",
            Backend::Postgres => "postgres",
        }
    }

    /// Pool size used when the configuration names none. SQLite serialises
    /// writers anyway, so a few connections are enough for concurrent reads.
    pub const fn default_pool_size(self) -> usize {
        match self {
            Backend::Sqlite => 4,
            Backend::Mysql | Backend::Postgres => 10,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The URL in the form the driver wants.
pub(super) fn driver_url(backend: Backend, url: &str) -> Result<String, DbError> {
    match backend {
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or_default();
            if path.is_empty() {
                return Err(DbError::BadUrl("sqlite:// needs a file path".into()));
            }
            Ok(path.to_owned())
        }
        Backend::Mysql => {
            let mut parsed = url::Url::parse(url).map_err(|e| DbError::BadUrl(format!("{e}")))?;
            if parsed.scheme() == "mariadb" {
                let rest = url.trim_start_matches("mariadb");
                parsed = url::Url::parse(&format!("mysql{rest}"))
                    .map_err(|e| DbError::BadUrl(format!("{e}")))?;
            }
            // mysql_async moves to the server's unix socket after connecting
            // unless told not to; keep the TCP address we were given.
            if !parsed.query_pairs().any(|(k, _)| k == "prefer_socket") {
                parsed
                    .query_pairs_mut()
                    .append_pair("prefer_socket", "false");
            }
            Ok(parsed.to_string())
        }
        Backend::Postgres => Ok(url.to_owned()),
    }
}

/// The URL with its password masked, safe for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL (e.g. a bare path): nothing to mask, but never echo
        // something that might hold credentials in an unusual shape.
        Err(_) if url.contains('@') => "<unparseable url>".to_owned(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("mysql://u:p@h/db").ok(),
            Some(Backend::Mysql)
        );
        assert_eq!(
            Backend::from_url("postgres://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("redis://h").is_err());
        assert!(Backend::from_url("data/x.db").is_err());
    }

    #[test]
    fn redaction_hides_the_password_only() {
        assert_eq!(
            redact_url("mysql://root:s3cret@127.0.0.1:3306/letao"),
            "mysql://root:***@127.0.0.1:3306/letao"
        );
        assert_eq!(
            redact_url("sqlite://data/letao.db"),
            "sqlite://data/letao.db"
        );
        assert!(!redact_url("postgres://u:pa%40ss@h/db").contains("pa"));
    }

    #[test]
    fn mysql_urls_stay_on_tcp() -> Result<(), DbError> {
        let url = driver_url(Backend::Mysql, "mysql://root:pw@127.0.0.1:3306/letao")?;
        assert!(url.ends_with("?prefer_socket=false"), "{url}");
        let kept = driver_url(Backend::Mysql, "mysql://h/db?prefer_socket=true")?;
        assert!(kept.ends_with("?prefer_socket=true"), "{kept}");
        Ok(())
    }

    #[test]
    fn sqlite_urls_name_a_path() -> Result<(), DbError> {
        assert_eq!(
            driver_url(Backend::Sqlite, "sqlite://data/letao.db")?,
            "data/letao.db"
        );
        assert_eq!(
            driver_url(Backend::Sqlite, "sqlite:///tmp/x.db")?,
            "/tmp/x.db"
        );
        assert!(driver_url(Backend::Sqlite, "sqlite://").is_err());
        Ok(())
    }
}
