//! The `sealbench` command: parse, run, print the error.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sealbench::cli::Cli::parse();
    match sealbench::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(sealbench::cli::EXIT_USAGE)
        }
    }
}
