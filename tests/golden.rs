//! The project's golden corpus (core language, errors, async, examples)
//! runs through `tasks test`, the runner users get, as they run it.

use std::path::PathBuf;
use std::process::Command;

fn corpus(dir: &str, min_cases: usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tasks"));
    cmd.arg("test").arg(&root);
    cmd.args(["--jobs", &jobs.to_string(), "--timeout", "30"]);
    let filter = std::env::var("GOLDEN_FILTER").ok();
    if let Some(f) = &filter {
        cmd.args(["--filter", f]);
    }
    let out = cmd.env("NO_COLOR", "1").output().expect("tasks test runs");
    let report = String::from_utf8_lossy(&out.stdout);
    print!("{report}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "golden case(s) failed in {dir}");
    if filter.is_none() {
        let passed = passed_count(&report).expect("a closing `N passed` line");
        assert!(
            passed >= min_cases,
            "expected at least {min_cases} cases in {dir}, found {passed}"
        );
    }
}

/// `N` of the report's closing line, `N passed, M failed...`.
fn passed_count(report: &str) -> Option<usize> {
    let closing = report.lines().rev().find(|l| l.contains(" passed, "))?;
    closing.split(' ').next()?.parse().ok()
}

#[test]
fn golden_core_and_errors() {
    corpus("tests/golden", 190);
}

#[test]
fn examples_print_what_their_out_files_say() {
    corpus("examples", 8);
}

/// The benchmark workloads at N = 1000 (their `.args`), so they stay correct
/// between benchmark runs; `benches/run.py` checks them against CPython.
#[test]
fn bench_workloads_compute_what_they_should() {
    corpus("benches", 8);
}
