//! The face an embedding Rust program sees: building an engine, registering
//! Rust functions and native modules, and the error `eval` returns.

use crate::engine::{Engine, Options};
use crate::runtime::error::ScriptError;
use crate::runtime::native::function::Args;
use crate::runtime::native::function::{HostAsyncFn, HostFn, NativeFn};
use crate::runtime::native::module::{raw_async_fn, raw_fn, Module};
use crate::runtime::values::value::Value;
use std::io::Write;
use std::rc::Rc;

pub use crate::error::{Error, ErrorKind};

/// Builds an [`Engine`]: output sinks, clock, limits.
pub struct EngineBuilder {
    opts: Options,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    data: crate::runtime::native::ctx::DataSlots,
}

impl std::fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            opts: Options::default(),
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
            data: Default::default(),
        }
    }
}

impl EngineBuilder {
    /// Where `print` writes (default: standard output).
    pub fn stdout(mut self, out: impl Write + 'static) -> Self {
        self.out = Box::new(out);
        self
    }
    /// Where warnings and reports go (default: standard error).
    pub fn stderr(mut self, err: impl Write + 'static) -> Self {
        self.err = Box::new(err);
        self
    }
    /// Run on the virtual clock (timers fire instantly, deterministically).
    pub fn virtual_time(mut self, on: bool) -> Self {
        self.opts.virtual_time = on;
        self
    }
    /// The seed of `random`'s generator: the same seed, the same numbers
    /// (default: from the system; under virtual time a fixed one).
    pub fn seed(mut self, seed: u64) -> Self {
        self.opts.seed = Some(seed);
        self
    }
    /// Operations, call depth, tasks and memory a run may use.
    pub fn limits(mut self, limits: crate::limits::Limits) -> Self {
        self.opts.limits = limits;
        self
    }
    /// What scripts may read, write, run, connect to (default: nothing).
    pub fn permissions(mut self, p: crate::permissions::Permissions) -> Self {
        self.opts.permissions = p;
        self
    }
    /// Trusts the root certificates in `pem` (PEM text) for `https://`,
    /// beside the built-in ones (as `TASKS_CA_FILE` does for the CLI). A
    /// text that holds no usable certificate makes each `https://`
    /// request an `HttpError` saying so.
    pub fn add_root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        let n = self.opts.root_certificates.len() + 1;
        self.opts
            .root_certificates
            .push((format!("root certificate {n}"), pem.into()));
        self
    }
    /// Gives the engine a value of type `T` that natives read and change
    /// through [`crate::NativeCtx::data`] / [`crate::NativeCtx::data_mut`] (one value per
    /// type; a later one replaces an earlier).
    pub fn data<T: 'static>(mut self, value: T) -> Self {
        self.data.insert(value);
        self
    }
    /// Colour in reports.
    pub fn color(mut self, on: bool) -> Self {
        self.opts.color = on;
        self
    }
    /// The engine.
    pub fn build(self) -> Engine {
        let mut engine = Engine::new(self.opts, self.out, self.err);
        engine.interp_mut().data.extend(self.data);
        engine
    }
}

impl Engine {
    /// A builder for an engine with custom output, clock and limits.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// Makes a Rust function callable from scripts by `name`. Arguments
    /// and the result convert through `FromValue`/`IntoValue`; a wrong
    /// count or type is a `TypeError` at the script's call.
    pub fn register_fn<M>(&mut self, name: &str, f: impl HostFn<M>) -> &mut Self {
        let native = f.into_native(Rc::from(name));
        self.add_native(name, native);
        self
    }

    /// Makes an async Rust function callable from scripts: the call returns
    /// a coroutine; awaiting or spawning it runs the future on the engine's
    /// executor, and cancelling it (`t.cancel()`, `wait_for`, `race`, a
    /// failing `group`, the end of the program) drops the future.
    pub fn register_async_fn<M>(&mut self, name: &str, f: impl HostAsyncFn<M>) -> &mut Self {
        let native = f.into_native(Rc::from(name));
        self.add_native(name, native);
        self
    }

