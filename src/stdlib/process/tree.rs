//! A process's whole tree of descendants, found through `/proc`, and
//! killed at once: the way to stop everything a child started, even what
//! left its process group (`setsid`), which a group kill does not reach.
//!
//! Written by hand: the crates that list processes (`procfs`, `sysinfo`)
//! read far more than a parent link, and none kills a tree.
//!
//! The tree is frozen before it is killed. Each process found is sent
//! SIGSTOP before its own children are listed, so it can neither fork nor
//! exit meanwhile (an exit would hand its children to the subreaper and
//! cut them off the tree); a pass over every stopped process that finds
//! nothing new has seen the whole tree. Then all get SIGKILL (which ends a
//! stopped process too). A process we may not signal (a set-uid program)
//! is not stopped and not killed.
//!
//! A SIGKILL lands when the kernel next runs the process (a big one takes
//! a while to free its memory), so each killed process is listed until it
//! is seen dead: the end of a program waits for them ([`wait_for_killed`]),
//! so that when `tasks` exits, nothing it killed still runs.

use rustix::process::{kill_process, Pid, Signal};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The processes SIGKILLed and not yet seen dead: pid and start time (a
/// pid reused by a new process has another start time).
static KILLED: Mutex<Vec<(i32, u64)>> = Mutex::new(Vec::new());

fn killed() -> std::sync::MutexGuard<'static, Vec<(i32, u64)>> {
    KILLED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Passes over a tree at most: a tree that still grows after this many
/// (processes we cannot stop, forking) is killed as far as it was seen.
const MAX_PASSES: usize = 64;

/// SIGKILLs every descendant of `root`, and `root` itself if `with_root`.
/// Returns how many processes it signalled. `root` must be a process
/// whose id cannot be reused meanwhile: our unreaped child, or ourselves.
pub(crate) fn kill_tree(root: i32, with_root: bool) -> usize {
    if with_root {
        signal(root, Signal::STOP);
    }
    let found = freeze_descendants(root);
    // Listed before the SIGKILL, with the start time that tells each
    // from a later process given the same pid.
    let mut list = killed();
    list.retain(|&(pid, start)| running(pid, start));
    let all = found.iter().chain(with_root.then_some(&root));
    list.extend(all.filter_map(|&pid| Some((pid, start_time(pid)?))));
    drop(list);
    if with_root {
        signal(root, Signal::KILL);
    }
    for &pid in &found {
        signal(pid, Signal::KILL);
    }
    found.len() + usize::from(with_root)
}

/// Waits until every process [`kill_tree`] killed is dead (gone, or a
/// zombie), for at most `bound` (a process stuck in the kernel may take
/// longer; it is left as it is).
pub(crate) fn wait_for_killed(bound: Duration) {
    let start = Instant::now();
    loop {
        let mut list = killed();
        list.retain(|&(pid, start)| running(pid, start));
        if list.is_empty() || start.elapsed() >= bound {
            return;
        }
        drop(list);
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Whether process `pid`, started at `start`, still runs (it may be
/// stopped): not gone, not a zombie, not another process with its pid.
fn running(pid: i32, start: u64) -> bool {
    stat_fields(pid).is_some_and(|(state, started)| started == start && !matches!(state, 'Z' | 'X'))
}

fn start_time(pid: i32) -> Option<u64> {
    stat_fields(pid).map(|(_, start)| start)
}

/// The state letter and the start time (field 22) in `/proc/PID/stat`.
fn stat_fields(pid: i32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.nth(18)?.parse().ok()?))
}

/// Every descendant of `root`, each sent SIGSTOP when it was found.
fn freeze_descendants(root: i32) -> Vec<i32> {
    let mut found: Vec<i32> = Vec::new();
    let mut seen: HashSet<i32> = HashSet::new();
    for _ in 0..MAX_PASSES {
        let mut new = false;
        for parent in std::iter::once(root).chain(found.clone()) {
            for pid in children(parent) {
                if seen.insert(pid) {
                    signal(pid, Signal::STOP);
                    found.push(pid);
                    new = true;
                }
            }
        }
        if !new {
            break;
        }
    }
    found
}

fn signal(pid: i32, sig: Signal) {
    if let Some(pid) = Pid::from_raw(pid) {
        // ESRCH (already gone) and EPERM (not ours to signal) are fine.
        let _ = kill_process(pid, sig);
    }
}

/// The children of `pid` (of all its threads: each thread has its own).
pub(crate) fn children(pid: i32) -> Vec<i32> {
    if !has_children_files() {
        return children_by_scan(pid);
    }
    let mut out = Vec::new();
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in threads.flatten() {
        let mut path = t.path();
        path.push("children");
        if let Ok(text) = std::fs::read_to_string(&path) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    out
}

/// `/proc/PID/task/TID/children` needs a kernel built with
/// CONFIG_PROC_CHILDREN (most are); without it, every process's parent
/// link is read instead.
fn has_children_files() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| std::path::Path::new("/proc/thread-self/children").exists())
}

fn children_by_scan(parent: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| parent_of(pid) == Some(parent))
        .collect()
}

/// The parent pid in `/proc/PID/stat` (the fourth field; the command name
/// before it is in parentheses and may hold spaces and parentheses).
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_the_same_children_as_the_children_files() {
        let mut kids: Vec<std::process::Child> = (0..3)
            .map(|_| {
                std::process::Command::new("sleep")
                    .arg("30")
                    .spawn()
                    .unwrap()
            })
            .collect();
        let me = std::process::id() as i32;
        let mut by_files = children(me);
        let mut by_scan = children_by_scan(me);
        for k in &mut kids {
            let _ = k.kill();
            let _ = k.wait();
        }
        by_files.sort();
        by_scan.sort();
        for k in &kids {
            let pid = k.id() as i32;
            assert!(by_files.contains(&pid), "{pid} not in {by_files:?}");
            assert!(by_scan.contains(&pid), "{pid} not in {by_scan:?}");
        }
    }
}
