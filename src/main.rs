//! The `sealbench` command: parse, run, print the error.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sealbench::cli::quiet_broken_pipe();
    let cli = sealbench::cli::Cli::parse();
    match sealbench::cli::run(cli) {
        Ok(code) => code,
        Err(err) if sealbench::cli::is_broken_pipe(&err) => {
            ExitCode::from(sealbench::cli::EXIT_BROKEN_PIPE)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(sealbench::cli::EXIT_USAGE)
        }
    }
}
