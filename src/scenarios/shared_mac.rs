//! Preset 5: a MAAS-style region secret. Every node (the scheduler and the compute nodes)
//! authenticates with one shared HMAC key, so the key has one entry, one kid and one role
//! in every trust store; that role must be allowed everything the scheduler does, or the
//! deployment would not work.

use crate::backend::Backend;
use crate::envelope::fixtures::generate;
use crate::envelope::header::{Protected, SenderId};
use crate::envelope::keys::NodeId;
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, Mode, Opener, Policy, SealConfig, TrustStore,
};

use super::Run;
use super::craft::{self, Claims};
use super::executed::{self, Addressing, Attacks, Outcomes};
use super::harness::{
    Envelope, NOW, Net, Replay, When, YesIf, claiming, row, single, try_open, try_open_each,
    try_read,
};

const BOOT_VM: &str = "boot_vm";
const REPORT_STATE: &str = "report_state";

fn mac0(k: &KeyEntry) -> SealConfig<'_> {
    single(Mode::Mac0, k, Identity::Kid)
}

/// Runs every attack of the shared-MAC preset on `backend`.
pub fn run(backend: &'static Backend) -> Result<Run, EnvelopeError> {
    let net = Net::new(backend);
    let region = generate(KeyAlg::Hmac256, b"region-secret", "region")?;
    let outsider = generate(KeyAlg::Hmac256, b"mallory", "region")?;
    let node = |net: &Net| -> Result<Opener, EnvelopeError> {
        let store = TrustStore {
            entries: vec![region.clone()],
            policy: Policy::default().allow("region", &[BOOT_VM, REPORT_STATE]),
            node: None,
        };
        net.node(&store, None)
    };

    let boot_text = b"scheduler to compute-1: boot vm-42 with admin password hunter2";
    let boot = net.send(&mac0(&region), BOOT_VM, boot_text)?;
    // Everything a compromised node (compute-2) sends, it seals with the one region key.
    let compromised = &region;
    let forged_boot = net.send(&mac0(compromised), BOOT_VM, b"compute-2: boot vm-666")?;
    let as_compute1 = net.send(
        &mac0(&claiming(&region, compromised)),
        REPORT_STATE,
        b"compute-1: all instances stopped",
    )?;
    let outsider_forged = net.send(
        &mac0(&claiming(&region, &outsider)),
        BOOT_VM,
        b"outsider: boot vm-1",
    )?;
    let outsider_own = net.send(&mac0(&outsider), BOOT_VM, b"outsider: boot vm-2")?;
    let stale = net.send_stale(&mac0(&region), BOOT_VM, boot_text)?;
    let mut replayed_at = node(&net)?;
    try_open(&mut replayed_at, &boot);
    let mut region_nodes = vec![node(&net)?, node(&net)?, node(&net)?];

    use YesIf::{Rejected, Succeeded};
    let mut rows = vec![
        row(
            "request-accepted",
            "The scheduler's boot_vm call is accepted by a compute node (baseline)",
            "the scheduler MACs boot_vm; compute-1 opens it",
            Succeeded,
            try_open(&mut node(&net)?, &boot),
        ),
        row(
            "eavesdropper-reads",
            "An eavesdropper reads messages",
            "an eavesdropper with no keys reads a captured boot_vm",
            Succeeded,
            try_read(&mut net.eavesdropper(true)?, &boot, boot_text),
        ),
        row(
            "outsider-forges",
            "An outsider forges messages under the region key id",
            "mallory MACs boot_vm with her own key under kid region-secret",
            Succeeded,
            try_open(&mut node(&net)?, &outsider_forged),
        ),
        row(
            "new-key-requests",
            "An attacker creates a new key and makes requests",
            "mallory MACs boot_vm with her own key under her own kid",
            Succeeded,
            try_open(&mut node(&net)?, &outsider_own),
        ),
        row(
            "nodes-identified",
            "Nodes are uniquely identified using cryptographic means",
            "compute-2 sends report_state to the scheduler claiming to be compute-1",
            Rejected,
            try_open(&mut node(&net)?, &as_compute1),
        ),
        row(
            "compromised-node-boots-vm",
            "A compromised node (compute) calls a method only the scheduler may call (boot_vm)",
            "compute-2 MACs boot_vm and sends it to compute-1",
            Succeeded,
            try_open(&mut node(&net)?, &forged_boot),
        ),
        row(
            "compromised-node-forges-region",
            "A compromised node forges messages for the whole region",
            "compute-2's boot_vm is delivered to the scheduler, compute-1 and compute-3",
            Succeeded,
            try_open_each(&mut region_nodes, &forged_boot),
        ),
        row(
            "compromised-node-reads",
            "A compromised node reads other nodes' messages",
            "compute-2 opens the scheduler's boot_vm to compute-1",
            Succeeded,
            try_read(&mut node(&net)?, &boot, boot_text),
        ),
        row(
            "replayed-request",
            "A replayed request is accepted",
            "compute-1 receives the scheduler's boot_vm a second time",
            Succeeded,
            try_open(&mut replayed_at, &boot),
        ),
        row(
            "stale-request",
            "A stale (expired) request is accepted",
            "compute-1 receives a boot_vm issued 301 s ago",
            Succeeded,
            try_open(&mut node(&net)?, &stale),
        ),
    ];
    rows.extend(executed::both(&ATTACKS, |a| attacks(&net, &region, a))?);
    Ok(Run {
        algorithms: vec![format!("all messages: Mac0 {}", KeyAlg::Hmac256)],
        rows,
    })
}

