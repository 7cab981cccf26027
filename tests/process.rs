//! `process` end to end through the `tasks` binary, with `sh` as the child:
//! statuses, streams, cancellation that kills whole process trees, and the
//! `--allow-run` grant.

mod common;
use common::{run, run_in};

const SH: &[&str] = &["--allow-run=sh"];

#[test]
fn status_streams_and_check() {
    let r = run(
        SH,
        r#"
let r = await process.shell("echo out; echo err >&2; exit 3", check: false)
print(r.code(), r.ok(), repr(r.stdout()), repr(r.stderr()))
let ok = await process.run("sh", ["-c", "exit 0"])
print(ok.code(), ok.ok())
try {
    await process.shell("echo first >&2; echo why >&2; exit 2")
} catch e: ProcessError {
    print(e.message())
}
"#,
    );
    assert_eq!(
        r.stdout, "3 false \"out\\n\" \"err\\n\"\n0 true\n`sh` exited with status 2: first | why\n",
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 0);
}

#[test]
fn stdin_is_fed_and_big_output_does_not_deadlock() {
    let r = run(
        SH,
        r#"
let r = await process.run("sh", ["-c", "tr a-z A-Z"], stdin: "shout\n")
print(r.stdout())
let big = await process.shell("i=0; while [ $i -lt 5000 ]; do echo 0123456789abcdefghijklmnopqrstuvwxyz; i=$((i+1)); done; echo done >&2")
print(len(big.stdout()), big.stderr())
"#,
    );
    assert_eq!(r.stdout, "SHOUT\n\n185000 done\n\n", "{}", r.stderr);
}

#[test]
fn invalid_utf8_is_replaced_and_cwd_and_env_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let r = run_in(
        dir.path(),
        SH,
        r#"
let r = await process.shell("printf 'a\\377b'")
print(repr(r.stdout()))
print((await process.shell("basename \"$PWD\"", cwd: "sub")).stdout())
print((await process.shell("echo $GREETING", env: {"GREETING": "hello"})).stdout())
"#,
    );
    assert_eq!(r.stdout, "\"a\u{fffd}b\"\nsub\n\nhello\n\n", "{}", r.stderr);
}

#[test]
fn a_child_streams_lines_both_ways() {
    let r = run(
        SH,
        r#"
let p = process.start("sh", ["-c", "while read l; do echo \"got $l\"; done; exit 4"])
await p.write("one\n")
print(await p.read_line())
await p.write("two\n")
print(await p.read_line())
p.close_stdin()
print(await p.read_line())
print(await p.wait(), p.pid() > 0)
"#,
    );
    assert_eq!(r.stdout, "got one\ngot two\nnil\n4 true\n", "{}", r.stderr);
}

fn pid_alive(pid: i32) -> bool {
    // Signal 0 checks existence; a zombie still exists, so also read its state.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat.is_empty() && !stat.contains(") Z ")
}

/// The shell command of the tests below: a grandchild `sleep 30` whose
/// pid the shell writes to `pidfile` (whole, by a rename).
const GRANDCHILD: &str = "sleep 30 & echo $! > pidfile.tmp; mv pidfile.tmp pidfile; wait";

/// Script code that waits (up to 30 s) until the shell wrote `pidfile`: the
/// grandchild runs from then on, however loaded the machine is.
const AWAIT_PIDFILE: &str = "\
async fn pidfile_written() {
    for i in range(3000) {
        if await fs.exists(\"pidfile\") { return }
        await sleep(0.01)
    }
}
";

/// Runs `script` (after [`AWAIT_PIDFILE`]; `GRANDCHILD` in it stands for
/// the shell command), then says whether the grandchild outlived it.
fn grandchild_survives(script: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "{AWAIT_PIDFILE}{}",
        script.replace("GRANDCHILD", &format!("{GRANDCHILD:?}"))
    );
    let r = run_in(dir.path(), &["--allow-run=sh", "--allow-read=."], &script);
    assert!(r.stdout.contains("cancelled"), "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "", "no error and no warning");
    let pid: i32 = std::fs::read_to_string(dir.path().join("pidfile"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The kill is sent before `tasks` exits; give the kernel a moment
    // (generously: the grandchild would sleep 30 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if !pid_alive(pid) {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    true
}

#[test]
fn a_timeout_kills_the_whole_process_tree() {
    let survives = grandchild_survives(
        r#"
let shell = spawn process.shell(GRANDCHILD)
await pidfile_written()
try {
    await wait_for(shell, 0.1)
} catch e: TimeoutError {
    print("cancelled")
}
"#,
    );
    assert!(!survives, "the grandchild sleep outlived the timeout");
}

#[test]
fn cancelling_a_task_kills_its_child() {
    let survives = grandchild_survives(
        r#"
let t = spawn process.shell(GRANDCHILD)
await pidfile_written()
t.cancel()
try { await t } catch e: CancelledError { print("cancelled") }
"#,
    );
    assert!(!survives, "the grandchild sleep outlived the cancellation");
}

#[test]
fn the_end_of_the_program_kills_children() {
    let survives = grandchild_survives(
        r#"
let p = process.start("sh", ["-c", GRANDCHILD])
spawn process.shell("sleep 30")
await pidfile_written()
print("cancelled")
"#,
    );
    assert!(!survives, "a child outlived the program");
}

/// When `tasks` has exited, what it killed at the end is dead, not just
/// sent a SIGKILL: a killed process dies when the kernel next runs it, and
/// one with much memory to free takes a while (here 256 MiB: before the end
/// of a program waited for them, the child was still running right after
/// `tasks` exited in 18 runs of 20 on a loaded machine). So /proc is read
/// once, on purpose.
#[test]
fn a_program_ends_once_what_it_killed_is_dead() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["--allow-run=python3", "--allow-read=."],
        r#"
let code = "import os, time\nb = b'x' * (256 << 20)\nopen('pid.tmp', 'w').write(str(os.getpid()))\nos.rename('pid.tmp', 'pid')\ntime.sleep(30)\n"
let p = process.start("python3", ["-c", code])
for i in range(3000) {
    if await fs.exists("pid") { break }
    await sleep(0.01)
}
print("ends")
"#,
    );
    assert_eq!(r.stdout, "ends\n", "{}", r.stderr);
    let pid: i32 = std::fs::read_to_string(dir.path().join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let alive = pid_alive(pid);
    if alive {
        // Don't leave it behind.
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    assert!(!alive, "the killed child still ran after tasks exited");
}

#[test]
fn running_is_denied_by_default_and_by_name() {
    let r = run(&[], "await process.run(\"echo\", [\"hi\"])");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("run access to \"echo\" is not allowed — run again with --allow-run=echo"),
        "{}",
        r.stderr
    );
    let r = run(SH, "try { process.start(\"bash\") } catch e: NotCapableError { print(\"no bash\") }\nprint((await process.shell(\"echo yes\")).stdout())");
    assert_eq!(r.stdout, "no bash\nyes\n\n", "{}", r.stderr);
    let r = run(
        &["--allow-run", "--deny-run=sh"],
        "await process.shell(\"echo\")",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NotCapableError"), "{}", r.stderr);
}

#[test]
fn a_missing_program_is_file_not_found() {
    let r = run(
        &["--allow-run"],
        "try { await process.run(\"no-such-program-here\") } catch e { print(e.kind()) }",
    );
    assert_eq!(r.stdout, "FileNotFoundError\n", "{}", r.stderr);
}
