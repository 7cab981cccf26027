//! Native work that outlives the call that started it: script functions
//! run on the loop on behalf of a Rust future ([`ScriptCaller`]: a
//! server's handler, once per request), and operations no task awaits
//! ([`Operation`]: a server's accept loop), aborted when closed or when
//! the program ends. What `http.serve` and `net.listen` are made of, and
//! what a host's server would be made of.

use super::NativeCtx;
use crate::runtime::error::{cancelled, ScriptError};
use crate::runtime::interp::Interp;
use crate::runtime::native::function::NativeFn;
use crate::runtime::native::script_call::{ScriptCall, Started, TaskSet};
use crate::runtime::values::value::Value;
use crate::scheduler::ops::{Caller, OpId};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

/// Has script functions run on the loop on behalf of a native operation
/// (a Rust future that has no [`NativeCtx`] while it waits). Each call
/// runs as a task if the function is an `async fn`, at once otherwise.
/// Clones share the set of tasks their calls started
/// ([`ScriptCaller::cancel_all`]).
#[derive(Clone)]
pub struct ScriptCaller {
    inner: Caller<ScriptCall>,
    /// The tasks its calls started, while they run.
    running: Rc<TaskSet>,
}

impl std::fmt::Debug for ScriptCaller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScriptCaller")
    }
}

/// What a call's `then` gets: the function's result or error.
type Outcome = Result<Value, ScriptError>;

impl ScriptCaller {
    pub(super) fn new(inner: Caller<ScriptCall>) -> ScriptCaller {
        ScriptCaller {
            inner,
            running: Rc::default(),
        }
    }

    /// `f(args...)` run on the loop; its result (or error) once it ends.
    /// Fails with a `CancelledError` once the program is ending. Dropping
    /// the future before the call ends cancels the call's task.
    pub async fn call(&self, f: Value, args: Vec<Value>) -> Result<Value, ScriptError> {
        self.call_then(None, f, args, |_, outcome| outcome).await?
    }

    /// As [`ScriptCaller::call`], its task called `name` (in `:tasks` and
    /// in reports) instead of `Task-N`, and `then` run on the loop with the
    /// outcome, where a context is at hand (to render a failure, say):
    /// what `then` returns is what the future gives. `Err` only once the
    /// program is ending.
    pub async fn call_then<T: 'static>(
        &self,
        name: Option<&str>,
        f: Value,
        args: Vec<Value>,
        then: impl FnOnce(&mut NativeCtx<'_>, Outcome) -> T + 'static,
    ) -> Result<T, ScriptError> {
        let (tx, rx) = async_channel::bounded(1);
        let started = Rc::new(Started::default());
        let send = move |ctx: &mut NativeCtx<'_>, outcome| {
            let _ = tx.try_send(then(ctx, outcome));
        };
        self.queue(name, f, args, Some(started.clone()), send)?;
        let mut guard = CancelOnDrop {
            started: Some(started),
            caller: self.clone(),
        };
        let out = rx.recv().await.map_err(|_| ending());
        guard.started = None; // ended: nothing to cancel
        out
    }

    /// Runs `f` on the loop, where a context is at hand, and gives what it
    /// returns: for a future that needs the engine while it waits (to ask
    /// a stream for its next item, as `csv.rows` does). `Err` (a
    /// `CancelledError`) once the program is ending.
    pub async fn on_loop<T: 'static>(
        &self,
        f: impl FnOnce(&mut NativeCtx<'_>) -> T + 'static,
    ) -> Result<T, ScriptError> {
        let step = NativeFn::sync("a native operation's step", |_, _| Ok(Value::Nil));
        let step = Value::Native(Rc::new(step));
        self.call_then(None, step, Vec::new(), move |ctx, _| f(ctx))
            .await
    }

    /// Starts `f(args...)` on the loop without waiting for it: `then` runs
    /// on the loop with its outcome (a connection's handler, whose
    /// failure is reported and forgotten). `Err` once the program is
    /// ending (the call and its arguments are dropped).
    pub fn start(
        &self,
        name: Option<&str>,
        f: Value,
        args: Vec<Value>,
        then: impl FnOnce(&mut NativeCtx<'_>, Outcome) + 'static,
    ) -> Result<(), ScriptError> {
        self.queue(name, f, args, None, then)
    }

    /// Cancels every task this caller's calls started that still runs
    /// (each ends at its next step): a server closing.
    pub fn cancel_all(&self, ctx: &mut NativeCtx<'_>) {
        self.running.cancel_all(ctx.interp);
    }

    fn queue(
        &self,
        name: Option<&str>,
        f: Value,
        args: Vec<Value>,
        started: Option<Rc<Started>>,
        then: impl FnOnce(&mut NativeCtx<'_>, Outcome) + 'static,
    ) -> Result<(), ScriptError> {
        let call = ScriptCall {
            func: f,
            args,
            on_done: Box::new(move |interp: &mut Interp, outcome| {
                then(&mut NativeCtx { interp }, outcome)
            }),
            running: self.running.clone(),
            name: name.map(Rc::from),
            started,
        };
        self.inner.call(call).map_err(|_| ending())
    }
}

fn ending() -> ScriptError {
    cancelled(Some(Rc::from("the program is ending")))
}

/// Cancels a call's task when nobody waits for its outcome any more: the
/// future of [`ScriptCaller::call_then`] dropped (an HTTP client hung up).
/// The cancel is handed to the loop as a call of a native function, since
/// only the loop can cancel a task.
struct CancelOnDrop {
    started: Option<Rc<Started>>,
    caller: ScriptCaller,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(started) = self.started.take() else {
            return;
        };
        let cancel = NativeFn::sync("nobody waits for the call", move |ctx, _args| {
            started.cancel(ctx.interp);
            Ok(Value::Nil)
        });
        // Refused only when the program is ending: it cancels them all.
        let _ = self
            .caller
            .start(None, Value::Native(Rc::new(cancel)), Vec::new(), |_, _| {});
    }
}

