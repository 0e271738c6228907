//! Opening arbitrary bytes with fixed trust stores (those of committed vectors: MAC,
//! AEAD, signature, P-256 and X25519 hybrid and nested modes, key learning on for the SPKI
//! vector, a node holding its own signing key, one accepting messages without audience).
//! Must never panic; a mutated message must never open to a payload the sender did not seal.
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use sealbench::backend::ALL_BACKENDS;
use sealbench::conformance::envelope_vectors::parse_vector;
use sealbench::envelope::{ManualClock, OpenOptions, Opener};

macro_rules! vector {
    ($name:literal) => {
        ($name, include_str!(concat!("../../vectors/envelope/", $name, ".json")))
    };
}

const VECTORS: &[(&str, &str)] = &[
    vector!("golden-mac0-hmac256"),
    vector!("golden-encrypt0-a128gcm"),
    vector!("golden-sign1-eddsa-kid"),
    vector!("golden-sign1-eddsa-spki"),
    vector!("golden-encrypt-ecdh-es-x25519-a128gcm"),
    vector!("golden-sign-encrypt-eddsa-ecdh-es-x25519"),
    vector!("golden-encrypt-ecdh-es-p256-a128gcm"),
    vector!("golden-mac0-hmac256-no-audience-accepted"),
    vector!("negative-reflected-own-key-sign1-eddsa"),
];

fn openers() -> &'static Mutex<Vec<Opener>> {
    static OPENERS: OnceLock<Mutex<Vec<Opener>>> = OnceLock::new();
    OPENERS.get_or_init(|| {
        let backend = ALL_BACKENDS[0];
        let v = VECTORS
            .iter()
            .map(|(name, text)| {
                let v = parse_vector(&format!("{name}.json"), name, text).expect("committed vector parses");
                let options = OpenOptions { window_s: u64::MAX / 4, max_learned: 64, ..v.receiver.options.clone() };
                let clock = Arc::new(ManualClock::new(v.receiver.time_s));
                Opener::new(backend, &v.receiver.store, options, clock).expect("store prepares")
            })
            .collect();
        Mutex::new(v)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut openers) = openers().lock() else { return };
    for o in openers.iter_mut() {
        let mut buf = data.to_vec();
        let _ = o.open(&mut buf);
    }
});
