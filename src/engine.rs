//! The public entry point: load a source, compile it, run it on the event
//! loop, and report what went wrong. The CLI, the REPL and the golden test
//! runner all go through here, as an embedding program would.

use crate::compile::compile_program;
use crate::compile::names::Globals;
use crate::diagnostics::{self, Sources, Style};
use crate::error::{Error, ErrorKind};
use crate::runtime::driver::Stuck;
use crate::runtime::error::Loc;
use crate::runtime::future::{Awaitable, FutState};
use crate::runtime::interp::Interp;
use crate::runtime::link::{link, Closure, NativeTable};
use crate::runtime::task::{CoroStart, Task};
use crate::runtime::value::Value;
use crate::scheduler::clock::Clock;
use crate::syntax::parse_program;
use std::io::Write;
use std::rc::Rc;

mod reports;
mod run;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Jump the clock to the next timer whenever every task waits.
    pub virtual_time: bool,
    /// Operations, call depth, tasks and memory a run may use.
    pub limits: crate::limits::Limits,
    /// Colour in diagnostics (only sensible on a terminal).
    pub color: bool,
    /// What scripts may touch outside the interpreter (default: nothing).
    pub permissions: crate::permissions::Permissions,
    /// Root certificates `https://` trusts beside the built-in (Mozilla)
    /// ones: PEM texts, each with what errors call it.
    pub root_certificates: Vec<(String, Vec<u8>)>,
    /// The seed of `random`'s generator; `None`: from the system, or
    /// [`DEFAULT_SEED`] under virtual time (so a golden test is repeatable).
    pub seed: Option<u64>,
}

/// The seed `random` starts from under virtual time when none is given,
/// and the one `tasks test` passes to every case unless told otherwise.
pub const DEFAULT_SEED: u64 = 0;

pub use crate::error::{EXIT_COMPILE, EXIT_OK, EXIT_RUNTIME};

mod analysis;
pub use analysis::{Finding, Severity, Vocabulary};
mod tree;
pub use tree::{render_tree, tree_line, tree_report, TaskFacts, TreeRequest};

/// An interpreter: its globals, loaded sources, event loop and native
/// functions. Build one with [`Engine::builder`].
pub struct Engine {
    /// Tells this engine's never-awaited coroutines from another's on the same thread.
    id: u64,
    interp: Interp,
    globals: Globals,
    /// The values of the natives `globals.natives` names.
    natives: NativeTable,
    sources: Sources,
    /// What a server's failed handler is rendered against: `sources`, kept
    /// up to date at each load.
    rendered_sources: Rc<std::cell::RefCell<Sources>>,
    style: Style,
    /// The files `import` has loaded, each once.
    modules: crate::modules::ModuleCache,
    /// (source, offset) of each call the compiler warned makes a coroutine
    /// nobody awaits: the end of the run does not warn about it again.
    warned_dropped: std::collections::HashSet<(u32, u32)>,
    /// The main task last started (the program's, or the REPL's current
    /// input): a stuck report shows the source it waits in.
    main: std::rc::Weak<Task>,
    /// A program runs (`eval`, `call`, `eval_async`): still set when the
    /// next starts, the future of an `eval_async` was dropped before its
    /// end.
    in_run: bool,
    /// The clock's reading when the REPL's loop last reported a stuck
    /// virtual clock: see [`Engine::tick`].
    spin_reported_at: Option<u64>,
}

