//! `sealbench seal`: protect a payload as an envelope.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};

use super::envelope_io::{backend, find, load_trust, read_input, write_output};
use crate::backend::AeadId;
use crate::envelope::{Identity, MessageBuf, Mode, SealConfig, Sealer, SystemClock};

/// Arguments of `sealbench seal`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Protection: plain, mac0, sign1, encrypt0, encrypt, sign-encrypt.
    #[arg(long, value_parser = parse_mode)]
    mode: Mode,
    /// The sender's trust directory (its `trust.toml` names the sender's own keys and the recipients' public keys).
    #[arg(long, value_name = "DIR")]
    trust: PathBuf,
    /// The sender's key: its kid as text or hex (a symmetric key for mac0/encrypt0, a private
    /// signing key for sign1/sign-encrypt, any key naming the sender for plain).
    #[arg(long = "as", value_name = "KID")]
    sender: Option<String>,
    /// A recipient's key for encrypt/sign-encrypt (repeatable): RSA-OAEP-256 public keys, or one ECDH-ES key.
    #[arg(long = "to", value_name = "KID")]
    recipients: Vec<String>,
    /// How a signer identifies itself: kid, x5t, x5chain, spki.
    #[arg(long, default_value = "kid", value_parser = parse_identity)]
    identity: Identity,
    /// Content encryption for encrypt/sign-encrypt: A128GCM, A256GCM, ChaCha20/Poly1305.
    #[arg(long, default_value = "A128GCM", value_parser = parse_content)]
    content: AeadId,
    /// The RPC method this message calls.
    #[arg(long)]
    method: String,
    /// Crypto backend (default: the first compiled in).
    #[arg(long)]
    backend: Option<String>,
    /// Payload file (default: stdin).
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Envelope file (default: stdout).
    #[arg(long = "out", value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_mode(s: &str) -> Result<Mode, String> {
    Mode::from_label(s).ok_or_else(|| {
        let all: Vec<_> = Mode::ALL.iter().map(|m| m.label()).collect();
        format!("unknown mode {s:?} (one of {})", all.join(", "))
    })
}

fn parse_identity(s: &str) -> Result<Identity, String> {
    Identity::from_label(s)
        .ok_or_else(|| format!("unknown identity {s:?} (kid, x5t, x5chain, spki)"))
}

fn parse_content(s: &str) -> Result<AeadId, String> {
    match crate::envelope::KeyAlg::from_name(s) {
        Some(crate::envelope::KeyAlg::Aead(id)) => Ok(id),
        _ => Err(format!(
            "unknown content algorithm {s:?} (A128GCM, A256GCM, ChaCha20/Poly1305)"
        )),
    }
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let store = load_trust(&args.trust)?;
    let backend = backend(args.backend.as_deref())?;
    let sender = args
        .sender
        .as_deref()
        .map(|k| find(&store, k, "--as"))
        .transpose()?;
    let recipients = args
        .recipients
        .iter()
        .map(|k| find(&store, k, "--to"))
        .collect::<Result<Vec<_>, _>>()?;
    if args.mode.hybrid() && recipients.is_empty() {
        bail!("--mode {} needs at least one --to KID", args.mode.label());
    }
    if !args.mode.hybrid() && !recipients.is_empty() {
        bail!("--to is only for encrypt and sign-encrypt");
    }
    let config = SealConfig {
        mode: args.mode,
        sender,
        identity: args.identity,
        recipients: &recipients,
        content: args.content,
        cek_reuse: 1,
    };
    let mut sealer = Sealer::new(backend, &config, Arc::new(SystemClock), None)
        .with_context(|| format!("preparing {} on {}", args.mode.label(), backend.name))?;
    let payload = read_input(args.input.as_ref())?;
    let mut msg = MessageBuf::new();
    sealer
        .seal_payload(&payload, &args.method, &mut msg)
        .context("sealing")?;
    write_output(args.output.as_ref(), msg.wire())?;
    Ok(ExitCode::SUCCESS)
}
