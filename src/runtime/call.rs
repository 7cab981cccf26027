//! Calls: binding arguments to parameters, pushing frames, awaiting a
//! value (running a coroutine inline or waiting on a task or future), and
//! running a callback to completion.

mod sig;
pub(crate) use sig::*;

use super::error::{type_error, ErrorObj, ErrorRef};
use super::exec::{Exec, Frame, FrameKind};
use super::interp::Interp;
use super::native::function::Hot;
use super::values::value::{Iter, Value};
use super::vm::{Flow, Outcome};
use crate::runtime::asyncio::future::Awaitable;
use crate::runtime::asyncio::task::CoroStart;
use crate::runtime::handle::Input;
use crate::runtime::link::Closure;
use std::rc::Rc;

/// What [`Interp::spawn_call`] left to do.
pub(super) enum SpawnStep {
    /// The task is on the stack.
    Spawned,
    /// A frame was pushed; its result is spawned when it returns.
    Frame,
    /// A value is on the stack, to be spawned.
    Value,
}

impl Interp {
    /// Pushes a frame for a script function whose arguments are already on
    /// the stack from `base`.
    #[inline(always)]
    pub(super) fn push_frame(
        &mut self,
        ex: &mut Exec,
        closure: Rc<Closure>,
        base: usize,
        ret_to: usize,
        kind: FrameKind,
    ) -> Result<(), ErrorRef> {
        if ex.frames.len() >= self.frames_allowed {
            return Err(self.recursion_error());
        }
        Self::push_frame_unchecked(ex, closure, base, ret_to, kind);
        Ok(())
    }

    /// [`Self::push_frame`] for a caller that checked the depth itself.
    #[inline(always)]
    pub(super) fn push_frame_unchecked(
        ex: &mut Exec,
        closure: Rc<Closure>,
        base: usize,
        ret_to: usize,
        kind: FrameKind,
    ) {
        let top = base + closure.proto.n_locals;
        if ex.stack.len() < top {
            ex.stack.resize(top, Value::Nil);
        }
        // Written in place, as in `Exec::push`: a staged 48-byte frame
        // copied by `Vec::push` stalled store forwarding on every call.
        let len = ex.frames.len();
        if len == ex.frames.capacity() {
            ex.frames.reserve(len.max(16));
        }
        // SAFETY: `len < capacity` after the check above.
        unsafe {
            ex.frames.as_mut_ptr().add(len).write(Frame {
                closure,
                ip: 0,
                base: base as u32,
                ret_to: ret_to as u32,
                kind,
            });
            ex.frames.set_len(len + 1);
        }
    }

    /// The error for a call past `--max-depth`.
    #[cold]
    pub(super) fn recursion_error(&self) -> ErrorRef {
        ErrorObj::with_help(
            "RecursionError",
            format!(
                "maximum recursion depth exceeded ({} frames)",
                self.recursion_limit
            ),
            "look for a function that calls itself without reaching a base case",
        )
    }

    /// Completes missing arguments from defaults, checking the count.
    pub(super) fn fill_args(closure: &Closure, args: &mut Vec<Value>) -> Result<(), ErrorRef> {
        let p = &closure.proto;
        let n = p.params.len();
        if args.len() > n {
            return Err(type_error(format!(
                "{}() takes {} argument{} but {} were given",
                p.name,
                n,
                if n == 1 { "" } else { "s" },
                args.len()
            )));
        }
        let first_default = n - p.n_defaults;
        while args.len() < n {
            let i = args.len();
            if i < first_default {
                return Err(type_error(format!(
                    "{}() missing argument `{}`",
                    p.name, p.params[i]
                )));
            }
            args.push(Value::Uninit);
        }
        Ok(())
    }

    /// Binds positional and named arguments to a function's parameters.
    pub fn bind_args(
        closure: &Closure,
        mut positional: Vec<Value>,
        named: Vec<(Rc<str>, Value)>,
    ) -> Result<Vec<Value>, ErrorRef> {
        if named.is_empty() {
            Self::fill_args(closure, &mut positional)?;
            return Ok(positional);
        }
        let p = &closure.proto;
        if positional.len() > p.params.len() {
            Self::fill_args(closure, &mut positional)?;
        }
        let mut slots: Vec<Option<Value>> = positional.into_iter().map(Some).collect();
        slots.resize(p.params.len(), None);
        for (name, v) in named {
            let Some(i) = p.params.iter().position(|x| *x == name) else {
                return Err(ErrorObj::with_help(
                    "TypeError",
                    format!("{}() has no {} named `{name}`", p.name, p.param_word()),
                    format!("its {}s are: {}", p.param_word(), p.params.join(", ")),
                ));
            };
            if slots[i].is_some() {
                return Err(type_error(format!(
                    "{}() got two values for `{name}`",
                    p.name
                )));
            }
            slots[i] = Some(v);
        }
        let first_default = p.params.len() - p.n_defaults;
        let mut out = Vec::with_capacity(slots.len());
        for (i, s) in slots.into_iter().enumerate() {
            match s {
                Some(v) => out.push(v),
                None if i >= first_default => out.push(Value::Uninit),
                None => {
                    return Err(type_error(format!(
                        "{}() missing argument `{}`",
                        p.name, p.params[i]
                    )))
                }
            }
        }
        Ok(out)
    }

