use super::*;
use async_io::{block_on, Timer};
use std::time::{Duration, Instant};

/// Process tests run one at a time: `kill_all` kills every registered
/// group in this process, and the checks on pids must not see another
/// test's children.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn sh(script: &str) -> RunSpec {
    RunSpec::new("sh", ["-c", script])
}

fn run_ok(spec: RunSpec) -> RunOutput {
    block_on(run(spec)).expect("run")
}

/// The state letter in /proc/PID/stat and the parent pid, or `None` once
/// the process is gone (reaped).
fn proc_state(pid: i32) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Waits (at most 5 s) until `pid` is dead: gone, or a zombie that is not
/// ours to reap (an orphaned grandchild waits for PID 1, which on some
/// machines never reaps). False if it is still running after that.
fn becomes_dead(pid: i32) -> bool {
    let me = std::process::id() as i32;
    poll_until(|| match proc_state(pid) {
        None => true,
        Some((state, ppid)) => state == 'Z' && ppid != me,
    })
}

/// Waits (at most 5 s) until our child `pid` has been reaped: no zombie
/// of ours is left behind.
fn becomes_reaped(pid: i32) -> bool {
    poll_until(|| proc_state(pid).is_none())
}

fn poll_until(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn read_pid(path: &std::path::Path) -> i32 {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Ok(pid) = text.trim().parse() {
                return pid;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no pid in {path:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn is_live(pgid: i32) -> bool {
    live_groups().contains_key(&pgid)
}

#[test]
fn exit_codes_and_output_streams_apart() {
    let _s = serial();
    let out = run_ok(sh("echo out; echo err >&2; exit 3"));
    assert_eq!(
        out,
        RunOutput {
            code: 3,
            stdout: "out\n".into(),
            stderr: "err\n".into()
        }
    );
    assert_eq!(run_ok(RunSpec::new("true", [] as [&str; 0])).code, 0);
    // Ended by a signal: minus its number, as Python's returncode.
    assert_eq!(run_ok(sh("kill -9 $$")).code, -9);
}

#[test]
fn stdin_is_fed_then_closed() {
    let _s = serial();
    let mut spec = RunSpec::new("cat", [] as [&str; 0]);
    spec.stdin = "hello\nworld".into();
    assert_eq!(run_ok(spec).stdout_text(), "hello\nworld");
    // Empty stdin: closed at once, so `cat` ends instead of waiting.
    assert_eq!(
        run_ok(RunSpec::new("cat", [] as [&str; 0])).stdout_text(),
        ""
    );
    // A child that does not read its input is not an error.
    let mut spec = sh("exit 0");
    spec.stdin = "x".repeat(1 << 20).into_bytes();
    assert_eq!(run_ok(spec).code, 0);
}

#[test]
fn large_output_on_both_streams_does_not_deadlock() {
    let _s = serial();
    // Interleaved writes well past a pipe's 64 KiB on both streams, while
    // a large stdin is still being fed.
    let mut spec = sh(
        "i=0; while [ $i -lt 40 ]; do head -c 8192 /dev/zero | tr '\\0' o; \
         head -c 8192 /dev/zero | tr '\\0' e >&2; i=$((i+1)); done; wc -c",
    );
    spec.stdin = "z".repeat(300_000).into_bytes();
    let out = run_ok(spec);
    assert_eq!(out.code, 0);
    let stdout = out.stdout_text();
    let counted = stdout.trim_start_matches('o');
    assert_eq!(stdout.len() - counted.len(), 40 * 8192);
    assert_eq!(counted.trim(), "300000");
    assert_eq!(out.stderr_text(), "e".repeat(40 * 8192));
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let _s = serial();
    let out = run_ok(sh("printf 'a\\377b\\n'; printf '\\303' >&2"));
    assert_eq!(out.stdout_text(), "a\u{fffd}b\n");
    assert_eq!(out.stderr_text(), "\u{fffd}");
}

#[test]
fn cwd_and_env() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::canonicalize(dir.path()).unwrap();
    let mut spec = RunSpec::new("pwd", [] as [&str; 0]);
    spec.cwd = Some(real.clone());
    assert_eq!(run_ok(spec).stdout_text(), format!("{}\n", real.display()));

    let mut spec = sh("echo \"$TASKS_TEST_VAR/${HOME:+home-set}\"");
    spec.env = vec![("TASKS_TEST_VAR".into(), "value 1".into())];
    assert_eq!(run_ok(spec.clone()).stdout_text(), "value 1/home-set\n");
    spec.clear_env = true;
    spec.cmd = "/bin/sh".into();
    assert_eq!(run_ok(spec).stdout_text(), "value 1/\n");
}

#[test]
fn a_program_that_cannot_start_is_an_error_with_a_kind() {
    let _s = serial();
    let e = block_on(run(RunSpec::new("no-such-program-tasks", [] as [&str; 0]))).unwrap_err();
    assert_eq!(e.kind(), "FileNotFoundError");
    assert_eq!(
        e.to_string(),
        "cannot run \"no-such-program-tasks\": No such file or directory"
    );
    let mut spec = RunSpec::new("true", [] as [&str; 0]);
    spec.cwd = Some("/no/such/folder".into());
    assert_eq!(block_on(run(spec)).unwrap_err().kind(), "FileNotFoundError");
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("not-executable");
    std::fs::write(&plain, "echo hi\n").unwrap();
    let e = block_on(run(RunSpec::new(plain.to_str().unwrap(), [] as [&str; 0]))).unwrap_err();
    assert_eq!(e.kind(), "PermissionError");
}

#[test]
fn output_past_the_cap_is_an_error_and_kills_the_child() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let mut spec = sh(&format!(
        "echo $$ > {}; head -c 5000 /dev/zero; sleep 30",
        pidfile.display()
    ));
    spec.output_cap = 1000;
    let e = block_on(run(spec)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the process wrote more than 1000 bytes to stdout, so it was killed"
    );
    assert_eq!(e.kind(), "ProcessError");
    let pid = read_pid(&pidfile);
    assert!(becomes_reaped(pid), "sh {pid} left running or unreaped");
    assert!(!is_live(pid));
    // Exactly the cap is fine.
    let mut spec = sh("head -c 1000 /dev/zero");
    spec.output_cap = 1000;
    assert_eq!(run_ok(spec).stdout.len(), 1000);
}

#[test]
fn dropping_the_run_future_kills_the_whole_tree_and_reaps() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let (shpid, pidfile) = (dir.path().join("sh"), dir.path().join("pid"));
    // The grandchild's pid is written whole (a rename): the timer below
    // drops the run 50 ms after the file appears, and a shell paused
    // between creating the file and writing to it would leave it empty.
    let spec = sh(&format!(
        "echo $$ > {sh}; sleep 30 & echo $! > {pid}.tmp; mv {pid}.tmp {pid}; wait",
        sh = shpid.display(),
        pid = pidfile.display()
    ));
    // Nothing starts before the first poll.
    let lazy = run(spec.clone());
    std::thread::sleep(Duration::from_millis(50));
    assert!(!shpid.exists(), "run started before it was polled");
    drop(lazy);
    // A timeout: the run loses a race with a timer and is dropped.
    let finished = block_on(futures_lite::future::or(
        async { Some(run(spec).await) },
        async {
            while !pidfile.exists() {
                Timer::after(Duration::from_millis(10)).await;
            }
            Timer::after(Duration::from_millis(50)).await;
            None
        },
    ));
    assert!(finished.is_none());
    let (sh_pid, sleep_pid) = (read_pid(&shpid), read_pid(&pidfile));
    assert!(
        becomes_dead(sleep_pid),
        "grandchild sleep {sleep_pid} survived"
    );
    assert!(
        becomes_reaped(sh_pid),
        "sh {sh_pid} survived or is a zombie"
    );
    assert!(!is_live(sh_pid));
}

#[test]
fn a_finished_run_leaves_the_registry() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let shpid = dir.path().join("sh");
    run_ok(sh(&format!("echo $$ > {}", shpid.display())));
    let pid = read_pid(&shpid);
    assert!(!is_live(pid));
    assert!(becomes_reaped(pid));
}

