//! The NIST CAVP `.rsp` parser on arbitrary text (both file kinds). Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbench::conformance::{RspKind, nist::parse_rsp_str};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_rsp_str("fuzz-decrypt.rsp", RspKind::Decrypt, text);
        let _ = parse_rsp_str("fuzz-encrypt.rsp", RspKind::Encrypt, text);
    }
});
