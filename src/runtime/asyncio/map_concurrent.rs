//! `map_concurrent(f, items, limit: n)`: `f` over `items`, at most `n` at a
//! time, results in input order.
//!
//! It streams: a task is made for an item only when a slot is free, so a
//! million items hold `n` coroutines, not a million. The scheduling is the
//! one of the hand-written asyncio version (a `Semaphore(n)` around each
//! call, all under `gather`; `tests/parity/map_concurrent_order.py`): the
//! first `n` start in the iteration after the call, and when one ends the
//! next item starts in the following iteration, as the waiter the
//! semaphore's `release` wakes would. That is why a slot is refilled from
//! a [`Callback::Now`] hook that runs as the task ends, not from a done
//! callback, which would start the next item an iteration later.
//!
//! The first error cancels the running tasks, waits for them to end (as a
//! task group does) and is raised; `return_errors: true` puts errors in the
//! results instead, as `gather` does.

use super::coro::NativeStep;
use super::future::{Awaitable, Callback, FutKind, Future};
use super::task::{Coro, CoroStart, Task};
use crate::runtime::error::ErrorRef;
use crate::runtime::handle::Input;
use crate::runtime::interp::Interp;
use crate::runtime::native::script_call::NativeHook;
use crate::runtime::values::value::{Iter, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What the running tasks' hooks and the waiting coroutine share.
struct Shared {
    f: Value,
    items: RefCell<Iter>,
    limit: usize,
    return_errors: bool,
    results: RefCell<Vec<Value>>,
    running: RefCell<Vec<Rc<Task>>>,
    /// No more items will be started: the items ran out, or an error or a
    /// cancellation stopped the map.
    stopped: Cell<bool>,
    /// An error or a cancellation stopped the map: the cancellations of
    /// its own running tasks are not errors of theirs.
    aborting: Cell<bool>,
    error: RefCell<Option<ErrorRef>>,
    /// Set when nothing runs any more and nothing more will start.
    finished: RefCell<Option<Rc<Future>>>,
    /// Read by `for await` (`map_stream.rs`): each outcome goes here as it
    /// comes, in completion order, instead of into `results`.
    /// Dropped once the last outcome is in, which ends the stream.
    sink: RefCell<Option<async_channel::Sender<Result<Value, ErrorRef>>>>,
}

impl Shared {
    pub(in crate::runtime) fn new(
        f: Value,
        items: Iter,
        limit: usize,
        return_errors: bool,
    ) -> Shared {
        Shared {
            f,
            items: RefCell::new(items),
            limit,
            return_errors,
            results: RefCell::new(Vec::new()),
            running: RefCell::new(Vec::new()),
            stopped: Cell::new(false),
            aborting: Cell::new(false),
            error: RefCell::new(None),
            finished: RefCell::new(None),
            sink: RefCell::new(None),
        }
    }
}

impl Shared {
    /// Item `index`'s outcome: into the results, or down the stream.
    fn deliver(&self, index: usize, outcome: Result<Value, ErrorRef>) {
        if let Some(tx) = &*self.sink.borrow() {
            let _ = tx.try_send(outcome);
            return;
        }
        if let Ok(v) = outcome {
            self.results.borrow_mut()[index] = v;
        }
    }

    fn streaming(&self) -> bool {
        self.sink.borrow().is_some()
    }
}

/// The state of one `await map_concurrent(...)`.
pub struct MapConcurrent {
    shared: Rc<Shared>,
    /// The cancellation to raise once the running tasks have ended.
    cancelled: Option<ErrorRef>,
}

impl MapConcurrent {
    pub fn new(f: Value, items: Iter, limit: usize, return_errors: bool) -> MapConcurrent {
        MapConcurrent {
            shared: Rc::new(Shared::new(f, items, limit, return_errors)),
            cancelled: None,
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let s = self.shared.clone();
        match input {
            Input::Start => it.map_fill(&s),
            Input::Throw(e) if e.is_cancel() && self.cancelled.is_none() => {
                // Our own cancellation: stop the running ones, wait for them.
                self.cancelled = Some(e);
                s.stopped.set(true);
                s.aborting.set(true);
                it.map_cancel_running(&s);
            }
            Input::Throw(e) => return NativeStep::Throw(e),
            Input::Value(_) => {}
        }
        if !s.running.borrow().is_empty() {
            let f = Future::new(FutKind::Plain);
            *s.finished.borrow_mut() = Some(f.clone());
            return NativeStep::Await(Awaitable::Future(f));
        }
        if let Some(c) = self.cancelled.take() {
            return NativeStep::Throw(c);
        }
        let error = s.error.borrow_mut().take();
        if let Some(e) = error {
            return NativeStep::Throw(e);
        }
        let results = std::mem::take(&mut *s.results.borrow_mut());
        NativeStep::Return(Value::list(results))
    }
}

impl Interp {
    /// Starts items until `limit` run or the items run out.
    fn map_fill(&mut self, s: &Rc<Shared>) {
        while !s.stopped.get() && s.running.borrow().len() < s.limit {
            let item = s.items.borrow_mut().next_item();
            let Some(item) = item else {
                s.stopped.set(true);
                break;
            };
            let index = {
                let mut results = s.results.borrow_mut();
                if !s.streaming() {
                    results.push(Value::Nil);
                }
                results.len().wrapping_sub(1)
            };
            let started = self.call_for_coro(&s.f, vec![item]).and_then(|v| match v {
                Value::Coro(_) => self.spawn_value(v, None, None).map(Some),
                // A plain function's result is the item's result.
                v => {
                    s.deliver(index, Ok(v));
                    Ok(None)
                }
            });
            match started {
                Ok(Some(Value::Task(task))) => {
                    let hook = {
                        let s = s.clone();
                        NativeHook::new(move |it, a| it.map_item_done(&s, index, a))
                    };
                    self.add_done_callback(&Awaitable::Task(task.clone()), Callback::Now(hook));
                    s.running.borrow_mut().push(task);
                }
                Ok(_) => {}
                Err(e) => self.map_item_failed(s, index, e),
            }
        }
    }

    /// One item's task ended (run as it ends: [`Callback::Now`]).
    fn map_item_done(&mut self, s: &Rc<Shared>, index: usize, a: &Awaitable) {
        if let Awaitable::Task(t) = a {
            s.running.borrow_mut().retain(|x| !Rc::ptr_eq(x, t));
        }
        match a.outcome() {
            Some(Ok(v)) => s.deliver(index, Ok(v)),
            // The ones the map cancelled itself say nothing.
            Some(Err(e)) if e.is_cancel() && s.aborting.get() => {}
            Some(Err(e)) => self.map_item_failed(s, index, e),
            None => {}
        }
        self.map_fill(s);
        if s.running.borrow().is_empty() {
            let f = s.finished.borrow_mut().take();
            if let Some(f) = f.filter(|f| !f.core.borrow().is_done()) {
                self.set_future_result(&f, Value::Nil);
            }
            if s.stopped.get() {
                // Nothing more comes: the stream ends after what it holds.
                s.sink.borrow_mut().take();
            }
        }
    }

    fn map_item_failed(&mut self, s: &Rc<Shared>, index: usize, e: ErrorRef) {
        if s.return_errors {
            s.deliver(index, Ok(Value::Error(e)));
            return;
        }
        let first = s.error.borrow().clone();
        match first {
            // Raised with the first, as a group's are (`e.others()`).
            Some(first) => first.others.borrow_mut().push(e),
            // Read as a stream: raised where the loop reads it; the loop's
            // end (`close`) stops the map, as the finally of the asyncio
            // twin's generator does.
            None if s.streaming() => {
                s.deliver(index, Err(e.clone()));
                *s.error.borrow_mut() = Some(e);
            }
            None => {
                *s.error.borrow_mut() = Some(e);
                s.stopped.set(true);
                s.aborting.set(true);
                self.map_cancel_running(s);
            }
        }
    }

    /// `f(item)`: an `async fn` gives its coroutine (not yet run), any
    /// other callable is called now.
    pub(crate) fn call_for_coro(&mut self, f: &Value, args: Vec<Value>) -> Result<Value, ErrorRef> {
        match f {
            Value::Func(c) if c.proto.is_async => {
                let args = Self::bind_args(c, args, Vec::new())?;
                let start = CoroStart::Script {
                    closure: c.clone(),
                    args,
                };
                Ok(Value::Coro(Coro::new(start, c.proto.name.clone(), None)))
            }
            f => self.call_sync(f, args),
        }
    }

    fn map_cancel_running(&mut self, s: &Rc<Shared>) {
        let running = s.running.borrow().clone();
        for t in &running {
            self.cancel_task(t, None);
        }
    }
}

/// `for await r in map_concurrent(f, items, limit: n)`: the same calls, at
/// most `n` at a time, but each result comes as soon as its call ends
/// (completion order, as `asyncio.as_completed` over the semaphore-bound
/// calls). The first error is raised at its place in the stream (the calls
/// still running are cancelled); with `return_errors: true` it is an item.
/// Leaving the loop early cancels the calls still running.
struct MapStream {
    shared: Rc<Shared>,
    rx: async_channel::Receiver<Result<Value, ErrorRef>>,
    started: Cell<bool>,
}

/// The stream a `for await` reads from an `map_concurrent(...)` call not
/// yet awaited; any other value as it is.
pub(crate) fn as_stream(v: Value) -> Value {
    let Value::Coro(c) = &v else {
        return v;
    };
    let is_map = matches!(
        &*c.start.borrow(),
        Some(CoroStart::Native(super::coro::NativeCoro::Map(_)))
    );
    if !is_map {
        return v;
    }
    let Some(CoroStart::Native(super::coro::NativeCoro::Map(m))) = c.take() else {
        return v;
    };
    let (tx, rx) = async_channel::unbounded();
    *m.shared.sink.borrow_mut() = Some(tx);
    crate::runtime::native::function::Object::value(MapStream {
        shared: m.shared.clone(),
        rx,
        started: Cell::new(false),
    })
}

impl crate::runtime::native::function::NativeObject for MapStream {
    fn type_name(&self) -> &'static str {
        "map_concurrent"
    }
    fn methods() -> &'static [&'static str] {
        &[]
    }
    fn method(
        &self,
        _ctx: &mut crate::runtime::native::function::Ctx<'_>,
        _name: &str,
        _args: crate::runtime::native::function::Args,
    ) -> Option<crate::runtime::native::function::NativeResult> {
        None
    }
    fn stream(&self) -> Option<&dyn crate::runtime::stream::NativeStream> {
        Some(self)
    }
}

impl crate::runtime::stream::NativeStream for MapStream {
    fn ready(
        &self,
        ctx: &mut crate::runtime::native::function::Ctx<'_>,
    ) -> Option<crate::runtime::native::function::NativeResult> {
        let s = &self.shared;
        if !self.started.replace(true) {
            ctx.interp.map_fill(s);
            if s.stopped.get() && s.running.borrow().is_empty() {
                s.sink.borrow_mut().take();
            }
        }
        match self.rx.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(async_channel::TryRecvError::Closed) => Some(Ok(Value::Nil)),
            Err(async_channel::TryRecvError::Empty) => None,
        }
    }
    fn wait(
        &self,
        _ctx: &mut crate::runtime::native::function::Ctx<'_>,
    ) -> Result<crate::runtime::native::function::OpFuture, ErrorRef> {
        let rx = self.rx.clone();
        Ok(Box::pin(async move {
            rx.recv().await.unwrap_or(Ok(Value::Nil))
        }))
    }
    fn close(&self, ctx: &mut crate::runtime::native::function::Ctx<'_>) {
        let s = &self.shared;
        s.stopped.set(true);
        s.aborting.set(true);
        ctx.interp.map_cancel_running(s);
        s.sink.borrow_mut().take();
    }
}
