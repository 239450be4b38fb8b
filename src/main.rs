//! The `spec-mcp` binary: parse the command line, send logs to stderr, run.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = spec_mcp::cli::Cli::parse();
    spec_mcp::cli::init_logging(&cli);
    match spec_mcp::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("spec-mcp: error: {error:#}");
            spec_mcp::cli::exit_code(&error)
        }
    }
}
