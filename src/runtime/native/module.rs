//! A native module, what the standard library's modules and a host's are
//! registered as: its functions, constants, the object types its functions
//! return (their method names), and what it does at the end of each
//! program.

use super::ctx::NativeCtx;
use super::function::{Args, HostAsyncFn, HostFn, IntoValue, NativeFn, OpFuture};
use crate::runtime::error::ScriptError;
use crate::runtime::interp::Interp;
use crate::runtime::link::NativeTable;
use crate::runtime::values::value::Value;
use std::rc::Rc;

/// What a module runs at the end of each program (see [`Module::at_end`]).
pub(crate) type EndHook = Box<dyn FnMut(&mut NativeCtx<'_>)>;

/// A native module: functions scripts call as `name.function(args)`.
pub struct Module {
    name: Rc<str>,
    functions: Vec<NativeFn>,
    constants: Vec<(Rc<str>, Value)>,
    /// The method names of the objects its functions return.
    methods: Vec<&'static str>,
    /// What it does at the end of each program.
    at_end: Vec<EndHook>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name)
            .field("functions", &self.functions.len())
            .finish_non_exhaustive()
    }
}

impl Module {
    /// An empty module called `name`.
    pub fn new(name: &str) -> Module {
        Module {
            name: Rc::from(name),
            functions: Vec::new(),
            constants: Vec::new(),
            methods: Vec::new(),
            at_end: Vec::new(),
        }
    }

    /// `module.name`, what scripts and errors call a function. Without
    /// `format!`, which costs five times as much: a hundred standard
    /// library functions are named each time an engine starts.
    fn full_name(&self, name: &str) -> Rc<str> {
        let mut full = String::with_capacity(self.name.len() + 1 + name.len());
        full.push_str(&self.name);
        full.push('.');
        full.push_str(name);
        Rc::from(full)
    }

