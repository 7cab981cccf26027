//! Signals while script code runs. A signal handler thread raises a flag,
//! and the evaluator checks it where a script can run for ever (a backward
//! jump, a call). Checking a relaxed atomic there costs one load; nothing
//! else polls.
//!
//! Two users:
//! - the REPL ([`request`]): the check point throws `KeyboardInterrupt`
//!   into the running input;
//! - `tasks run` ([`stop_requested`], for SIGINT, SIGTERM and SIGHUP): the
//!   first signal cancels the main task as `asyncio.run` does on Ctrl-C, so
//!   `finally` blocks run. The loop does it at the top of its next
//!   iteration; if script code is running and may never yield, the check
//!   point does it and also cancels the running task there.

use super::error::{cancelled, ErrorObj, ErrorRef};
use super::interp::Interp;
use crate::scheduler::task::Task;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::OnceLock;

/// A check point should act.
/// Bit 0: an interrupt (Ctrl-C, a signal); bit 1: a limit wants checking.
static REQUESTED: AtomicU8 = AtomicU8::new(0);
const INTERRUPT: u8 = 1;
const LIMIT_CHECK: u8 = 2;
/// `tasks run`: the first stopping signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// `tasks run`: the signal's cancellation of the main task is still to do.
static MAIN_PENDING: AtomicBool = AtomicBool::new(false);
/// `tasks run`: the main task has ended, so a signal now stops at once.
static MAIN_DONE: AtomicBool = AtomicBool::new(false);

/// The REPL's Ctrl-C, called from the signal handler thread.
pub fn request() {
    REQUESTED.fetch_or(INTERRUPT, Ordering::Relaxed);
}

/// Makes the next check point take its slow path without asking for an
/// interrupt (a limit was passed: see `limits.rs`).
pub(crate) fn request_check() {
    REQUESTED.fetch_or(LIMIT_CHECK, Ordering::Relaxed);
}

/// Takes a limit's request for a check (true if there was one).
pub(crate) fn take_check() -> bool {
    REQUESTED.fetch_and(!LIMIT_CHECK, Ordering::Relaxed) & LIMIT_CHECK != 0
}

/// An interrupt (not merely a limit check) is waiting.
pub(crate) fn interrupt_pending() -> bool {
    REQUESTED.load(Ordering::Relaxed) & INTERRUPT != 0
}

/// Forgets a request nobody acted on (the REPL handled it another way).
pub fn clear() {
    REQUESTED.fetch_and(!INTERRUPT, Ordering::Relaxed);
}

#[inline(always)]
pub fn pending() -> bool {
    REQUESTED.load(Ordering::Relaxed) != 0
}

/// `tasks run`'s signal thread: records a stopping signal and wakes the
/// loop. True when the loop will cancel the main task; false when the
/// process should stop at once (a second signal, or the main task has
/// already ended and only the shutdown is left).
pub fn stop_requested(signo: i32) -> bool {
    if MAIN_DONE.load(Ordering::SeqCst) {
        return false;
    }
    if SIGNAL
        .compare_exchange(0, signo, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return false;
    }
    MAIN_PENDING.store(true, Ordering::SeqCst);
    REQUESTED.fetch_or(INTERRUPT, Ordering::SeqCst);
    let _ = wake_channel().0.try_send(());
    true
}

type WakeChannel = (async_channel::Sender<()>, async_channel::Receiver<()>);

/// Ends the loop's wait for a timer or an event when a signal comes. A
/// leftover token only makes one later wait return early, which the loop
/// treats as nothing due.
fn wake_channel() -> &'static WakeChannel {
    static WAKE: OnceLock<WakeChannel> = OnceLock::new();
    WAKE.get_or_init(|| async_channel::bounded(1))
}

/// Completes when [`stop_requested`] wakes the loop.
pub fn woken() -> impl std::future::Future<Output = ()> {
    let rx = wake_channel().1.clone();
    async move {
        let _ = rx.recv().await;
    }
}

/// The stopping signal `tasks run` received, if any.
pub fn signal() -> Option<i32> {
    Some(SIGNAL.load(Ordering::SeqCst)).filter(|s| *s != 0)
}

/// `tasks run`: the main task ended; a signal from now on stops at once.
pub fn main_finished() {
    MAIN_DONE.store(true, Ordering::SeqCst);
}

fn keyboard_interrupt() -> ErrorRef {
    ErrorObj::with_help(
        "KeyboardInterrupt",
        "interrupted by Ctrl-C",
        "`catch e` does not catch this; name it to: `catch e: KeyboardInterrupt`",
    )
}

impl Interp {
    /// What a check point throws when [`pending`] is set: `KeyboardInterrupt`
    /// in the REPL; under `tasks run`, a cancellation of the running task
    /// (the main task is cancelled too), or nothing if the loop already
    /// dealt with the signal.
    pub(crate) fn interrupt_error(&mut self) -> Option<ErrorRef> {
        clear();
        if signal().is_none() {
            return Some(keyboard_interrupt());
        }
        if !MAIN_PENDING.swap(false, Ordering::SeqCst) {
            return None;
        }
        let current = self.current.clone();
        if let Some(main) = self.main_task() {
            if !current.as_ref().is_some_and(|c| Rc::ptr_eq(c, &main)) {
                self.cancel_task(&main, None);
            }
        }
        if let Some(c) = &current {
            c.cancel_requests.set(c.cancel_requests.get() + 1);
        }
        Some(cancelled(None))
    }

    /// At the top of a loop iteration under `tasks run`: a signal that came
    /// while no script code ran cancels the main task, as `asyncio.run`'s
    /// SIGINT handler does.
    pub(crate) fn handle_stop_signal(&mut self) {
        if MAIN_PENDING.load(Ordering::Relaxed) && MAIN_PENDING.swap(false, Ordering::SeqCst) {
            clear();
            if let Some(main) = self.main_task() {
                self.cancel_task(&main, None);
            }
        }
    }

    /// The main task (number 0, the first in creation order) while it is pending.
    fn main_task(&self) -> Option<Rc<Task>> {
        self.lp
            .tasks
            .values()
            .next()
            .filter(|t| t.number == 0)
            .cloned()
    }
}
