//! Functions written in Rust and called from scripts: a host's registered
//! functions and the native modules (`fs`, `json`, ...). A sync one runs at
//! the call; an async one returns a coroutine whose first step submits its
//! future to the loop's executor (nothing runs until it is awaited or
//! spawned, and cancelling the coroutine's wait drops the future).

pub(crate) use super::ctx::NativeCtx;
use crate::runtime::call::{bind, Sig};
use crate::runtime::error::{type_error, ErrorRef, ScriptError};
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a native function returns, and what its future produces: a value,
/// or the script error it raises.
pub type NativeResult = Result<Value, ScriptError>;
/// The future of an async native, boxed as the loop keeps it: what
/// [`Module::raw_boxed`](crate::Module::raw_boxed) functions return.
pub type NativeFuture = Pin<Box<dyn Future<Output = Result<Value, ScriptError>>>>;
/// A native operation, not yet started.
pub(crate) type OpFuture = NativeFuture;

type SyncBody = dyn Fn(&mut Ctx<'_>, Args) -> NativeResult;
type AsyncBody = dyn Fn(&mut Ctx<'_>, Args) -> Result<OpFuture, ErrorRef>;

pub(crate) enum NativeBody {
    Sync(Box<SyncBody>),
    Async(Box<AsyncBody>),
}

/// A Rust function a script can call.
pub struct NativeFn {
    /// The name scripts call it by (`lookup`, `fs.read_text`).
    pub(crate) name: Rc<str>,
    pub(crate) body: NativeBody,
    /// Set for the builtins (`print`, `len`, `sleep`, ...).
    pub(crate) builtin: Option<Box<BuiltinInfo>>,
    /// A builtin the evaluator runs itself on a hot path (here rather than
    /// in `builtin`: one load fewer on every check).
    pub(crate) hot: Option<Hot>,
}

/// What a builtin has beyond a host function.
pub(crate) struct BuiltinInfo {
    /// Its parameters as LANGUAGE.md gives them: every call is bound to
    /// them ([`bind`]: the count, each name, positional-only, the rest)
    /// before the body runs, so the body takes its arguments in order
    /// ([`Args::next`], [`Args::rest`], [`Args::keyword`]) and the errors
    /// read the same for every builtin.
    pub(crate) sig: Sig,
    /// It returns a coroutine (`sleep`, `wait_for`, `race`): calling it
    /// without `await` or `spawn` draws the compiler's warning.
    pub(crate) makes_coroutine: bool,
    /// Its body as a plain function of its one argument, which the
    /// evaluator calls straight from the operand stack for a call with
    /// exactly one positional argument (`len(x)`, `str(x)`, `int(x)`):
    /// no argument vector, no binding, no boxed body.
    pub(crate) unary: Option<fn(&Value) -> NativeResult>,
}

/// The builtins whose calls the evaluator recognises and runs without the
/// general native call ([`Args`], binding, the boxed body). Each is here
/// because moving it onto the general path cost measurably; callgrind
/// instruction counts, `tasks run --virtual-time benches/X.tasks 20000`.
/// No other builtin is called often enough in the benchmarks (fib,
/// spawn_sleep0, timers, gather_tree, queue_pingpong) to show: `len`,
/// `range`, `print` run a handful of times each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hot {
    /// `await sleep(d)` with a number: no call, no coroutine object, no
    /// native frame (`Interp::await_sleep_directly`). spawn_sleep0 runs
    /// 98.2 M instructions with it, 132.9 M without (+35%); timers 217.0 M
    /// and 255.6 M (+18%).
    Sleep,
    /// `gather(a, b, ...)` without named arguments goes straight to
    /// `Interp::gather` (`Interp::call_value`): gather_tree 129.3 M with
    /// it, 132.2 M on the general path (+2.2%, ~350 instructions a call).
    Gather,
}

impl NativeFn {
    pub(crate) fn sync(
        name: impl Into<Rc<str>>,
        f: impl Fn(&mut Ctx<'_>, Args) -> NativeResult + 'static,
    ) -> NativeFn {
        NativeFn {
            name: name.into(),
            body: NativeBody::Sync(Box::new(f)),
            builtin: None,
            hot: None,
        }
    }

    /// A builtin: called as `sig.name`, its arguments bound to `sig`.
    pub(crate) fn builtin(
        sig: Sig,
        f: impl Fn(&mut Ctx<'_>, Args) -> NativeResult + 'static,
    ) -> NativeFn {
        NativeFn {
            name: sig.name.into(),
            body: NativeBody::Sync(Box::new(f)),
            builtin: Some(Box::new(BuiltinInfo {
                sig,
                makes_coroutine: false,
                unary: None,
            })),
            hot: None,
        }
    }

    /// Gives a builtin of one parameter its body as a plain function (see
    /// [`BuiltinInfo::unary`]); it must do what the body does.
    pub(crate) fn unary(mut self, f: fn(&Value) -> NativeResult) -> NativeFn {
        if let Some(b) = &mut self.builtin {
            b.unary = Some(f);
        }
        self
    }

    /// The builtin's one-argument body, if it has one that the evaluator
    /// may run on an argument in place (never `gather`'s: the evaluator
    /// gathers itself, see `Hot::Gather`).
    #[inline]
    pub(crate) fn unary_body(&self) -> Option<fn(&Value) -> NativeResult> {
        self.builtin
            .as_ref()
            .and_then(|b| b.unary)
            .filter(|_| !self.is_hot(Hot::Gather))
    }

    /// Marks a builtin as one that makes coroutines (for the warning).
    pub(crate) fn coroutine(mut self) -> NativeFn {
        if let Some(b) = &mut self.builtin {
            b.makes_coroutine = true;
        }
        self
    }

    /// Marks a builtin the evaluator has a fast path for.
    pub(crate) fn hot(mut self, hot: Hot) -> NativeFn {
        self.hot = Some(hot);
        self
    }

    /// Is this the builtin with fast path `hot`?
    #[inline]
    pub(crate) fn is_hot(&self, hot: Hot) -> bool {
        self.hot == Some(hot)
    }

    /// Is it a builtin that only makes coroutines (`sleep`), so that a
    /// call neither awaited nor spawned is a mistake?
    pub(crate) fn builtin_makes_coroutine(&self) -> bool {
        self.builtin.as_ref().is_some_and(|b| b.makes_coroutine)
    }

    pub(crate) fn asynchronous(
        name: impl Into<Rc<str>>,
        f: impl Fn(&mut Ctx<'_>, Args) -> Result<OpFuture, ErrorRef> + 'static,
    ) -> NativeFn {
        NativeFn {
            name: name.into(),
            body: NativeBody::Async(Box::new(f)),
            builtin: None,
            hot: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_async(&self) -> bool {
        matches!(self.body, NativeBody::Async(_))
    }
}

/// The crate's short name for [`NativeCtx`].
pub(crate) type Ctx<'a> = NativeCtx<'a>;

mod convert;
mod host_fn;
mod object;
pub use convert::{FromValue, IntoNativeResult, IntoValue};
pub use host_fn::{HostAsyncFn, HostFn, WithCtx};
pub use object::NativeObject;
pub(crate) use object::Object;

/// The arguments of a call: positional, then named (`f(1, key: 2)`).
pub struct Args {
    pub(crate) fname: Rc<str>,
    pub(crate) positional: std::vec::IntoIter<Value>,
    pub(crate) named: Vec<(Rc<str>, Value)>,
    pub(crate) given: usize,
}

impl Args {
    pub(crate) fn new(
        fname: Rc<str>,
        positional: Vec<Value>,
        named: Vec<(Rc<str>, Value)>,
    ) -> Args {
        Args {
            fname,
            given: positional.len(),
            positional: positional.into_iter(),
            named,
        }
    }

    /// The next positional argument, converted; missing is an error.
    /// An `Option<T>` may be left out (it is then `None`).
    pub fn next<T: FromValue>(&mut self, param: &str) -> Result<T, ErrorRef> {
        match self.positional.next() {
            Some(v) => T::from_value(&v).map_err(|want| self.wrong_type(param, want, &v)),
            None => T::missing()
                .ok_or_else(|| type_error(format!("{}() missing {}", self.fname, argument(param)))),
        }
    }

    /// The next positional argument if given, converted.
    pub fn next_opt<T: FromValue>(&mut self, param: &str) -> Result<Option<T>, ErrorRef> {
        match self.positional.next() {
            Some(v) => T::from_value(&v)
                .map(Some)
                .map_err(|want| self.wrong_type(param, want, &v)),
            None => Ok(None),
        }
    }

    /// A named argument (`name: value`) if given, converted; it may also
    /// come positionally, after the ones taken with [`Args::next`].
    pub fn named<T: FromValue>(&mut self, param: &str) -> Result<Option<T>, ErrorRef> {
        let v = match self.named.iter().position(|(n, _)| &**n == param) {
            Some(i) => self.named.remove(i).1,
            None => match self.positional.next() {
                Some(v) => v,
                None => return Ok(None),
            },
        };
        T::from_value(&v)
            .map(Some)
            .map_err(|want| self.wrong_type(param, want, &v))
    }

    /// The name scripts call the function by (`db.find`), for an error's
    /// words.
    pub fn name(&self) -> &str {
        &self.fname
    }

    /// Every positional argument not yet taken (`print(a, b, ...)`,
    /// `path.join(p, ...)`).
    pub fn rest(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.positional).collect()
    }

    /// A named-only argument (`sep:`, `key:`) if given: never a positional
    /// one, unlike [`Args::named`].
    pub fn keyword(&mut self, param: &str) -> Option<Value> {
        let i = self.named.iter().position(|(n, _)| &**n == param)?;
        Some(self.named.remove(i).1)
    }

    /// Ends binding: anything left over is an error naming it.
    pub fn finish(self) -> Result<(), ErrorRef> {
        if let Some((n, _)) = self.named.first() {
            return Err(type_error(format!(
                "{}() has no parameter named `{n}`",
                self.fname
            )));
        }
        let taken = self.given - self.positional.len();
        if self.positional.len() > 0 {
            return Err(type_error(format!(
                "{}() takes {taken} argument{} but {} were given",
                self.fname,
                if taken == 1 { "" } else { "s" },
                self.given
            )));
        }
        Ok(())
    }

    fn wrong_type(&self, param: &str, want: &str, got: &Value) -> ErrorRef {
        type_error(format!(
            "{}() {} must be {want}, not `{}`",
            self.fname,
            argument(param),
            got.type_name()
        ))
    }
}

/// How errors name a parameter: by name (`argument `path``), or by
/// position for a host's closure, whose parameters have none
/// (`argument 1`).
fn argument(param: &str) -> String {
    if !param.is_empty() && param.bytes().all(|b| b.is_ascii_digit()) {
        format!("argument {param}")
    } else {
        format!("argument `{param}`")
    }
}

/// `name(arg, ...)`, short enough for one line of a report.
fn call_text(name: &str, args: &Args) -> Rc<str> {
    let mut parts: Vec<String> = args.positional.as_slice().iter().map(Value::repr).collect();
    parts.extend(args.named.iter().map(|(n, v)| format!("{n}: {}", v.repr())));
    let mut text = format!("{name}({})", parts.join(", "));
    if text.chars().count() > 60 {
        text = text.chars().take(57).collect::<String>() + "...";
    }
    Rc::from(text)
}

impl Interp {
    /// The native operation `t` waits on, by what `:tasks` calls it.
    pub(crate) fn native_op_of(&self, t: &crate::runtime::asyncio::task::Task) -> Option<Rc<str>> {
        match t.waiting_on()? {
            crate::runtime::asyncio::future::Awaitable::Future(f) => match f.kind {
                crate::runtime::asyncio::future::FutKind::Native(id) => self.lp.ops.name(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// Calls a native function: a sync one runs now, an async one becomes a
    /// coroutine.
    pub(crate) fn call_native(
        &mut self,
        f: &Rc<NativeFn>,
        positional: Vec<Value>,
        named: Vec<(Rc<str>, Value)>,
    ) -> NativeResult {
        let (positional, named) = match &f.builtin {
            Some(b) => bind(&b.sig, positional, named)?,
            None => (positional, named),
        };
        let args = Args::new(f.name.clone(), positional, named);
        let mut ctx = Ctx { interp: self };
        match &f.body {
            NativeBody::Sync(body) => body(&mut ctx, args),
            NativeBody::Async(body) => {
                // What `:tasks` shows while it runs: `db.lookup(42)`.
                let shown = call_text(&f.name, &args);
                let fut = body(&mut ctx, args)?;
                let coro = crate::runtime::asyncio::coro::NativeCoro::op(shown, fut);
                Ok(Value::Coro(crate::runtime::asyncio::task::Coro::new(
                    crate::runtime::asyncio::task::CoroStart::Native(coro),
                    f.name.clone(),
                    None,
                )))
            }
        }
    }

    /// Submits a native operation; its future completes when the operation does.
    pub(crate) fn submit_op(
        &mut self,
        name: Rc<str>,
        fut: OpFuture,
    ) -> Rc<crate::runtime::asyncio::future::Future> {
        use crate::runtime::asyncio::future::{FutKind, Future as SFuture};
        if self.tracer.is_some() {
            let id = self.lp.ops.submit(name.clone(), fut);
            self.trace_op_begin(id, &name);
            let f = SFuture::new(FutKind::Native(id));
            self.lp.op_futures.insert(id, f.clone());
            return f;
        }
        let id = self.lp.ops.submit(name, fut);
        let f = SFuture::new(FutKind::Native(id));
        self.lp.op_futures.insert(id, f.clone());
        f
    }
}
