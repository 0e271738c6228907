//! What TLS to the broker protects and what it does not (hop by hop), citing the attacks
//! `sealbench decide` executed on TLS sessions when decision files are given.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::super::decision::Decision;
use super::super::document::{Block, Section};

/// What TLS to the broker leaves open, with the executed attacks a decision file cites.
pub(super) fn caveat(sec: &mut Section, decisions: &[(PathBuf, Decision)]) {
    sec.blocks.push(Block::Heading(
        "What TLS to the broker protects, and what it does not".into(),
    ));
    sec.blocks.push(Block::Bullets(vec![
        "TLS protects the wire: an eavesdropper cannot read a message, and bytes injected, \
         altered or replayed on a connection, or a client without a certificate from the \
         deployment's CA, are refused by the TLS library."
            .into(),
        "TLS is hop by hop, not end to end: it ends at the broker, which decrypts every \
         message. The broker (or whoever compromises it) reads every message and can write \
         one claiming any node; the envelope's signature or MAC travels through the broker \
         untouched, TLS's does not."
            .into(),
        "A compromised node with a valid certificate can send a method reserved to another \
         role: the consumer's only TLS peer is the broker, and a bus does not carry the \
         publisher's TLS identity to the consumer, so the consumer can only believe the \
         sender named in the message."
            .into(),
        "An envelope inside TLS (`tls+<strategy>`) closes these rows as far as its mode does: \
         a signature makes the broker's and other roles' forgeries fail, encryption keeps \
         the broker from reading; TLS still hides the traffic from the wire."
            .into(),
    ]));
    let mut cited = Vec::new();
    for (_, d) in decisions {
        let profile = &d.profile.name;
        if let Some(rejected) = d
            .recommendation
            .rejected
            .iter()
            .find(|r| r.strategy == "tls-only")
        {
            let mut seen = BTreeSet::new();
            for class in &rejected.broken {
                for a in &class.attacks {
                    if seen.insert(a.attack.clone()) {
                        cited.push(format!(
                            "{profile}, tls-only, `{}` on class \"{}\": {} — {}.",
                            a.attack,
                            class.class,
                            a.executed,
                            a.result()
                        ));
                    }
                }
            }
        } else if d
            .rows
            .iter()
            .any(|r| r.strategy == "tls-only" && r.meets_requirements)
        {
            cited.push(format!(
                "{profile}: tls-only withstands every attack this profile's threat model \
                 requires (executed on TLS sessions by `sealbench decide`)."
            ));
        }
        let mut closing: Vec<&str> = d
            .rows
            .iter()
            .filter(|r| r.strategy.starts_with("tls+") && r.meets_requirements)
            .map(|r| r.strategy.as_str())
            .collect();
        closing.sort_unstable();
        closing.dedup();
        if !closing.is_empty()
            && d.rows
                .iter()
                .any(|r| r.strategy == "tls-only" && !r.meets_requirements)
        {
            cited.push(format!(
                "{profile}: with an envelope inside, {} {} every required attack.",
                closing.join(", "),
                if closing.len() == 1 {
                    "withstands"
                } else {
                    "withstand"
                }
            ));
        }
    }
    if cited.is_empty() {
        sec.text(
            "These are the results of the `tls-to-broker` preset, which executes each attack \
             on real TLS 1.3 sessions through an in-process broker (`sealbench scenarios \
             --preset tls-to-broker`; with envelopes inside: `sealbench scenarios --preset \
             tls+envelope`). This report's inputs carry no executed rows to cite: pass the \
             `sealbench decide --json` files with `--decision`.",
        );
    } else {
        sec.text(
            "Executed, not asserted: the attacks `sealbench decide` ran on TLS sessions to a \
             broker for each traffic profile (the `tls-to-broker` and `tls+envelope` presets' \
             deployment: `sealbench scenarios --preset tls-to-broker`):",
        );
        sec.blocks.push(Block::Bullets(cited));
    }
}
