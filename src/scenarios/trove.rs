//! Preset 6: Trove-style symmetric keys. Control-plane services share one Encrypt0 key;
//! each guest agent has its own key, which the control plane also holds. At rest the
//! control plane keeps guest keys wrapped under a KEK with the backend's AES-256-GCM (kid
//! as associated data) and unwraps them when it starts. A guest's trust store files its
//! key under role `control-plane` (whatever arrives under it comes from the control
//! plane); the control plane's files it under role `guest`.

use rand::Rng;
use zeroize::Zeroizing;

use crate::backend::{AeadId, Backend};
use crate::envelope::fixtures::generate;
use crate::envelope::header::{Protected, SenderId};
use crate::envelope::keys::{KeyMaterial, NodeId};
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, Mode, Opener, Policy, SealConfig, TrustStore,
};

use super::Run;
use super::craft::{self, Claims};
use super::executed::{self, Addressing, Attacks, Outcomes};
use super::harness::{
    Envelope, NOW, Net, Outcome, Replay, When, YesIf, claiming, row, single, try_open, try_read,
};

const PREPARE: &str = "prepare";
const HEARTBEAT: &str = "heartbeat";
const DELETE_INSTANCE: &str = "delete_instance";
const KEY_ALG: KeyAlg = KeyAlg::Aead(AeadId::Aes256Gcm);
const KEK_AEAD: AeadId = AeadId::Aes256Gcm;

/// A guest key as stored in the control plane's database.
struct Wrapped {
    kid: Vec<u8>,
    nonce: [u8; 12],
    blob: Vec<u8>,
}

fn wrap(b: &Backend, kek: &[u8], entry: &KeyEntry) -> Result<Wrapped, EnvelopeError> {
    let KeyMaterial::Symmetric(key) = &entry.material else {
        return Err(EnvelopeError::WrongKeyType);
    };
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let kek = (b.aead)(KEK_AEAD)?.new_key(kek, KEK_AEAD.default_params())?;
    let mut blob = key.to_vec();
    blob.resize(key.len() + KEK_AEAD.default_params().tag_len, 0);
    kek.seal_in_place(&nonce, &entry.kid, &mut blob)?;
    Ok(Wrapped {
        kid: entry.kid.clone(),
        nonce,
        blob,
    })
}

fn unwrap(b: &Backend, kek: &[u8], w: &Wrapped, role: &str) -> Result<KeyEntry, EnvelopeError> {
    let kek = (b.aead)(KEK_AEAD)?.new_key(kek, KEK_AEAD.default_params())?;
    let mut key = Zeroizing::new(w.blob.clone());
    let n = kek.open_in_place(&w.nonce, &w.kid, &mut key)?;
    key.truncate(n);
    Ok(KeyEntry {
        kid: w.kid.clone(),
        role: role.to_string(),
        alg: KEY_ALG,
        material: KeyMaterial::Symmetric(key),
        cert: None,
        legacy: false,
    })
}

fn random_kek() -> Zeroizing<[u8; 32]> {
    let mut k = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(k.as_mut_slice());
    k
}

/// A guest agent: only its own key, from the control plane.
fn guest_node(net: &Net, key: &KeyEntry) -> Result<Opener, EnvelopeError> {
    let store = TrustStore {
        entries: vec![KeyEntry {
            role: "control-plane".into(),
            ..key.clone()
        }],
        policy: Policy::default().allow("control-plane", &[PREPARE, "restart"]),
        node: None,
    };
    net.node(&store, None)
}

/// The control plane: its own key and every guest key, unwrapped from the database.
fn control_plane(
    net: &Net,
    own: &KeyEntry,
    kek: &[u8],
    db: &[Wrapped],
) -> Result<Opener, EnvelopeError> {
    net.node(&control_plane_store(net, own, kek, db, None)?, None)
}

