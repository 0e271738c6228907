//! `sealbench open`: verify and unwrap an envelope.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::envelope_io::{display_kid, load_trust, write_output};
use crate::envelope::replay::ReplayGuard;
use crate::envelope::{OpenOptions, Opener, SystemClock};

/// Reads the envelope (file or stdin), at most `max + 1` bytes: a larger input is never
/// read into memory whole.
fn read_capped(path: Option<&PathBuf>, max: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    match path {
        Some(p) => {
            std::fs::File::open(p)
                .with_context(|| format!("reading {}", p.display()))?
                .take(limit)
                .read_to_end(&mut out)
                .with_context(|| format!("reading {}", p.display()))?;
        }
        None => {
            std::io::stdin()
                .lock()
                .take(limit)
                .read_to_end(&mut out)
                .context("reading stdin")?;
        }
    }
    // A longer input is cut at `max + 1` bytes, which `open` refuses as too-large.
    Ok(out)
}

/// Arguments of `sealbench open`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The receiver's trust directory (its own private keys, peers' public keys, shared keys, policy).
    #[arg(long, value_name = "DIR")]
    trust: PathBuf,
    /// How old a message may be, in seconds.
    #[arg(long, default_value_t = 300)]
    window: u64,
    /// How far in the future a message's `iat` may be (sender clock ahead), in seconds.
    #[arg(long, default_value_t = crate::envelope::open::DEFAULT_FUTURE_SKEW_S)]
    future_skew: u64,
    /// Accept messages that name no audience (UNSAFE: a captured message can be replayed
    /// to every node that trusts its sender).
    #[arg(long)]
    accept_no_audience: bool,
    /// Largest envelope accepted, in bytes (default 16 MiB).
    #[arg(long, default_value_t = crate::envelope::open::DEFAULT_MAX_SIZE)]
    max_size: usize,
    /// Keep replay state in this database file, so a message accepted by one `open`
    /// process is refused as replayed by the next (created if missing).
    #[arg(long, value_name = "PATH")]
    replay_db: Option<PathBuf>,
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
    #[arg(long, value_name = "NAME", value_parser = super::parse_backend)]
    backend: Option<&'static crate::backend::Backend>,
    /// Envelope file (default: stdin).
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Payload file (default: stdout).
    #[arg(long = "out", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let store = load_trust(&args.trust)?;
    let backend = super::backend_or_first(args.backend)?;
    let options = OpenOptions {
        window_s: args.window,
        learn_keys: args.learn_keys,
        learned_role: args.learned_role.clone(),
        accept_plain_from_legacy: args.accept_plain,
        accept_no_audience: args.accept_no_audience,
        future_skew_s: args.future_skew,
        max_size: args.max_size,
        ..OpenOptions::default()
    };
    let replay = match &args.replay_db {
        Some(path) => ReplayGuard::persistent(path, options.replay.clone())
            .with_context(|| format!("replay database {}", path.display()))?,
        None => ReplayGuard::new(options.replay.clone()),
    };
    let mut opener = Opener::with_replay(backend, &store, options, Arc::new(SystemClock), replay)?;
    let mut wire = read_capped(args.input.as_ref(), args.max_size)?;
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
