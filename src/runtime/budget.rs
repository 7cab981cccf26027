//! The VM's budget: the slow half of a check point (Ctrl-C, the host's
//! progress callback, `--max-ops`, `--max-memory`) and `--max-tasks`, on the
//! interpreter's counters. The limits themselves and the counting
//! allocator are `crate::limits`, which knows nothing of the interpreter.

use crate::limits::{allocated, memory_over, set_over, Limits, GRACE, LIMIT};
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::interp::Interp;
use std::sync::atomic::Ordering;

/// Operations between two slow check points when only memory is limited.
const CHECK_EVERY: u64 = 10_000;

impl Interp {
    /// Applies `limits` to this interpreter.
    pub(crate) fn set_limits(&mut self, limits: &Limits) {
        self.recursion_limit = limits.max_depth.max(10);
        self.depth_changed();
        self.max_tasks = limits.max_tasks;
        self.max_memory = limits.max_memory;
        if let Some(m) = limits.max_memory {
            LIMIT.store(m, Ordering::Relaxed);
        }
        let total = limits.max_ops.unwrap_or(u64::MAX);
        self.refill(total);
    }

    /// Gives the next stretch of operations before a slow check: all that
    /// is left, or [`CHECK_EVERY`] when memory or the host's callback wants
    /// regular looks.
    fn refill(&mut self, total: u64) {
        let next = if self.max_memory.is_some() || self.progress.is_some() {
            total.min(CHECK_EVERY)
        } else {
            total
        };
        self.countdown = next;
        self.granted = next;
        self.ops_left = total - next;
    }

    /// Installs the host's progress callback: called with the operations
    /// done so far every [`CHECK_EVERY`] or so; returning `false` stops the
    /// script with a `StoppedError`.
    pub(crate) fn set_progress(&mut self, f: Box<dyn FnMut(u64) -> bool>) {
        self.progress = Some(f);
        let total = self.countdown.saturating_add(self.ops_left);
        self.refill(total);
    }

    /// The slow half of a check point (a backward jump or a call costing
    /// `cost` operations): Ctrl-C and signals, the operation budget, memory.
    #[cold]
    pub(crate) fn check_point(&mut self, cost: u64) -> Option<ErrorRef> {
        if memory_over() && self.max_memory.is_some() {
            if let Some(e) = self.memory_error() {
                return Some(e);
            }
        }
        if self.interrupts.pending() {
            if let Some(e) = self.interrupt_error() {
                return Some(e);
            }
        }
        if self.stopped_by_host {
            return Some(stopped_error());
        }
        if self.countdown > cost {
            self.countdown -= cost;
            return None;
        }
        self.ops_done = self
            .ops_done
            .saturating_add(self.granted - self.countdown)
            .saturating_add(cost);
        if let Some(progress) = self.progress.as_mut() {
            if !progress(self.ops_done) {
                self.stopped_by_host = true;
                self.countdown = 0;
                return Some(stopped_error());
            }
        }
        let total =
            (self.countdown + self.ops_left.min(u64::MAX - self.countdown)).checked_sub(cost);
        let Some(total) = total.filter(|t| *t > 0 || self.ops_left == u64::MAX) else {
            self.countdown = 0;
            self.ops_left = 0;
            return Some(ErrorObj::with_help(
                "OperationLimitError",
                "the script ran out of operations (--max-ops)",
                "a loop that never ends? raise the limit with --max-ops N",
            ));
        };
        if let Some(e) = self.memory_error() {
            return Some(e);
        }
        self.refill(total);
        None
    }

    /// A new REPL input may start although the process is over its
    /// memory limit, with a tenth of the limit to spare: without that, the
    /// input that would free the memory (`s = ""`) could not run, and every
    /// input after a `MemoryError` would fail. The grace ends once the
    /// process is back under the limit.
    pub(crate) fn forgive_memory(&mut self) {
        if let (Some(max), Some(now)) = (self.max_memory, allocated()) {
            if now > max {
                self.memory_grace = now.saturating_add(max / 10);
                GRACE.store(self.memory_grace, Ordering::Relaxed);
            }
        }
    }

    fn memory_error(&mut self) -> Option<ErrorRef> {
        let max = self.max_memory?;
        let now = allocated()?;
        if now <= max {
            set_over(false);
            self.memory_grace = 0;
            GRACE.store(0, Ordering::Relaxed);
            return None;
        }
        if now <= self.memory_grace {
            return None;
        }
        Some(ErrorObj::with_help(
            "MemoryError",
            format!("the process holds {now} bytes, over the limit of {max} (--max-memory)"),
            "a value that grows without end? raise the limit with --max-memory",
        ))
    }

    /// `TaskLimitError` when one more task would pass `--max-tasks`.
    pub(crate) fn check_task_limit(&self) -> Result<(), ErrorRef> {
        match self.max_tasks {
            Some(max) if self.lp.tasks.len() >= max => Err(ErrorObj::with_help(
                "TaskLimitError",
                format!("cannot start another task: {max} are alive (--max-tasks)"),
                "a function that spawns itself without end? raise the limit with --max-tasks N",
            )),
            _ => Ok(()),
        }
    }
}

fn stopped_error() -> ErrorRef {
    ErrorObj::new("StoppedError", "the host stopped the script")
}
