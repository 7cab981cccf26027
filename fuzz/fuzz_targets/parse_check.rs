//! Parse and resolve any bytes: a diagnostic or nothing, never a panic, an
//! overflow of the stack or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut engine = tasks::Engine::builder()
        .stdout(std::io::sink())
        .stderr(std::io::sink())
        .build();
    let _ = engine.check("fuzz.tasks", text);
});
