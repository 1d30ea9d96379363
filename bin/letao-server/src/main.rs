use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // actix's system runtime, as `#[actix_web::main]` would start it.
    actix_web::rt::System::new().block_on(letao_server::cli::run(letao_server::cli::Cli::parse()))
}
