//! `process.pipe` end to end through the `tasks` binary: programs joined by
//! the kernel's pipes (each program's stdout *is* the next one's stdin),
//! statuses of each, `check:`'s rule, `--allow-run` for every program
//! before any starts, and a cancel that kills them all.

mod common;
use common::{run, run_in};

#[test]
fn a_pipe_runs_its_programs_and_gives_each_status() {
    let r = run(
        &["--allow-run=grep,sort,uniq,yes,head,sh,cat"],
        r#"
let r = await process.pipe([["grep", "-v", "x"], ["sort"], ["uniq", "-c"]], stdin: "b\na\nb\nx\nc\n")
print(r.code(), r.codes(), r.ok(), repr(r.stdout()))
let y = await process.pipe([["yes"], ["head", "-n", "3"]])
print(y.codes(), y.ok(), repr(y.stdout()))
let one = await process.pipe([["sh", "-c", "echo $GREETING; pwd >/dev/null"]], env: {"GREETING": "hi"})
print(one.codes(), repr(one.stdout()))
let big = await process.pipe([["yes", "0123456789"], ["head", "-n", "200000"], ["sh", "-c", "cat; echo done >&2"]])
print(len(big.stdout_bytes()), repr(big.stderr()))
"#,
    );
    assert_eq!(
        r.stdout,
        "0 [0, 0, 0] true \"      1 a\\n      2 b\\n      1 c\\n\"\n\
         [-13, 0] true \"y\\ny\\ny\\n\"\n\
         [0] \"hi\\n\"\n\
         2200000 \"done\\n\"\n",
        "{}",
        r.stderr
    );
}

#[test]
fn each_stdout_is_the_next_stdin_by_the_kernel() {
    // The first program names the pipe its stdout is; the second names
    // its stdin, then copies what came: the same pipe, not a copy through
    // the script.
    let r = run(
        &["--allow-run=readlink,sh"],
        r#"
let r = await process.pipe([["readlink", "/proc/self/fd/1"], ["sh", "-c", "readlink /proc/self/fd/0; cat"]])
let lines = r.stdout().split("\n")
print(lines[0] == lines[1], lines[0].starts_with("pipe:["), len(lines))
"#,
    );
    assert_eq!(r.stdout, "true true 3\n", "{}", r.stderr);
}

#[test]
fn check_names_the_program_that_failed() {
    let r = run(
        &["--allow-run=sh,cat"],
        r#"
let p = [["sh", "-c", "echo x; echo e1 >&2"], ["sh", "-c", "cat; echo why >&2; exit 3"], ["cat"]]
try { await process.pipe(p) } catch e: ProcessError {
    print(e.message())
    print(e.code(), e.data()["codes"], repr(e.stdout()), repr(e.stderr()))
}
let r = await process.pipe(p, check: false)
print(r.code(), r.codes(), r.ok(), repr(r.stdout()), repr(r.stderr()))
try { await process.pipe([]) } catch e { print(e.kind(), e.message()) }
try { await process.pipe([["cat"], []]) } catch e { print(e.kind(), e.message()) }
"#,
    );
    assert_eq!(
        r.stdout,
        "`sh` (program 2 of 3 in the pipe) exited with status 3: why\n\
         3 [0, 3, 0] \"x\\n\" \"why\\n\"\n\
         0 [0, 3, 0] false \"x\\n\" \"e1\\nwhy\\n\"\n\
         ValueError process.pipe() needs at least one program\n\
         ValueError program 2 of the pipe is an empty list\n",
        "{}",
        r.stderr
    );
}

#[test]
fn a_program_denied_in_the_middle_stops_the_pipe_before_any_starts() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["--allow-run=sh,uniq", "--allow-read=."],
        r#"
for middle in [["sort"], ["/usr/bin/sort"], ["./sort"], ["sh/../sort"]] {
    try {
        await process.pipe([["sh", "-c", "touch started"], middle, ["uniq"]])
    } catch e: NotCapableError { print("refused", middle[0]) }
}
print(await fs.exists("started"))
"#,
    );
    assert_eq!(
        r.stdout,
        "refused sort\nrefused /usr/bin/sort\nrefused ./sort\nrefused sh/../sort\nfalse\n",
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("started").exists());
}

#[test]
fn a_program_that_cannot_start_stops_those_started_before_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notexec"), "echo hi\n").unwrap();
    let r = run_in(
        dir.path(),
        &["--allow-run=sh,./notexec", "--allow-read=."],
        r#"
let first = ["sh", "-c", "echo $$ > a.tmp; mv a.tmp a.pid; exec sleep 30"]
try { await process.pipe([first, ["./notexec"]]) } catch e { print(e.kind(), e.message()) }
"#,
    );
    assert_eq!(
        r.stdout, "PermissionError cannot run \"./notexec\": Permission denied\n",
        "{}",
        r.stderr
    );
    // The first program may not have got as far as writing its pid.
    if let Ok(pid) = std::fs::read_to_string(dir.path().join("a.pid")) {
        assert!(dies(pid.trim().parse().unwrap()));
    }
}

/// Whether `pid` is gone within 5 s: a SIGKILL is sent at once but lands
/// when the kernel next runs the process, which on a loaded machine can be
/// after `tasks` has exited (CI once saw it still running).
fn dies(pid: i32) -> bool {
    for _ in 0..500 {
        if !pid_alive(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

fn pid_alive(pid: i32) -> bool {
    // A zombie still exists: read its state too.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat.is_empty() && !stat.contains(") Z ")
}

#[test]
fn cancelling_a_pipe_kills_every_program() {
    let dir = tempfile::tempdir().unwrap();
    // Each program writes its pid (whole, by a rename) and becomes a
    // `sleep`; the script cancels the pipe once all three are there, then
    // asks `sh` whether each is still running (a zombie is not), polling
    // (bounded) while the kills land.
    let r = run_in(
        dir.path(),
        &["--allow-run=sh", "--allow-read=."],
        r#"
fn stage(name) { return ["sh", "-c", f"echo $$ > {name}.tmp; mv {name}.tmp {name}.pid; exec sleep 30"] }
let t = spawn process.pipe([stage("a"), stage("b"), stage("c")])
for i in range(3000) {
    if await fs.exists("a.pid") and await fs.exists("b.pid") and await fs.exists("c.pid") { break }
    await sleep(0.01)
}
t.cancel()
try { await t } catch e: CancelledError { print("cancelled") }
async fn running(name) {
    let pid = (await fs.read_text(f"{name}.pid")).strip()
    for i in range(1000) {
        let s = (await process.shell(f"cat /proc/{pid}/stat 2>/dev/null", check: false)).stdout()
        if s == "" or s.contains(") Z ") { return false }
        await sleep(0.01)
    }
    return true
}
print(await running("a"), await running("b"), await running("c"))
"#,
    );
    assert_eq!(r.stdout, "cancelled\nfalse false false\n", "{}", r.stderr);
    for name in ["a", "b", "c"] {
        let pid: i32 = std::fs::read_to_string(dir.path().join(format!("{name}.pid")))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(dies(pid));
    }
}
