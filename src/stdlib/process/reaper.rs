//! Who collects the exit status of every process `tasks` started, so none
//! stays a zombie, and what becomes of the orphans.
//!
//! - The `tasks` command makes itself a child subreaper
//!   ([`become_subreaper`]): a process whose parent exits (a daemon that
//!   forked twice and called `setsid`) is handed to us rather than to
//!   PID 1, so nothing a script started escapes: the end of the program
//!   kills it. An embedding host is not made one (it would inherit its
//!   own orphans, and we could not tell them from ours).
//! - async-process waits for the children we spawn. Their pids are listed
//!   here ([`UNREAPED`]) from the spawn until their status is collected,
//!   so that the orphan reaper below never takes a status async-process
//!   still waits for.
//! - A background thread runs the waits nobody else awaits: the child of
//!   `process.start` (its status is collected as soon as it exits, whether
//!   or not the script calls `wait`), the child of a cancelled `run`, and
//!   as a subreaper, the orphans handed to us (on SIGCHLD).

use async_executor::{Executor, Task};
use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

/// Set once this process is a child subreaper.
static SUBREAPER: AtomicBool = AtomicBool::new(false);

/// Set at the first spawn: before it, no process below us can exist.
static SPAWNED: AtomicBool = AtomicBool::new(false);

/// The pids of our spawned children whose status nobody collected yet.
static UNREAPED: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn unreaped() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    UNREAPED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Makes this process a child subreaper (Linux; elsewhere it does
/// nothing). For the `tasks` command, before it starts anything.
pub(crate) fn become_subreaper() -> bool {
    #[cfg(target_os = "linux")]
    if rustix::process::set_child_subreaper(Some(rustix::process::getpid())).is_ok() {
        SUBREAPER.store(true, Ordering::SeqCst);
        return true;
    }
    false
}

pub(crate) fn is_subreaper() -> bool {
    SUBREAPER.load(Ordering::Relaxed)
}

/// Has this process started a child through [`spawn`]?
pub(crate) fn spawned() -> bool {
    SPAWNED.load(Ordering::Relaxed)
}

/// Spawns `cmd` and lists its pid as unreaped, both under the list's lock
/// (the orphan reaper, which takes the lock too, must never see the child
/// before it is listed).
pub(super) fn spawn(cmd: &mut async_process::Command) -> io::Result<async_process::Child> {
    start_background();
    SPAWNED.store(true, Ordering::Relaxed);
    let mut list = unreaped();
    let child = cmd.spawn()?;
    list.insert(child.id() as i32);
    Ok(child)
}

/// The child `pid`'s status has been collected.
pub(super) fn reaped(pid: u32) {
    unreaped().remove(&(pid as i32));
}

/// The thread that runs [`in_background`]'s futures.
static BACKGROUND: Executor<'static> = Executor::new();

fn start_background() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        if is_subreaper() {
            if let Err(e) = watch_orphans() {
                // Orphans then wait for the end of the program.
                eprintln!("tasks: cannot watch for exited orphans: {e}");
            }
        }
        let started = std::thread::Builder::new()
            .name("tasks-reaper".into())
            .spawn(|| async_io::block_on(BACKGROUND.run(std::future::pending::<()>())));
        if let Err(e) = started {
            eprintln!("tasks: cannot start the thread that reaps children: {e}");
        }
    });
}

/// Runs `fut` on the background thread; its result through the task.
pub(super) fn in_background<T: Send + 'static>(
    fut: impl Future<Output = T> + Send + 'static,
) -> Task<T> {
    start_background();
    BACKGROUND.spawn(fut)
}

/// Collects `child`'s status when it exits (it has been killed, or will
/// be), in the background.
pub(super) fn reap_in_background(mut child: async_process::Child) {
    in_background(async move {
        let _ = child.status().await;
        reaped(child.id());
    })
    .detach();
}

/// How long the orphan reaper waits after a SIGCHLD before it looks, so
/// that a burst of exits (500 short runs) costs one look, not 500.
const ORPHAN_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// On SIGCHLD, reaps the orphans that have exited (at most one look per
/// [`ORPHAN_DELAY`]). The signal comes through a pipe that the background
/// thread reads.
fn watch_orphans() -> io::Result<()> {
    let (rx, tx) = std::os::unix::net::UnixStream::pair()?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGCHLD, tx)?;
    let rx = async_io::Async::new(rx)?;
    BACKGROUND
        .spawn(async move {
            use futures_lite::AsyncReadExt;
            let mut rx = rx;
            let mut buf = [0u8; 64];
            while rx.read(&mut buf).await.is_ok_and(|n| n > 0) {
                async_io::Timer::after(ORPHAN_DELAY).await;
                reap_orphans();
            }
        })
        .detach();
    Ok(())
}

/// Collects the status of every exited child that is not one async-process
/// waits for: the orphans a subreaper inherits.
fn reap_orphans() {
    let list = unreaped();
    let me = std::process::id() as i32;
    for pid in super::tree::children(me) {
        if !list.contains(&pid) {
            reap_if_exited(pid);
        }
    }
}

/// `waitpid(pid, WNOHANG)`: collects the status if the child has exited.
pub(crate) fn reap_if_exited(pid: i32) -> bool {
    let Some(p) = rustix::process::Pid::from_raw(pid) else {
        return false;
    };
    matches!(
        rustix::process::waitpid(Some(p), rustix::process::WaitOptions::NOHANG),
        Ok(Some(_))
    )
}

/// SIGKILLs every process below us that no engine still holds: the
/// orphans (a subreaper's), with their trees. For the end of a program.
pub(super) fn kill_orphans() -> usize {
    if !is_subreaper() || !spawned() {
        return 0;
    }
    let list = unreaped();
    let me = std::process::id() as i32;
    let mut killed = 0;
    for pid in super::tree::children(me) {
        if !list.contains(&pid) {
            killed += super::tree::kill_tree(pid, true);
        }
    }
    killed
}
