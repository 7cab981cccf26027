//! The process's own stdout and stderr, as the `tasks` command writes them:
//! a write that fails ends the program (a message and status 1; a closed
//! pipe quietly, 141), and so does a write to a stream that was closed when
//! the process started (`tasks run x.tasks >&-`).
//!
//! A closed stream cannot be seen from `main`: Rust's runtime reopens a
//! closed fd 0, 1 or 2 on `/dev/null` before `main` runs (so that a file
//! the program opens never lands on fd 1 and receives its output), and
//! writes to it then succeed. The `tasks` binary lists [`record_closed`]
//! in `.init_array`, which the dynamic loader runs before Rust's runtime
//! initialises, while the descriptors are still as the parent left them.
//! (Recognising the `/dev/null` afterwards would be a guess: a shell's
//! `1<>/dev/null` opens the same file the same way.)

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Notes which of fd 1 and fd 2 are not open. Meant to run before Rust's
/// runtime initialises (from `.init_array`): it only asks the kernel and
/// stores two flags, needing nothing of the runtime.
pub extern "C" fn record_closed() {
    STDOUT_CLOSED.store(fd_is_closed(1), Ordering::Relaxed);
    STDERR_CLOSED.store(fd_is_closed(2), Ordering::Relaxed);
}

fn fd_is_closed(fd: libc::c_int) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; any number is a
    // valid argument (one that is not open fails with EBADF).
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
}

/// Whether fd 1 was closed when the process started.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Whether fd 2 was closed when the process started.
pub fn stderr_closed() -> bool {
    STDERR_CLOSED.load(Ordering::Relaxed)
}

/// The process's stdout: a write to it fails with EBADF, as it would
/// without Rust's reopening, when fd 1 was closed at the start.
pub fn stdout() -> Box<dyn Write + Send> {
    if stdout_closed() {
        Box::new(Closed)
    } else {
        Box::new(std::io::stdout())
    }
}

/// The process's stderr, the same way as [`stdout`].
pub fn stderr() -> Box<dyn Write + Send> {
    if stderr_closed() {
        Box::new(Closed)
    } else {
        Box::new(std::io::stderr())
    }
}

/// A stream that was closed: every write fails.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(libc::EBADF))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A write to stdout failed. A closed pipe (its reader went away, as
/// `head -1` does) ends the program quietly with status 141, what a shell
/// shows for a process stopped by SIGPIPE; any other error (a full disk,
/// `/dev/full`, a closed stdout) is an error: a message on stderr and
/// status 1.
pub fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        leave(141);
    }
    let _ = writeln!(stderr(), "error: cannot write to stdout: {e}");
    leave(1)
}

/// A write to stderr failed: the same statuses as for stdout, with no
/// message (there is nowhere to write it).
pub fn exit_on_stderr_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        leave(141);
    }
    leave(1)
}

/// Ends the process, letting a file write in flight end whole first (a
/// few seconds at most: past them the file keeps its old content).
fn leave(code: i32) -> ! {
    tasks::signals::wait_for_writes(std::time::Duration::from_secs(5));
    std::process::exit(code)
}

/// Writes of the script's output begun and ended (see [`counted`]).
static WRITES_BEGUN: AtomicU64 = AtomicU64::new(0);
static WRITES_ENDED: AtomicU64 = AtomicU64::new(0);

/// Runs one write of the script's output, counted, so that a signal can
/// tell a program stuck in a write (to a pipe nobody reads, which blocks
/// for ever) from one that is busy: [`wait_until_a_write_is_stuck`].
pub fn counted<T>(write: impl FnOnce() -> T) -> T {
    WRITES_BEGUN.fetch_add(1, Ordering::Relaxed);
    let result = write();
    WRITES_ENDED.fetch_add(1, Ordering::Relaxed);
    result
}

/// Returns once one write of the script's output has been under way for
/// `limit` (never, if none is). The same write: no other one began since.
pub fn wait_until_a_write_is_stuck(limit: Duration) {
    let mut seen = None;
    let mut since = Instant::now();
    loop {
        let begun = WRITES_BEGUN.load(Ordering::Relaxed);
        let pending = (WRITES_ENDED.load(Ordering::Relaxed) != begun).then_some(begun);
        if pending != seen {
            (seen, since) = (pending, Instant::now());
        } else if seen.is_some() && since.elapsed() >= limit {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `step` (a flush, a message) on a helper thread and waits for it
/// at most `limit`; true if it ended in time. A write to a pipe nobody
/// reads never returns, and must not keep a stopping program alive.
pub fn ends_within(limit: Duration, step: impl FnOnce() + Send + 'static) -> bool {
    let (ended, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        step();
        let _ = ended.send(());
    });
    done.recv_timeout(limit).is_ok()
}

/// Ends the process with `code`; `cleanly` unless a write of ours may
/// still be under way. Only the first caller ends the process; any other
/// waits for it.
pub fn exit(code: i32, cleanly: bool) -> ! {
    static LEAVING: AtomicBool = AtomicBool::new(false);
    if LEAVING.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    if cleanly {
        std::process::exit(code)
    }
    // Not `process::exit`: its clean-up flushes Rust's stdout, which can
    // block on the same pipe as the write still under way.
    // SAFETY: `_exit` ends the process at once; no Rust invariant outlives
    // it, and nothing more of this process runs.
    unsafe { libc::_exit(code) }
}