#[test]
fn a_started_child_streams_lines_both_ways() {
    let _s = serial();
    let child = Child::start(&sh(
        "while read l; do echo \"got $l\"; done; printf 'bye\\r\\nno newline'; exit 4",
    ))
    .unwrap();
    assert!(child.pid() > 0);
    assert!(is_live(child.pid() as i32));
    block_on(async {
        child.write("a\nb\n".into()).await.unwrap();
        assert_eq!(child.read_line().await.unwrap().as_deref(), Some("got a"));
        assert_eq!(child.read_line().await.unwrap().as_deref(), Some("got b"));
        child.close_stdin();
        assert!(child.write("late\n".into()).await.is_err());
        assert_eq!(child.read_line().await.unwrap().as_deref(), Some("bye"));
        assert_eq!(
            child.read_line().await.unwrap().as_deref(),
            Some("no newline")
        );
        assert_eq!(child.read_line().await.unwrap(), None);
        assert_eq!(child.read_line().await.unwrap(), None);
        assert_eq!(child.wait().await.unwrap(), 4);
        assert_eq!(child.wait().await.unwrap(), 4);
    });
    assert!(!is_live(child.pid() as i32));
    assert!(becomes_reaped(child.pid() as i32));
}

#[test]
fn a_line_past_the_cap_is_an_error() {
    let _s = serial();
    let mut spec = sh("head -c 100 /dev/zero | tr '\\0' x; echo");
    spec.output_cap = 10;
    let child = Child::start(&spec).unwrap();
    let e = block_on(child.read_line()).unwrap_err();
    assert_eq!(e.to_string(), "a line of output is longer than 10 bytes");
}