impl Engine {
    /// An engine with `opts`, printing to `out` and reporting to `err`.
    pub fn new(opts: Options, out: Box<dyn Write>, err: Box<dyn Write>) -> Engine {
        let clock = if opts.virtual_time {
            Clock::virtual_clock()
        } else {
            Clock::real()
        };
        let mut interp = Interp::new(clock, out, err);
        interp.set_limits(&opts.limits);
        interp.permissions = opts.permissions;
        for (name, pem) in opts.root_certificates {
            interp
                .data
                .get_or_default::<crate::stdlib::http::tls::Tls>()
                .add_roots(&name, pem);
        }
        let seed = opts.seed.or(opts.virtual_time.then_some(DEFAULT_SEED));
        interp.rng = seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        // `random` draws CPython's numbers from its own generator, started
        // from the same seed as `random.seed(seed)` starts Python's.
        crate::stdlib::random::seed_engine(&mut interp.data, seed);
        let mut globals = Globals::default();
        let mut natives = NativeTable::default();
        crate::runtime::methods::register(&mut globals.natives);
        crate::stdlib::install(&mut globals.natives, &mut natives);
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Engine {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            interp,
            globals,
            natives,
            sources: Sources::default(),
            rendered_sources: Default::default(),
            style: Style { color: opts.color },
            modules: Default::default(),
            warned_dropped: Default::default(),
            main: std::rc::Weak::new(),
            in_run: false,
            spin_reported_at: None,
        }
    }

    /// A handle that stops this engine's running script from another
    /// thread: a Ctrl-C handler, a signal thread, a watchdog.
    pub fn interrupt_handle(&self) -> crate::InterruptHandle {
        crate::InterruptHandle(self.interp.interrupts.clone())
    }

    /// Takes an interrupt request nobody acted on yet (true if there was one).
    pub(crate) fn take_interrupt(&mut self) -> bool {
        let pending = self.interp.interrupts.pending();
        self.interp.interrupts.clear();
        pending
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// A script error raised outside any run (a bad `call`), as a run's is.
    pub(crate) fn script_error(&self, e: &crate::runtime::error::ErrorRef) -> Error {
        let report = diagnostics::runtime_error(&self.style, &self.sources, e);
        Error::script(report, &self.sources, e)
    }

    pub(crate) fn interp(&self) -> &Interp {
        &self.interp
    }

    pub(crate) fn interp_mut(&mut self) -> &mut Interp {
        &mut self.interp
    }

    /// The natives' names (for the compiler) and values (for `link`).
    pub(crate) fn natives_mut(
        &mut self,
    ) -> (&mut crate::compile::names::Natives, &mut NativeTable) {
        (&mut self.globals.natives, &mut self.natives)
    }

    /// Starts recording the schedule (`tasks run --trace`, `--timeline`):
    /// what ran, waited, spawned, woke and printed, until
    /// [`Engine::finish_trace`].
    #[doc(hidden)]
    pub fn start_trace(&mut self, title: &str) {
        let virtual_time = self.interp.lp.clock.is_virtual();
        self.interp.tracer = Some(Box::new(crate::trace::Tracer::new(title, virtual_time)));
    }

    /// The schedule recorded since [`Engine::start_trace`], what is still
    /// open closed now; recording stops.
    #[doc(hidden)]
    pub fn finish_trace(&mut self) -> Option<crate::trace::events::Trace> {
        let now = self.interp.lp.clock.now_ns();
        let mut tracer = self.interp.tracer.take()?;
        Some(tracer.finish(now))
    }

    /// The strings `args()` returns.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.interp.args = args.into_iter().map(|a| Rc::from(a.as_str())).collect();
    }

    fn write_err(&mut self, text: &str) {
        let _ = self.interp.out.flush();
        let _ = self.interp.err.write_all(text.as_bytes());
        let _ = self.interp.err.flush();
    }

    /// Parses and resolves without running (imported files too). `Err`
    /// holds the rendered report.
    pub fn check(&mut self, name: &str, text: &str) -> Result<(), String> {
        let id = self.sources.add(name, text);
        let src = &self.sources.files[id as usize];
        let program =
            parse_program(text).map_err(|e| diagnostics::syntax_error(&self.style, src, &e))?;
        let mut scratch = Globals::default();
        scratch.natives = self.globals.natives.clone();
        let mut cache = crate::modules::ModuleCache::default();
        let mut loader =
            crate::modules::Loader::new(&mut self.sources, &self.style, &mut cache, id, name, None);
        let compiled = compile_program(&program, text, &mut scratch, &mut loader, id, false);
        let warnings = std::mem::take(&mut loader.warnings);
        for w in warnings {
            self.write_err(&w);
        }
        let compiled = compiled.map_err(|e| self.compile_failure(id, &e).report)?;
        self.report_compile_warnings(id, &compiled.warnings);
        Ok(())
    }

