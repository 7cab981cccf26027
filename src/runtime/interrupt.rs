//! Signals while script code runs. A signal handler thread raises a flag,
//! and the evaluator checks it where a script can run for ever (a backward
//! jump, a call). Checking a relaxed atomic there costs one load; nothing
//! else polls.
//!
//! The flags are per engine ([`Interrupts`], shared with other threads
//! through an [`InterruptHandle`]): two engines on one thread, or in one
//! process, never see each other's Ctrl-C. Two users:
//! - the REPL ([`InterruptHandle::interrupt`]): the check point throws
//!   `KeyboardInterrupt` into the running input;
//! - `tasks run` ([`InterruptHandle::stop`], for SIGINT, SIGTERM and
//!   SIGHUP): the first signal cancels the main task as `asyncio.run` does
//!   on Ctrl-C, so `finally` blocks run. The loop does it at the top of its
//!   next iteration; if script code is running and may never yield, the
//!   check point does it and also cancels the running task there.

use super::error::{cancelled, ErrorObj, ErrorRef};
use super::interp::Interp;
use crate::runtime::asyncio::task::Task;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::Arc;

type WakeChannel = (async_channel::Sender<()>, async_channel::Receiver<()>);

/// One engine's interrupt state, written by signal threads and read by the
/// engine's check points and loop.
pub(crate) struct Interrupts {
    /// A check point should act: an interrupt (Ctrl-C, a signal) is waiting.
    requested: AtomicBool,
    /// `tasks run`: the first stopping signal received (0: none).
    signal: AtomicI32,
    /// `tasks run`: the signal's cancellation of the main task is still to do.
    main_pending: AtomicBool,
    /// `tasks run`: the main task has ended, so a signal now stops at once.
    main_done: AtomicBool,
    /// Task trees asked for (Ctrl-\, `tasks ps`): bits of [`TreeRequest`].
    trees: AtomicU8,
    /// Ends the loop's wait for a timer or an event when a signal comes. A
    /// leftover token only makes one later wait return early, which the
    /// loop treats as nothing due.
    wake: WakeChannel,
}

impl Default for Interrupts {
    fn default() -> Self {
        Interrupts {
            requested: AtomicBool::new(false),
            signal: AtomicI32::new(0),
            main_pending: AtomicBool::new(false),
            main_done: AtomicBool::new(false),
            trees: AtomicU8::new(0),
            wake: async_channel::bounded(1),
        }
    }
}

impl Interrupts {
    /// An interrupt is waiting (the check point's one extra load).
    #[inline(always)]
    pub(crate) fn pending(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Forgets a request nobody acted on (the REPL handled it another way).
    pub(crate) fn clear(&self) {
        if self.requested.swap(false, Ordering::SeqCst) {
            crate::limits::note_attention(false);
        }
    }

    /// Raises the request flag; check points see it through
    /// `limits::attention`, which counts it once while it is up.
    fn request(&self) {
        if !self.requested.swap(true, Ordering::SeqCst) {
            crate::limits::note_attention(true);
        }
    }

    /// The task trees asked for since the last call (bits of [`TreeRequest`]).
    pub(crate) fn take_trees(&self) -> u8 {
        if self.trees.load(Ordering::Relaxed) == 0 {
            return 0;
        }
        self.trees.swap(0, Ordering::SeqCst)
    }

    /// The stopping signal `tasks run` received, if any.
    pub(crate) fn signal(&self) -> Option<i32> {
        Some(self.signal.load(Ordering::SeqCst)).filter(|s| *s != 0)
    }

    /// The main task ended; a signal from now on stops at once.
    pub(crate) fn main_finished(&self) {
        self.main_done.store(true, Ordering::SeqCst);
    }

    /// Completes when [`InterruptHandle::stop`] wakes the loop.
    pub(crate) fn woken(&self) -> impl std::future::Future<Output = ()> {
        let rx = self.wake.1.clone();
        async move {
            let _ = rx.recv().await;
        }
    }
}

impl Drop for Interrupts {
    /// A request still up when the engine goes leaves the count of
    /// reasons to look (else every other engine's check points would take
    /// their slow path for good).
    fn drop(&mut self) {
        self.clear();
    }
}

/// A handle to stop an engine's running script from another thread (a
/// signal handler, a watchdog); get one with `Engine::interrupt_handle`.
/// It is `Send + Sync` and cheap to clone.
#[derive(Clone, Default)]
pub struct InterruptHandle(pub(crate) Arc<Interrupts>);

impl InterruptHandle {
    /// Ctrl-C as the REPL takes it: the running code gets a
    /// `KeyboardInterrupt` at its next check point.
    pub fn interrupt(&self) {
        self.0.request();
    }

