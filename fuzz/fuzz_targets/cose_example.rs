//! The COSE WG example loader, and the checker on whatever loads, on the RustCrypto
//! backend. Must never panic.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use sealbench::backend::ALL_BACKENDS;
use sealbench::conformance::cose_wg::{check_example, parse_example};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(example) = parse_example(text, "fuzz.json".into(), PathBuf::from("/nonexistent"), Path::new("fuzz.json")) {
        for b in ALL_BACKENDS {
            let _ = check_example(&example, b);
        }
    }
});
