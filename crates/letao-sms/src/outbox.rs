//! The development backend: each message becomes one JSON line in a file.

use crate::{Receipt, SmsError, SmsSender};
use futures_util::future::BoxFuture;
use letao_domain::Mobile;
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One line of the outbox: `{"to":"13800138000","params":["123456"],"sent_at":"<RFC 3339>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxLine {
    /// The 11-digit number.
    pub to: String,
    /// Template parameters.
    pub params: Vec<String>,
    /// When it was written, RFC 3339 UTC.
    pub sent_at: String,
}

/// Appends messages to a JSON-lines file instead of sending them. For
/// development and tests only: it holds codes in clear text, and production
/// start refuses it.
#[derive(Debug, Clone)]
pub struct OutboxSender {
    path: Arc<PathBuf>,
}

impl OutboxSender {
    /// A sender writing to `path` (created with its folder on first use).
    pub fn new(path: impl Into<PathBuf>) -> OutboxSender {
        OutboxSender {
            path: Arc::new(path.into()),
        }
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads every line of an outbox file back.
    pub fn read_all(path: &Path) -> Result<Vec<OutboxLine>, SmsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(SmsError::Outbox(e.to_string())),
        };
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| SmsError::Outbox(e.to_string())))
            .collect()
    }

    fn append(path: &Path, line: &OutboxLine) -> Result<(), SmsError> {
        let err = |e: std::io::Error| SmsError::Outbox(format!("{}: {e}", path.display()));
        let mut bytes = serde_json::to_vec(line).map_err(|e| SmsError::Outbox(e.to_string()))?;
        bytes.push(b'\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        // Several processes may share the file: hold an exclusive lock and
        // write the whole line in one call, so lines never interleave.
        file.lock().map_err(err)?;
        let written = file.write_all(&bytes).and_then(|()| file.flush());
        let unlocked = file.unlock();
        written.map_err(err)?;
        unlocked.map_err(err)
    }
}

impl SmsSender for OutboxSender {
    fn send<'a>(
        &'a self,
        to: &'a Mobile,
        params: &'a [String],
    ) -> BoxFuture<'a, Result<Receipt, SmsError>> {
        let path = self.path.clone();
        let line = OutboxLine {
            to: to.as_str().to_owned(),
            params: params.to_vec(),
            sent_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        };
        let masked = to.masked();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || OutboxSender::append(&path, &line))
                .await
                .map_err(|e| SmsError::Outbox(format!("write task failed: {e}")))??;
            tracing::info!(to = %masked, "SMS written to the outbox");
            Ok(Receipt { message_id: None })
        })
    }

    fn name(&self) -> &'static str {
        "outbox"
    }
}
