//! What a Rust function called from a script gets of the engine: the one
//! context every native receives, the standard library's and a host's
//! alike (`Module::function(name, |ctx: &mut NativeCtx, x: i64| ...)`).
//! Permissions, the loop's clock, the engine's random generator, output,
//! calling script functions (now, or later from a native operation),
//! making coroutines and tasks, and per-engine data slots for a module's
//! own state.

use crate::runtime::error::ScriptError;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

mod caller;
mod tasks;
pub use caller::{Operation, ScriptCaller};

/// The engine as a native function sees it while it runs.
pub struct NativeCtx<'a> {
    // Private to the runtime: the standard library reaches the engine
    // through the methods here, as a host does.
    pub(in crate::runtime) interp: &'a mut Interp,
}

impl std::fmt::Debug for NativeCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NativeCtx")
    }
}

impl NativeCtx<'_> {
    /// This engine's number, unique in the process: the key for what a
    /// module keeps outside the engine, in a registry all engines share
    /// (the children each started, its temporary files).
    pub fn engine_id(&self) -> u64 {
        crate::runtime::asyncio::task::active_engine()
    }

    /// What the script may touch outside the interpreter: check it before
    /// touching it (`ctx.permissions().check_read(path)`).
    pub fn permissions(&self) -> &crate::permissions::Permissions {
        &self.interp.permissions
    }

    /// The loop's clock in seconds, as `now()` reads it (virtual time
    /// under `virtual_time(true)`).
    pub fn now(&self) -> f64 {
        self.interp.now()
    }

    /// The loop's clock in nanoseconds.
    pub fn now_ns(&self) -> u64 {
        self.interp.lp.clock.now_ns()
    }

    /// Does the engine run on the virtual clock?
    pub fn virtual_time(&self) -> bool {
        self.interp.lp.clock.is_virtual()
    }

    /// The engine's random generator for Rust code, seeded by
    /// `EngineBuilder::seed` (so a run is repeatable). The script's
    /// `random` module has a generator of its own from the same seed, one
    /// that draws CPython's numbers.
    pub fn rng(&mut self) -> &mut fastrand::Rng {
        &mut self.interp.rng
    }

    /// The seed the engine's generators start from: what
    /// `EngineBuilder::seed` gave, 0 under virtual time without one, `None`
    /// when they start from the system. The `random` module seeds its
    /// generator (CPython's) from it, as `random.seed(n)` does.
    pub fn seed(&self) -> Option<u64> {
        self.interp.facts.seed
    }

    /// The root certificates `https://` trusts beside the built-in ones
    /// (`EngineBuilder::add_root_certificate`, the CLI's `TASKS_CA_FILE`):
    /// each PEM text with what it is called in errors.
    pub fn root_certificates(&self) -> &[(String, Vec<u8>)] {
        &self.interp.facts.root_certificates
    }

    /// The name of the program the engine runs: the file name of the
    /// first source it loaded (`job.tasks`), as a usage line shows it
    /// (`args.parse`); `None` before any.
    pub fn program_name(&self) -> Option<&str> {
        self.interp.facts.program_name.as_deref()
    }

    /// The script's arguments (`args()`).
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.interp.args.iter().map(|a| &**a)
    }

    /// Writes to the script's standard output (where `print` writes).
    pub fn print(&mut self, text: &str) {
        self.interp.write_out(text);
    }

    /// Sends what the script printed on its way (before a child process
    /// that writes to the same terminal starts).
    pub fn flush_output(&mut self) {
        use std::io::Write;
        let _ = self.interp.out.flush();
    }

    /// Writes to the script's standard error, after what its standard
    /// output holds.
    pub fn eprint(&mut self, text: &str) {
        self.interp.write_err_text(text);
    }

    /// Calls a plain script function (or a sync native) now and returns
    /// what it returns: a `key:` function, a callback. An `async fn`
    /// cannot be called this way (spawn its coroutine instead).
    pub fn call(&mut self, f: &Value, args: Vec<Value>) -> Result<Value, ScriptError> {
        self.interp.call_sync(f, args)
    }

    /// Runs a coroutine (an `async fn`'s call) as a new task and returns
    /// the task, as `spawn` does.
    pub fn spawn(&mut self, coroutine: Value) -> Result<Value, ScriptError> {
        self.interp.spawn_value(coroutine, None, None)
    }

    /// A handle a native operation (a Rust future) keeps to have script
    /// functions run on the loop while it waits: a server's handler.
    pub fn caller(&self) -> ScriptCaller {
        ScriptCaller::new(self.interp.lp.ops.caller())
    }

    /// The report the `tasks` command prints for `e` (kind, message, the
    /// source line and the stack, when the engine knows its sources): for
    /// a native that reports a failure and goes on (a server whose handler
    /// failed).
    pub fn report(&self, e: &ScriptError) -> String {
        self.interp.render_error(e)
    }

    /// A coroutine that runs `fut` on the engine's executor when awaited
    /// or spawned (and drops it when cancelled); `shown` is what `:tasks`
    /// calls it. How an async method of an object is written.
    pub fn coroutine(
        &self,
        shown: &str,
        fut: impl Future<Output = Result<Value, ScriptError>> + 'static,
    ) -> Value {
        let shown: Rc<str> = Rc::from(shown);
        let fut: super::function::OpFuture = Box::pin(fut);
        Value::Coro(crate::runtime::asyncio::task::Coro::new(
            crate::runtime::asyncio::task::CoroStart::Native(
                crate::runtime::asyncio::coro::NativeCoro::op(shown.clone(), fut),
            ),
            shown,
            None,
        ))
    }

    /// This engine's value of type `T`, if one was set
    /// (`EngineBuilder::data`, [`NativeCtx::data_or_default`]).
    pub fn data<T: 'static>(&self) -> Option<&T> {
        self.interp.data.get::<T>()
    }

    /// This engine's value of type `T`, to change.
    pub fn data_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.interp.data.get_mut::<T>()
    }

    /// This engine's value of type `T`, made with `T::default()` the first
    /// time: a module's own state (a cache, a connection pool), one per
    /// engine.
    pub fn data_or_default<T: Default + 'static>(&mut self) -> &mut T {
        self.interp.data.get_or_default::<T>()
    }
}

/// What an engine was built with that natives read through the context
/// ([`NativeCtx::seed`], [`NativeCtx::root_certificates`],
/// [`NativeCtx::program_name`]); the engine sets it.
#[derive(Default)]
pub(crate) struct EngineFacts {
    pub(crate) seed: Option<u64>,
    pub(crate) root_certificates: Vec<(String, Vec<u8>)>,
    pub(crate) program_name: Option<String>,
}

/// Values of any type, at most one of each, that belong to one engine.
#[derive(Default)]
pub(crate) struct DataSlots(HashMap<TypeId, Box<dyn Any>>);

impl DataSlots {
    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
    pub(crate) fn get_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.0.get_mut(&TypeId::of::<T>())?.downcast_mut()
    }
    pub(crate) fn get_or_default<T: Default + 'static>(&mut self) -> &mut T {
        self.0
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut()
            .expect("a slot holds the type it is keyed by")
    }
    pub(crate) fn insert<T: 'static>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }
    /// Adds every value of `other`, replacing those of the same type.
    pub(crate) fn extend(&mut self, other: DataSlots) {
        self.0.extend(other.0);
    }
}
