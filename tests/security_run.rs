//! `--allow-run` and the processes a script starts, tried as an attacker
//! would (issue 23, "Programs: what was granted is what runs"). Each test
//! is named after the hole it closes. "Nothing left running" is checked
//! through `/proc`, with bounded waits and no timing assertions.

mod common;
use common::run_in;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn write_exe(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The state letter, parent pid and process group in /proc/PID/stat, or
/// `None` once the process is gone.
fn proc_stat(pid: i32) -> Option<(char, i32, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Gone, or a zombie: it runs no more (a zombie whose parent is PID 1 may
/// never be reaped on a machine whose init does not reap).
fn is_dead(pid: i32) -> bool {
    proc_stat(pid).is_none_or(|(state, _, _)| state == 'Z')
}

/// Polls `done` every 20 ms for at most `secs` seconds.
fn within(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

/// Waits (at most 30 s) for `dir/name`, written whole by a rename, and
/// reads the pid in it.
fn await_pid(dir: &Path, name: &str) -> i32 {
    let path = dir.join(name);
    assert!(within(30, || path.exists()), "{name} was never written");
    std::fs::read_to_string(&path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Asserts that `pid` stops running within 10 s (it would sleep 30 s).
fn assert_dies(pid: i32, what: &str) {
    let died = within(10, || is_dead(pid));
    if !died {
        // Don't leave it behind for the next test run.
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(
        died,
        "{what} (pid {pid}) is still running: {:?}",
        proc_stat(pid)
    );
}

/// A shell command that starts `sleep 30` in a session of its own (so no
/// group kill reaches it), which writes its pid to `pidfile` once it has
/// left the group.
const SETSID_GRANDCHILD: &str =
    "setsid sh -c 'echo $$ > pidfile.tmp; mv pidfile.tmp pidfile; exec sleep 30 > /dev/null 2>&1' & wait";

/// Script code: `pidfile_written()` waits (up to 30 s) until the shell
/// wrote `pidfile`; `grandchild_dead()` says whether its process stops
/// running within 10 s (a zombie, or gone), seen from the script itself,
/// so before the program ends.
const AWAIT_PIDFILE: &str = "\
async fn pidfile_written() {
    for i in range(3000) {
        if await fs.exists(\"pidfile\") { return }
        await sleep(0.01)
    }
}
async fn grandchild_dead() {
    let pid = (await fs.read_text(\"pidfile\")).strip()
    for i in range(1000) {
        try {
            let stat = await fs.read_text(f\"/proc/{pid}/stat\")
            if stat.partition(\") \")[2].starts_with(\"Z\") { return true }
        } catch e: FileNotFoundError {
            return true
        }
        await sleep(0.01)
    }
    return false
}
";

/// Runs `script` (with [`AWAIT_PIDFILE`] before it and `GRANDCHILD` in it
/// standing for [`SETSID_GRANDCHILD`]), checks that the grandchild had
/// left its parent's process group, and returns its pid.
fn run_with_setsid_grandchild(dir: &Path, script: &str) -> i32 {
    let script = format!(
        "{AWAIT_PIDFILE}{}",
        script.replace("GRANDCHILD", &format!("{SETSID_GRANDCHILD:?}"))
    );
    // Reading /proc/PID/stat needs --allow-env as well (a process's /proc files).
    let r = run_in(
        dir,
        &["--allow-run=sh", "--allow-read", "--allow-env"],
        &script,
    );
    assert_eq!(r.stderr, "", "no error and no warning");
    assert!(r.stdout.contains("stopped"), "{}", r.stdout);
    let pid = await_pid(dir, "pidfile");
    if !r.stdout.contains("dead before the program ends: true") {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("the grandchild ran on after it was stopped:\n{}", r.stdout);
    }
    if let Some((_, _, pgrp)) = proc_stat(pid) {
        assert_eq!(pgrp, pid, "the grandchild leads a group of its own");
    }
    pid
}

#[test]
fn child_env_path_cannot_swap_a_granted_program() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("evil")).unwrap();
    write_exe(&dir.path().join("evil/ls"), "#!/bin/sh\necho EVIL\n");
    let evil = dir.path().join("evil").display().to_string();
    let script = format!(
        r#"let r = await process.run("ls", ["-d", "."], env: {{"PATH": {evil:?}}})
print(r.stdout().strip())
let p = process.start("ls", ["-d", "/"], env: {{"PATH": {evil:?}}})
print(await p.read_line())
await p.wait()
"#
    );
    for grant in ["--allow-run=ls", "--allow-run"] {
        let r = run_in(dir.path(), &[grant], &script);
        assert_eq!(r.stdout, ".\n/\n", "{grant}: {}", r.stderr);
    }
}

#[test]
fn child_cwd_cannot_swap_a_granted_relative_program() {
    let dir = tempfile::tempdir().unwrap();
    for (sub, says) in [("work", "granted"), ("other", "OTHER")] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        write_exe(
            &dir.path().join(sub).join("tool.sh"),
            &format!("#!/bin/sh\necho {says} in $(basename \"$PWD\")\n"),
        );
    }
    let r = run_in(
        &dir.path().join("work"),
        &["--allow-run=./tool.sh"],
        r#"print((await process.run("./tool.sh", cwd: "../other")).stdout().strip())
let p = process.start("./tool.sh", cwd: "../other")
print(await p.read_line())
"#,
    );
    assert_eq!(
        r.stdout, "granted in other\ngranted in other\n",
        "{}",
        r.stderr
    );
}

#[test]
fn loader_variables_in_env_need_an_unscoped_grant() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"for name in ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES"] {
    try {
        let r = await process.shell("echo ran", env: {name: "/nonexistent"})
        print(r.stdout().strip())
    } catch e: NotCapableError {
        print(e.message())
    }
}
try { process.start("sh", env: {"LD_AUDIT": "/nonexistent"}) } catch e: NotCapableError { print("start refused too") }
"#;
    let r = run_in(dir.path(), &["--allow-run=sh"], script);
    let refusal = |name: &str| {
        format!(
            "run access to \"sh\" with {name} in env: is not allowed — \
             it loads other code into the program; only an unscoped --allow-run allows it\n"
        )
    };
    assert_eq!(
        r.stdout,
        format!(
            "{}{}{}start refused too\n",
            refusal("LD_PRELOAD"),
            refusal("LD_LIBRARY_PATH"),
            refusal("DYLD_INSERT_LIBRARIES")
        ),
        "{}",
        r.stderr
    );
    // Unscoped, they pass (the loader ignores a library it cannot find).
    let r = run_in(dir.path(), &["--allow-run"], script);
    assert!(
        r.stdout.starts_with("ran\nran\nran\n"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn setsid_grandchild_outlives_a_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pid = run_with_setsid_grandchild(
        dir.path(),
        r#"
let shell = spawn process.shell(GRANDCHILD)
await pidfile_written()
try { await wait_for(shell, 0.1) } catch e: TimeoutError { print("stopped") }
print("dead before the program ends:", await grandchild_dead())
"#,
    );
    assert_dies(pid, "the setsid grandchild of a timed-out run");
}

#[test]
fn setsid_grandchild_outlives_a_cancelled_task() {
    let dir = tempfile::tempdir().unwrap();
    let pid = run_with_setsid_grandchild(
        dir.path(),
        r#"
let t = spawn process.shell(GRANDCHILD)
await pidfile_written()
t.cancel()
try { await t } catch e: CancelledError { print("stopped") }
print("dead before the program ends:", await grandchild_dead())
"#,
    );
    assert_dies(pid, "the setsid grandchild of a cancelled run");
}

#[test]
fn setsid_grandchild_outlives_a_killed_child() {
    let dir = tempfile::tempdir().unwrap();
    let pid = run_with_setsid_grandchild(
        dir.path(),
        r#"
let p = process.start("sh", ["-c", GRANDCHILD])
await pidfile_written()
p.kill()
print("stopped", await p.wait())
print("dead before the program ends:", await grandchild_dead())
"#,
    );
    assert_dies(pid, "the setsid grandchild of a killed child");
}

#[test]
fn double_forked_daemon_outlives_the_program() {
    let dir = tempfile::tempdir().unwrap();
    // The subshell exits at once: its child is an orphan in a session of
    // its own, which no process group or parent links to the script (and
    // holds no pipe of the script's open).
    let script = format!(
        "{AWAIT_PIDFILE}{}",
        r#"await process.shell("(setsid sh -c 'echo $$ > pidfile.tmp; mv pidfile.tmp pidfile; exec sleep 30' > /dev/null 2>&1 &)")
await pidfile_written()
print("stopped")
"#
    );
    let r = run_in(dir.path(), &["--allow-run=sh", "--allow-read=."], &script);
    assert_eq!(r.stdout, "stopped\n", "{}", r.stderr);
    let pid = await_pid(dir.path(), "pidfile");
    assert_dies(pid, "a daemon started by the script");
}

/// Starts `tasks run` on `script` in `dir` without waiting for it.
fn start_tasks(dir: &Path, flags: &[&str], script: &str) -> Child {
    std::fs::write(dir.join("main.tasks"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(flags)
        .arg("main.tasks")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn never_awaited_children_stay_zombies() {
    let dir = tempfile::tempdir().unwrap();
    let mut tasks = start_tasks(
        dir.path(),
        &["--allow-run=true", "--allow-read=.", "--allow-write=."],
        r#"let kids = []
for i in range(50) { kids.push(process.start("true")) }
await fs.write_text("pids.tmp", "\n".join([str(k.pid()) for k in kids]))
await fs.rename("pids.tmp", "pids")
await sleep(30)
"#,
    );
    let path = dir.path().join("pids");
    assert!(within(30, || path.exists()), "the pids were never written");
    let pids: Vec<i32> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 50);
    // Each `true` exits at once; reaped, its pid is gone from /proc (a
    // zombie's is not).
    let reaped = within(10, || pids.iter().all(|&p| proc_stat(p).is_none()));
    let zombies = pids.iter().filter(|&&p| proc_stat(p).is_some()).count();
    let _ = tasks.kill();
    let _ = tasks.wait();
    assert!(reaped, "{zombies} of 50 children are still zombies");
}

/// A `tasks test` folder with one case that starts `sh` and `sleep 30`
/// and writes both pids.
fn hanging_case(dir: &Path) {
    std::fs::write(
        dir.join("hang.tasks"),
        "# allow: run=sh\n\
         await process.shell(\"echo $$ > sh.tmp; mv sh.tmp sh.pid; sleep 30 & echo $! > sleep.tmp; mv sleep.tmp sleep.pid; wait\")\n",
    )
    .unwrap();
    std::fs::write(dir.join("hang.out"), "").unwrap();
}

#[test]
fn test_timeout_leaves_case_processes_running() {
    let dir = tempfile::tempdir().unwrap();
    hanging_case(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["test", "--timeout", "3"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("timed out after 3 s"), "{report}");
    assert_dies(await_pid(dir.path(), "sh.pid"), "the case's sh");
    assert_dies(await_pid(dir.path(), "sleep.pid"), "the case's sleep");
}

#[test]
fn sigterm_to_the_test_runner_leaves_case_processes_running() {
    let dir = tempfile::tempdir().unwrap();
    hanging_case(dir.path());
    let mut runner = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["test", "--timeout", "60"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sh = await_pid(dir.path(), "sh.pid");
    let sleep = await_pid(dir.path(), "sleep.pid");
    let _ = Command::new("kill")
        .args(["-TERM", &runner.id().to_string()])
        .status();
    let status = runner.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15));
    assert_dies(sh, "the case's sh");
    assert_dies(sleep, "the case's sleep");
}

/// `sh"…"` commands: every value an attacker chooses (here the command
/// line's arguments) stays one word of the shell's, whatever quotes,
/// substitutions, separators, globs or newlines it holds; a value next to
/// another (a trailing `\` before a quote) does not join them; nothing
/// named `pwned` is ever created.
#[test]
fn sh_command_values_never_break_out_of_their_word() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("decoy"), "").unwrap();
    let values = [
        "it's here",
        "'; touch pwned; echo '",
        "\"; touch pwned; echo \"",
        "$(touch pwned)",
        "`touch pwned`",
        "a\nb; touch pwned",
        "\\",
        "\\'",
        "x' '$(touch pwned)",
        "-n",
        "",
        "*",
        "~",
        "${IFS}touch${IFS}pwned",
        "é ü \u{7f}",
    ];
    let script = r#"let vs = args()
for v in vs {
    let r = await process.run(sh"printf '[%s]' {v} {[v, v]}; printf '\n'")
    print(r.stdout() == f"[{v}][{v}][{v}]\n", repr(v))
}
# A trailing backslash, then a value with quotes: still two words.
let r = await process.run(sh"printf '[%s]' {vs[6]}{vs[1]} {vs[6]} {vs[1]}")
print(r.stdout() == f"[{vs[6]}{vs[1]}][{vs[6]}][{vs[1]}]")
"#;
    std::fs::write(dir.path().join("main.tasks"), script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--allow-run=sh", "main.tasks"])
        .args(values)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), values.len() + 1, "{stdout}");
    for line in &lines {
        assert!(
            line.starts_with("true"),
            "a value was split or ran: {stdout}"
        );
    }
    assert!(!dir.path().join("pwned").exists(), "{stdout}");
}

/// A template that puts a value where the shell would not read its quotes
/// (inside quotes of its own, after `\` or `$`, in a here-document) is
/// refused before anything runs; a value that is no word (`nil`, a map) is
/// a `TypeError` before the shell starts. And `sh"…"` is `sh`: it needs
/// `--allow-run=sh` however the grant is spelt, and `--deny-run=sh` wins.
#[test]
fn sh_commands_refuse_unquotable_places_and_need_the_shell_grant() {
    let dir = tempfile::tempdir().unwrap();
    for template in [
        "echo '{v}'",
        "echo \\\"{v}\\\"",
        "echo \\\\{v}",
        "echo ${v}",
        "cat <<EOF\\n{v}\\nEOF",
    ] {
        let script =
            format!("let v = \"'; touch pwned; '\"\nawait process.run(sh\"{template}\")\n");
        let r = run_in(dir.path(), &["--allow-run"], &script);
        assert_eq!(r.code, 2, "{template}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("would not be one word"), "{}", r.stderr);
    }
    let r = run_in(
        dir.path(),
        &["--allow-run=sh"],
        r#"for v in [nil, {"a": 1}, [[1]]] {
    try { await process.run(sh"touch pwned {v}") } catch e: TypeError { print(e.message()) }
}
"#,
    );
    assert_eq!(
        r.stdout,
        "a `nil` is not a word of a command\na `map` is not a word of a command\na `list` is not a word of a command\n",
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("pwned").exists());
    let script = r#"try { await process.run(sh"touch {"pwned"}") } catch e: NotCapableError { print("refused") }"#;
    for flags in [
        &[][..],
        &["--allow-run=printf,touch"],
        &["--allow-run", "--deny-run=sh"],
        &["--allow-run", "--deny-run=/bin/sh"],
    ] {
        let r = run_in(dir.path(), flags, script);
        assert_eq!(r.stdout, "refused\n", "{flags:?}: {}", r.stderr);
        assert!(!dir.path().join("pwned").exists(), "{flags:?}");
    }
    let r = run_in(dir.path(), &["--allow-run=/bin/sh"], script);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("pwned").exists());
}