    /// The report of a mistake found before running: in the file compiled
    /// (`id`), or in a file it imports.
    fn compile_failure(&self, id: u32, e: &crate::compile::CompileError) -> Error {
        use crate::compile::Elsewhere;
        let file = |i: u32| &self.sources.files[i as usize];
        let at = |source: u32, e: &crate::compile::CompileError| {
            let report = diagnostics::compile_errors(&self.style, file(source), e);
            let loc = Loc {
                source,
                span: e.span,
            };
            let help = e.help.as_deref();
            Error::at(
                ErrorKind::Compile,
                report,
                &self.sources,
                loc,
                &e.message,
                help,
            )
        };
        match e.elsewhere.as_deref() {
            None => at(id, e),
            Some(Elsewhere::Syntax { source, error }) => Error::new(
                ErrorKind::Syntax,
                diagnostics::syntax_error(&self.style, file(*source), error),
            ),
            Some(Elsewhere::Compile { source, error }) => at(*source, error),
            Some(Elsewhere::Rendered(report)) => Error::new(ErrorKind::Compile, report.clone()),
        }
    }

    /// Warnings found while compiling, on stderr before anything runs.
    fn report_compile_warnings(&mut self, id: u32, warnings: &[crate::compile::CompileError]) {
        for w in warnings {
            let report =
                diagnostics::compile_warning(&self.style, &self.sources.files[id as usize], w);
            self.write_err(&report);
        }
    }

    /// Compiles `text`; on failure the report is the error.
    fn load(&mut self, name: &str, text: &str, echo: bool) -> Result<Rc<Closure>, Error> {
        let id = self.sources.add(name, text);
        let src = &self.sources.files[id as usize];
        let program = parse_program(text).map_err(|e| {
            Error::new(
                ErrorKind::Syntax,
                diagnostics::syntax_error(&self.style, src, &e),
            )
        })?;
        let mut loader = crate::modules::Loader::new(
            &mut self.sources,
            &self.style,
            &mut self.modules,
            id,
            name,
            Some(&self.interp.permissions),
        );
        let compiled = compile_program(&program, text, &mut self.globals, &mut loader, id, echo);
        if compiled.is_err() {
            loader.roll_back();
        } else {
            loader.succeeded();
        }
        let warnings = std::mem::take(&mut loader.warnings);
        let dropped = std::mem::take(&mut loader.dropped_coroutines);
        for w in warnings {
            self.write_err(&w);
        }
        let compiled = compiled.map_err(|e| self.compile_failure(id, &e))?;
        self.report_compile_warnings(id, &compiled.warnings);
        let here = compiled.dropped_coroutines.iter().map(|s| (id, *s));
        self.warned_dropped
            .extend(dropped.into_iter().chain(here).map(|(f, s)| (f, s.start)));
        // Errors reported while the program goes on (a server's failed
        // handler) are rendered as the CLI renders the one that ends it.
        // The renderer's copy of the sources and the names of the globals
        // only grow by what this load added: copying them whole at every
        // load made each REPL input slower than the one before.
        self.rendered_sources
            .borrow_mut()
            .catch_up_with(&self.sources);
        let (sources, color) = (self.rendered_sources.clone(), self.style.color);
        let named = sources.clone();
        self.interp.error_renderer = Some(Box::new(move |e| {
            diagnostics::runtime_error(&Style { color }, &sources.borrow(), e)
        }));
        self.interp.site_namer = Some(Box::new(move |loc| named.borrow().describe(loc)));
        let proto = link(compiled.main, &self.natives);
        if self.interp.method_names.len() != self.globals.natives.methods.len() {
            self.interp.method_names = self.globals.natives.methods.clone();
        }
        self.interp
            .globals
            .resize(self.globals.len(), Value::Uninit);
        let known = self.interp.global_names.len();
        let added = self.globals.names.get(known..).unwrap_or_default();
        self.interp.global_names.extend_from_slice(added);
        Ok(Rc::new(Closure {
            proto,
            upvals: Box::new([]),
        }))
    }
}

