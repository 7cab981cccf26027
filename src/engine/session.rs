//! A session on an engine, for a REPL (the `tasks repl` command's, or an
//! embedder's own): inputs run one at a time as tasks on one long-lived
//! loop, each echoing its value, while the tasks they spawn keep running
//! between them. The caller owns the waiting: [`Session::tick`] runs one
//! iteration, [`Session::wait_event`] sleeps until something is due or its
//! own future (the next line typed) is ready.
//!
//! ```no_run
//! use tasks::{Engine, Options, LoopTick, Session};
//! let mut s = Session::new(Engine::new(Options::default(), Box::new(std::io::stdout()),
//!     Box::new(std::io::stderr())));
//! for line in ["let t = spawn sleep(0.1)", "await t", "print(1 + 1)"] {
//!     if tasks::session::is_incomplete(line) { continue } // read more lines
//!     let Some(input) = s.start("<input>", line) else { continue }; // reported
//!     while !input.is_done() {
//!         if let LoopTick::Idle(next) = s.tick() {
//!             s.wait_event(next, std::future::pending::<()>());
//!         }
//!     }
//!     s.finish(&input);
//! }
//! s.shutdown();
//! ```

use super::Engine;
use crate::diagnostics;
use crate::runtime::asyncio::future::{Awaitable, FutState};
use crate::runtime::asyncio::task::{CoroStart, Task};
use crate::runtime::driver::Stuck;
use crate::runtime::values::value::Value;
use std::io::Write;
use std::rc::Rc;

/// What one [`Session::tick`] did.
pub enum LoopTick {
    /// One iteration ran.
    Ran,
    /// Nothing to do until the next timer (in this long), or ever (`None`).
    Idle(Option<std::time::Duration>),
    /// The loop cannot make progress; already reported.
    Stuck,
}

/// One live task, as `:tasks` lists it.
pub struct TaskInfo {
    /// The task's name.
    pub name: String,
    /// `ready`, `waiting`, `cancelling` or `failed`.
    pub state: &'static str,
    /// Where it waits (`file:line:col`), if it does.
    pub waiting_at: Option<String>,
    /// The native operation it waits on (`db.lookup(42)`), if any.
    pub waiting_on: Option<String>,
    /// `Kind: message` of the error a failed task ended with.
    pub error: Option<String>,
}

/// An engine driven one input at a time: see the module's documentation.
pub struct Session {
    engine: Engine,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

/// One input running as a task ([`Session::start`]).
pub struct Input(Rc<Task>);

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Input").field(&self.0.name()).finish()
    }
}

impl Input {
    /// Whether the input's task has ended (then [`Session::finish`] it).
    pub fn is_done(&self) -> bool {
        self.0.is_done()
    }
}

/// Whether `text` is a statement that goes on (an open bracket or block,
/// a line ending in an operator): a REPL reads another line before running
/// it. Text that is complete, or wrong, is not.
pub fn is_incomplete(text: &str) -> bool {
    matches!(crate::syntax::parse_program(text), Err(e) if e.incomplete)
}

/// The message a panic was raised with (its payload as text).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    crate::runtime::driver::panic_text(payload)
}

impl Session {
    /// A session on `engine`. A panic while an input's code runs (a bug in
    /// tasks) fails that input with an `InternalError` instead of ending
    /// the process.
    pub fn new(mut engine: Engine) -> Session {
        engine.interp.catch_panics = true;
        Session { engine }
    }

    /// The engine, to register functions, read its task tree, interrupt it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, mutably.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Whether Ctrl-C was asked for (an [`crate::InterruptHandle`]) since the
    /// last call: the request is cleared.
    pub fn take_interrupt(&mut self) -> bool {
        self.engine.take_interrupt()
    }

