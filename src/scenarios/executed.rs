//! The attacks of issue 9 that every preset executes, on the deployment as built and again
//! with the profile's audience and issuer ([`Addressing`]): cross-node replay, replay after
//! a restart (with and without a replay database), reflection, replay-state flooding by a
//! low-privilege sender, layer confusion and forwarding. Each preset builds the messages
//! from its own actors and keys; this module holds what they share: the capabilities, the
//! restart and flood procedures, and the rows.

use crate::envelope::replay::ReplayConfig;
use crate::envelope::{EnvelopeError, Opener};

use super::harness::{Outcome, Replay, Row, TempDb, YesIf, row_both, try_open};

pub use super::harness::Addressing;

/// Streams each sender may hold at the flooded receiver. The default is 1,024; the flood
/// runs against a smaller table so `sealbench scenarios` stays fast, and overflows it four
/// times, which is what matters (eviction, not the table size, is under attack).
pub const FLOOD_STREAMS_PER_SENDER: usize = 256;
/// Fresh stream ids the flooding sender sends.
pub const FLOOD_MESSAGES: usize = 4 * FLOOD_STREAMS_PER_SENDER;

/// The flooded receiver's replay bounds.
pub fn flood_config() -> ReplayConfig {
    ReplayConfig {
        max_streams_per_sender: FLOOD_STREAMS_PER_SENDER,
        ..ReplayConfig::default()
    }
}

/// Builds one receiver with the given replay state.
pub type MakeNode<'a> = dyn Fn(Replay<'_>) -> Result<Opener, EnvelopeError> + 'a;

/// Delivers `wire` to a receiver from `make`, restarts it (a new receiver from `make`) and
/// delivers `wire` again; with `db`, both share a replay database in a temporary file
/// (removed afterwards). The first delivery must be accepted, or the attack means nothing.
pub fn replay_after_restart(
    make: &MakeNode<'_>,
    wire: &[u8],
    db: bool,
) -> Result<Outcome, EnvelopeError> {
    let tmp = db.then(TempDb::new);
    let state = || {
        tmp.as_ref()
            .map_or_else(Replay::default, |t| Replay::Db(t.path()))
    };
    let first = try_open(&mut make(state())?, wire);
    if !first.succeeded() {
        return Err(EnvelopeError::Config(
            "replay after restart: the first delivery was refused",
        ));
    }
    // The first receiver is dropped (its database closed) before the second opens.
    Ok(try_open(&mut make(state())?, wire))
}

/// Delivers [`FLOOD_MESSAGES`] messages from `flood_one` (each a fresh stream id) to
/// `node`, then `victim` (another sender's new stream); the victim's outcome is the row's.
/// The flood must at least fill the flooder's stream table (a flood the receiver refuses
/// outright is no flood); later flood messages may be refused — a full table evicts the
/// flooder's own streams and raises its own watermark, so it blocks its own new streams.
pub fn flood(
    node: &mut Opener,
    flood_one: &mut dyn FnMut() -> Result<Vec<u8>, EnvelopeError>,
    victim: &[u8],
) -> Result<Outcome, EnvelopeError> {
    let mut accepted = 0usize;
    for _ in 0..FLOOD_MESSAGES {
        if try_open(node, &flood_one()?).succeeded() {
            accepted += 1;
        }
    }
    if accepted < FLOOD_STREAMS_PER_SENDER {
        return Err(EnvelopeError::Config(
            "replay flood: the receiver refused the flood before the sender's table filled",
        ));
    }
    Ok(try_open(node, victim))
}

/// What one preset executed for each attack, in words.
pub struct Attacks {
    /// Cross-node replay.
    pub cross_node: &'static str,
    /// Replay after a restart, without and with a replay database (same message).
    pub restart: &'static str,
    /// Reflection.
    pub reflection: &'static str,
    /// Replay-state flooding.
    pub flood: &'static str,
    /// Layer confusion.
    pub layers: &'static str,
    /// Forwarding.
    pub forwarding: &'static str,
}

/// The outcomes of one run of the attacks.
pub struct Outcomes {
    /// Cross-node replay.
    pub cross_node: Outcome,
    /// Replay after a restart, replay state in memory.
    pub restart: Outcome,
    /// Replay after a restart with a replay database.
    pub restart_db: Outcome,
    /// Reflection.
    pub reflection: Outcome,
    /// The victim's new stream after the flood.
    pub flood: Outcome,
    /// Layer confusion.
    pub layers: Outcome,
    /// Forwarding.
    pub forwarding: Outcome,
}

/// The rows: each attack as deployed and with the profile's audience.
pub fn rows(attacks: &Attacks, deployed: Outcomes, profile: Outcomes) -> Vec<Row> {
    use YesIf::Succeeded;
    vec![
        row_both(
            "cross-node-replay",
            "A message captured on its way to one node is accepted by another node that trusts the same sender",
            attacks.cross_node,
            Succeeded,
            deployed.cross_node,
            profile.cross_node,
        ),
        row_both(
            "restart-replay",
            "A message replayed after the receiver restarts (replay state in memory) is accepted",
            attacks.restart,
            Succeeded,
            deployed.restart,
            profile.restart,
        ),
        row_both(
            "restart-replay-db",
            "A message replayed after the receiver restarts with a replay database (--replay-db) is accepted",
            attacks.restart,
            Succeeded,
            deployed.restart_db,
            profile.restart_db,
        ),
        row_both(
            "reflection",
            "A node's own message sent back to it is accepted",
            attacks.reflection,
            Succeeded,
            deployed.reflection,
            profile.reflection,
        ),
        row_both(
            "replay-flood",
            "Another sender's new stream is still accepted after a low-privilege sender floods the \
             replay state with fresh stream ids",
            attacks.flood,
            Succeeded,
            deployed.flood,
            profile.flood,
        ),
        row_both(
            "layer-confusion",
            "A message in a layer the profile forbids (content type 18 outside sign-encrypt, a \
             sender kid on its outer layer) is accepted",
            attacks.layers,
            Succeeded,
            deployed.layers,
            profile.layers,
        ),
        row_both(
            "forwarding",
            "A recipient forwards a message it received to another node, which accepts it",
            attacks.forwarding,
            Succeeded,
            deployed.forwarding,
            profile.forwarding,
        ),
    ]
}

/// Runs `attack` as deployed and with the profile's audience, and makes the rows.
pub fn both(
    attacks: &Attacks,
    attack: impl Fn(Addressing) -> Result<Outcomes, EnvelopeError>,
) -> Result<Vec<Row>, EnvelopeError> {
    Ok(rows(
        attacks,
        attack(Addressing::AsDeployed)?,
        attack(Addressing::Profile)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::replay::DEFAULT_MAX_STREAMS_PER_SENDER;

    /// The presets' flood rows state these numbers in words.
    #[test]
    fn flood_numbers_match_the_row_text() {
        assert_eq!(FLOOD_STREAMS_PER_SENDER, 256);
        assert_eq!(FLOOD_MESSAGES, 1_024);
        assert_eq!(DEFAULT_MAX_STREAMS_PER_SENDER, 1_024);
        const { assert!(FLOOD_MESSAGES > FLOOD_STREAMS_PER_SENDER) };
    }
}
