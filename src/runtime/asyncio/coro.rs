//! Native coroutines: `sleep`, `wait_for`, `race` and the waits of the
//! synchronisation primitives, written as small state machines that follow
//! CPython's implementations step for step (same futures, same callbacks,
//! so the same number of loop iterations).

use super::future::{Awaitable, Callback, FutKind, Future};
use crate::runtime::error::{cancelled, ErrorObj, ErrorRef};
use crate::runtime::handle::Input;
use crate::runtime::handle::TimerAction;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use crate::scheduler::timers::TimerId;
use std::cell::RefCell;
use std::rc::Rc;

pub enum NativeStep {
    Await(Awaitable),
    /// The running task was parked on a primitive's waiter list.
    Park,
    Yield,
    Return(Value),
    Throw(ErrorRef),
}

pub enum NativeCoro {
    Sleep {
        secs: f64,
        fut: Option<Rc<Future>>,
    },
    /// `sleep(d, result)`: the sleep, returning `result`.
    SleepWith(Box<(NativeCoro, Value)>),
    WaitFor(Box<WaitFor>),
    /// `wait(aws, ...)`.
    Wait(Box<super::waits::Wait>),
    Race(Box<Race>),
    Group(Box<super::group::GroupExit>),
    Sync(super::sync_ops::SyncWait),
    CondWait(Box<super::conditions::CondWait>),
    CondWaitFor(Box<super::conditions::CondWaitFor>),
    Barrier(Box<super::conditions::BarrierOp>),
    /// One of `as_completed`'s coroutines.
    AsCompleted(Box<super::as_completed::WaitForOne>),
    /// A native operation (a Rust future), submitted at the first step.
    Op(Box<PendingOp>),
    /// `map_concurrent(f, items, limit: n)`.
    Map(Box<super::map_concurrent::MapConcurrent>),
    /// `retry(f, ...)`.
    Retry(Box<super::retry::Retry>),
}

pub struct PendingOp {
    name: Rc<str>,
    fut: Option<crate::runtime::native::function::OpFuture>,
}

pub struct WaitFor {
    aw: Option<Value>,
    timeout: Option<f64>,
    fut: Option<Awaitable>,
    waiter: Option<Rc<Future>>,
    timer: Option<TimerId>,
    state: WaitForState,
}

enum WaitForState {
    Start,
    /// Awaiting the inner awaitable directly (no timeout).
    Direct,
    /// Awaiting the waiter released by completion or by the timer.
    Waiting,
    /// Cancelled the inner one on timeout; waiting for it to end.
    CancelAndWait,
    /// We were cancelled; waiting for the inner one to end before rethrowing.
    CancelThenRaise(ErrorRef),
}

pub struct Race {
    items: Vec<Value>,
    futs: Vec<Awaitable>,
    waiter: Option<Rc<Future>>,
    winner: Option<Awaitable>,
    state: u8,
}

impl Interp {
    /// `sleep`'s future, resolved by a timer `secs` from now; cancelling
    /// the future cancels the timer.
    pub(crate) fn sleep_future(&mut self, secs: f64) -> Rc<Future> {
        let f = Future::new(FutKind::Sleep(RefCell::new(None)));
        let id = self.lp.call_later(secs, TimerAction::SetResult(f.clone()));
        if let FutKind::Sleep(t) = &f.kind {
            *t.borrow_mut() = Some(id);
        }
        f
    }
}

impl NativeCoro {
    pub fn sleep(secs: f64) -> NativeCoro {
        NativeCoro::Sleep { secs, fut: None }
    }
    pub fn with_result(sleep: NativeCoro, result: Value) -> NativeCoro {
        NativeCoro::SleepWith(Box::new((sleep, result)))
    }
    pub fn wait_for(aw: Value, timeout: Option<f64>) -> NativeCoro {
        NativeCoro::WaitFor(Box::new(WaitFor {
            aw: Some(aw),
            timeout,
            fut: None,
            waiter: None,
            timer: None,
            state: WaitForState::Start,
        }))
    }
    pub fn race(items: Vec<Value>) -> NativeCoro {
        NativeCoro::Race(Box::new(Race {
            items,
            futs: Vec::new(),
            waiter: None,
            winner: None,
            state: 0,
        }))
    }