    /// Compiles an input (echoing a final expression) and spawns it as a
    /// task. Errors are reported and give `None`.
    pub fn start(&mut self, name: &str, text: &str) -> Option<Input> {
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        let closure = match self.engine.load(name, text, true) {
            Ok(c) => c,
            Err(e) => {
                self.engine.write_err(&e.report);
                return None;
            }
        };
        self.engine.interp.forgive_memory();
        Some(Input(self.engine.spawn_main(CoroStart::Script {
            closure,
            args: Vec::new(),
        })))
    }

    /// Runs one loop iteration if something is ready or due; otherwise says
    /// when the next timer is due.
    pub fn tick(&mut self) -> LoopTick {
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        use crate::runtime::driver::Tick;
        match self.engine.interp.tick() {
            Ok(Tick::Ran) => LoopTick::Ran,
            Ok(Tick::Idle(Some(at))) => {
                let now = self.engine.interp.lp.clock.now_ns();
                LoopTick::Idle(Some(std::time::Duration::from_nanos(
                    at.saturating_sub(now),
                )))
            }
            // Native operations in flight will wake the loop: not stuck.
            Ok(Tick::Idle(None)) if self.engine.interp.lp.ops.in_flight() > 0 => {
                LoopTick::Idle(Some(std::time::Duration::from_secs(86_400)))
            }
            Ok(Tick::Idle(None)) => LoopTick::Idle(None),
            Err(Stuck::Spinning(tasks)) if self.spin_already_reported(&tasks) => LoopTick::Ran,
            Err(stuck) => {
                if let Stuck::Spinning(_) = stuck {
                    self.engine.spin_reported_at = Some(self.engine.interp.lp.clock.now_ns());
                }
                self.engine.report_stuck(stuck);
                LoopTick::Stuck
            }
        }
    }

    /// A background task spinning at the REPL's prompt is reported once,
    /// not again whenever an input breaks its run of `sleep(0)` iterations
    /// (the clock is as stuck as when it was reported: it has not moved);
    /// an input caught spinning (the main task among `tasks`) always is.
    fn spin_already_reported(&self, tasks: &[Rc<Task>]) -> bool {
        let main = self.engine.main.upgrade();
        let input_stuck = main.is_some_and(|m| tasks.iter().any(|t| Rc::ptr_eq(&m, t)));
        !input_stuck && self.engine.spin_reported_at == Some(self.engine.interp.lp.clock.now_ns())
    }

    /// Waits, using no CPU, until a native operation completes, `d` passes
    /// or `other` finishes (with its output). The REPL waits here for input
    /// while timers and operations keep the loop alive.
    pub fn wait_event<T>(
        &mut self,
        d: Option<std::time::Duration>,
        other: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        // Native operations make progress here: what they start (a child
        // process) belongs to this engine.
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        let now = self.engine.interp.lp.clock.now_ns();
        let deadline = d.map(|d| now.saturating_add(d.as_nanos().min(u64::MAX as u128) as u64));
        let mut out = None;
        let other = async {
            out = Some(other.await);
        };
        self.engine.interp.lp.wait_for_event_or(deadline, other);
        out
    }

    /// Reports a deadlock of the input task (nothing else can ever wake it).
    pub fn report_deadlock(&mut self) {
        let tasks = self.engine.interp.lp.tasks.values().cloned().collect();
        self.engine.report_stuck(Stuck::Deadlock(tasks));
    }

    /// After an input's task ended: echo its value or report its error.
    /// Returns false when the input failed or was cancelled.
    pub fn finish(&mut self, input: &Input) -> bool {
        let task = &input.0;
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        let ok = match Awaitable::Task(task.clone()).outcome() {
            Some(Ok(Value::Nil)) | None => true,
            Some(Ok(v)) => {
                let line = format!("{}\n", v.repr());
                self.engine.interp.write_out(&line);
                true
            }
            // `exit()`: the REPL leaves (see [`Session::take_exit_request`]).
            Some(Err(e)) if e.is_exit() => false,
            Some(Err(e)) if e.is_cancel() && task.cancel_requests.get() > 0 => {
                self.engine.write_err("cancelled\n");
                false
            }
            Some(Err(e)) => {
                let report =
                    diagnostics::runtime_error(&self.engine.style, &self.engine.sources, &e);
                self.engine.write_err(&report);
                false
            }
        };
        let _ = self.engine.interp.out.flush();
        self.report_background_failures(task);
        if !ok {
            self.engine.forget_unfinished_imports();
        }
        ok
    }