/// A control-plane service's trust store; `name` is its node kid, if it has one.
fn control_plane_store(
    net: &Net,
    own: &KeyEntry,
    kek: &[u8],
    db: &[Wrapped],
    name: Option<&str>,
) -> Result<TrustStore, EnvelopeError> {
    let mut entries = vec![own.clone()];
    for w in db {
        entries.push(unwrap(net.backend, kek, w, "guest")?);
    }
    Ok(TrustStore {
        entries,
        policy: Policy::default()
            .allow("control-plane", &["*"])
            .allow("guest", &[HEARTBEAT]),
        node: name.map(|n| NodeId {
            kid: n.as_bytes().to_vec(),
            role: "control-plane".into(),
        }),
    })
}

fn enc0(k: &KeyEntry) -> SealConfig<'_> {
    single(Mode::Encrypt0, k, Identity::Kid)
}

/// Runs every attack of the Trove preset on `backend`.
pub fn run(backend: &'static Backend) -> Result<Run, EnvelopeError> {
    let net = Net::new(backend);
    let cp = generate(KEY_ALG, b"control-plane", "control-plane")?;
    let g1 = generate(KEY_ALG, b"guest-1", "guest")?;
    let g2 = generate(KEY_ALG, b"guest-2", "guest")?;
    let mallory = generate(KEY_ALG, b"mallory", "guest")?;
    let kek = random_kek();
    let db = [
        wrap(backend, kek.as_slice(), &g1)?,
        wrap(backend, kek.as_slice(), &g2)?,
    ];
    let cp_node = || control_plane(&net, &cp, kek.as_slice(), &db);

    let prepare_text = b"control plane to guest-1: prepare, mysql root password hunter2";
    let prepare = net.send(&enc0(&g1), PREPARE, prepare_text)?;
    let hb1_text = b"guest-1 heartbeat: replication lag 0";
    let hb1 = net.send(&enc0(&g1), HEARTBEAT, hb1_text)?;
    let hb2_text = b"guest-2 heartbeat: backup key s3cr3t";
    let hb2 = net.send(&enc0(&g2), HEARTBEAT, hb2_text)?;
    let internal_text = b"taskmanager to conductor: swift credentials for backups";
    let internal = net.send(&enc0(&cp), "update_backup", internal_text)?;
    let as_guest1 = net.send(
        &enc0(&claiming(&g1, &g2)),
        HEARTBEAT,
        b"guest-1 heartbeat: instance deleted",
    )?;
    let g2_delete = net.send(&enc0(&g2), DELETE_INSTANCE, b"delete guest-1's instance")?;
    let mallory_msg = net.send(&enc0(&mallory), HEARTBEAT, b"mallory heartbeat")?;
    let stale = net.send_stale(&enc0(&g1), PREPARE, prepare_text)?;
    let mut replayed_at = guest_node(&net, &g1)?;
    try_open(&mut replayed_at, &prepare);

    // A database dump without the KEK: unwrap with a guessed KEK, then read guest-1's traffic.
    let dump_read = match db
        .first()
        .map(|w| unwrap(backend, random_kek().as_slice(), w, "guest"))
    {
        Some(Ok(stolen)) => try_read(&mut guest_node(&net, &stolen)?, &prepare, prepare_text),
        Some(Err(e)) => Outcome::Rejected { kind: e.kind() },
        None => Outcome::Rejected { kind: "no-keys" },
    };
    // A compromised control-plane host reads both guests' traffic.
    let mut host = cp_node()?;
    let host_read = match try_read(&mut host, &hb1, hb1_text) {
        o if o.succeeded() => try_read(&mut host, &hb2, hb2_text),
        o => o,
    };

    use YesIf::{Rejected, Succeeded};
    let mut rows = vec![
        row(
            "control-plane-to-guest",
            "A guest opens the control plane's call (baseline)",
            "the control plane sends prepare to guest-1",
            Succeeded,
            try_open(&mut guest_node(&net, &g1)?, &prepare),
        ),
        row(
            "guest-to-control-plane",
            "The control plane opens a guest's heartbeat with the unwrapped guest key (baseline)",
            "guest-1 sends a heartbeat to the control plane",
            Succeeded,
            try_open(&mut cp_node()?, &hb1),
        ),
        row(
            "eavesdropper-reads",
            "An eavesdropper reads guest messages",
            "an eavesdropper with no keys reads a captured prepare",
            Succeeded,
            try_read(&mut net.eavesdropper(false)?, &prepare, prepare_text),
        ),
        row(
            "cross-guest-read",
            "A guest reads another guest's messages",
            "guest-2 reads the control plane's prepare to guest-1",
            Succeeded,
            try_read(&mut guest_node(&net, &g2)?, &prepare, prepare_text),
        ),
        row(
            "guest-reads-control-plane",
            "A compromised guest reads control-plane traffic",
            "guest-2 reads a taskmanager-to-conductor message",
            Succeeded,
            try_read(&mut guest_node(&net, &g2)?, &internal, internal_text),
        ),
        row(
            "guests-identified",
            "Guests are uniquely identified using cryptographic means",
            "guest-2 encrypts a heartbeat with its own key under guest-1's kid",
            Rejected,
            try_open(&mut cp_node()?, &as_guest1),
        ),
        row(
            "guest-calls-control-plane-method",
            "A compromised guest calls a method only the control plane may call",
            "guest-2 sends delete_instance to the control plane with its own key",
            Succeeded,
            try_open(&mut cp_node()?, &g2_delete),
        ),
        row(
            "reflected-to-guest",
            "A guest's own message reflected back to it is accepted",
            "an attacker delivers guest-1's heartbeat back to guest-1",
            Succeeded,
            try_open(&mut guest_node(&net, &g1)?, &hb1),
        ),
        row(
            "new-key-requests",
            "An attacker creates a new key and makes requests",
            "mallory encrypts a heartbeat with her own key and kid",
            Succeeded,
            try_open(&mut cp_node()?, &mallory_msg),
        ),
        row(
            "database-dump-reads",
            "An attacker with a database dump (keys wrapped under the KEK) reads guest messages",
            "unwrap guest-1's stored key without the KEK, then read its prepare",
            Succeeded,
            dump_read,
        ),
        row(
            "control-plane-host-reads-all",
            "A compromised control-plane host reads every guest's messages",
            "the control plane's key set reads guest-1's and guest-2's heartbeats",
            Succeeded,
            host_read,
        ),
        row(
            "replayed-request",
            "A replayed request is accepted",
            "guest-1 receives the control plane's prepare a second time",
            Succeeded,
            try_open(&mut replayed_at, &prepare),
        ),
        row(
            "stale-request",
            "A stale (expired) request is accepted",
            "guest-1 receives a prepare issued 301 s ago",
            Succeeded,
            try_open(&mut guest_node(&net, &g1)?, &stale),
        ),
    ];
    let keys = Keys {
        cp: &cp,
        g1: &g1,
        g2: &g2,
        kek: kek.as_slice(),
        db: &db,
    };
    rows.extend(executed::both(&ATTACKS, |a| attacks(&net, &keys, a))?);
    Ok(Run {
        algorithms: vec![
            format!("all messages: Encrypt0 {KEY_ALG}"),
            format!(
                "guest keys at rest: wrapped under a KEK with {}",
                KeyAlg::Aead(KEK_AEAD)
            ),
        ],
        rows,
    })
}

