//! The `tasks test` runner: `NAME.tasks` beside `NAME.out` (expected
//! stdout), and optionally `NAME.err` (stderr), `NAME.code` (exit status,
//! default 0) and `NAME.args` (one argument per line). Each case runs in its
//! own process under the virtual clock, so a hung case can be stopped and
//! the others go on.

mod case;
mod diff;
mod schedule;
mod signals;
mod stable;

pub use signals::stop_cases_on_signals;

pub use case::{Case, CaseResult, Verdict};

use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct TestOptions {
    pub bless: bool,
    pub filter: Option<String>,
    pub jobs: usize,
    pub timeout: Duration,
    /// The `tasks` executable that runs each case.
    pub exe: PathBuf,
    pub color: bool,
    /// Passed to every case as `--seed`.
    pub seed: u64,
    /// Run every case with no grants, whatever its `# allow:` line says.
    pub no_grants: bool,
    /// Where each case writes its trace and its timeline (an absolute
    /// folder that exists); a failing case's stay (`schedule.rs`).
    pub trace_dir: Option<PathBuf>,
    pub timeline_dir: Option<PathBuf>,
}

pub struct Summary {
    pub failed: usize,
    /// Cases `--bless` recorded although the interpreter crashed.
    pub blessed_crashes: usize,
    /// The whole report, as printed.
    pub report: String,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.blessed_crashes == 0
    }
}

/// Finds every `.tasks` file under the given paths (files are taken as they are).
/// Symbolic links to folders are followed, but each real folder is
/// visited once: a link back up the tree (`loop -> ..`) adds nothing and
/// cannot make the walk run for ever.
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_file() {
            found.push(p.clone());
        } else {
            walk(p, &mut found, &mut seen);
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Folders already walked, by device and inode (what a link leads to).
type Seen = std::collections::HashSet<(u64, u64)>;

fn walk(dir: &Path, found: &mut Vec<PathBuf>, seen: &mut Seen) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return;
    };
    if !seen.insert((meta.dev(), meta.ino())) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // Sorted, real folders before links, so that a folder reached both
    // ways is always named by the same (real) path.
    let mut entries: Vec<_> = entries
        .flatten()
        .map(|e| {
            let link = e.file_type().is_ok_and(|t| t.is_symlink());
            (link, e.path(), e.file_name())
        })
        .collect();
    entries.sort();
    for (_, p, name) in entries {
        let hidden = name.to_string_lossy().starts_with('.') || name == "target";
        if p.is_dir() && !hidden {
            walk(&p, found, seen);
        } else if p.extension().is_some_and(|x| x == "tasks") {
            found.push(p);
        }
    }
}

/// Drops the helpers from the cases: a `.tasks` file with neither a `.out`
/// nor a Python twin that another file found imports is code the cases
/// share, not a case (a new case, also without `.out`, is imported by
/// nothing, so `--bless` still records it).
fn without_helpers(found: Vec<PathBuf>) -> Vec<PathBuf> {
    let bare = |p: &PathBuf| !p.with_extension("out").exists() && !p.with_extension("py").exists();
    if !found.iter().any(bare) {
        return found;
    }
    let mut imported = std::collections::HashSet::new();
    for p in &found {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let Some(imports) = tasks::Engine::imports(&text) else {
            continue;
        };
        let dir = p.parent().unwrap_or(Path::new(""));
        for path in imports {
            if let Ok(c) = dir.join(path).canonicalize() {
                imported.insert(c);
            }
        }
    }
    found
        .into_iter()
        .filter(|p| !bare(p) || !p.canonicalize().is_ok_and(|c| imported.contains(&c)))
        .collect()
}