/// What one [`Engine::tick`] did.
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

impl Drop for Engine {
    fn drop(&mut self) {
        self.interp.release_cycles();
    }
}

/// The REPL's view of the engine: inputs run as tasks on one long-lived loop.
impl Engine {
    /// Compiles an input (echoing a final expression) and spawns it as a
    /// task. Errors are reported and give `None`.
    pub fn start_input(&mut self, name: &str, text: &str) -> Option<Rc<Task>> {
        let _active = crate::runtime::task::enter_engine(self.id);
        let closure = match self.load(name, text, true) {
            Ok(c) => c,
            Err(e) => {
                self.write_err(&e.report);
                return None;
            }
        };
        self.interp.forgive_memory();
        Some(self.spawn_main(CoroStart::Script {
            closure,
            args: Vec::new(),
        }))
    }

    /// Runs one loop iteration if something is ready or due; otherwise says
    /// when the next timer is due.
    pub fn tick(&mut self) -> LoopTick {
        let _active = crate::runtime::task::enter_engine(self.id);
        use crate::runtime::driver::Tick;
        match self.interp.tick() {
            Ok(Tick::Ran) => LoopTick::Ran,
            Ok(Tick::Idle(Some(at))) => {
                let now = self.interp.lp.clock.now_ns();
                LoopTick::Idle(Some(std::time::Duration::from_nanos(
                    at.saturating_sub(now),
                )))
            }
            // Native operations in flight will wake the loop: not stuck.
            Ok(Tick::Idle(None)) if self.interp.lp.ops.in_flight() > 0 => {
                LoopTick::Idle(Some(std::time::Duration::from_secs(86_400)))
            }
            Ok(Tick::Idle(None)) => LoopTick::Idle(None),
            Err(Stuck::Spinning(tasks)) if self.spin_already_reported(&tasks) => LoopTick::Ran,
            Err(stuck) => {
                if let Stuck::Spinning(_) = stuck {
                    self.spin_reported_at = Some(self.interp.lp.clock.now_ns());
                }
                self.report_stuck(stuck);
                LoopTick::Stuck
            }
        }
    }

    /// A background task spinning at the REPL's prompt is reported once,
    /// not again whenever an input breaks its run of `sleep(0)` iterations
    /// (the clock is as stuck as when it was reported: it has not moved);
    /// an input caught spinning (the main task among `tasks`) always is.
    fn spin_already_reported(&self, tasks: &[Rc<Task>]) -> bool {
        let main = self.main.upgrade();
        let input_stuck = main.is_some_and(|m| tasks.iter().any(|t| Rc::ptr_eq(&m, t)));
        !input_stuck && self.spin_reported_at == Some(self.interp.lp.clock.now_ns())
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
        let _active = crate::runtime::task::enter_engine(self.id);
        let now = self.interp.lp.clock.now_ns();
        let deadline = d.map(|d| now.saturating_add(d.as_nanos().min(u64::MAX as u128) as u64));
        let mut out = None;
        let other = async {
            out = Some(other.await);
        };
        self.interp.lp.wait_for_event_or(deadline, other);
        out
    }

    /// Reports a deadlock of the input task (nothing else can ever wake it).
    pub fn report_input_deadlock(&mut self) {
        let tasks = self.interp.lp.tasks.values().cloned().collect();
        self.report_stuck(Stuck::Deadlock(tasks));
    }

    /// After an input's task ended: echo its value or report its error.
    /// Returns false when the input failed or was cancelled.
    pub fn finish_input(&mut self, task: &Rc<Task>) -> bool {
        let _active = crate::runtime::task::enter_engine(self.id);
        let ok = match Awaitable::Task(task.clone()).outcome() {
            Some(Ok(Value::Nil)) | None => true,
            Some(Ok(v)) => {
                let line = format!("{}\n", v.repr());
                self.interp.write_out(&line);
                true
            }
            // `exit()`: the REPL leaves (see [`Engine::take_exit_request`]).
            Some(Err(e)) if e.is_exit() => false,
            Some(Err(e)) if e.is_cancel() && task.cancel_requests.get() > 0 => {
                self.write_err("cancelled\n");
                false
            }
            Some(Err(e)) => {
                let report = diagnostics::runtime_error(&self.style, &self.sources, &e);
                self.write_err(&report);
                false
            }
        };
        let _ = self.interp.out.flush();
        self.report_background_failures(task);
        if !ok {
            self.forget_unfinished_imports();
        }
        ok
    }