const ATTACKS: Attacks = Attacks {
    cross_node: "the taskmanager's update_backup captured on its way to conductor-1 is delivered \
                 to conductor-2",
    restart: "conductor-1 accepts the taskmanager's update_backup, restarts, and receives it again",
    reflection: "the taskmanager's update_backup (to conductor-1) is delivered back to the \
                 taskmanager",
    flood: "guest-2 (may only send heartbeat) sends conductor-1 1,024 heartbeats, each a new \
            stream with iat = now+30 s (conductor-1 bounds each sender to 256 streams here; \
            default 1,024); then guest-1's new heartbeat",
    layers: "guest-2 wraps guest-1's captured heartbeat as the plaintext of its own Encrypt0 \
             marked content type 18 (the same Encrypt0 without it is accepted)",
    forwarding: "conductor-1 re-encrypts the taskmanager's update_backup it received, addressed \
                 to conductor-2",
};

/// The deployment's keys, for [`attacks`].
struct Keys<'a> {
    cp: &'a KeyEntry,
    g1: &'a KeyEntry,
    g2: &'a KeyEntry,
    kek: &'a [u8],
    db: &'a [Wrapped],
}

/// The attacks of [`executed`] on the control plane under `a`. Control-plane services
/// (taskmanager, conductor-1, conductor-2) share the control-plane key.
fn attacks(net: &Net, k: &Keys<'_>, a: Addressing) -> Result<Outcomes, EnvelopeError> {
    let at = |name: &str, replay: Replay<'_>| -> Result<Opener, EnvelopeError> {
        let store = control_plane_store(net, k.cp, k.kek, k.db, Some(name))?;
        net.receiver(&store, None, a, replay)
    };
    let (to_c1, to_c2) = (a.to(&["conductor-1"]), a.to(&["conductor-2"]));
    let from_tm = Envelope {
        from: a.from("taskmanager", false),
        to: to_c1.as_ref(),
        when: When::Now,
    };
    let text = b"taskmanager to conductor-1: swift credentials for backups";
    let captured = net.seal(&enc0(k.cp), from_tm, "update_backup", text)?;

    let cross_node = try_open(&mut at("conductor-2", Replay::default())?, &captured);
    let make = |r: Replay<'_>| at("conductor-1", r);
    let restart = executed::replay_after_restart(&make, &captured, false)?;
    let restart_db = executed::replay_after_restart(&make, &captured, true)?;
    let reflection = try_open(&mut at("taskmanager", Replay::default())?, &captured);

    let from_guest = |guest: &'static str, when| Envelope {
        from: a.from(guest, false),
        to: to_c1.as_ref(),
        when,
    };
    let heartbeat_g1 = net.seal(
        &enc0(k.g1),
        from_guest("guest-1", When::Now),
        HEARTBEAT,
        b"guest-1 heartbeat",
    )?;
    let mut flooded = at("conductor-1", Replay::Memory(executed::flood_config()))?;
    let flood = executed::flood(
        &mut flooded,
        &mut || {
            net.seal(
                &enc0(k.g2),
                from_guest("guest-2", When::SkewLimit),
                HEARTBEAT,
                b"guest-2 heartbeat",
            )
        },
        &heartbeat_g1,
    )?;

    // Layer confusion: guest-2 marks its own Encrypt0 as carrying a nested message.
    let claims = Claims::new(a.from("guest-2", false), to_c1.as_ref())?;
    let cti = craft::fresh_cti();
    let plain_layer = Protected {
        alg: Some(KEY_ALG.cose_alg()),
        sender: Some(SenderId::Kid(&k.g2.kid)),
        iat: NOW,
        cti: &cti,
        method: HEARTBEAT,
        nested: false,
        iss: claims.iss(),
        aud: claims.aud(),
    };
    let control = craft::encrypt0(net.backend, k.g2, &plain_layer, &heartbeat_g1)?;
    if !try_open(&mut at("conductor-1", Replay::default())?, &control).succeeded() {
        return Err(EnvelopeError::Config(
            "layer confusion: the hand-built Encrypt0 was refused without content type 18",
        ));
    }
    let nested = Protected {
        nested: true,
        ..plain_layer
    };
    let confused = craft::encrypt0(net.backend, k.g2, &nested, &heartbeat_g1)?;
    let layers = try_open(&mut at("conductor-1", Replay::default())?, &confused);

    // Forwarding: conductor-1 holds the control-plane key, so it re-seals what it received.
    let received = craft::decrypted_content(&mut at("conductor-1", Replay::default())?, &captured)?;
    let onward = Envelope {
        to: to_c2.as_ref(),
        ..from_tm
    };
    let forwarded = net.seal(&enc0(k.cp), onward, "update_backup", &received)?;
    let forwarding = try_open(&mut at("conductor-2", Replay::default())?, &forwarded);

    Ok(Outcomes {
        cross_node,
        restart,
        restart_db,
        reflection,
        flood,
        layers,
        forwarding,
    })
}