    /// Calls `callee` whose `argc` arguments (the last `names.len()` of them
    /// named) sit on top of the stack above it. Script functions get a frame;
    /// everything else produces its value at once (`Ok(true)` means a frame was pushed).
    pub(super) fn call_value(
        &mut self,
        ex: &mut Exec,
        argc: usize,
        names: Option<&Value>,
        awaiting: bool,
    ) -> Result<bool, ErrorRef> {
        let callee_at = ex.stack.len() - argc - 1;
        // The common case, a plain positional call of a script function,
        // takes one reference-count increment and no argument vector.
        if names.is_none() {
            if let Value::Func(c) = &ex.stack[callee_at] {
                if !c.proto.is_async && !awaiting && argc == c.proto.params.len() {
                    let c = c.clone();
                    self.push_frame(ex, c, callee_at + 1, callee_at, FrameKind::Call)?;
                    return Ok(true);
                }
            }
        }
        // `len(x)`, `str(x)`, `int(x)`: a builtin of one argument with a
        // plain body runs on its argument where it lies, the callee read
        // where it lies too (no reference count on it, no drop after).
        if names.is_none() && argc == 1 {
            if let Value::Native(f) = &ex.stack[callee_at] {
                if let Some(body) = f.unary_body() {
                    let v = body(&ex.stack[callee_at + 1])?;
                    ex.cut(callee_at);
                    ex.push_result(v);
                    return Ok(false);
                }
            }
        }
        let callee = ex.stack[callee_at].clone();
        match &callee {
            Value::Func(c) if names.is_none() && (!c.proto.is_async || awaiting) => {
                let n = c.proto.params.len();
                if argc != n {
                    let mut args = ex.stack.split_off(callee_at + 1);
                    Self::fill_args(c, &mut args)?;
                    ex.stack.extend(args);
                }
                let kind = match (c.proto.is_async, awaiting) {
                    (true, _) => FrameKind::Inline,
                    // `await f()` of a plain fn awaits what it returns.
                    (false, true) => FrameKind::AwaitResult,
                    (false, false) => FrameKind::Call,
                };
                self.push_frame(ex, c.clone(), callee_at + 1, callee_at, kind)?;
                Ok(true)
            }
            Value::Func(c) => {
                let (positional, named) = split_named(ex, callee_at, names);
                ex.stack.pop();
                let args = Self::bind_args(c, positional, named)?;
                if c.proto.is_async {
                    let at = self.current_loc(ex);
                    let coro = crate::runtime::asyncio::task::Coro::new(
                        CoroStart::Script {
                            closure: c.clone(),
                            args,
                        },
                        c.proto.name.clone(),
                        at,
                    );
                    ex.stack.push(Value::Coro(coro));
                    Ok(false)
                } else {
                    let base = ex.stack.len();
                    ex.stack.extend(args);
                    self.push_frame(ex, c.clone(), base, base, FrameKind::Call)?;
                    Ok(true)
                }
            }
            Value::Native(f) if names.is_none() && f.is_hot(Hot::Gather) => {
                let args = ex.stack.split_off(callee_at + 1);
                ex.stack.pop();
                let v = self.gather(gather_items(args), false)?;
                ex.stack.push(v);
                Ok(false)
            }
            Value::Native(f) => {
                let (positional, named) = split_named(ex, callee_at, names);
                ex.stack.pop();
                if self.permissions.audits() {
                    self.note_call_site(ex);
                }
                // For `call_sync`, should it call back (`sorted(key: f)`).
                self.caller_depth = ex.frames.len();
                let v = self.call_native(f, positional, named);
                self.caller_depth = 0;
                let v = v?;
                self.mark_created(&v, ex);
                ex.stack.push(v);
                Ok(false)
            }
            other => Err(type_error(format!(
                "`{}` is not callable",
                other.type_name()
            ))),
        }
    }

