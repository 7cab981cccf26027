//! The `tasks` command's output and signals: the script's stdout and
//! stderr (a failed write ends the program; a crash or a signal flushes
//! what was printed first), and what SIGINT, SIGTERM, SIGHUP, SIGQUIT and
//! SIGUSR1 do during `tasks run`.

use crate::cli::streams::counted;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tasks::Engine;

/// The script's stdout, shared with the Ctrl-C handler so that an
/// interrupt flushes what was printed before the process ends. Taking the
/// uncontended lock costs a few nanoseconds per write.
#[derive(Clone)]
pub(crate) struct SharedOut(pub(crate) Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedOut {
    fn lock(&self) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The script's output failing ends the program (see `exit_on_write_error`):
/// nothing printed after it could be seen, and an endless printer into
/// `head -1` must stop.
impl Write for SharedOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = counted(|| self.lock().write(buf));
        Ok(written.unwrap_or_else(|e| crate::cli::streams::exit_on_write_error(&e)))
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let written = counted(|| self.lock().write_all(buf));
        written.map_err(|e| crate::cli::streams::exit_on_write_error(&e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = counted(|| self.lock().flush());
        flushed.map_err(|e| crate::cli::streams::exit_on_write_error(&e))
    }
}

/// The script's stderr. A write that fails (a closed stderr, `/dev/full`)
/// ends the program with status 1, as a failing stdout does; what the
/// script printed to stdout is flushed first.
pub(crate) struct ScriptErr;

impl Write for ScriptErr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = counted(|| crate::cli::streams::stderr().write(buf));
        Ok(written.unwrap_or_else(|e| exit_on_stderr_error(&e)))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = counted(|| crate::cli::streams::stderr().flush());
        flushed.map_err(|e| exit_on_stderr_error(&e))
    }
}

fn exit_on_stderr_error(e: &std::io::Error) -> ! {
    if let Some(out) = SCRIPT_OUT.get() {
        let _ = out.lock().flush();
    }
    crate::cli::streams::exit_on_stderr_error(e)
}

/// The running script's stdout, for the panic hook.
pub(crate) static SCRIPT_OUT: std::sync::OnceLock<SharedOut> = std::sync::OnceLock::new();

/// A crash must not lose what the script already printed: flush it (and
/// stderr) before the panic message. `try_lock`, because the panic may
/// have happened while the output was being written.
pub(crate) fn flush_on_panic() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(out) = SCRIPT_OUT.get() {
            match out.0.try_lock() {
                Ok(mut w) => drop(w.flush()),
                Err(std::sync::TryLockError::Poisoned(p)) => drop(p.into_inner().flush()),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        let _ = std::io::stderr().flush();
        default_hook(info);
    }));
}

impl SharedOut {
    /// Flushes from another thread without waiting for ever: the loop's
    /// thread may hold the lock in a write that blocks on a full pipe.
    fn flush_if_free(&self) {
        for _ in 0..100 {
            match self.0.try_lock() {
                Ok(mut out) => {
                    let _ = out.flush();
                    return;
                }
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    let _ = p.into_inner().flush();
                    return;
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    std::thread::sleep(std::time::Duration::from_millis(2))
                }
            }
        }
    }
}

/// SIGINT (Ctrl-C), SIGTERM and SIGHUP during `tasks run`: the first one
/// cancels the main task, as `asyncio.run` does on Ctrl-C, so `finally`
/// blocks run and the engine reports it and exits 128 + the signal's
/// number. A second one (or one once the main task has ended) stops the
/// process at once, flushing what was printed first. So does the first
/// when the program is stuck in a write for a second after it (its output
/// a pipe nobody reads): it would never get to its `finally` blocks.
pub(crate) fn stop_on_signals(handle: tasks::InterruptHandle, out: SharedOut, color: bool) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        for signo in signals.forever() {
            if handle.stop(signo) {
                let out = out.clone();
                std::thread::spawn(move || {
                    crate::cli::streams::wait_until_a_write_is_stuck(Duration::from_secs(1));
                    stop_now(out, color, signo)
                });
                continue;
            }
            stop_now(out.clone(), color, signo)
        }
    });
}

/// Stops the process with status 128 + `signo`: children killed, file
/// writes in flight given a moment to end whole, then what was printed
/// flushed and the signal reported, each on a helper thread given half a
/// second: a pipe nobody reads must not keep the process alive.
fn stop_now(out: SharedOut, color: bool, signo: i32) -> ! {
    // Children run in their own process groups and miss the terminal's
    // signal: stop them before leaving.
    tasks::signals::kill_children();
    // A file write in flight gets a moment to end whole; past it, the
    // file keeps its old content.
    tasks::signals::wait_for_writes(Duration::from_secs(5));
    // The temporary files and folders scripts made go with the process.
    tasks::signals::remove_temp_files();
    let half = Duration::from_millis(500);
    let flushed = crate::cli::streams::ends_within(half, move || out.flush_if_free());
    let said = crate::cli::streams::ends_within(half, move || {
        let style = tasks::reports::Style { color };
        say!("{}", tasks::reports::stopped_by_signal(&style, signo, true));
    });
    crate::cli::streams::exit(128 + signo, flushed && said)
}

/// Ctrl-\ (SIGQUIT) prints the task tree to stderr and the script goes
/// on; a second one within a second quits as SIGQUIT always did. SIGUSR1
/// is `tasks ps` asking: the tree goes to the runtime folder (`cli::ps`).
pub(crate) fn trees_on_signals(engine: &mut Engine) {
    use signal_hook::consts::{SIGQUIT, SIGUSR1};
    use tasks::engine::TreeRequest;
    let handle = engine.interrupt_handle();
    engine.on_tree_request(|who, text| match who {
        TreeRequest::Quit => say!("{text}"),
        TreeRequest::Ps => {
            if let Err(e) = crate::cli::ps::publish_tree(&text) {
                sayln!("tasks ps: cannot answer: {e}");
            }
        }
    });
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGQUIT, SIGUSR1]) else {
        return;
    };
    std::thread::spawn(move || {
        let mut last_quit: Option<std::time::Instant> = None;
        for signo in signals.forever() {
            if signo == SIGUSR1 {
                handle.request_tree(TreeRequest::Ps);
                continue;
            }
            if last_quit.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1)) {
                let _ = signal_hook::low_level::emulate_default_handler(SIGQUIT);
            }
            last_quit = Some(std::time::Instant::now());
            handle.request_tree(TreeRequest::Quit);
        }
    });
}
