//! Parity corpus: every `tests/parity/NAME.py` (CPython asyncio, real clock) has a twin
//! `tests/parity/NAME.tasks` that must print byte-identical stdout when run with
//! `tasks run --virtual-time NAME.tasks`. Exit statuses must agree as well, and
//! where python3 writes nothing to stderr, tasks must write nothing either.
//!
//! The expected output is never stored: python3 is run live next to the interpreter.
//!
//! Environment:
//! - `PARITY_FILTER=substring` runs only the cases whose name contains `substring`
//!   (e.g. `PARITY_FILTER=sync_`).
//! - `PARITY_JOBS=n` sets how many cases run at once (default 8).
//!
//! A case that differs is run once more, alone, before it fails: CPython's
//! real-clock timers slip on a loaded machine, while the tasks side is
//! deterministic, so only a real difference fails twice.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Fewest pairs the corpus may hold.
const MIN_PAIRS: usize = 40;
/// Longest a single process may run before it is killed and the case fails.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of cases run at once.
const DEFAULT_JOBS: usize = 8;

struct RunOutput {
    stdout: String,
    stderr: String,
    /// `None` when the process was killed by a signal or timed out.
    code: Option<i32>,
    timed_out: bool,
}

impl RunOutput {
    fn status_text(&self) -> String {
        if self.timed_out {
            format!("killed after {}s timeout", PROCESS_TIMEOUT.as_secs())
        } else {
            match self.code {
                Some(c) => format!("exit status {c}"),
                None => "killed by a signal".to_string(),
            }
        }
    }
}

/// (index, name, verdict) of one finished pair.
type CaseOutcome = (usize, String, Result<(), String>);

/// Runs `program args...` in `dir`, capturing stdout and stderr, with a timeout.
fn run(program: &Path, args: &[&str], dir: &Path) -> Result<RunOutput, String> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("PYTHONASYNCIODEBUG")
        .env_remove("PYTHONDEVMODE");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;

    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {
                if start.elapsed() > PROCESS_TIMEOUT {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().ok();
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("waiting for {}: {e}", program.display())),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(RunOutput {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
    })
}

