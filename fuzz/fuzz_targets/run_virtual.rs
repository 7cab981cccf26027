//! Run any program on the virtual clock under small limits: it ends with a
//! value or an error, never a panic, an overflow of the stack or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = tasks::Limits {
        max_ops: Some(20_000),
        max_depth: 200,
        max_tasks: Some(200),
        // The fuzzer's process is not the `tasks` command: the counting
        // allocator is not installed, so memory is bounded by max_ops and
        // libFuzzer's -rss_limit_mb instead.
        max_memory: None,
    };
    let mut engine = tasks::Engine::builder()
        .stdout(std::io::sink())
        .stderr(std::io::sink())
        .virtual_time(true)
        .limits(limits)
        .build();
    let _ = engine.eval("fuzz.tasks", text);
});
