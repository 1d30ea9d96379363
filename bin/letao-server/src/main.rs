use clap::Parser;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    letao_server::cli::run(letao_server::cli::Cli::parse()).await
}