const ATTACKS: Attacks = Attacks {
    cross_node: "the scheduler's boot_vm captured on its way to compute-1 is delivered to compute-2",
    restart: "compute-1 accepts the scheduler's boot_vm, restarts, and receives it again",
    reflection: "the scheduler's boot_vm (to compute-1) is delivered back to the scheduler",
    flood: "compute-2 sends compute-1 1,024 report_state calls, each a new stream with iat = \
            now+30 s (compute-1 bounds each sender to 256 streams here; default 1,024); then \
            the scheduler's new boot_vm",
    layers: "compute-2 wraps the scheduler's captured boot_vm as the payload of its own Mac0 \
             marked content type 18 (the same Mac0 without it is accepted)",
    forwarding: "compute-1 re-MACs the scheduler's boot_vm it received, addressed to compute-2",
};

/// A node of the region: the one region key, and its name.
fn region_node(
    net: &Net,
    region: &KeyEntry,
    name: &str,
    a: Addressing,
    replay: Replay<'_>,
) -> Result<Opener, EnvelopeError> {
    let store = TrustStore {
        entries: vec![region.clone()],
        policy: Policy::default().allow("region", &[BOOT_VM, REPORT_STATE]),
        node: Some(NodeId {
            kid: name.as_bytes().to_vec(),
            role: if name == "scheduler" {
                "scheduler"
            } else {
                "compute"
            }
            .into(),
        }),
    };
    net.receiver(&store, None, a, replay)
}

/// The attacks of [`executed`] on the region under `a`.
fn attacks(net: &Net, region: &KeyEntry, a: Addressing) -> Result<Outcomes, EnvelopeError> {
    let at = |name: &str, replay: Replay<'_>| region_node(net, region, name, a, replay);
    let (to_c1, to_c2) = (a.to(&["compute-1"]), a.to(&["compute-2"]));
    let from_scheduler = Envelope {
        from: a.from("scheduler", false),
        to: to_c1.as_ref(),
        when: When::Now,
    };
    let boot_text = b"scheduler to compute-1: boot vm-42";
    let boot = || net.seal(&mac0(region), from_scheduler, BOOT_VM, boot_text);
    let captured = boot()?;

    let cross_node = try_open(&mut at("compute-2", Replay::default())?, &captured);
    let make = |r: Replay<'_>| at("compute-1", r);
    let restart = executed::replay_after_restart(&make, &captured, false)?;
    let restart_db = executed::replay_after_restart(&make, &captured, true)?;
    let reflection = try_open(&mut at("scheduler", Replay::default())?, &captured);

    let mut flooded = at("compute-1", Replay::Memory(executed::flood_config()))?;
    let ahead = Envelope {
        from: a.from("compute-2", false),
        to: to_c1.as_ref(),
        when: When::SkewLimit,
    };
    let victim = boot()?;
    let flood = executed::flood(
        &mut flooded,
        &mut || net.seal(&mac0(region), ahead, REPORT_STATE, b"compute-2: state ok"),
        &victim,
    )?;

    // Layer confusion: compute-2 marks its own Mac0 as carrying a nested message.
    let claims = Claims::new(a.from("compute-2", false), to_c1.as_ref())?;
    let cti = craft::fresh_cti();
    let plain_layer = Protected {
        alg: Some(KeyAlg::Hmac256.cose_alg()),
        sender: Some(SenderId::Kid(&region.kid)),
        iat: NOW,
        cti: &cti,
        method: BOOT_VM,
        nested: false,
        iss: claims.iss(),
        aud: claims.aud(),
    };
    let control = craft::mac0(net.backend, region, &plain_layer, &captured)?;
    if !try_open(&mut at("compute-1", Replay::default())?, &control).succeeded() {
        return Err(EnvelopeError::Config(
            "layer confusion: the hand-built Mac0 was refused without content type 18",
        ));
    }
    let nested = Protected {
        nested: true,
        ..plain_layer
    };
    let confused = craft::mac0(net.backend, region, &nested, &captured)?;
    let layers = try_open(&mut at("compute-1", Replay::default())?, &confused);

    // Forwarding: compute-1 holds the region key, so it re-seals what it received.
    if !try_open(&mut at("compute-1", Replay::default())?, &captured).succeeded() {
        return Err(EnvelopeError::Config(
            "forwarding: compute-1 refused the message it forwards",
        ));
    }
    let onward = Envelope {
        to: to_c2.as_ref(),
        ..from_scheduler
    };
    let forwarded = net.seal(&mac0(region), onward, BOOT_VM, boot_text)?;
    let forwarding = try_open(&mut at("compute-2", Replay::default())?, &forwarded);

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
