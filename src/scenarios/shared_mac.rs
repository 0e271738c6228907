//! Preset 5: a MAAS-style region secret. Every node (the scheduler and the compute nodes)
//! authenticates with one shared HMAC key, so the key has one entry, one kid and one role
//! in every trust store; that role must be allowed everything the scheduler does, or the
//! deployment would not work.

use crate::backend::Backend;
use crate::envelope::fixtures::generate;
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, Mode, Opener, Policy, SealConfig, TrustStore,
};

use super::Run;
use super::harness::{Net, YesIf, claiming, row, single, try_open, try_open_each, try_read};

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
    let rows = vec![
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
    Ok(Run {
        algorithms: vec![format!("all messages: Mac0 {}", KeyAlg::Hmac256)],
        rows,
    })
}
