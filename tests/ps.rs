//! Seeing a running program's tasks: `tasks ps PID` and Ctrl-\ (SIGQUIT).
//! The scripts hang on a lock held by a task that waits for ever on a
//! queue, kept alive by a read of the standard input the test holds open.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const EXE: &str = env!("CARGO_BIN_EXE_tasks");

const HUNG: &str = r#"let l = lock()
let q = queue()
async fn keeper() {
    await l.acquire()
    print("keeper has the lock")
    await q.get()
}
async fn wanting() {
    await l.acquire()
}
let k = spawn keeper()
k.set_name("keeper")
let w = spawn wanting()
w.set_name("wanting")
let reader = spawn stdin.read_line()
await w
"#;

/// Starts the hung script (in `dir`, with `dir` as the runtime folder's
/// base) and waits until it has printed its line.
fn start_hung(dir: &Path, extra: &[&str]) -> Child {
    start(dir, "hung.tasks", HUNG, extra, "keeper has the lock\n")
}

/// Writes `script` to `dir/name` and runs it there (with `dir` as the
/// runtime folder's base) until it has printed `first_line`.
fn start(dir: &Path, name: &str, script: &str, extra: &[&str], first_line: &str) -> Child {
    std::fs::write(dir.join(name), script).unwrap();
    let mut child = Command::new(EXE)
        .arg("run")
        .args(extra)
        .arg(name)
        .current_dir(dir)
        .env("XDG_RUNTIME_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    assert_eq!(line, first_line);
    child
}

fn ps(dir: &Path, pid: u32) -> (String, String, i32) {
    let out = Command::new(EXE)
        .args(["ps", &pid.to_string()])
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        text(&out.stdout),
        text(&out.stderr),
        out.status.code().unwrap_or(-1),
    )
}

fn assert_names_the_holder(tree: &str) {
    for want in [
        "task 'main' waiting",
        "on task 'wanting'",
        "at hung.tasks:16:1  await w",
        "    task 'wanting' waiting",
        "on a lock held by task 'keeper'",
        "at hung.tasks:9:5  await l.acquire()",
        "task 'keeper' waiting",
        "on get() of an empty queue (size 0, 1 waiting to get)",
        "at hung.tasks:6:5  await q.get()",
        "on stdin.read_line()",
    ] {
        assert!(tree.contains(want), "missing {want:?} in:\n{tree}");
    }
}