    /// `await sleep(d)` without a coroutine object or a native frame: a
    /// bare yield for `d <= 0`, else a wait on the timer's future. Same
    /// futures and callbacks as the native `sleep`, so the same order.
    pub(super) fn await_sleep_directly(&mut self, ex: &mut Exec, argc: usize) -> Option<Flow> {
        let n = ex.stack.len();
        if argc != 1 {
            return None;
        }
        match &ex.stack[n - 2] {
            Value::Native(f) if f.is_hot(Hot::Sleep) => {}
            _ => return None,
        }
        let secs = match ex.stack[n - 1] {
            Value::Int(i) => i as f64,
            Value::Float(f) if !f.is_nan() => f,
            _ => return None,
        };
        if secs.is_finite() && secs >= super::asyncio::scopes::MAX_SECS {
            return None; // `sleep` itself raises the OverflowError
        }
        ex.stack.truncate(n - 2);
        if secs <= 0.0 {
            return Some(Flow::Yield);
        }
        Some(Flow::Suspend(Awaitable::Future(self.sleep_future(secs))))
    }

    /// `spawn f(args)`: an `async fn` becomes a task without a coroutine
    /// object; a plain fn runs in a `SpawnResult` frame whose result is
    /// spawned when it returns; anything else is called, then spawned.
    pub(super) fn spawn_call(&mut self, ex: &mut Exec, argc: usize) -> Result<SpawnStep, ErrorRef> {
        let callee_at = ex.stack.len() - argc - 1;
        match &ex.stack[callee_at] {
            Value::Func(c) if c.proto.is_async => {
                let c = c.clone();
                let mut args = ex.stack.split_off(callee_at + 1);
                ex.stack.pop();
                Self::fill_args(&c, &mut args)?;
                self.check_task_limit()?;
                let at = self.current_loc(ex);
                let task = self.spawn_coro(CoroStart::Script { closure: c, args }, at);
                ex.stack.push(Value::Task(task));
                Ok(SpawnStep::Spawned)
            }
            Value::Func(c) => {
                let c = c.clone();
                if argc != c.proto.params.len() {
                    let mut args = ex.stack.split_off(callee_at + 1);
                    Self::fill_args(&c, &mut args)?;
                    ex.stack.extend(args);
                }
                self.push_frame(ex, c, callee_at + 1, callee_at, FrameKind::SpawnResult)?;
                Ok(SpawnStep::Frame)
            }
            _ => match self.call_value(ex, argc, None, false)? {
                true => Ok(SpawnStep::Frame),
                false => Ok(SpawnStep::Value),
            },
        }
    }

    /// Pushes a frame for a native coroutine; it runs no code of its own.
    pub(crate) fn push_native(&self, ex: &mut Exec, native: super::asyncio::coro::NativeCoro) {
        debug_assert!(ex.native.is_none(), "a native awaits another native");
        ex.native = Some(Box::new(native));
    }

    /// Records where a builtin made a coroutine, for the never-awaited warning.
    pub(super) fn mark_created(&self, v: &Value, ex: &Exec) {
        if let Value::Coro(c) = v {
            if c.created_at.get().is_none() {
                c.created_at.set(self.current_loc(ex));
            }
        }
    }

    /// `--audit-permissions`: tells the log where the native call about
    /// to be made is, for the checks it makes.
    #[cold]
    fn note_call_site(&self, ex: &Exec) {
        let site = (self.current_loc(ex)).and_then(|loc| Some((self.site_namer.as_ref()?)(loc)));
        self.permissions.set_site(site.as_deref());
    }

    pub(crate) fn current_loc(&self, ex: &Exec) -> Option<super::error::Loc> {
        let f = ex.frames.last()?;
        let p = &f.closure.proto;
        let span = *p.spans.get((f.ip as usize).saturating_sub(1))?;
        Some(super::error::Loc {
            source: p.source,
            span,
        })
    }

    /// `await v`: runs a coroutine inline, returns a finished task's result,
    /// or reports what to wait for.
    pub(super) fn await_value(
        &mut self,
        ex: &mut Exec,
        v: Value,
    ) -> Result<Option<Flow>, ErrorRef> {
        match v {
            Value::Coro(c) => match c.take() {
                Some(CoroStart::Script { closure, args }) => {
                    let base = ex.stack.len();
                    ex.stack.extend(args);
                    self.push_frame(ex, closure, base, base, FrameKind::Inline)?;
                    Ok(None)
                }
                Some(CoroStart::Native(n)) => {
                    self.push_native(ex, n);
                    Ok(Some(Flow::Next(Input::Start)))
                }
                None => Err(ErrorObj::with_help(
                    "TypeError",
                    format!("coroutine `{}` was already awaited or spawned", c.name()),
                    "a coroutine runs once; spawn it as a task to await its result several times",
                )),
            },
            Value::Task(t) => self.await_future(ex, Awaitable::Task(t)),
            Value::Future(f) => self.await_future(ex, Awaitable::Future(f)),
            // A value a call returned at once (`http.serve(...)`, a
            // response's `json()`): the `await` is the mistake.
            other => Err(ErrorObj::with_help(
                "TypeError",
                format!("`{}` is not awaitable", other.type_name()),
                format!(
                    "the `{}` here is a value, not something to wait for: drop the `await` (only a \
                     coroutine, a task or a future is awaited)",
                    other.type_name()
                ),
            )),
        }
    }

