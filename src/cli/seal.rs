//! `sealbench seal`: protect a payload as an envelope.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};

use super::envelope_io::{find, load_trust, read_input, write_output};
use crate::backend::AeadId;
use crate::envelope::audience::Audience;
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
    /// A receiver (repeatable), named in the message's audience (CWT `aud`) in every mode:
    /// the node's kid (its `[node] kid` or its private key's kid). For encrypt and
    /// sign-encrypt it is also a recipient key in the trust directory (RSA-OAEP-256 public
    /// keys, or one ECDH-ES key).
    #[arg(long = "to", value_name = "KID")]
    recipients: Vec<String>,
    /// Address every node of a role instead (a broadcast): the audience is `role:ROLE`.
    #[arg(long = "to-role", value_name = "ROLE", conflicts_with = "no_audience")]
    to_role: Option<String>,
    /// Seal without an audience (UNSAFE: any node that trusts the sender accepts a
    /// captured copy; receivers refuse it unless they pass --accept-no-audience).
    #[arg(long)]
    no_audience: bool,
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
    #[arg(long, value_name = "NAME", value_parser = super::parse_backend)]
    backend: Option<&'static crate::backend::Backend>,
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
    let backend = super::backend_or_first(args.backend)?;
    let sender = args
        .sender
        .as_deref()
        .map(|k| find(&store, k, "--as"))
        .transpose()?;
    let recipients = args
        .recipients
        .iter()
        .filter(|_| args.mode.hybrid())
        .map(|k| find(&store, k, "--to"))
        .collect::<Result<Vec<_>, _>>()?;
    if args.mode.hybrid() && recipients.is_empty() {
        bail!("--mode {} needs at least one --to KID", args.mode.label());
    }
    let audience = match (&args.to_role, args.recipients.is_empty(), args.no_audience) {
        (Some(role), _, _) => Some(Audience::Role(role.clone())),
        (None, false, false) => Some(Audience::Kids(
            args.recipients
                .iter()
                .map(|k| k.as_bytes().to_vec())
                .collect(),
        )),
        (None, _, true) if args.mode.hybrid() => {
            bail!("--no-audience: encrypt and sign-encrypt always address their recipients")
        }
        (None, false, true) => bail!("--to names an audience; it conflicts with --no-audience"),
        (None, true, true) => None,
        (None, true, false) if args.mode == Mode::Plain => None,
        (None, true, false) => bail!(
            "name the receivers with --to KID (repeatable) or --to-role ROLE; a message without \
             an audience can be replayed to every node that trusts the sender (--no-audience \
             to do it anyway)"
        ),
    };
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
    if let Some(audience) = &audience {
        sealer = sealer.with_audience(audience).context("--to / --to-role")?;
    }
    if let Some(node) = &store.node {
        sealer = sealer.with_issuer(&node.kid).context("[node] kid")?;
    }
    let payload = read_input(args.input.as_ref())?;
    let mut msg = MessageBuf::new();
    sealer
        .seal_payload(&payload, &args.method, &mut msg)
        .context("sealing")?;
    write_output(args.output.as_ref(), msg.wire())?;
    Ok(ExitCode::SUCCESS)
}
