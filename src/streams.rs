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
use std::sync::atomic::{AtomicBool, Ordering};

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
    crate::stdlib::fs_write::wait_for_writes(Some(std::time::Duration::from_secs(5)));
    std::process::exit(code)
}
