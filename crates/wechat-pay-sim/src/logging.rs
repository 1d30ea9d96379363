//! Logging set-up of the `wechat-pay-sim` binary: text lines on stdout
//! through `tracing`, the same shape as `letao-server`'s (its
//! `telemetry::init`), so both binaries log alike. The simulator is
//! published on its own and depends on no Letao crate, hence its own copy.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: `RUST_LOG` when set, else `info`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only for a person at a terminal, never in files or pipes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .try_init();
}