    /// Makes a Rust function that takes its arguments itself callable from
    /// scripts by `name`, as [`Module::raw`] does for a module's: it gets
    /// the [`NativeCtx`](crate::NativeCtx) and the call's [`Args`]
    /// (`args.next("path")?`, `args.named("sep")?`, `args.rest()`, then
    /// `args.finish()?`), so it may take named arguments and any count. The
    /// standard library's `eprint` and `exit` are registered so.
    pub fn register_raw(
        &mut self,
        name: &str,
        f: impl Fn(&mut crate::NativeCtx<'_>, Args) -> Result<Value, ScriptError> + 'static,
    ) -> &mut Self {
        self.add_native(name, raw_fn(name, f));
        self
    }

    /// [`Engine::register_raw`] with the function's parameters given
    /// (a [`Signature`](crate::Signature)): each call is bound to them
    /// before `f` runs, as a builtin's is, so wrong arguments are the
    /// builtins' `TypeError`s and arguments given by name arrive in their
    /// places. The standard library's `ord` and `chr` are registered so.
    pub fn register_with(
        &mut self,
        sig: crate::Signature,
        f: impl Fn(&mut crate::NativeCtx<'_>, Args) -> Result<Value, ScriptError> + 'static,
    ) -> &mut Self {
        self.add_native(sig.name(), sig.function(f));
        self
    }

    /// [`Engine::register_raw`] for an async function, as
    /// [`Module::raw_async`]: it reads its arguments at the call and
    /// returns the future that does the work when the coroutine is awaited.
    pub fn register_raw_async<Fut>(
        &mut self,
        name: &str,
        f: impl Fn(&mut crate::NativeCtx<'_>, Args) -> Result<Fut, ScriptError> + 'static,
    ) -> &mut Self
    where
        Fut: std::future::Future<Output = Result<Value, ScriptError>> + 'static,
    {
        self.add_native(name, raw_async_fn(name, f));
        self
    }

    /// Calls `f` with the number of operations done so far, every 10,000
    /// or so while script code runs; when it returns `false` the script
    /// stops with a `StoppedError` at its current line (and stays stopped:
    /// catching the error does not let it go on).
    pub fn on_progress(&mut self, f: impl FnMut(u64) -> bool + 'static) -> &mut Self {
        self.interp_mut().set_progress(Box::new(f));
        self
    }

    /// Calls a script function (one `eval` returned, or one a native was
    /// given) with `args` from Rust, and runs the loop until it ends, as
    /// `eval` runs a program: an `async fn` runs as the main task (it may
    /// wait, spawn, gather), a plain one too. Errors are reported as
    /// `eval`'s are. Globals are reset at the end of each `eval`, so the
    /// function should not read the program's `let`s (its parameters and
    /// the modules are fine).
    pub fn call(&mut self, f: &Value, args: Vec<Value>) -> Result<Value, Error> {
        match self.start_call(f, args)? {
            Call::Main(main) => self.run_main(main),
            Call::Returned(v) => Ok(v),
        }
    }

    /// [`Engine::call`] as a future a host's executor drives, as
    /// [`Engine::eval_async`] runs a program.
    pub async fn call_async(&mut self, f: &Value, args: Vec<Value>) -> Result<Value, Error> {
        match self.start_call(f, args)? {
            Call::Main(main) => self.run_main_async(main).await,
            Call::Returned(v) => Ok(v),
        }
    }

    /// A call of `f` from Rust: the main task to run, or the value a sync
    /// native returned at once.
    fn start_call(&mut self, f: &Value, args: Vec<Value>) -> Result<Call, Error> {
        use crate::runtime::asyncio::task::CoroStart;
        let _active = crate::runtime::asyncio::task::enter_engine(self.id());
        let start =
            match f {
                Value::Func(c) => crate::runtime::interp::Interp::bind_args(c, args, Vec::new())
                    .map(|args| CoroStart::Script {
                        closure: c.clone(),
                        args,
                    }),
                Value::Native(n) => match self.interp_mut().call_native(n, args, Vec::new()) {
                    Ok(Value::Coro(c)) => c.take().ok_or_else(|| {
                        crate::runtime::error::type_error("the coroutine already ran")
                    }),
                    Ok(v) => return Ok(Call::Returned(v)),
                    Err(e) => Err(e),
                },
                other => Err(crate::runtime::error::type_error(format!(
                    "`{}` is not callable",
                    other.type_name()
                ))),
            };
        let start = start.map_err(|e| self.script_error(&e))?;
        Ok(Call::Main(self.spawn_main(start)))
    }

    /// This engine's value of type `T` (see [`EngineBuilder::data`]).
    pub fn data<T: 'static>(&self) -> Option<&T> {
        self.interp().data.get::<T>()
    }

    /// This engine's value of type `T`, to change.
    pub fn data_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.interp_mut().data.get_mut::<T>()
    }

    /// Sets this engine's value of type `T`.
    pub fn set_data<T: 'static>(&mut self, value: T) -> &mut Self {
        self.interp_mut().data.insert(value);
        self
    }

    /// Makes a module's functions callable as `module.function(...)`.
    pub fn register_module(&mut self, module: Module) -> &mut Self {
        let (names, natives) = self.natives_mut();
        module.install(names, natives);
        self
    }

    /// The standard library, registered as a host registers its own: its
    /// modules with [`Engine::register_module`], `eprint` and `exit` with
    /// [`Engine::register_raw`], `ord` and `chr` with
    /// [`Engine::register_with`]. The value model's builtins and asyncio's
    /// are the runtime's own (`runtime/builtins/`).
    pub(crate) fn install_stdlib(&mut self) {
        for m in crate::stdlib::modules() {
            self.register_module(m);
        }
        let (names, natives) = self.natives_mut();
        crate::runtime::builtins::install(names, natives);
        for (name, f) in crate::stdlib::globals() {
            self.register_raw(name, f);
        }
        for (sig, f) in crate::stdlib::bound_globals() {
            self.register_with(sig, f);
        }
    }

    fn add_native(&mut self, name: &str, f: NativeFn) {
        let (names, natives) = self.natives_mut();
        natives.add_function(names, Rc::from(name), f);
    }
}

/// What [`Engine::start_call`] started.
enum Call {
    /// The task that runs the call.
    Main(Rc<crate::runtime::asyncio::task::Task>),
    /// A sync native's result.
    Returned(Value),
}