#[test]
fn killing_a_started_child_kills_its_group() {
    let _s = serial();
    let child = Child::start(&sh("sleep 30 & echo $!; wait")).unwrap();
    let sleep_pid: i32 = block_on(child.read_line())
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    child.kill();
    assert_eq!(block_on(child.wait()).unwrap(), -9);
    assert!(becomes_dead(sleep_pid));
    assert!(becomes_reaped(child.pid() as i32));
    child.kill(); // after the wait: nothing to do, no error
}

#[test]
fn dropping_the_last_handle_kills_a_running_child() {
    let _s = serial();
    let child = Child::start(&sh("sleep 30 & echo $!; wait")).unwrap();
    let pid = child.pid() as i32;
    let other = child.clone();
    let sleep_pid: i32 = block_on(child.read_line())
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    drop(child);
    assert!(
        matches!(proc_state(sleep_pid), Some((state, _)) if state != 'Z'),
        "one handle is left, so the child must still run"
    );
    drop(other);
    assert!(becomes_dead(sleep_pid));
    assert!(becomes_reaped(pid));
    assert!(!is_live(pid));
}

#[test]
fn kill_all_kills_every_live_group() {
    let _s = serial();
    let a = Child::start(&sh("sleep 30 & echo $!; wait")).unwrap();
    let b = Child::start(&sh("sleep 31 & echo $!; wait")).unwrap();
    let grandchildren: Vec<i32> = [&a, &b]
        .iter()
        .map(|c| block_on(c.read_line()).unwrap().unwrap().parse().unwrap())
        .collect();
    assert_eq!(kill_all(), 2);
    assert_eq!(live_count(), 0);
    assert_eq!(block_on(a.wait()).unwrap(), -9);
    assert_eq!(block_on(b.wait()).unwrap(), -9);
    for pid in grandchildren {
        assert!(becomes_dead(pid), "grandchild {pid} survived kill_all");
    }
    assert_eq!(kill_all(), 0);
}

#[test]
fn kill_engine_kills_only_that_engines_groups() {
    let _s = serial();
    let on = |engine: u64, script: &str| {
        let mut spec = sh(script);
        spec.engine = engine;
        Child::start(&spec).unwrap()
    };
    let mine = on(7001, "sleep 30 & echo $!; wait");
    let theirs = on(7002, "sleep 31 & echo $!; wait");
    let my_grandchild: i32 = block_on(mine.read_line())
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(kill_engine(7001), 1);
    assert_eq!(block_on(mine.wait()).unwrap(), -9);
    assert!(
        becomes_dead(my_grandchild),
        "grandchild {my_grandchild} survived"
    );
    assert_eq!(
        live_count(),
        1,
        "the other engine's child was not left registered"
    );
    assert_eq!(kill_engine(7001), 0);
    assert_eq!(kill_engine(7002), 1);
    assert_eq!(block_on(theirs.wait()).unwrap(), -9);
}

#[test]
fn a_dropped_read_line_keeps_the_start_of_the_line() {
    let _s = serial();
    // The rest of the line comes 900 ms after the timeout, however late
    // a loaded machine starts the timer.
    let child = Child::start(&sh("printf 'par'; sleep 1; echo 'tial'; echo next")).unwrap();
    block_on(async {
        let timed_out = futures_lite::future::or(async { Some(child.read_line().await) }, async {
            Timer::after(Duration::from_millis(100)).await;
            None
        })
        .await;
        assert!(timed_out.is_none(), "the line came before the timeout");
        assert_eq!(child.read_line().await.unwrap().as_deref(), Some("partial"));
        assert_eq!(child.read_line().await.unwrap().as_deref(), Some("next"));
        assert_eq!(child.read_line().await.unwrap(), None);
    });
}

#[test]
fn a_started_child_is_reaped_when_it_exits_without_wait() {
    let _s = serial();
    let child = Child::start(&RunSpec::new("true", [] as [&str; 0])).unwrap();
    let pid = child.pid() as i32;
    assert!(becomes_reaped(pid), "the exited child stayed a zombie");
    assert!(!is_live(pid));
    // Its status is still there for a late wait, and a kill is a no-op.
    child.kill();
    assert_eq!(block_on(child.wait()).unwrap(), 0);
}

#[test]
fn a_killed_child_takes_its_setsid_grandchild() {
    let _s = serial();
    let child = Child::start(&sh("setsid sh -c 'echo $$; exec sleep 30' & wait")).unwrap();
    let grandchild: i32 = block_on(child.read_line())
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    child.kill();
    assert_eq!(block_on(child.wait()).unwrap(), -9);
    assert!(becomes_dead(grandchild), "the setsid grandchild survived");
}
