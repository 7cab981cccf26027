//! Programs that end with thousands of reports to write: the first few in
//! full, the rest one line per place and error kind with a count, so
//! stderr stays small and the run short. And `tasks test` over folders
//! whose symbolic links loop: each real folder is walked once. And a
//! stopping signal ends a program whose output nobody reads.

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

/// A pipe whose write end is full before the child gets it: every write to
/// it blocks until someone reads the other end, and nobody does.
fn full_pipe() -> (std::fs::File, std::fs::File) {
    use std::io::Write;
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both were just opened and belong to nobody else.
    let (read, mut write) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    let set = |flags: i32| {
        // SAFETY: F_SETFL on a descriptor this function owns.
        assert_eq!(unsafe { libc::fcntl(fds[1], libc::F_SETFL, flags) }, 0);
    };
    set(libc::O_NONBLOCK);
    while write.write(&[b'.'; 4096]).is_ok() {}
    set(0);
    (read, write)
}

/// Runs `script` with stdout and stderr full pipes, sends `signals`
/// SIGTERMs once the file `ready` exists, and returns the exit status. The
/// 60-second deadline only keeps a hang from hanging the suite.
fn terminate_with_full_pipes(script: &str, signals: usize) -> Option<i32> {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tasks"), script).unwrap();
    let (_out_read, out) = full_pipe();
    let (_err_read, err) = full_pipe();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--allow-write=.", "main.tasks"])
        .current_dir(dir.path())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = dir.path().join("ready");
    while !ready.exists() {
        assert!(Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id() as i32;
    // SAFETY: kill only sends a signal to our own child.
    let term = move || unsafe { libc::kill(pid, libc::SIGTERM) };
    for _ in 0..signals {
        term();
        // Pacing only: a second signal at any point takes the same path.
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut last = Instant::now();
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        // Two signals sent before the first was taken merge into one (a
        // loaded machine may not run the child within the pacing): while
        // it runs, a later one is the second it was meant to get.
        if signals > 1 && last.elapsed() > Duration::from_secs(1) {
            term();
            last = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("still running 60 s after SIGTERM");
}

/// Stuck in a write to stderr, a pipe nobody reads, with what it printed
/// still buffered for a full stdout: the first SIGTERM cannot cancel the
/// main task (its thread never gets back to the loop), so the process
/// stops as for a second signal, without waiting on either stream.
/// Before, it never ended.
#[test]
fn sigterm_ends_a_program_stuck_writing_to_a_full_pipe() {
    let script = "await fs.write_text(\"ready\", \"0\")\nprint(\"out\")\neprint(\"err\")\n";
    assert_eq!(terminate_with_full_pipes(script, 1), Some(143));
}

/// A second SIGTERM, while a `finally` block spins: flushing what was
/// printed blocks on the full stdout, reporting the signal on the full
/// stderr; the process ends anyway. (No write is under way when the
/// signals come, and no `await` after them flushes stdout.) Before, it
/// never ended.
#[test]
fn a_second_sigterm_ends_a_program_whose_output_nobody_reads() {
    let script = "try {\n    await fs.write_text(\"ready\", \"0\")\n    print(\"out\")\n    while true { }\n} finally {\n    while true { }\n}\n";
    assert_eq!(terminate_with_full_pipes(script, 2), Some(143));
}
