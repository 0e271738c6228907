//! The traffic-profile parser (`sealbench decide --profile`) on arbitrary text, and the
//! size-distribution arithmetic on whatever parses. Must never panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sealbench::decide::Profile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = Profile::parse(text, Path::new("fuzz.toml")) {
        let _ = p.total_rate();
    }
});
