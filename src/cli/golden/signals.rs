//! `tasks test` and its cases' processes. A case stopped by the timeout,
//! and every running case when the runner gets SIGINT, SIGTERM or SIGHUP,
//! is killed with its whole tree (every process below it, even those in
//! other process groups or sessions: a case's `process.shell` runs in a
//! group of its own) and its group, so none is left running (an endless
//! case would otherwise keep a CPU busy after the runner ended). The
//! runner is a subreaper (`main` makes it one): what a case's process
//! leaves behind when it dies is handed to the runner, which kills it when
//! the case ends ([`sweep_orphans`]).

use std::process::{Child, Command};
use std::sync::Mutex;

/// The process groups of the cases running now.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

fn running() -> std::sync::MutexGuard<'static, Vec<i32>> {
    RUNNING.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running case's process group, listed while this value lives.
pub(super) struct Running(i32);

impl Running {
    /// Spawns `cmd` (set to lead its own process group) and lists its
    /// group. Both happen under the list's lock: a signal that comes while
    /// the case starts waits for it to be listed and then kills it too,
    /// instead of missing a case that runs but is not listed yet.
    pub(super) fn spawn(cmd: &mut Command) -> std::io::Result<(Child, Running)> {
        let mut list = running();
        let child = cmd.spawn()?;
        let pgid = child.id() as i32;
        list.push(pgid);
        Ok((child, Running(pgid)))
    }

    /// Kills the case with its tree and its group. The case's process must
    /// not have been reaped yet (its pid is the group's id).
    pub(super) fn kill(&self) {
        kill_tree_and_group(self.0);
    }
}

/// Kills and reaps the runner's children that are not running cases: what
/// a case that ended left behind, handed to us (a subreaper) when its
/// parent died, with whatever they started. Under the list's lock, so a
/// case being started is not taken for an orphan.
#[cfg(target_os = "linux")]
pub(super) fn sweep_orphans() {
    use tasks::signals::{children, is_subreaper, kill_tree, reap_if_exited};
    if !is_subreaper() {
        return; // a host's other children are not ours to kill
    }
    let list = running();
    let me = std::process::id() as i32;
    // Each pass kills what it finds; their children, handed to us as they
    // die, are the next pass's.
    for _ in 0..100 {
        let orphans: Vec<i32> = children(me)
            .into_iter()
            .filter(|p| !list.contains(p))
            .collect();
        if orphans.is_empty() {
            return;
        }
        for &pid in &orphans {
            kill_tree(pid, true);
        }
        for &pid in &orphans {
            // Killed: each exits at once; wait (briefly) to reap it.
            for _ in 0..500 {
                if reap_if_exited(pid) || !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn sweep_orphans() {}

impl Drop for Running {
    fn drop(&mut self) {
        running().retain(|g| *g != self.0);
    }
}

#[cfg(target_os = "linux")]
fn kill_tree_and_group(pgid: i32) {
    tasks::signals::kill_tree(pgid, true);
    kill_group(pgid);
}

#[cfg(not(target_os = "linux"))]
fn kill_tree_and_group(pgid: i32) {
    kill_group(pgid);
}

#[cfg(unix)]
fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) takes plain integers and touches no memory of
        // ours; a negative pid names the process group, and `pgid > 0`
        // keeps it from being -1 (every process we may signal).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: i32) {}

/// On SIGINT, SIGTERM or SIGHUP: kill every running case's group, then
/// exit with 128 + the signal's number, as the signal would have.
#[cfg(unix)]
pub fn stop_cases_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signo) = signals.forever().next() {
            let list = running();
            for pgid in list.iter() {
                kill_tree_and_group(*pgid);
            }
            // And what dead cases left behind, not swept yet.
            #[cfg(target_os = "linux")]
            if tasks::signals::is_subreaper() {
                tasks::signals::kill_tree(std::process::id() as i32, false);
            }
            // Gone before we are (a SIGKILL lands when the kernel next
            // runs the process), within a bound.
            #[cfg(target_os = "linux")]
            tasks::signals::wait_for_killed(std::time::Duration::from_secs(2));
            std::process::exit(128 + signo);
        }
    });
}

#[cfg(not(unix))]
pub fn stop_cases_on_signals() {}