/// A line diff (longest common subsequence) of `expected` against `actual`:
/// `-` lines only python printed, `+` lines only tasks printed.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    let (n, m) = (a.len(), b.len());
    let mut out = String::new();
    if n * m > 4_000_000 {
        let _ = writeln!(out, "(outputs too large to diff: {n} vs {m} lines)");
        return out;
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let show = |line: &str| -> String {
        match line.strip_suffix('\n') {
            Some(l) => l.to_string(),
            None => format!("{line}  (no newline at end)"),
        }
    };
    let (mut i, mut j) = (0, 0);
    let mut lines = 0;
    while i < n || j < m {
        if lines >= 300 {
            let _ = writeln!(out, "    ... (diff truncated)");
            break;
        }
        if i < n && j < m && a[i] == b[j] {
            let _ = writeln!(out, "      {}", show(a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "    - {}", show(a[i]));
            i += 1;
        } else {
            let _ = writeln!(out, "    + {}", show(b[j]));
            j += 1;
        }
        lines += 1;
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n... ({} more bytes)", &s[..end], s.len() - end)
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// Runs one pair; `Ok(())` when it matches, `Err(report)` otherwise.
fn check_case(dir: &Path, name: &str, tasks_bin: &Path) -> Result<(), String> {
    let py_file = format!("{name}.py");
    let tasks_file = format!("{name}.tasks");
    if !dir.join(&tasks_file).is_file() {
        return Err(format!("{name}: {py_file} has no twin {tasks_file}\n"));
    }

    // Both sides at once: python runs on the real clock, tasks on the virtual one.
    let py_dir = dir.to_path_buf();
    let py_name = py_file.clone();
    let py = thread::spawn(move || run(Path::new("python3"), &[&py_name], &py_dir));
    let tasks = run(tasks_bin, &["run", "--virtual-time", &tasks_file], dir);
    let py = py
        .join()
        .map_err(|_| format!("{name}: python runner thread panicked\n"))?;

    let py = py.map_err(|e| format!("{name}: {e}\n"))?;
    let tasks = tasks.map_err(|e| format!("{name}: {e}\n"))?;

    let mut report = String::new();
    if py.timed_out || py.code.is_none() {
        let _ = writeln!(
            report,
            "{name}: python3 {py_file} did not finish normally ({}); the corpus itself is broken",
            py.status_text()
        );
        let _ = write!(
            report,
            "  python3 stderr:\n{}",
            indent(&truncate(&py.stderr, 4000))
        );
        return Err(report);
    }
    let same_stdout = py.stdout == tasks.stdout;
    let same_status = !tasks.timed_out && py.code == tasks.code;
    // Where CPython writes nothing to stderr (no warning, no traceback),
    // neither may tasks: a stray "never awaited" is a difference too.
    let quiet_too = !py.stderr.trim().is_empty() || tasks.stderr.trim().is_empty();
    if same_stdout && same_status && quiet_too {
        return Ok(());
    }

    let _ = writeln!(report, "{name}:");
    if !quiet_too {
        let _ = writeln!(report, "  python3 wrote nothing to stderr, tasks did");
    }
    if !same_status {
        let _ = writeln!(
            report,
            "  status differs: python3 {}, tasks {}",
            py.status_text(),
            tasks.status_text()
        );
    }
    if same_stdout {
        let _ = writeln!(report, "  stdout identical");
    } else {
        let _ = writeln!(
            report,
            "  stdout diff (- expected from python3, + actual from tasks):"
        );
        report.push_str(&line_diff(&py.stdout, &tasks.stdout));
    }
    if tasks.stderr.trim().is_empty() {
        let _ = writeln!(report, "  tasks stderr: (empty)");
    } else {
        let _ = write!(
            report,
            "  tasks stderr:\n{}",
            indent(&truncate(&tasks.stderr, 4000))
        );
    }
    if py.code != Some(0) && !py.stderr.trim().is_empty() {
        let _ = write!(
            report,
            "  python3 stderr:\n{}",
            indent(&truncate(&py.stderr, 2000))
        );
    }
    Err(report)
}

#[test]
fn parity_with_cpython() {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("parity");
    let tasks_bin = PathBuf::from(env!("CARGO_BIN_EXE_tasks"));

    // python3 is the reference; without it this test must fail, never pass silently.
    match Command::new("python3")
        .arg("-c")
        .arg("import asyncio, sys; print(sys.version_info[0])")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "3" => {}
        Ok(out) => panic!(
            "parity test needs a working `python3` (with asyncio) on PATH, but `python3 -c 'import asyncio'` failed \
             ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "parity test needs `python3` on PATH as the CPython asyncio reference, but it could not be run: {e}"
        ),
    }

    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? == "py" && path.is_file() {
                Some(path.file_stem()?.to_str()?.to_string())
            } else {
                None
            }
        })
        .collect();
    names.sort();

    // Every .tasks needs its .py too (a lone .tasks would otherwise be silently skipped).
    let mut orphans: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? == "tasks" {
                let stem = path.file_stem()?.to_str()?.to_string();
                if !dir.join(format!("{stem}.py")).is_file() {
                    return Some(stem);
                }
            }
            None
        })
        .collect();
    orphans.sort();
    assert!(
        orphans.is_empty(),
        "these .tasks files in {} have no .py twin: {orphans:?}",
        dir.display()
    );

    assert!(
        names.len() >= MIN_PAIRS,
        "expected at least {MIN_PAIRS} parity pairs in {}, found {}",
        dir.display(),
        names.len()
    );

    let filter = std::env::var("PARITY_FILTER").unwrap_or_default();
    let selected: Vec<String> = names
        .iter()
        .filter(|n| n.contains(filter.as_str()))
        .cloned()
        .collect();
    assert!(
        !selected.is_empty(),
        "PARITY_FILTER={filter:?} matches none of the {} parity cases",
        names.len()
    );

    let jobs = std::env::var("PARITY_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
        .filter(|&j| j > 0)
        .unwrap_or(DEFAULT_JOBS)
        .min(selected.len());

    let queue = Arc::new(Mutex::new(
        selected
            .iter()
            .cloned()
            .enumerate()
            .collect::<VecDeque<_>>(),
    ));
    let results: Arc<Mutex<Vec<CaseOutcome>>> = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let queue = Arc::clone(&queue);
        let results = Arc::clone(&results);
        let dir = dir.clone();
        let tasks_bin = tasks_bin.clone();
        workers.push(thread::spawn(move || loop {
            let next = queue.lock().unwrap().pop_front();
            let Some((index, name)) = next else { break };
            let outcome = check_case(&dir, &name, &tasks_bin);
            results.lock().unwrap().push((index, name, outcome));
        }));
    }
    for w in workers {
        w.join().expect("parity worker thread panicked");
    }

    let mut results = Arc::try_unwrap(results).ok().unwrap().into_inner().unwrap();
    results.sort_by_key(|(index, _, _)| *index);
    assert_eq!(
        results.len(),
        selected.len(),
        "some parity cases were not run"
    );

    // CPython runs on the real clock: on a loaded machine its timers can slip
    // past a case's 50 ms margins. The tasks side is deterministic (virtual
    // time), so a mismatch is rerun once, alone, before it counts: a real
    // difference fails both times.
    let mut failed = Vec::new();
    let mut rerun_ok = Vec::new();
    let mut report = String::new();
    for (_, name, outcome) in &results {
        if outcome.is_err() {
            match check_case(&dir, name, &tasks_bin) {
                Ok(()) => rerun_ok.push(name.clone()),
                Err(text) => {
                    failed.push(name.clone());
                    report.push_str(&text);
                    report.push('\n');
                }
            }
        }
    }
    if !rerun_ok.is_empty() {
        eprintln!(
            "parity: matched CPython only when rerun alone (a loaded machine): {}",
            rerun_ok.join(", ")
        );
    }
    eprintln!(
        "parity: {} passed, {} failed (of {} selected, {} in corpus)",
        results.len() - failed.len(),
        failed.len(),
        results.len(),
        names.len()
    );
    if !failed.is_empty() {
        panic!(
            "{} of {} parity cases differ from CPython asyncio:\n\n{report}failed: {}\n",
            failed.len(),
            results.len(),
            failed.join(", ")
        );
    }
}
