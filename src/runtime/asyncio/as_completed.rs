//! `as_completed(aws, timeout: nil)`, following CPython 3.11's
//! `asyncio.as_completed`: each awaitable gets a done callback that puts
//! it on a queue (`_on_completion`), an optional timer puts a timeout
//! marker there for every one still pending (`_on_timeout`), and the call
//! returns a generator of one coroutine per awaitable (`_wait_for_one`,
//! made as the loop reaches it), each taking the
//! next thing off the queue as `Queue.get` does: the same futures and
//! callbacks, so the same loop iterations as asyncio.

use super::callbacks::{CallbackAction, LoopCallback};
use super::coro::{NativeCoro, NativeStep};
use super::future::{Awaitable, Callback, FutKind, FutState, Future};
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::handle::{Input, TimerAction};
use crate::runtime::interp::Interp;
use crate::runtime::values::value::{Iter, Value};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// What the callbacks, the timer and the coroutines of one call share.
pub struct Shared {
    /// The awaitables not yet done (`todo`).
    todo: RefCell<Vec<Awaitable>>,
    /// Done awaitables in completion order; `None` is a timeout (`done`).
    done: RefCell<VecDeque<Option<Awaitable>>>,
    /// The coroutines waiting for the queue (`Queue._getters`).
    getters: RefCell<VecDeque<Rc<Future>>>,
    /// The timeout's timer (`timeout_handle`).
    timer: RefCell<Option<Rc<LoopCallback>>>,
}

/// The generator `as_completed` returns: `for _ in range(len(todo)):
/// yield _wait_for_one()`. Its coroutines are made one step at a time, so
/// a loop left early (`break`, `return`, a first good answer) leaves none
/// behind to be reported as never awaited, as in CPython.
pub struct Pending {
    shared: Rc<Shared>,
    /// Coroutines still to make.
    left: Cell<usize>,
}

impl Pending {
    /// The next `_wait_for_one()`, or `None` when all are made.
    pub fn next(&self) -> Option<Value> {
        let left = self.left.get().checked_sub(1)?;
        self.left.set(left);
        let one = WaitForOne {
            shared: self.shared.clone(),
            getter: None,
        };
        let coro = NativeCoro::AsCompleted(Box::new(one));
        Some(super::coro::coro_value("as_completed", coro))
    }
}

/// One `_wait_for_one()` coroutine.
pub struct WaitForOne {
    shared: Rc<Shared>,
    getter: Option<Rc<Future>>,
}

impl Interp {
    /// `as_completed(items, timeout)`: an iterator of coroutines (see
    /// [`Pending`]), the i-th of which returns (or throws) what the i-th
    /// awaitable to finish did.
    /// Distinct items only (`set(fs)`), and coroutines become tasks in
    /// the order given (asyncio's order is the set's, which varies).
    pub fn as_completed(
        &mut self,
        items: Vec<Value>,
        timeout: Option<f64>,
    ) -> Result<Value, ErrorRef> {
        let shared = Rc::new(Shared {
            todo: RefCell::new(Vec::new()),
            done: RefCell::new(VecDeque::new()),
            getters: RefCell::new(VecDeque::new()),
            timer: RefCell::new(None),
        });
        let mut distinct: Vec<Value> = Vec::new();
        for v in items {
            if crate::runtime::values::value::position(&distinct, &v)?.is_none() {
                distinct.push(v);
            }
        }
        for v in distinct {
            let a = self.ensure_future(v)?;
            shared.todo.borrow_mut().push(a);
        }
        let todo = shared.todo.borrow().clone();
        for f in &todo {
            self.add_done_callback(f, Callback::AsCompleted(shared.clone()));
        }
        if let (false, Some(secs)) = (todo.is_empty(), timeout) {
            let cb = LoopCallback::new(CallbackAction::AsCompletedTimeout(shared.clone()));
            let id = self.lp.call_later(secs, TimerAction::Call(cb.clone()));
            *cb.timer.borrow_mut() = Some(id);
            *shared.timer.borrow_mut() = Some(cb);
        }
        let pending = Pending {
            shared,
            left: Cell::new(todo.len()),
        };
        let it = Iter::AsCompleted(Rc::new(pending));
        Ok(Value::Iter(Rc::new(RefCell::new(it))))
    }

    /// `_on_completion`: an awaitable ended.
    pub(in crate::runtime) fn as_completed_member_done(&mut self, s: &Rc<Shared>, f: &Awaitable) {
        {
            let mut todo = s.todo.borrow_mut();
            // `_on_timeout` came first.
            let Some(i) = todo.iter().position(|t| t.ptr_eq(f)) else {
                return;
            };
            todo.remove(i);
        }
        self.as_completed_put(s, Some(f.clone()));
        if s.todo.borrow().is_empty() {
            if let Some(cb) = s.timer.borrow_mut().take() {
                self.cancel_callback(&cb);
            }
        }
    }

    /// `_on_timeout`: every awaitable still pending gets a timeout marker
    /// on the queue, and stops being watched.
    pub(in crate::runtime) fn as_completed_timeout(&mut self, s: &Rc<Shared>) {
        s.timer.borrow_mut().take();
        let todo = std::mem::take(&mut *s.todo.borrow_mut());
        for f in &todo {
            f.core()
                .borrow_mut()
                .callbacks
                .retain(|c| !matches!(c, Callback::AsCompleted(x) if Rc::ptr_eq(x, s)));
            self.as_completed_put(s, None);
        }
    }

    /// `Queue.put_nowait`: the item goes on the queue and the first
    /// getter still waiting is woken (`_wakeup_next`).
    fn as_completed_put(&mut self, s: &Rc<Shared>, item: Option<Awaitable>) {
        s.done.borrow_mut().push_back(item);
        self.as_completed_wake_next(s);
    }

    fn as_completed_wake_next(&mut self, s: &Rc<Shared>) {
        loop {
            let Some(g) = s.getters.borrow_mut().pop_front() else {
                return;
            };
            if !g.core.borrow().is_done() {
                self.set_future_result(&g, Value::Nil);
                return;
            }
        }
    }
}

impl WaitForOne {
    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let s = self.shared.clone();
        if let Input::Throw(e) = input {
            // `Queue.get`'s `except`: stop waiting, and pass a wake-up this
            // getter got but cannot use on to the next getter.
            if let Some(g) = self.getter.take() {
                it.cancel_future(&g, None);
                s.getters.borrow_mut().retain(|x| !Rc::ptr_eq(x, &g));
                let cancelled = matches!(g.core.borrow().state(), FutState::Cancelled(_));
                if !s.done.borrow().is_empty() && !cancelled {
                    it.as_completed_wake_next(&s);
                }
            }
            return NativeStep::Throw(e);
        }
        self.getter = None;
        let next = s.done.borrow_mut().pop_front();
        match next {
            // `while self.empty(): await getter`.
            None => {
                let g = Future::new(FutKind::Plain);
                s.getters.borrow_mut().push_back(g.clone());
                self.getter = Some(g.clone());
                NativeStep::Await(Awaitable::Future(g))
            }
            Some(None) => {
                NativeStep::Throw(ErrorObj::new("TimeoutError", "as_completed timed out"))
            }
            // `f.result()`.
            Some(Some(f)) => match f.outcome() {
                Some(Ok(v)) => NativeStep::Return(v),
                Some(Err(e)) => NativeStep::Throw(e),
                None => NativeStep::Throw(internal("as_completed: a pending future was queued")),
            },
        }
    }
}

fn internal(msg: &str) -> ErrorRef {
    ErrorObj::new("InternalError", msg)
}
