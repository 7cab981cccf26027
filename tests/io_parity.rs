//! Parity pairs that do real I/O on the real clock, which the main corpus
//! (`tests/parity`: virtual time, stdin closed, no permissions) cannot
//! hold: every `tests/io_parity/NAME.tasks` has a CPython twin `NAME.py`
//! that must print the same stdout with the same exit status.
//!
//! Two header lines of the `.tasks` file set the run:
//! - `# flags: ...`: the `tasks run` flags (permissions);
//! - `# feed: ...`: a shell command whose output is piped into both
//!   programs' stdin. It starts once the program has created the file
//!   `ready` in its folder, so that an interpreter's start-up time does
//!   not eat into the delays it contains.
//!
//! Timers here are real on both sides: deadlines whose order matters are
//! at least 300 ms apart, and a pair that differs is run once more before
//! it fails.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn header<'a>(source: &'a str, key: &str) -> Option<&'a str> {
    source
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
}

/// Runs `program` (a shell command line) in a fresh folder holding the
/// pair, its stdin fed by `feed` once `ready` exists.
fn run(dir: &Path, program: &str, feed: Option<&str>) -> Output {
    let work = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, work.path().join(path.file_name().unwrap())).unwrap();
    }
    let line = match feed {
        Some(feed) => format!(
            "(i=0; while [ ! -e ready ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; {feed}) | {program}"
        ),
        None => format!("{program} < /dev/null"),
    };
    Command::new("sh")
        .args(["-c", &line])
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// `None` when the pair agrees, else a report.
fn check(dir: &Path, name: &str) -> Option<String> {
    let source = std::fs::read_to_string(dir.join(format!("{name}.tasks"))).unwrap();
    let feed = header(&source, "feed");
    let flags = header(&source, "flags").unwrap_or("");
    let tasks = env!("CARGO_BIN_EXE_tasks");
    let ours = run(dir, &format!("{tasks} run {flags} {name}.tasks"), feed);
    let python = run(dir, &format!("python3 {name}.py"), feed);
    if ours.stdout == python.stdout && ours.status.code() == python.status.code() {
        return None;
    }
    Some(format!(
        "{name}: python3 ({:?}):\n{}\ntasks ({:?}):\n{}\ntasks stderr:\n{}\npython3 stderr:\n{}",
        python.status.code(),
        String::from_utf8_lossy(&python.stdout),
        ours.status.code(),
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&ours.stderr),
        String::from_utf8_lossy(&python.stderr),
    ))
}

#[test]
fn io_pairs_print_what_cpython_prints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/io_parity");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "tasks").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    assert!(names.len() >= 3, "the pairs are missing from {dir:?}");
    let filter = std::env::var("PARITY_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    for name in names.iter().filter(|n| n.contains(&filter)) {
        assert!(
            dir.join(format!("{name}.py")).is_file(),
            "{name}.tasks has no twin {name}.py"
        );
        // A real-clock difference is tried again before it counts.
        if check(&dir, name).is_some() {
            if let Some(report) = check(&dir, name) {
                failures.push(report);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
