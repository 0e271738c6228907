//! `sealbench open`: verify and unwrap an envelope.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::envelope_io::{backend, display_kid, load_trust, read_input, write_output};
use crate::envelope::{OpenOptions, Opener, SystemClock};

/// Arguments of `sealbench open`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The receiver's trust directory (its own private keys, peers' public keys, shared keys, policy).
    #[arg(long, value_name = "DIR")]
    trust: PathBuf,
    /// Freshness window in seconds (both directions of clock skew).
    #[arg(long, default_value_t = 300)]
    window: u64,
    /// Learn unknown signers' public keys from the message (off by default).
    #[arg(long)]
    learn_keys: bool,
    /// Role given to learned keys.
    #[arg(long, default_value = crate::envelope::keys::ANONYMOUS_ROLE)]
    learned_role: String,
    /// Accept plain messages from peers marked `legacy = true` (migration window; off by default).
    #[arg(long)]
    accept_plain: bool,
    /// Crypto backend (default: the first compiled in).
    #[arg(long)]
    backend: Option<String>,
    /// Envelope file (default: stdin).
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Payload file (default: stdout).
    #[arg(long = "out", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let store = load_trust(&args.trust)?;
    let backend = backend(args.backend.as_deref())?;
    let options = OpenOptions {
        window_s: args.window,
        learn_keys: args.learn_keys,
        learned_role: args.learned_role.clone(),
        accept_plain_from_legacy: args.accept_plain,
        ..OpenOptions::default()
    };
    let mut opener = Opener::new(backend, &store, options, Arc::new(SystemClock))?;
    let mut wire = read_input(args.input.as_ref())?;
    let opened = match opener.open(&mut wire) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("rejected ({}): {e}", e.kind());
            return Ok(ExitCode::from(super::EXIT_FAILED));
        }
    };
    let sender = match opened.sender.and_then(|i| opener.sender(i)) {
        Some((kid, role)) => format!("kid={} role={role}", display_kid(kid)),
        None => format!("anonymous role={}", crate::envelope::keys::ANONYMOUS_ROLE),
    };
    eprintln!(
        "verified: mode={} {sender} method={} iat={} cti={} backend={}",
        opened.mode.label(),
        opened.method,
        opened.iat,
        hex::encode(opened.cti),
        backend.name
    );
    write_output(args.output.as_ref(), opened.payload)?;
    Ok(ExitCode::SUCCESS)
}
