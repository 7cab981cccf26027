//! `shield(aw)` and `wait(aws, timeout:, return_when:)`, following
//! CPython 3.11's `asyncio.shield` and `asyncio.wait` (`_wait`): the same
//! futures and done-callbacks, so the same loop iterations.

use super::coro::NativeStep;
use super::future::{Awaitable, Callback, FutKind, FutState, Future};
use crate::runtime::error::{type_error, value_error, ErrorRef};
use crate::runtime::handle::Input;
use crate::runtime::handle::TimerAction;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use crate::scheduler::timers::TimerId;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// `return_when`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    AllCompleted,
    FirstCompleted,
    FirstException,
}

impl ReturnWhen {
    pub fn parse(v: Option<&Value>) -> Result<ReturnWhen, ErrorRef> {
        match v {
            None => Ok(ReturnWhen::AllCompleted),
            Some(Value::Str(s)) => match &**s {
                "ALL_COMPLETED" => Ok(ReturnWhen::AllCompleted),
                "FIRST_COMPLETED" => Ok(ReturnWhen::FirstCompleted),
                "FIRST_EXCEPTION" => Ok(ReturnWhen::FirstException),
                other => Err(value_error(format!("Invalid return_when value: {other}"))),
            },
            Some(other) => Err(value_error(format!(
                "Invalid return_when value: {}",
                other.repr()
            ))),
        }
    }
}

/// What `_wait`'s `_on_completion` closure shares.
pub struct WaitShared {
    counter: Cell<usize>,
    when: ReturnWhen,
    waiter: Rc<Future>,
    timer: RefCell<Option<TimerId>>,
}

/// The state of one `await wait(...)`.
pub struct Wait {
    fs: Vec<Awaitable>,
    timeout: Option<f64>,
    shared: Option<Rc<WaitShared>>,
}

impl Wait {
    pub fn new(fs: Vec<Awaitable>, timeout: Option<f64>, when: ReturnWhen) -> Wait {
        let shared = Rc::new(WaitShared {
            counter: Cell::new(fs.len()),
            when,
            waiter: Future::new(FutKind::Plain),
            timer: RefCell::new(None),
        });
        Wait {
            fs,
            timeout,
            shared: Some(shared),
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let shared = self.shared.clone().expect("wait state");
        match input {
            Input::Start => {
                if let Some(t) = self.timeout {
                    let id = it
                        .lp
                        .call_later(t, TimerAction::Release(shared.waiter.clone()));
                    *shared.timer.borrow_mut() = Some(id);
                }
                for f in &self.fs {
                    it.add_done_callback(f, Callback::WaitMember(shared.clone()));
                }
                NativeStep::Await(Awaitable::Future(shared.waiter.clone()))
            }
            input => {
                // `finally`: cancel the timer, remove the callbacks.
                if let Some(id) = shared.timer.borrow_mut().take() {
                    it.lp.timers.cancel(&id);
                }
                for f in &self.fs {
                    f.core().borrow_mut().callbacks.retain(
                        |c| !matches!(c, Callback::WaitMember(s) if Rc::ptr_eq(s, &shared)),
                    );
                }
                if let Input::Throw(e) = input {
                    return NativeStep::Throw(e);
                }
                let (done, pending): (Vec<&Awaitable>, Vec<&Awaitable>) =
                    self.fs.iter().partition(|f| f.is_done());
                let list =
                    |xs: Vec<&Awaitable>| Value::list(xs.iter().map(|a| a.to_value()).collect());
                NativeStep::Return(Value::list(vec![list(done), list(pending)]))
            }
        }
    }
}

impl Interp {
    /// `_on_completion` of `wait`.
    pub(in crate::runtime) fn wait_member_done(&mut self, s: &Rc<WaitShared>, f: &Awaitable) {
        s.counter.set(s.counter.get().saturating_sub(1));
        let failed = || matches!(f.core().borrow().state(), FutState::Failed(_));
        let release = s.counter.get() == 0
            || s.when == ReturnWhen::FirstCompleted
            || (s.when == ReturnWhen::FirstException && failed());
        if release {
            if let Some(id) = s.timer.borrow_mut().take() {
                self.lp.timers.cancel(&id);
            }
            if !s.waiter.core.borrow().is_done() {
                self.set_future_result(&s.waiter, Value::Nil);
            }
        }
    }

    /// `asyncio.wait`'s checks: a non-empty list of tasks and futures
    /// (coroutines are refused, as 3.11 does), each once, tasks in
    /// creation order and then futures in the order given.
    pub fn wait_members(&self, items: Vec<Value>) -> Result<Vec<Awaitable>, ErrorRef> {
        if items.is_empty() {
            return Err(value_error("wait() needs at least one task or future"));
        }
        let mut fs: Vec<Awaitable> = Vec::new();
        for v in items {
            let a = match v {
                Value::Task(t) => Awaitable::Task(t),
                Value::Future(f) => Awaitable::Future(f),
                Value::Coro(_) => {
                    return Err(type_error(
                        "wait() takes tasks and futures, not coroutines: spawn them first",
                    ))
                }
                other => {
                    return Err(type_error(format!(
                        "wait() takes tasks and futures, not `{}`",
                        other.type_name()
                    )))
                }
            };
            if !fs.iter().any(|f| f.ptr_eq(&a)) {
                fs.push(a);
            }
        }
        fs.sort_by_key(|a| match a {
            Awaitable::Task(t) => (0, t.id),
            Awaitable::Future(_) => (1, 0),
        });
        Ok(fs)
    }

    /// `asyncio.shield(aw)`: an outer future that follows the inner one,
    /// and whose cancellation does not reach it.
    pub fn shield(&mut self, aw: Value) -> Result<Value, ErrorRef> {
        let inner = self.ensure_future(aw)?;
        if inner.is_done() {
            return Ok(inner.to_value());
        }
        let outer = Future::new(FutKind::Plain);
        self.add_done_callback(&inner, Callback::ShieldInner(outer.clone()));
        self.add_done_callback(
            &Awaitable::Future(outer.clone()),
            Callback::ShieldOuter(Rc::new(inner)),
        );
        Ok(Value::Future(outer))
    }

    /// `_inner_done_callback` of `shield`.
    pub(in crate::runtime) fn shield_inner_done(&mut self, outer: &Rc<Future>, inner: &Awaitable) {
        let outer_cancelled = matches!(outer.core.borrow().state(), FutState::Cancelled(_));
        let inner_cancelled = matches!(inner.core().borrow().state(), FutState::Cancelled(_));
        if outer_cancelled {
            if !inner_cancelled {
                // `inner.exception()`: the error counts as retrieved.
                inner.core().borrow_mut().unretrieved = false;
            }
            return;
        }
        if inner_cancelled {
            self.cancel_future(outer, None);
            return;
        }
        let state = match inner.outcome() {
            Some(Ok(v)) => FutState::Done(v),
            Some(Err(e)) => FutState::Failed(e),
            None => return,
        };
        self.complete(&Awaitable::Future(outer.clone()), state);
    }

    /// `_outer_done_callback` of `shield`.
    pub(in crate::runtime) fn shield_outer_done(&mut self, outer: &Awaitable, inner: &Awaitable) {
        if inner.is_done() {
            return;
        }
        let Awaitable::Future(outer) = outer else {
            return;
        };
        inner
            .core()
            .borrow_mut()
            .callbacks
            .retain(|c| !matches!(c, Callback::ShieldInner(o) if Rc::ptr_eq(o, outer)));
    }
}
