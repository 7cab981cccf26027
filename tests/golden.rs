//! The project's golden corpus (core language, errors, async, examples)
//! runs through the same runner users get with `tasks test`.

use std::path::PathBuf;
use std::time::Duration;
use tasks::golden::{run, TestOptions};

fn corpus(dir: &str, min_cases: usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let opts = TestOptions {
        seed: tasks::engine::DEFAULT_SEED,
        bless: false,
        filter: std::env::var("GOLDEN_FILTER").ok(),
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        timeout: Duration::from_secs(30),
        exe: PathBuf::from(env!("CARGO_BIN_EXE_tasks")),
        color: false,
        no_grants: false,
        trace_dir: None,
        timeline_dir: None,
    };
    let summary = run(&[root], &opts);
    print!("{}", summary.report);
    assert!(
        summary.ok(),
        "{} golden case(s) failed in {dir}",
        summary.failed
    );
    if opts.filter.is_none() {
        assert!(
            summary.passed >= min_cases,
            "expected at least {min_cases} cases in {dir}, found {}",
            summary.passed
        );
    }
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
