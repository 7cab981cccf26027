//! The interpreter's state shared by every task: globals, the event loop,
//! the output streams and the limits.

use super::error::{ErrorObj, ErrorRef, Loc, TaskOrigin, TraceFrame};
use super::exec::Exec;
use super::handle::EventLoop;
use super::values::value::Value;
use crate::runtime::asyncio::task::Task;
use crate::scheduler::clock::Clock;
use std::io::Write;
use std::rc::Rc;

/// Renders an error as the CLI reports it.
pub(crate) type ErrorRenderer = Box<dyn Fn(&ErrorRef) -> String>;

pub struct Interp {
    /// `random`'s generator, seeded by the engine.
    pub rng: fastrand::Rng,
    pub globals: Vec<Value>,
    pub global_names: Vec<Rc<str>>,
    pub lp: EventLoop,
    pub out: Box<dyn Write>,
    pub err: Box<dyn Write>,
    pub args: Vec<Rc<str>>,
    pub recursion_limit: usize,
    /// Frames held by the callers of the native functions now running
    /// script code again (`sorted(key: f)` inside `f`): they count toward
    /// `recursion_limit` too (`Interp::call_sync`).
    pub outer_depth: usize,
    /// `recursion_limit - outer_depth` (0 past it), kept in step by
    /// [`Interp::depth_changed`]: every call compares its frame count with
    /// this one field instead of adding the two.
    pub frames_allowed: usize,
    /// The frames of the task stack that called the native function now
    /// running, set by the VM before a builtin or method call that may
    /// call back into script code; taken by `call_sync`.
    pub caller_depth: usize,
    /// Native→script re-entries now nested (`call_sync` inside
    /// `call_sync`): each holds Rust stack, so they have their own cap.
    pub reentries: usize,
    /// Turn a panic while a task's code runs into an `InternalError` that
    /// fails the task (the REPL, which must outlive a bug in one input).
    pub catch_panics: bool,
    /// The task whose code is running now.
    pub current: Option<Rc<Task>>,
    pub frame_bufs: super::exec::FrameBufs,
    /// What the script may touch outside the interpreter.
    pub permissions: crate::permissions::Permissions,
    /// Operations until the next slow check point (`limits.rs`).
    pub countdown: u64,
    /// Operations left beyond `countdown` (`u64::MAX`: no limit).
    pub ops_left: u64,
    pub max_tasks: Option<usize>,
    /// The host's `on_progress` callback (`limits.rs`) and what it was told.
    pub progress: Option<Box<dyn FnMut(u64) -> bool>>,
    pub ops_done: u64,
    /// The countdown given at the last slow check (to count operations done).
    pub granted: u64,
    /// The host's callback asked to stop: every check point throws.
    pub stopped_by_host: bool,
    pub max_memory: Option<usize>,
    /// Memory the REPL let the next input start with although it is over
    /// `max_memory` (see `Interp::forgive_memory`); 0 when none.
    pub memory_grace: usize,
    /// Set when a task other than the main one called `exit(code)`: the
    /// loop stops and the program ends with this status.
    pub exit_code: Option<i32>,
    /// Ctrl-C and signals for this engine (`interrupt.rs`).
    pub(crate) interrupts: std::sync::Arc<super::interrupt::Interrupts>,
    /// Renders an error as the CLI would, source line included: set by the
    /// engine, used for errors reported while the program goes on (a
    /// server's failed handler).
    pub error_renderer: Option<ErrorRenderer>,
    /// A location as `file:line:col`: set by the engine, used for the
    /// permission audit log (`Interp::note_call_site`).
    pub site_namer: Option<Box<dyn Fn(super::error::Loc) -> String>>,
    /// Every method name by the index `Op::Method` carries (the
    /// compiler's `Natives::methods`, copied by the engine).
    pub(crate) method_names: Vec<Rc<str>>,
    /// The natives' per-engine state, one value per type (`NativeCtx::data`).
    pub(crate) data: super::native::ctx::DataSlots,
    /// What the engine was built with that natives read: the seed, the
    /// extra root certificates, the program's name (`NativeCtx::seed`...).
    pub(crate) facts: Box<super::native::ctx::EngineFacts>,
    /// Given the task tree when Ctrl-\ or `tasks ps` asks (set by the engine).
    pub(crate) tree_sink: Option<TreeSink>,
    /// Records the schedule when `--trace` or `--timeline` asks
    /// (`runtime/tracing.rs`); `None` costs each hook one branch.
    pub(crate) tracer: Option<Box<crate::trace::Tracer>>,
}

