//! Random programs through the whole interpreter: a grammar-aware generator
//! writes valid programs (nested async functions, spawn/await/gather/race/
//! group/wait_for, try/catch/finally, cancellation, queues, locks, events,
//! closures, loops, f-strings with format specs, deep nesting) and
//! near-valid ones (the same with a few bytes or tokens changed). Each runs
//! as `tasks run --virtual-time` under small limits and a wall-clock kill;
//! whatever it does, it must end by itself with status 0, 1 or 2 and no
//! crash report. A program that breaks that is saved under
//! `target/generated-failures/` and the test fails.
//!
//! `GEN_COUNT` (default 300) programs from `GEN_SEED` (default 1); the
//! long run is in docs/TESTING.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tasks");
/// Real time a program may take before it counts as a hang.
const WALL_LIMIT: Duration = Duration::from_secs(20);

mod programs;
use programs::{mutate, Gen};

/// Why a run broke the rules (`Err`), or its exit status.
fn run_one(path: &Path) -> Result<i32, String> {
    let mut child = Command::new(BIN)
        .args([
            "run",
            "--virtual-time",
            "--max-ops",
            "200000",
            "--max-memory",
            "300MB",
            "--max-tasks",
            "2000",
            "--max-depth",
            "300",
        ])
        .arg(path)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tasks");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > WALL_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let err = reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(format!("hung: still running after {WALL_LIMIT:?}"));
    };
    match status.code() {
        Some(code @ 0..=2) if !err.contains("panicked") && !err.contains("crashed") => Ok(code),
        Some(code) => Err(format!("exit status {code}; stderr:\n{err}")),
        None => Err(format!("killed by a signal ({status}); stderr:\n{err}")),
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_programs_never_crash_or_hang() {
    let count = env_num("GEN_COUNT", 300);
    let seed = env_num("GEN_SEED", 1);
    let jobs = env_num("GEN_JOBS", 2).max(1);
    let dir = tempfile::tempdir().unwrap();
    let failures_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generated-failures");
    let next = std::sync::atomic::AtomicU64::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    let statuses = std::sync::Mutex::new([0u64; 3]);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let case_seed = seed.wrapping_mul(1_000_003).wrapping_add(i);
                let mut g = Gen::new(case_seed);
                let mut text = g.program();
                // One in three is near-valid: a few edits away from valid.
                if case_seed % 3 == 2 {
                    text = mutate(&mut g.rng, &text);
                }
                let path = dir.path().join(format!("gen{i}.tasks"));
                std::fs::write(&path, &text).unwrap();
                let outcome = run_one(&path);
                if let Ok(code) = outcome {
                    statuses.lock().unwrap()[code as usize] += 1;
                }
                if let Err(why) = outcome {
                    std::fs::create_dir_all(&failures_dir).unwrap();
                    let kept = failures_dir.join(format!("seed{case_seed}.tasks"));
                    std::fs::write(&kept, &text).unwrap();
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{} ({why})", kept.display()));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let [ok, runtime, syntax] = statuses.into_inner().unwrap();
    eprintln!("{count} programs from seed {seed}: {ok} exit 0, {runtime} exit 1, {syntax} exit 2");
    assert!(
        failures.is_empty(),
        "{} of {count} generated programs broke the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The generator itself: most valid programs must parse, or the test
/// would only exercise the parser's error path.
#[test]
fn most_generated_programs_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    let mut ok = 0;
    let n = 40;
    for seed in 0..n {
        let text = Gen::new(seed).program();
        let path = dir.path().join(format!("v{seed}.tasks"));
        std::fs::write(&path, &text).unwrap();
        let out = Command::new(BIN)
            .arg("check")
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        if out.status.success() {
            ok += 1;
        } else if seed < 3 {
            eprintln!(
                "seed {seed} does not check:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert!(
        ok * 10 >= n * 9,
        "only {ok} of {n} generated programs check"
    );
}