#[test]
fn ps_names_the_waiting_tasks_and_the_lock_holder() {
    for clock in [&[][..], &["--virtual-time"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = start_hung(dir.path(), clock);
        let (out, err, code) = ps(dir.path(), child.id());
        assert_eq!((err.as_str(), code), ("", 0), "{clock:?}");
        assert!(out.starts_with("tasks: 4 pending tasks at "), "{out}");
        assert_names_the_holder(&out);
        // The run went on: asked again, it answers again; then it is
        // still there to be stopped.
        let (again, _, code) = ps(dir.path(), child.id());
        assert_eq!(code, 0);
        assert_names_the_holder(&again);
        assert!(child.try_wait().unwrap().is_none());
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// A server's accept loop is no task: `tasks ps` lists it after the
/// tasks, as an operation nobody awaits, with how long it has run.
#[test]
fn ps_lists_a_servers_accept_loop_as_an_operation() {
    for clock in [&[][..], &["--virtual-time"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let script = "let server = http.serve(fn(req) { return http.response(200) }, port: 0)\n\
                      print(\"serving\")\n\
                      await stdin.read_line()\n";
        let extra = [&["--allow-net=127.0.0.1"][..], clock].concat();
        let mut child = start(dir.path(), "serve.tasks", script, &extra, "serving\n");
        let (out, err, code) = ps(dir.path(), child.id());
        assert_eq!((err.as_str(), code), ("", 0), "{clock:?}");
        assert!(
            out.starts_with("tasks: 1 pending task and 1 operation nobody awaits at "),
            "{out}"
        );
        let op = out
            .lines()
            .find(|l| l.starts_with("operation 'http server http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no operation line in {out}"));
        assert!(op.ends_with("s, nobody awaits it"), "{op}");
        assert!(op.contains("' running "), "{op}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn ctrl_backslash_prints_the_tree_and_a_second_one_quits() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_hung(dir.path(), &[]);
    let pid = child.id() as i32;
    let mut err = BufReader::new(child.stderr.take().unwrap());
    // SAFETY: kill(2) with a child's pid and a valid signal number.
    unsafe { libc::kill(pid, libc::SIGQUIT) };
    let mut tree = String::new();
    while !tree.contains("on stdin.read_line()") {
        assert!(err.read_line(&mut tree).unwrap() > 0, "{tree}");
    }
    assert_names_the_holder(&tree);
    // It goes on; a second Ctrl-\ more than a second later prints again.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(child.try_wait().unwrap().is_none());
    unsafe { libc::kill(pid, libc::SIGQUIT) };
    let mut second = String::new();
    while !second.contains("on stdin.read_line()") {
        assert!(err.read_line(&mut second).unwrap() > 0, "{second}");
    }
    // Two within a second: it quits as SIGQUIT does. (Under a heavy load
    // the tree's printing may take the second from the last one: then it
    // prints again and the next one quits.)
    let mut status = None;
    for _ in 0..10 {
        unsafe { libc::kill(pid, libc::SIGQUIT) };
        std::thread::sleep(std::time::Duration::from_millis(200));
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
    }
    // The last one may still be ending the process (bounded wait).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while status.is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        status = child.try_wait().unwrap();
    }
    let status = status.expect("a quick second Ctrl-\\ quits");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGQUIT), "{status:?}");
}

/// Only your own `tasks run` processes: another user's is refused, and so
/// is one of yours that is no `tasks run` (it would die of SIGUSR1: it
/// must still run afterwards).
#[test]
fn ps_refuses_other_users_and_other_programs() {
    let dir = tempfile::tempdir().unwrap();
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let (out, err, code) = ps(dir.path(), sleeper.id());
    assert_eq!((out.as_str(), code), ("", 1));
    assert!(err.contains("is not a running `tasks run`"), "{err}");
    assert!(sleeper.try_wait().unwrap().is_none(), "sleep was signalled");
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let mut other = if root {
        // A process of user 65534 (nobody), made by root.
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sleep",
                "30",
            ])
            .spawn()
            .ok()
    } else {
        None
    };
    let pid = other.as_ref().map_or(1, |c| c.id());
    // `setpriv` changes its user before it becomes `sleep`: wait (bounded)
    // for the change, or a loaded machine has us ask while it is still
    // root's, and ours.
    if other.is_some() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !owned_by(pid, 65534) {
            assert!(
                std::time::Instant::now() < deadline,
                "setpriv never became user 65534"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    let (_, err, code) = ps(dir.path(), pid);
    assert_eq!(code, 1);
    assert!(err.contains("is not yours"), "{err}");
    if let Some(o) = other.as_mut() {
        let _ = o.kill();
        let _ = o.wait();
    }
}

/// Whether every uid of process `pid` (real, effective, saved, file
/// system) is `uid`.
fn owned_by(pid: u32, uid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let uids = status.lines().find_map(|l| l.strip_prefix("Uid:"));
    uids.is_some_and(|u| u.split_whitespace().all(|x| x == uid.to_string()))
}

/// The runtime folder is used only when it is a private folder of the
/// user: not a link to one elsewhere, not one open to others.
#[test]
fn ps_refuses_a_runtime_folder_that_is_a_link_or_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_hung(dir.path(), &[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), base.path().join("tasks")).unwrap();
    let (_, err, code) = ps(base.path(), child.id());
    assert_eq!(code, 1);
    assert!(err.contains("is not a private folder"), "{err}");
    std::fs::remove_file(base.path().join("tasks")).unwrap();
    std::fs::create_dir(base.path().join("tasks")).unwrap();
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(base.path().join("tasks"), open).unwrap();
    let (_, err, code) = ps(base.path(), child.id());
    assert_eq!(code, 1);
    assert!(err.contains("is not a private folder"), "{err}");
    child.kill().unwrap();
    child.wait().unwrap();
}