    pub fn op(name: Rc<str>, fut: crate::runtime::native::function::OpFuture) -> NativeCoro {
        NativeCoro::Op(Box::new(PendingOp {
            name,
            fut: Some(fut),
        }))
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        match self {
            NativeCoro::Op(op) => match input {
                Input::Start => match op.fut.take() {
                    Some(fut) => {
                        NativeStep::Await(Awaitable::Future(it.submit_op(op.name.clone(), fut)))
                    }
                    None => NativeStep::Throw(ErrorObj::new(
                        "InvalidStateError",
                        "the operation already started",
                    )),
                },
                Input::Value(v) => NativeStep::Return(v),
                // Cancelling the wait cancelled the future, which dropped the operation.
                Input::Throw(e) => NativeStep::Throw(e),
            },
            NativeCoro::Sleep { secs, fut } => match input {
                Input::Start if *secs <= 0.0 => NativeStep::Yield,
                Input::Start => {
                    let f = it.sleep_future(*secs);
                    *fut = Some(f.clone());
                    NativeStep::Await(Awaitable::Future(f))
                }
                Input::Value(_) => NativeStep::Return(Value::Nil),
                Input::Throw(e) => {
                    if let Some(f) = fut {
                        it.cancel_sleep_timer(f);
                    }
                    NativeStep::Throw(e)
                }
            },
            NativeCoro::SleepWith(s) => match s.0.step(it, input) {
                NativeStep::Return(_) => NativeStep::Return(s.1.clone()),
                step => step,
            },
            NativeCoro::WaitFor(w) => w.step(it, input),
            NativeCoro::Wait(w) => w.step(it, input),
            NativeCoro::Race(r) => r.step(it, input),
            NativeCoro::Group(g) => g.step(it, input),
            NativeCoro::Map(m) => m.step(it, input),
            NativeCoro::Retry(r) => r.step(it, input),
            NativeCoro::Sync(s) => s.step(it, input),
            NativeCoro::CondWait(c) => c.step(it, input),
            NativeCoro::CondWaitFor(c) => c.step(it, input),
            NativeCoro::Barrier(b) => b.step(it, input),
            NativeCoro::AsCompleted(w) => w.step(it, input),
        }
    }
}

fn result_of(a: &Awaitable) -> NativeStep {
    match a.outcome() {
        Some(Ok(v)) => NativeStep::Return(v),
        Some(Err(e)) => NativeStep::Throw(e),
        None => NativeStep::Throw(ErrorObj::new(
            "InvalidStateError",
            "the awaitable is still pending",
        )),
    }
}

