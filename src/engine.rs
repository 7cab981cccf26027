//! The public entry point: load a source, compile it, run it on the event
//! loop, and report what went wrong. The CLI, the REPL and the golden test
//! runner all go through here, as an embedding program would.

use crate::compile::compile_program;
use crate::compile::names::Globals;
use crate::diagnostics::{self, Sources, Style};
use crate::error::{Error, ErrorKind};
use crate::runtime::asyncio::task::Task;
use crate::runtime::error::Loc;
use crate::runtime::interp::Interp;
use crate::runtime::link::{link, Closure, NativeTable};
use crate::runtime::values::value::Value;
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
pub mod session;
mod tree;
pub use session::{Input, LoopTick, Session, TaskInfo};
pub use tree::{
    operation_line, render_tree, tree_line, tree_report, OperationFacts, TaskFacts, TreeRequest,
};

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
        interp.facts.root_certificates = opts.root_certificates;
        let seed = opts.seed.or(opts.virtual_time.then_some(DEFAULT_SEED));
        interp.rng = seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        // `random` draws CPython's numbers from its own generator, started
        // from the same seed (`NativeCtx::seed`) as `random.seed(seed)`.
        interp.facts.seed = seed;
        let mut globals = Globals::default();
        crate::runtime::methods::register(&mut globals.natives);
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut engine = Engine {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            interp,
            globals,
            natives: NativeTable::default(),
            sources: Sources::default(),
            rendered_sources: Default::default(),
            style: Style { color: opts.color },
            modules: Default::default(),
            warned_dropped: Default::default(),
            main: std::rc::Weak::new(),
            in_run: false,
            spin_reported_at: None,
        };
        engine.install_stdlib();
        engine
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

    /// The end of a program: each module's end-of-program hooks
    /// (`Module::at_end`), the last registered first.
    pub(crate) fn run_end_hooks(&mut self) {
        crate::runtime::native::module::run_end_hooks(&mut self.natives, &mut self.interp);
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
        let (compiled, warnings) = self.compile_unlinked(&program, text, id, name);
        for w in warnings {
            self.write_err(&w);
        }
        let compiled = compiled.map_err(|e| self.compile_failure(id, &e).report)?;
        self.report_compile_warnings(id, &compiled.warnings);
        Ok(())
    }

    /// Compiles `program` (source `id`, called `name`) and its imports
    /// against this engine's natives, without linking or running it and
    /// without touching its globals (`check` and `analyze`): the result
    /// and the imports' warnings, rendered.
    pub(crate) fn compile_unlinked(
        &mut self,
        program: &crate::syntax::ast::Program,
        text: &str,
        id: u32,
        name: &str,
    ) -> (
        Result<crate::compile::Compiled, crate::compile::CompileError>,
        Vec<String>,
    ) {
        let mut scratch = Globals::default();
        scratch.natives = self.globals.natives.clone();
        let mut cache = crate::modules::ModuleCache::default();
        let mut loader =
            crate::modules::Loader::new(&mut self.sources, &self.style, &mut cache, id, name, None);
        let compiled = compile_program(program, text, &mut scratch, &mut loader, id, false);
        (compiled, std::mem::take(&mut loader.warnings))
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
            Some(Elsewhere::Syntax { source, error }) => self.syntax_failure(*source, error),
            Some(Elsewhere::Compile { source, error }) => at(*source, error),
        }
    }

    /// A syntax error in source `id` as a structured error: its own words,
    /// help and place (`message()`, `help()`, `location()`), beside the
    /// rendered report.
    fn syntax_failure(&self, id: u32, e: &crate::syntax::SyntaxError) -> Error {
        let report = diagnostics::syntax_error(&self.style, &self.sources.files[id as usize], e);
        let loc = Loc {
            source: id,
            span: e.span,
        };
        let help = e.help.as_deref();
        Error::at(
            ErrorKind::Syntax,
            report,
            &self.sources,
            loc,
            &e.message,
            help,
        )
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
        if self.interp.facts.program_name.is_none() {
            // What `args.parse`'s usage line calls the program.
            let base = std::path::Path::new(name).file_name();
            let base = base.map_or(name.into(), |b| b.to_string_lossy());
            self.interp.facts.program_name = Some(base.into_owned());
        }
        let id = self.sources.add(name, text);
        let program = parse_program(text).map_err(|e| self.syntax_failure(id, &e))?;
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

/// What a program leaves on the engine for the next one.
impl Engine {
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

    /// Tasks made on this thread and not yet freed (by any engine): after
    /// an engine is dropped, its tasks are gone, however its program ended.
    #[doc(hidden)]
    pub fn live_tasks_on_thread() -> usize {
        crate::runtime::asyncio::task::live_tasks()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.interp.release_cycles();
    }
}