    /// The end of a program: its globals are let go (the next program
    /// starts afresh), but not those of the files it imported, which stay
    /// loaded with their values (a body that did not finish is forgotten,
    /// to run again at the next import).
    fn reset_globals(&mut self) {
        self.forget_unfinished_imports();
        let kept = self.modules.member_slots();
        for (slot, g) in self.interp.globals.iter_mut().enumerate() {
            if !kept.contains(&(slot as u32)) {
                *g = Value::Nil;
            }
        }
    }

    /// An input failed: the files it imported whose body did not finish
    /// are not kept, so importing one again (once it is fixed) runs it
    /// again. A body finished when the import after it bound its alias:
    /// some global holds the module.
    fn forget_unfinished_imports(&mut self) {
        let globals = &self.interp.globals;
        self.modules.forget_unfinished(|m| {
            globals
                .iter()
                .any(|g| matches!(g, Value::Module(held) if Rc::ptr_eq(held, m)))
        });
    }

    /// Warns about background tasks that failed and that nothing can await
    /// any more (no variable holds them), as CPython warns when it collects them.
    pub fn report_background_failures(&mut self, input: &Rc<Task>) {
        let failed = std::mem::take(&mut self.interp.lp.failed);
        let (unreachable, kept): (Vec<_>, Vec<_>) = failed
            .into_iter()
            .partition(|t| Rc::strong_count(t) == 1 || Rc::ptr_eq(t, input));
        self.interp.lp.failed = unreachable;
        self.report_unretrieved(input);
        self.interp.lp.failed = kept;
    }

    /// A panic while an input's code runs fails that input with an
    /// `InternalError` instead of ending the process (the REPL).
    pub fn catch_panics(&mut self) {
        self.interp.catch_panics = true;
    }

    /// Tasks made on this thread and not yet freed (by any engine): after
    /// an engine is dropped, its tasks are gone, however its program ended.
    #[doc(hidden)]
    pub fn live_tasks_on_thread() -> usize {
        crate::runtime::task::live_tasks()
    }

    /// Cancels a task (the REPL's Ctrl-C).
    pub fn cancel(&mut self, task: &Rc<Task>) {
        let _active = crate::runtime::task::enter_engine(self.id);
        self.interp.cancel_task(task, None);
    }

    /// The status `exit()` asked for since the last call, in an input or
    /// in a background task: the REPL leaves with it.
    pub fn take_exit_request(&mut self) -> Option<i32> {
        self.interp.exit_code.take()
    }

    /// The tasks that ended with an error nobody has retrieved yet, in the
    /// order they failed: `:tasks` lists them with their error.
    pub fn failed_tasks(&self) -> Vec<TaskInfo> {
        let failed = self.interp.lp.failed.iter();
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
        self.interp
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
                    t.waiting_at.get().map(|l| self.sources.describe(l))
                } else {
                    None
                },
                waiting_on: self.interp.native_op_of(t).map(|n| n.to_string()),
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
        let _active = crate::runtime::task::enter_engine(self.id);
        self.interp.lp.ops.close_calls();
        if let Err(stuck) = self.interp.cancel_remaining() {
            self.report_stuck(stuck);
        }
        self.interp.lp.ops.abort_all();
        crate::stdlib::process::kill_engine(self.id);
        let _ = self.interp.out.flush();
    }

    /// Text for the user on stdout (REPL command output).
    pub fn print_text(&mut self, text: &str) {
        self.interp.write_out(text);
        let _ = self.interp.out.flush();
    }

    /// Text for the user on stderr, after what stdout holds.
    pub fn print_error(&mut self, text: &str) {
        self.write_err(text);
    }
}
