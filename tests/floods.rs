//! Programs that end with thousands of reports to write: the first few in
//! full, the rest one line per place and error kind with a count, so
//! stderr stays small and the run short. And `tasks test` over folders
//! whose symbolic links loop: each real folder is walked once.

mod common;
use common::run;
use std::process::Command;

/// 3,000 tasks failing at one spawn site, 2,000 at another with another
/// error, 1,500 coroutines made and dropped: none awaited.
const FLOOD: &str = "\
async fn bad(i) { throw error(f\"bad {i}\", kind: \"ValueError\") }
async fn worse(i) { return 1 // i }
async fn never() { }
let kept = []
for i in range(3000) { spawn bad(i) }
for i in range(2000) { spawn worse(0) }
for i in range(1500) { kept.push(never()) }
kept = nil
await sleep(0)
print(\"end\")
";

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("⚠ "))
        .collect()
}

/// Before, this wrote 6,500 full diagnostics (over 5 MB); now ten of each
/// kind in full and one count line per place and kind.
#[test]
fn thousands_of_unawaited_failures_are_counted_not_listed() {
    let r = run(&[], FLOOD);
    assert_eq!((r.code, r.stdout.as_str()), (0, "end\n"), "{}", r.stderr);
    assert!(r.stderr.len() < 20_000, "{} bytes", r.stderr.len());
    let w = warnings(&r.stderr);
    assert_eq!(w.len(), 10 + 2 + 10 + 1, "{w:#?}");
    assert_eq!(
        w[0],
        "task 'Task-1' failed and nobody awaited it: ValueError: bad 0"
    );
    assert_eq!(
        w[9],
        "task 'Task-10' failed and nobody awaited it: ValueError: bad 9"
    );
    assert_eq!(
        w[10],
        "and 2,990 more tasks spawned at main.tasks:5:24 failed with ValueError"
    );
    assert_eq!(
        w[11],
        "and 2,000 more tasks spawned at main.tasks:6:24 failed with ZeroDivisionError"
    );
    assert!(
        w[12..22]
            .iter()
            .all(|l| *l == "coroutine 'never' was never awaited or spawned"),
        "{w:#?}"
    );
    assert_eq!(
        w[22],
        "and 1,490 more coroutines 'never' created at main.tasks:7:34 were never awaited or spawned"
    );
}

/// At or under the cap, every report is in full and no count line follows.
#[test]
fn a_few_failures_are_all_shown_in_full() {
    let r = run(
        &[],
        "async fn bad(i) { throw error(f\"bad {i}\") }\nfor i in range(10) { spawn bad(i) }\nawait sleep(0)\n",
    );
    let w = warnings(&r.stderr);
    assert_eq!(w.len(), 10, "{w:#?}");
    assert!(w.iter().all(|l| l.starts_with("task 'Task-")), "{w:#?}");
}

/// A program generated with a hundred spawn sites, each failing a hundred
/// tasks: one count line per site, each with the right number.
#[test]
fn a_generated_program_gets_one_count_line_per_spawn_site() {
    let mut src = String::from("async fn bad(i) { throw error(\"no\", kind: \"ValueError\") }\n");
    for _ in 0..100 {
        src.push_str("for i in range(100) { spawn bad(i) }\n");
    }
    src.push_str("await sleep(0)\n");
    let r = run(&[], &src);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let w = warnings(&r.stderr);
    assert_eq!(w.len(), 10 + 100, "{}", r.stderr);
    assert_eq!(
        w[10],
        "and 90 more tasks spawned at main.tasks:2:23 failed with ValueError"
    );
    for (i, line) in w[11..].iter().enumerate() {
        let want = format!(
            "and 100 more tasks spawned at main.tasks:{}:23 failed with ValueError",
            i + 3
        );
        assert_eq!(*line, want);
    }
}

/// `tasks test` over a folder with one symbolic link looping back up, and
/// one with two: each case runs once. Before, the first ran its case 41
/// times and the second never ended (the timeout is only a hang guard).
#[test]
fn tasks_test_walks_each_real_folder_once() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (case, depth) in [("one", 1), ("two", 2)] {
        let leaf = root.join(case).join("a/b");
        std::fs::create_dir_all(&leaf).unwrap();
        std::fs::write(leaf.join("x.tasks"), "print(1)\n").unwrap();
        std::fs::write(leaf.join("x.out"), "1\n").unwrap();
        symlink("..", leaf.join("up")).unwrap();
        if depth == 2 {
            symlink("../..", leaf.join("upup")).unwrap();
            symlink("b", root.join(case).join("a/alias")).unwrap();
        }
    }
    for case in ["one", "two"] {
        let out = Command::new("timeout")
            .args(["60", env!("CARGO_BIN_EXE_tasks"), "test", case])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{case}: {stdout}");
        assert!(stdout.starts_with("ok      a/b/x ("), "{case}: {stdout}");
        assert!(
            stdout.ends_with("\n1 passed, 0 failed\n"),
            "{case}: {stdout}"
        );
    }
}
