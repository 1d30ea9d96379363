//! The Letao server: configuration, start-up and the command line.
//! `main.rs` only hands the command line to [`cli::run`].

pub mod cli;
pub mod compose;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::Settings;
pub use startup::{Application, ApplicationBuilder, StartError};