/// A native operation no task awaits ([`NativeCtx::start_operation`]):
/// it runs on the engine's executor until it ends, [`NativeCtx::abort`]
/// drops it, or the program ends (which drops it too). While it runs the
/// loop does not report a deadlock: it may still hand over calls.
#[derive(Debug)]
pub struct Operation(Cell<Option<OpId>>);

impl Operation {
    /// Was it aborted?
    pub fn is_aborted(&self) -> bool {
        self.0.get().is_none()
    }
}

impl NativeCtx<'_> {
    /// Starts `fut` on the engine's executor with nobody awaiting it (a
    /// server's accept loop, which hands each request to a
    /// [`ScriptCaller`]); its result is dropped. `name` is what `:tasks`
    /// calls it.
    pub fn start_operation(
        &mut self,
        name: &str,
        fut: impl Future<Output = Result<Value, ScriptError>> + 'static,
    ) -> Operation {
        let name: Rc<str> = Rc::from(name);
        let id = self.interp.lp.ops.submit(name.clone(), fut);
        let now = self.interp.lp.clock.now_ns();
        self.interp.lp.ops.mark_unawaited(id, now);
        if self.interp.tracer.is_some() {
            // Traced, its end is delivered as an awaited operation's is
            // (to a future nobody awaits), so that it gets its slice.
            use crate::runtime::asyncio::future::{FutKind, Future};
            self.interp.trace_op_begin(id, &name);
            let f = Future::new(FutKind::Native(id));
            self.interp.lp.op_futures.insert(id, f);
        }
        Operation(Cell::new(Some(id)))
    }

    /// Drops an operation's future (the sockets it holds close); false if
    /// it was already aborted.
    pub fn abort(&mut self, op: &Operation) -> bool {
        match op.0.take() {
            Some(id) => {
                self.interp.lp.ops.abort(id);
                if self.interp.lp.op_futures.remove(&id).is_some() {
                    self.interp.trace_op_dropped(id);
                }
                true
            }
            None => false,
        }
    }
}