    /// Runs `f` at the end of each program the engine runs (`eval`,
    /// `call`, a `Session`'s end), once the program's tasks are cancelled
    /// and its native operations dropped, before the next program starts:
    /// for what a module keeps outside the engine (children it started,
    /// temporary files, writes in flight). The modules' hooks run in the
    /// reverse order of their registration (as Python's `atexit`): a
    /// host's before the standard library's.
    pub fn at_end(mut self, f: impl FnMut(&mut NativeCtx<'_>) + 'static) -> Self {
        self.at_end.push(Box::new(f));
        self
    }

    /// Adds `f`, made by one of the public methods below: the one way in
    /// for the standard library's functions as for a host's.
    fn native(mut self, f: NativeFn) -> Self {
        self.functions.push(f);
        self
    }

    /// Adds a sync function that takes its arguments itself, in order,
    /// by name or not (`args.next("path")?`, `args.named("timeout")?`,
    /// then `args.finish()?`), as the standard library's do.
    pub fn raw(
        self,
        name: &str,
        f: impl Fn(&mut NativeCtx<'_>, Args) -> Result<Value, ScriptError> + 'static,
    ) -> Self {
        let full = self.full_name(name);
        self.native(raw_fn(full, f))
    }

    /// Adds an async function that takes its arguments itself: it reads
    /// them (and checks permissions) at the call, and returns the future
    /// that does the work when the coroutine is awaited. A future already
    /// boxed as a `Pin<Box<dyn Future<Output = Result<Value,
    /// ScriptError>>>>` is kept as it is (not boxed a second time).
    pub fn raw_async<Fut>(
        self,
        name: &str,
        f: impl Fn(&mut NativeCtx<'_>, Args) -> Result<Fut, ScriptError> + 'static,
    ) -> Self
    where
        Fut: std::future::Future<Output = Result<Value, ScriptError>> + 'static,
    {
        let full = self.full_name(name);
        self.native(raw_async_fn(full, f))
    }

    /// [`Module::raw_async`] for a function that boxes its future itself
    /// ([`NativeFuture`](crate::NativeFuture)), as the standard library's
    /// do: kept as the function's body with nothing around it, which
    /// saves `raw_async` moving the arguments through a wrapper (13
    /// instructions a call).
    pub fn raw_boxed(
        self,
        name: &str,
        f: impl Fn(&mut NativeCtx<'_>, Args) -> Result<OpFuture, ScriptError> + 'static,
    ) -> Self {
        let full = self.full_name(name);
        self.native(NativeFn::asynchronous(full, f))
    }

    /// Registers the module's functions: their names in `names`, their
    /// values in `natives`.
    pub(crate) fn install(
        self,
        names: &mut crate::compile::names::Natives,
        natives: &mut NativeTable,
    ) {
        for m in &self.methods {
            names.add_method(m);
        }
        natives.at_end.extend(self.at_end);
        let members = self
            .functions
            .into_iter()
            .map(|f| {
                let short = f.name().rsplit('.').next().unwrap_or("").into();
                (short, Value::Native(Rc::new(f)))
            })
            .chain(self.constants);
        natives.add_module(names, self.name, members);
    }

    /// Registers an object type its functions return (made with
    /// [`Value::object`]): scripts may call its methods.
    pub fn object<T: super::function::NativeObject>(mut self) -> Self {
        self.methods.extend_from_slice(T::methods());
        self
    }

    /// Adds a constant scripts read as `module.name` (no call), fixed when
    /// the module is registered: `Module::new("app").constant("version", "1.2")`.
    pub fn constant(mut self, name: &str, value: impl IntoValue) -> Self {
        self.constants.push((Rc::from(name), value.into_value()));
        self
    }

    /// Adds a sync function (`Fn(A, B, ...) -> R`).
    pub fn function<M>(mut self, name: &str, f: impl HostFn<M>) -> Self {
        let full = self.full_name(name);
        self.functions.push(f.into_native(full));
        self
    }

    /// Adds an async function (`Fn(A, B, ...) -> impl Future<Output = R>`):
    /// calling it from a script returns a coroutine.
    pub fn async_function<M>(mut self, name: &str, f: impl HostAsyncFn<M>) -> Self {
        let full = self.full_name(name);
        self.functions.push(f.into_native(full));
        self
    }
}

/// What [`Module::raw`] and `Engine::register_raw` register: `f` called
/// with the arguments as given.
pub(crate) fn raw_fn(
    name: impl Into<Rc<str>>,
    f: impl Fn(&mut NativeCtx<'_>, Args) -> Result<Value, ScriptError> + 'static,
) -> NativeFn {
    NativeFn::sync(name, f)
}

/// What [`Module::raw_async`] and `Engine::register_raw_async` register.
pub(crate) fn raw_async_fn<Fut>(
    name: impl Into<Rc<str>>,
    f: impl Fn(&mut NativeCtx<'_>, Args) -> Result<Fut, ScriptError> + 'static,
) -> NativeFn
where
    Fut: std::future::Future<Output = Result<Value, ScriptError>> + 'static,
{
    NativeFn::asynchronous(name, move |ctx, args| Ok(boxed_once(f(ctx, args)?)))
}

/// `fut` as the loop keeps a native operation: boxed, unless it already
/// is (the check is on types, decided when compiling: no cost at a call).
fn boxed_once<Fut>(fut: Fut) -> OpFuture
where
    Fut: std::future::Future<Output = Result<Value, ScriptError>> + 'static,
{
    use std::any::{Any, TypeId};
    if TypeId::of::<Fut>() != TypeId::of::<OpFuture>() {
        return Box::pin(fut);
    }
    let mut slot = Some(fut);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<OpFuture>>()
        .and_then(Option::take)
        .expect("`Fut` is `OpFuture`")
}

/// Runs the end-of-program hooks of every module `natives` holds, the last
/// registered first.
pub(crate) fn run_end_hooks(natives: &mut NativeTable, interp: &mut Interp) {
    let mut ctx = NativeCtx { interp };
    for hook in natives.at_end.iter_mut().rev() {
        hook(&mut ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boxed_future_is_kept_and_another_is_boxed() {
        let boxed: OpFuture = Box::pin(async { Ok(Value::Int(1)) });
        let at = &*boxed as *const _ as *const u8;
        let kept = boxed_once(boxed);
        assert_eq!(&*kept as *const _ as *const u8, at, "boxed a second time");
        let plain = boxed_once(async { Ok(Value::Int(2)) });
        let v = futures_lite::future::block_on(plain);
        assert!(matches!(v, Ok(Value::Int(2))));
    }
}