    pub(super) fn await_future(
        &mut self,
        ex: &mut Exec,
        a: Awaitable,
    ) -> Result<Option<Flow>, ErrorRef> {
        match a.outcome() {
            Some(Ok(v)) => {
                ex.stack.push(v);
                Ok(None)
            }
            Some(Err(e)) => Err(e),
            None => {
                if let (Awaitable::Task(t), Some(cur)) = (&a, &self.current) {
                    if Rc::ptr_eq(t, cur) {
                        return Err(type_error("a task cannot await itself"));
                    }
                }
                Ok(Some(Flow::Suspend(a)))
            }
        }
    }

    /// Runs a plain function to completion on a fresh stack (for callbacks
    /// such as `on_done`, and the `key` of `sorted`). Errors come back as
    /// `Err`.
    ///
    /// A script function called from native code called from script code
    /// is a re-entry: its frames count toward the recursion limit on top
    /// of its caller's ([`Interp::outer_depth`]), and each nested
    /// re-entry holds Rust stack, so at most [`MAX_REENTRIES`] nest.
    pub fn call_sync(&mut self, f: &Value, args: Vec<Value>) -> Result<Value, ErrorRef> {
        let caller = std::mem::take(&mut self.caller_depth).max(1);
        match f {
            Value::Func(c) => {
                if c.proto.is_async {
                    return Err(type_error(
                        "a callback must be a plain `fn`, not an `async fn`",
                    ));
                }
                let args = Self::bind_args(c, args, Vec::new())?;
                if self.reentries >= MAX_REENTRIES
                    || self.outer_depth + caller >= self.recursion_limit
                {
                    return Err(self.recursion_error());
                }
                let mut ex = Exec::default();
                ex.stack.extend(args);
                self.outer_depth += caller;
                self.depth_changed();
                self.reentries += 1;
                let outcome = match self.push_frame(&mut ex, c.clone(), 0, 0, FrameKind::Root) {
                    Ok(()) => self.resume(&mut ex, Input::Start),
                    Err(e) => Outcome::Threw(e),
                };
                self.outer_depth -= caller;
                self.depth_changed();
                self.reentries -= 1;
                match outcome {
                    Outcome::Returned(v) => Ok(v),
                    Outcome::Threw(e) => Err(e),
                    Outcome::Suspended(_) | Outcome::Yielded | Outcome::Parked => {
                        Err(type_error("a callback cannot wait"))
                    }
                }
            }
            Value::Native(n) if !n.is_async() => self.call_native(n, args, Vec::new()),
            other => Err(type_error(format!(
                "`{}` is not callable",
                other.type_name()
            ))),
        }
    }
}

/// How many native→script re-entries may nest (`sorted(key: f)` where `f`
/// sorts again): each holds about KB of Rust stack (the dispatch loop, the
/// builtin, this function), measured in `tests/limits.rs`; the cap keeps
/// them within the interpreter thread's stack whatever `--max-depth` is.
pub(crate) const MAX_REENTRIES: usize = 2000;

/// Splits the arguments above `callee_at` into positional and named ones.
pub(super) fn split_named(
    ex: &mut Exec,
    callee_at: usize,
    names: Option<&Value>,
) -> (Vec<Value>, Vec<(Rc<str>, Value)>) {
    let mut all = ex.stack.split_off(callee_at + 1);
    let Some(Value::List(names)) = names else {
        return (all, Vec::new());
    };
    let names = names.borrow();
    let named_vals = all.split_off(all.len() - names.len());
    let named = names
        .iter()
        .zip(named_vals)
        .map(|(n, v)| match n {
            Value::Str(s) => (Rc::from(&**s), v),
            _ => (Rc::from("?"), v),
        })
        .collect();
    (all, named)
}

pub(crate) fn iter_of(items: Vec<Value>) -> Iter {
    Iter::Items {
        items: items.into(),
        pos: 0,
    }
}