    /// Warns about background tasks that failed and that nothing can await
    /// any more (no variable holds them), as CPython warns when it collects them.
    fn report_background_failures(&mut self, input: &Rc<Task>) {
        let failed = std::mem::take(&mut self.engine.interp.lp.failed);
        let (unreachable, kept): (Vec<_>, Vec<_>) = failed
            .into_iter()
            .partition(|t| Rc::strong_count(t) == 1 || Rc::ptr_eq(t, input));
        self.engine.interp.lp.failed = unreachable;
        self.engine.report_unretrieved(input);
        self.engine.interp.lp.failed = kept;
    }

    /// Cancels a task (the REPL's Ctrl-C).
    pub fn cancel(&mut self, input: &Input) {
        let task = &input.0;
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        self.engine.interp.cancel_task(task, None);
    }

    /// The status `exit()` asked for since the last call, in an input or
    /// in a background task: the REPL leaves with it.
    pub fn take_exit_request(&mut self) -> Option<i32> {
        self.engine.interp.exit_code.take()
    }

    /// The tasks that ended with an error nobody has retrieved yet, in the
    /// order they failed: `:tasks` lists them with their error.
    pub fn failed_tasks(&self) -> Vec<TaskInfo> {
        let failed = self.engine.interp.lp.failed.iter();
        failed
            .filter(|t| t.core.borrow().unretrieved)
            .filter_map(|t| match t.core.borrow().state() {
                FutState::Failed(e) => Some(TaskInfo {
                    name: t.name().to_string(),
                    state: "failed",
                    waiting_at: None,
                    waiting_on: None,
                    error: Some(format!("{}: {}", e.kind, e.message)),
                }),
                _ => None,
            })
            .collect()
    }

    /// The tasks still pending, in creation order.
    pub fn live_tasks(&self) -> Vec<TaskInfo> {
        self.engine
            .interp
            .lp
            .tasks
            .values()
            .map(|t| TaskInfo {
                name: t.name().to_string(),
                state: if t.must_cancel.get() {
                    "cancelling"
                } else if t.is_waiting() {
                    "waiting"
                } else {
                    "ready"
                },
                waiting_at: if t.is_waiting() {
                    t.waiting_at.get().map(|l| self.engine.sources.describe(l))
                } else {
                    None
                },
                waiting_on: self.engine.interp.native_op_of(t).map(|n| n.to_string()),
                error: None,
            })
            .collect()
    }

    /// The end of a session: cancel what is left and report, as a script's end does.
    ///
    /// As at the end of `tasks run`: servers stop taking requests before
    /// their running handlers are cancelled (a request arriving during the
    /// cancellation would start a handler nobody cancels), and native work
    /// left after it (a task that swallowed its cancellation) is dropped.
    pub fn shutdown(&mut self) {
        let _active = crate::runtime::asyncio::task::enter_engine(self.engine.id);
        self.engine.interp.lp.ops.close_calls();
        if let Err(stuck) = self.engine.interp.cancel_remaining() {
            self.engine.report_stuck(stuck);
        }
        self.engine.interp.lp.ops.abort_all();
        self.engine.run_end_hooks();
        let _ = self.engine.interp.out.flush();
    }

    /// Text for the user on stdout (REPL command output).
    pub fn print_text(&mut self, text: &str) {
        self.engine.interp.write_out(text);
        let _ = self.engine.interp.out.flush();
    }

    /// Text for the user on stderr, after what stdout holds.
    pub fn print_error(&mut self, text: &str) {
        self.engine.write_err(text);
    }
}
