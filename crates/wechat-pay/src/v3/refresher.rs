//! Refreshing platform certificates in the background.

use super::verifier::Verifier;
use std::sync::Arc;
use std::time::Duration;

/// A background thread refreshing platform certificates every `every`;
/// stops when dropped.
#[derive(Debug)]
pub struct CertificateRefresher {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Starts refreshing `verifier`'s platform certificates every `every` (the
/// first refresh runs at once). Failures are logged and retried at the next
/// tick; certificates already known stay accepted meanwhile.
pub fn spawn_certificate_refresher(
    verifier: Arc<Verifier>,
    every: Duration,
) -> std::io::Result<CertificateRefresher> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("wechat-pay-certificates".into())
        .spawn(move || {
            loop {
                match verifier.refresh_certificates() {
                    Ok(n) => tracing::debug!(valid = n, "platform certificates refreshed"),
                    Err(e) => tracing::warn!(error = %e, "platform certificate refresh failed"),
                }
                match stopped.recv_timeout(every) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    _ => return,
                }
            }
        })?;
    Ok(CertificateRefresher {
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl Drop for CertificateRefresher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