    /// A stopping signal as `tasks run` takes it: records `signo` and wakes
    /// the loop. True when the loop will cancel the main task (so `finally`
    /// blocks run); false when the caller should stop the process at once
    /// (a second signal, or the main task has already ended).
    pub fn stop(&self, signo: i32) -> bool {
        let i = &self.0;
        if i.main_done.load(Ordering::SeqCst) {
            return false;
        }
        if i.signal
            .compare_exchange(0, signo, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return false;
        }
        i.main_pending.store(true, Ordering::SeqCst);
        i.request();
        let _ = i.wake.0.try_send(());
        true
    }
}

/// Who asked for the task tree: Ctrl-\ (printed to stderr) or `tasks ps`
/// (written where it reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeRequest {
    /// Ctrl-\ (SIGQUIT): printed to stderr.
    Quit = 1,
    /// `tasks ps` (SIGUSR1): written to the user's runtime folder.
    Ps = 2,
}

impl InterruptHandle {
    /// Asks the engine for its task tree: the loop hands it to the
    /// engine's tree callback (`Engine::on_tree_request`) between two
    /// steps, or the running code's next check point does.
    pub fn request_tree(&self, who: TreeRequest) {
        let i = &self.0;
        i.trees.fetch_or(who as u8, Ordering::SeqCst);
        i.request();
        let _ = i.wake.0.try_send(());
    }
}

fn keyboard_interrupt() -> ErrorRef {
    ErrorObj::with_help(
        "KeyboardInterrupt",
        "interrupted by Ctrl-C",
        "`catch e` does not catch this; name it to: `catch e: KeyboardInterrupt`",
    )
}

impl Interp {
    /// What a check point throws when an interrupt is pending: `KeyboardInterrupt`
    /// in the REPL; under `tasks run`, a cancellation of the running task
    /// (the main task is cancelled too), or nothing if the loop already
    /// dealt with the signal.
    pub(crate) fn interrupt_error(&mut self) -> Option<ErrorRef> {
        self.interrupts.clear();
        if self.give_trees() && !self.interrupts.main_pending.load(Ordering::SeqCst) {
            // Only a tree was asked for (`tasks run` takes no Ctrl-C as an
            // interrupt: its SIGINT sets `main_pending`).
            return None;
        }
        if self.interrupts.signal().is_none() {
            return Some(keyboard_interrupt());
        }
        if !self.interrupts.main_pending.swap(false, Ordering::SeqCst) {
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
        self.give_trees();
        let pending = &self.interrupts.main_pending;
        if pending.load(Ordering::Relaxed) && pending.swap(false, Ordering::SeqCst) {
            self.interrupts.clear();
            if let Some(main) = self.main_task() {
                self.cancel_task(&main, None);
            }
        }
    }

    /// Hands the task trees asked for to the engine's callback; true if
    /// any was.
    fn give_trees(&mut self) -> bool {
        let asked = self.interrupts.take_trees();
        if asked == 0 {
            return false;
        }
        if let Some(mut sink) = self.tree_sink.take() {
            for who in [TreeRequest::Quit, TreeRequest::Ps] {
                if asked & who as u8 != 0 {
                    sink(self, who);
                }
            }
            self.tree_sink = Some(sink);
        }
        true
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
