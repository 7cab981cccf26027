//! `tasks test` and its cases' processes. Each case runs in a process
//! group of its own, so whatever it starts goes with it; a case stopped by
//! the timeout, and every running case when the runner gets SIGINT,
//! SIGTERM or SIGHUP, is killed as a group, so none is left running (an
//! endless case would otherwise keep a CPU busy after the runner ended).

use std::process::{Child, Command};
use std::sync::Mutex;

/// The process groups of the cases running now.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

fn running() -> std::sync::MutexGuard<'static, Vec<i32>> {
    RUNNING.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running case's process group, listed while this value lives.
pub struct Running(i32);

impl Running {
    /// Spawns `cmd` (set to lead its own process group) and lists its
    /// group. Both happen under the list's lock: a signal that comes while
    /// the case starts waits for it to be listed and then kills it too,
    /// instead of missing a case that runs but is not listed yet.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<(Child, Running)> {
        let mut list = running();
        let child = cmd.spawn()?;
        let pgid = child.id() as i32;
        list.push(pgid);
        Ok((child, Running(pgid)))
    }

    pub fn kill(&self) {
        kill_group(self.0);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        running().retain(|g| *g != self.0);
    }
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
            for pgid in running().iter() {
                kill_group(*pgid);
            }
            std::process::exit(128 + signo);
        }
    });
}

#[cfg(not(unix))]
pub fn stop_cases_on_signals() {}
