//! `tasks ps PID`: the task tree of another running `tasks run` of the
//! same user. `tasks ps` sends it SIGUSR1; between two steps (or at the
//! running code's next check point) it writes its tree to `PID.tree` in
//! the user's runtime folder, which `tasks ps` reads and removes. The run
//! pauses only for that write.
//!
//! The folder is `$XDG_RUNTIME_DIR/tasks` (or `/tmp/tasks-UID`), made with
//! mode 0700 and used only when it is a real folder (not a link) owned by
//! the user with no access for anyone else: another user who made it first
//! cannot read or plant trees. A process is asked only when it runs as
//! the user and catches SIGUSR1 (it is a `tasks run`: a process that does
//! not would die of it); the signal goes through a pidfd, so a PID reused
//! meanwhile is not signalled.

use rustix::process::{getuid, pidfd_open, pidfd_send_signal, Pid, PidfdFlags, Signal};
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The user's folder for task trees, made if missing and checked.
pub fn runtime_dir() -> io::Result<PathBuf> {
    let uid = getuid().as_raw();
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(base) if base.is_absolute() => base.join("tasks"),
        _ => PathBuf::from(format!("/tmp/tasks-{uid}")),
    };
    match fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = fs::symlink_metadata(&dir)?;
    let private = meta.mode() & 0o077 == 0;
    if !meta.is_dir() || meta.uid() != uid || !private {
        return Err(io::Error::other(format!(
            "{} is not a private folder of this user (a link, someone else's, or open to others): not used",
            dir.display()
        )));
    }
    Ok(dir)
}

/// The target's side: writes this process's tree where `tasks ps` reads
/// it, whole (a temporary file renamed into place).
pub fn publish_tree(text: &str) -> io::Result<()> {
    let dir = runtime_dir()?;
    let pid = std::process::id();
    let tmp = dir.join(format!("{pid}.tree.tmp"));
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    drop(f);
    fs::rename(&tmp, dir.join(format!("{pid}.tree")))
}

/// `tasks ps PID`: asks `pid` for its tree and returns it.
pub fn ask(pid: i32, wait: Duration) -> Result<String, String> {
    if pid <= 0 || pid as u32 == std::process::id() {
        return Err(format!("{pid} is not another process"));
    }
    let raw = Pid::from_raw(pid).ok_or_else(|| format!("{pid} is not a process id"))?;
    // Held from before the checks to the signal: the checks are about
    // this very process, even if it exits and its PID is reused.
    let fd = pidfd_open(raw, PidfdFlags::empty()).map_err(|_| format!("no process {pid}"))?;
    check_target(pid)?;
    let dir = runtime_dir().map_err(|e| format!("cannot use the runtime folder: {e}"))?;
    let path = dir.join(format!("{pid}.tree"));
    let _ = fs::remove_file(&path);
    pidfd_send_signal(&fd, Signal::USR1).map_err(|e| format!("cannot signal {pid}: {e}"))?;
    let start = Instant::now();
    while start.elapsed() < wait {
        if let Ok(text) = fs::read_to_string(&path) {
            let _ = fs::remove_file(&path);
            return Ok(text);
        }
        if fs::metadata(format!("/proc/{pid}")).is_err() {
            return Err(format!("process {pid} ended before it answered"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(format!(
        "process {pid} did not answer within {}s (is its code stuck outside the interpreter?)",
        wait.as_secs()
    ))
}

/// The same user's `tasks run`: every uid of `/proc/PID/status` is ours,
/// and it catches SIGUSR1.
fn check_target(pid: i32) -> Result<(), String> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|_| format!("no process {pid}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
    };
    let uid = getuid().as_raw().to_string();
    if field("Uid:").split_whitespace().any(|u| u != uid) || field("Uid:").is_empty() {
        return Err(format!(
            "process {pid} is not yours: tasks ps shows only your own"
        ));
    }
    let caught = u64::from_str_radix(field("SigCgt:"), 16).unwrap_or(0);
    if caught & (1 << (libc::SIGUSR1 - 1)) == 0 {
        let name = field("Name:");
        return Err(format!(
            "process {pid} ({name}) is not a running `tasks run` (it does not answer tasks ps)"
        ));
    }
    Ok(())
}