impl WaitFor {
    fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        match std::mem::replace(&mut self.state, WaitForState::Start) {
            WaitForState::Start => {
                let aw = self.aw.take().expect("wait_for awaitable");
                let fut = match it.ensure_future(aw) {
                    Ok(f) => f,
                    Err(e) => return NativeStep::Throw(e),
                };
                self.fut = Some(fut.clone());
                let Some(timeout) = self.timeout else {
                    self.state = WaitForState::Direct;
                    return NativeStep::Await(fut);
                };
                if timeout <= 0.0 {
                    if fut.is_done() {
                        return result_of(&fut);
                    }
                    return self.cancel_and_wait(it, fut, WaitForState::CancelAndWait);
                }
                let waiter = Future::new(FutKind::Plain);
                self.timer = Some(
                    it.lp
                        .call_later(timeout, TimerAction::Release(waiter.clone())),
                );
                it.add_done_callback(&fut, Callback::Release(waiter.clone()));
                self.waiter = Some(waiter.clone());
                self.state = WaitForState::Waiting;
                NativeStep::Await(Awaitable::Future(waiter))
            }
            WaitForState::Direct => match input {
                Input::Value(v) => NativeStep::Return(v),
                Input::Throw(e) => NativeStep::Throw(e),
                Input::Start => unreachable!(),
            },
            WaitForState::Waiting => {
                let fut = self.fut.clone().expect("fut");
                let waiter = self.waiter.clone().expect("waiter");
                match input {
                    Input::Throw(e) => {
                        if fut.is_done() {
                            self.cancel_timer(it);
                            return result_of(&fut);
                        }
                        remove_release(&fut, &waiter);
                        self.cancel_and_wait(it, fut, WaitForState::CancelThenRaise(e))
                    }
                    _ => {
                        if fut.is_done() {
                            self.cancel_timer(it);
                            return result_of(&fut);
                        }
                        remove_release(&fut, &waiter);
                        self.cancel_and_wait(it, fut, WaitForState::CancelAndWait)
                    }
                }
            }
            WaitForState::CancelAndWait => {
                self.cancel_timer(it);
                if let (Some(fut), Some(w)) = (&self.fut, &self.waiter) {
                    remove_release(fut, w);
                }
                if let Input::Throw(e) = input {
                    return NativeStep::Throw(e);
                }
                let fut = self.fut.clone().expect("fut");
                match fut.outcome() {
                    Some(Ok(v)) => NativeStep::Return(v),
                    Some(Err(e)) if e.is_cancel() => {
                        let t = ErrorObj::new("TimeoutError", "wait_for timed out");
                        NativeStep::Throw(t)
                    }
                    Some(Err(e)) => NativeStep::Throw(e),
                    None => NativeStep::Throw(ErrorObj::new("TimeoutError", "wait_for timed out")),
                }
            }
            WaitForState::CancelThenRaise(e) => {
                self.cancel_timer(it);
                if let (Some(fut), Some(w)) = (&self.fut, &self.waiter) {
                    remove_release(fut, w);
                }
                match input {
                    Input::Throw(e2) => NativeStep::Throw(e2),
                    _ => NativeStep::Throw(e),
                }
            }
        }
    }

    /// CPython's `_cancel_and_wait`: cancel, then wait on a fresh waiter.
    fn cancel_and_wait(
        &mut self,
        it: &mut Interp,
        fut: Awaitable,
        next: WaitForState,
    ) -> NativeStep {
        let waiter = Future::new(FutKind::Plain);
        it.add_done_callback(&fut, Callback::Release(waiter.clone()));
        it.cancel_awaitable(&fut, None);
        self.waiter = Some(waiter.clone());
        self.state = next;
        NativeStep::Await(Awaitable::Future(waiter))
    }

    fn cancel_timer(&mut self, it: &mut Interp) {
        if let Some(t) = self.timer.take() {
            it.lp.timers.cancel(&t);
        }
    }
}

fn remove_release(fut: &Awaitable, waiter: &Rc<Future>) {
    fut.core()
        .borrow_mut()
        .callbacks
        .retain(|c| !matches!(c, Callback::Release(w) if Rc::ptr_eq(w, waiter)));
}

impl Race {
    fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        match self.state {
            0 => {
                for v in std::mem::take(&mut self.items) {
                    match it.ensure_future(v) {
                        Ok(f) => self.futs.push(f),
                        Err(e) => return NativeStep::Throw(e),
                    }
                }
                let waiter = Future::new(FutKind::Plain);
                for f in &self.futs {
                    it.add_done_callback(f, Callback::Release(waiter.clone()));
                }
                self.waiter = Some(waiter.clone());
                self.state = 1;
                NativeStep::Await(Awaitable::Future(waiter))
            }
            1 => {
                let waiter = self.waiter.clone().expect("waiter");
                for f in &self.futs {
                    remove_release(f, &waiter);
                }
                let pending: Vec<Awaitable> =
                    self.futs.iter().filter(|f| !f.is_done()).cloned().collect();
                for p in &pending {
                    it.cancel_awaitable(p, None);
                }
                if let Input::Throw(e) = input {
                    return NativeStep::Throw(e);
                }
                self.winner = self.futs.iter().find(|f| f.is_done()).cloned();
                if pending.is_empty() {
                    return self.finish();
                }
                self.state = 2;
                match it.gather_awaitables(pending, true) {
                    Ok(g) => NativeStep::Await(Awaitable::Future(g)),
                    Err(e) => NativeStep::Throw(e),
                }
            }
            _ => match input {
                Input::Throw(e) if e.is_cancel() => NativeStep::Throw(e),
                _ => self.finish(),
            },
        }
    }

    fn finish(&mut self) -> NativeStep {
        match &self.winner {
            Some(w) => result_of(w),
            None => NativeStep::Throw(cancelled(None)),
        }
    }
}

/// A native coroutine as a value; `name` is what `:tasks` and the
/// never-awaited warning call it.
pub(crate) fn coro_value(name: &'static str, n: NativeCoro) -> Value {
    Value::Coro(super::task::Coro::new(
        super::task::CoroStart::Native(n),
        name,
        None,
    ))
}