/// What the engine does with a task tree asked for (see `Interp::tree_sink`).
pub(crate) type TreeSink = Box<dyn FnMut(&Interp, super::interrupt::TreeRequest)>;

impl Interp {
    /// Recomputes [`Interp::frames_allowed`] after `recursion_limit` or
    /// `outer_depth` changed.
    pub(crate) fn depth_changed(&mut self) {
        self.frames_allowed = self.recursion_limit.saturating_sub(self.outer_depth);
    }

    pub fn new(clock: Clock, out: Box<dyn Write>, err: Box<dyn Write>) -> Interp {
        Interp {
            // A placeholder: the engine seeds it (`Engine::new`).
            rng: fastrand::Rng::with_seed(0),
            globals: Vec::new(),
            global_names: Vec::new(),
            lp: EventLoop::new(clock),
            out,
            err,
            args: Vec::new(),
            recursion_limit: crate::limits::DEFAULT_RECURSION_LIMIT,
            outer_depth: 0,
            frames_allowed: crate::limits::DEFAULT_RECURSION_LIMIT,
            caller_depth: 0,
            reentries: 0,
            catch_panics: false,
            current: None,
            frame_bufs: Default::default(),
            permissions: crate::permissions::Permissions::none(),
            exit_code: None,
            countdown: u64::MAX,
            ops_left: u64::MAX,
            max_tasks: None,
            max_memory: None,
            memory_grace: 0,
            progress: None,
            ops_done: 0,
            granted: u64::MAX,
            stopped_by_host: false,
            interrupts: Default::default(),
            error_renderer: None,
            site_namer: None,
            method_names: Vec::new(),
            data: Default::default(),
            facts: Default::default(),
            tree_sink: None,
            tracer: None,
        }
    }

    /// Gives an error its location and stack the first time it is thrown.
    pub fn locate(&self, e: &ErrorRef, ex: &Exec) {
        if e.origin.borrow().is_some() {
            return;
        }
        let mut trace = Vec::new();
        for f in &ex.frames {
            let p = &f.closure.proto;
            let at = (f.ip as usize)
                .saturating_sub(1)
                .min(p.spans.len().saturating_sub(1));
            if let Some(span) = p.spans.get(at) {
                trace.push(TraceFrame {
                    function: p.name.clone(),
                    loc: Loc {
                        source: p.source,
                        span: *span,
                    },
                });
            }
        }
        *e.origin.borrow_mut() = trace.last().map(|t| t.loc);
        *e.trace.borrow_mut() = trace;
        if let Some(t) = &self.current {
            *e.task.borrow_mut() = Some(TaskOrigin {
                name: t.name(),
                spawned_at: t.spawned_at,
                awaited_by: super::asyncio::tree::awaited_by_chain(t),
            });
        }
    }

    pub fn write_out(&mut self, text: &str) {
        if self.tracer.is_some() {
            self.trace_printed(text);
        }
        let _ = self.out.write_all(text.as_bytes());
    }

    /// Writes to the script's standard error, after what it printed to
    /// standard output (so the two interleave as written).
    pub fn write_err_text(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
    }

    /// The method name `Op::Method`'s index stands for.
    pub(crate) fn method_name(&self, id: u32) -> Rc<str> {
        self.method_names
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Rc::from("?"))
    }

    pub fn now(&self) -> f64 {
        self.lp.clock.now_secs()
    }

    pub fn uninit_error(&self, name: &str) -> ErrorRef {
        ErrorObj::with_help(
            "NameError",
            format!("`{name}` is used before its `let` ran"),
            "a function ran that reads this variable before the line that declares it",
        )
    }

    pub fn name_error(&self, global: u32) -> ErrorRef {
        let name = self
            .global_names
            .get(global as usize)
            .cloned()
            .unwrap_or_else(|| Rc::from("?"));
        ErrorObj::with_help(
            "NameError",
            format!("`{name}` is used before its `let` ran"),
            "a function ran that reads this variable before the line that declares it",
        )
    }
}