/// Runs every case and builds the report (`ok`/`FAILED` lines, diffs, and
/// the closing `N passed, M failed` line).
pub fn run(paths: &[PathBuf], opts: &TestOptions) -> Summary {
    let all = without_helpers(discover(paths));
    let root = common_root(paths);
    let (cases, skipped): (Vec<PathBuf>, Vec<PathBuf>) = all.into_iter().partition(|p| {
        opts.filter
            .as_ref()
            .is_none_or(|f| display_name(p, &root).contains(f.as_str()))
    });
    let results = run_parallel(&cases, &root, opts);
    let mut report = String::new();
    let mut failures = String::new();
    let (mut passed, mut failed, mut blessed_crashes) = (0, 0, 0);
    let mut everything = Vec::new();
    for r in &results {
        let name = display_name(&r.case.script, &root);
        if !opts.no_grants && r.case.grants_everything() {
            everything.push(name.clone());
        }
        let ms = r.elapsed.as_millis();
        match &r.verdict {
            Verdict::Pass => {
                r.case.schedule.remove();
                passed += 1;
                report.push_str(&format!("ok      {name} ({ms} ms)\n"));
            }
            Verdict::Blessed => {
                r.case.schedule.remove();
                passed += 1;
                report.push_str(&format!("blessed {name} ({ms} ms)\n"));
            }
            Verdict::BlessedCrash => {
                blessed_crashes += 1;
                report.push_str(&format!(
                    "blessed {name} ({ms} ms), but it CRASHED: see the end of its .err\n"
                ));
            }
            Verdict::Fail(problems) => {
                failed += 1;
                report.push_str(&format!("FAILED  {name} ({ms} ms)\n"));
                failures.push_str(&format!("\n---- {name} ----\n"));
                if let Ok(grants) = r.case.grants_in(opts) {
                    if !grants.is_empty() {
                        failures.push_str(&format!("granted: {}\n", grants.join(" ")));
                    }
                }
                failures.push_str(&r.case.replay_line(opts));
                failures.push_str(&r.case.schedule.note());
                for p in problems {
                    failures.push_str(&p.render(opts.color));
                }
            }
        }
    }
    if !failures.is_empty() {
        report.push_str("\nfailures:\n");
        report.push_str(&failures);
        report.push('\n');
    }
    let mut closing = format!("{passed} passed, {failed} failed");
    if blessed_crashes > 0 {
        closing.push_str(&format!(
            ", {blessed_crashes} blessed although the interpreter crashed (a bug in tasks)"
        ));
    }
    if !skipped.is_empty() {
        closing.push_str(&format!(", {} skipped", skipped.len()));
    }
    closing.push_str(&grants_note(&everything, opts.no_grants));
    if !everything.is_empty() {
        report.push_str(&format!(
            "granted everything (# allow: all): {}\n",
            everything.join(", ")
        ));
    }
    report.push_str(&closing);
    report.push('\n');
    Summary {
        failed,
        blessed_crashes,
        report,
    }
}

/// The closing line's word on grants: how many cases granted themselves
/// everything (someone running another's tests should know), or that no
/// case was granted anything.
fn grants_note(everything: &[String], no_grants: bool) -> String {
    match everything.len() {
        _ if no_grants => "; no case was granted anything (--no-grants)".to_string(),
        0 => String::new(),
        1 => "; 1 case granted itself everything".to_string(),
        n => format!("; {n} cases granted themselves everything"),
    }
}

fn run_parallel(cases: &[PathBuf], root: &Path, opts: &TestOptions) -> Vec<CaseResult> {
    let jobs = opts.jobs.max(1).min(cases.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<CaseResult>>> =
        cases.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(script) = cases.get(i) else { break };
                let mut case = Case::load(script);
                case.schedule = schedule::ScheduleFiles::of(&display_name(script, root), opts);
                let r = case.run(opts);
                *slots[i].lock().expect("slot") = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().expect("slot").expect("every case ran"))
        .collect()
}

fn common_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [one] if one.is_dir() => one.clone(),
        [one] => one.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::new(),
    }
}

fn display_name(p: &Path, root: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.with_extension("").display().to_string()
}

#[cfg(test)]
mod discovery_tests {
    use super::discover;
    use std::os::unix::fs::symlink;

    #[test]
    fn each_real_folder_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("top.tasks"), "").unwrap();
        std::fs::write(root.join("a/b/deep.tasks"), "").unwrap();
        // A loop to the root, one to the parent from below (two loops: the
        // walk used to run for ever), and a second name for a folder.
        symlink("..", root.join("a/up")).unwrap();
        symlink("../..", root.join("a/b/upup")).unwrap();
        symlink("a/b", root.join("alias")).unwrap();
        let found: Vec<String> = discover(&[root.to_path_buf()])
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["a/b/deep.tasks", "top.tasks"]);
    }
}
