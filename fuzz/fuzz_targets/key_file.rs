//! Key-file loading (PEM/DER, PKCS#8, SPKI, symmetric raw/hex) for every algorithm.
//! Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbench::envelope::KeyAlg;
use sealbench::envelope::keystore::load_key_bytes;

fuzz_target!(|data: &[u8]| {
    for &alg in KeyAlg::ALL {
        let _ = load_key_bytes(data, alg);
    }
});
