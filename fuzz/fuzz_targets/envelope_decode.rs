//! Envelope decoding without keys: the protected-header parser, the unprotected-header
//! parser and the recipient parser on arbitrary bytes. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbench::cose::cbor::Reader;
use sealbench::envelope::header::{Protected, parse_unprotected};
use sealbench::envelope::recipient::parse_recipient;

fuzz_target!(|data: &[u8]| {
    let _ = Protected::parse(data);
    let _ = parse_unprotected(&mut Reader::new(data), true);
    let _ = parse_unprotected(&mut Reader::new(data), false);
    let mut r = Reader::new(data);
    while parse_recipient(&mut r).is_ok() {}
});
