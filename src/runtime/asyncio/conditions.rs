//! `condition(lock)` and `barrier(n)`, following CPython 3.11's
//! `asyncio.Condition` and `asyncio.Barrier` step for step: a barrier is
//! built on its condition exactly as asyncio's is, so waiters wake in the
//! same order and after the same number of loop iterations.

use super::coro::NativeStep;
use super::sync_ops::{remove_waiter, SyncWait};
use super::sync_state::{waiter_done, Barrier, BarrierState, Condition};
use super::task::Park;
use crate::runtime::error::{cancelled, ErrorObj, ErrorRef};
use crate::runtime::handle::Input;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::rc::Rc;

fn runtime_error(msg: &str) -> ErrorRef {
    ErrorObj::new("RuntimeError", msg)
}

fn broken(msg: &str) -> ErrorRef {
    ErrorObj::new("BrokenBarrierError", msg)
}

/// `Condition.wait`: release the lock, wait for a notify, then re-acquire
/// the lock whatever happened (a cancellation while re-acquiring is
/// remembered and thrown once the lock is held again).
pub struct CondWait {
    c: Rc<Condition>,
    stage: CondStage,
    /// What ended the wait for the notify, thrown once the lock is back.
    error: Option<ErrorRef>,
    cancelled: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CondStage {
    Start,
    Notified,
    Reacquire,
}

impl CondWait {
    pub fn new(c: Rc<Condition>) -> CondWait {
        CondWait {
            c,
            stage: CondStage::Start,
            error: None,
            cancelled: false,
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let Some(w) = it.current.clone() else {
            return NativeStep::Throw(runtime_error("a condition wait needs a task"));
        };
        match self.stage {
            CondStage::Start => {
                if !self.c.lock.held.get() {
                    return NativeStep::Throw(runtime_error("cannot wait on un-acquired lock"));
                }
                it.lock_release(&self.c.lock);
                self.stage = CondStage::Notified;
                it.park(&w, &self.c.waiters)
            }
            CondStage::Notified => {
                w.park.set(Park::No);
                remove_waiter(&self.c.waiters, &w);
                if let Input::Throw(e) = input {
                    self.error = Some(e);
                }
                self.stage = CondStage::Reacquire;
                self.reacquire(it, Input::Start)
            }
            CondStage::Reacquire => self.reacquire(it, input),
        }
    }

    /// `while True: try: await self.acquire(); break except CancelledError: cancelled = True`.
    fn reacquire(&mut self, it: &mut Interp, mut input: Input) -> NativeStep {
        loop {
            let mut acquire = SyncWait::LockAcquire {
                l: self.c.lock.clone(),
            };
            match acquire.step(it, input) {
                NativeStep::Throw(e) if e.is_cancel() => {
                    self.cancelled = true;
                    input = Input::Start;
                }
                NativeStep::Return(_) => {
                    if self.cancelled {
                        return NativeStep::Throw(cancelled(None));
                    }
                    return match self.error.take() {
                        Some(e) => NativeStep::Throw(e),
                        None => NativeStep::Return(Value::Bool(true)),
                    };
                }
                other => return other,
            }
        }
    }
}

/// The predicate of a `wait_for`: a script function, or one of the
/// barrier's own lambdas.
pub enum Pred {
    Script(Value),
    /// `_block`: not draining and not resetting.
    BarrierOpen(Rc<Barrier>),
    /// `_wait`: no longer filling.
    BarrierFilled(Rc<Barrier>),
}

impl Pred {
    fn eval(&self, it: &mut Interp) -> Result<Value, ErrorRef> {
        match self {
            Pred::Script(f) => it.call_sync(f, Vec::new()),
            Pred::BarrierOpen(b) => Ok(Value::Bool(!matches!(
                b.state.get(),
                BarrierState::Draining | BarrierState::Resetting
            ))),
            Pred::BarrierFilled(b) => Ok(Value::Bool(b.state.get() != BarrierState::Filling)),
        }
    }
}

/// `Condition.wait_for(predicate)`.
pub struct CondWaitFor {
    c: Rc<Condition>,
    pred: Pred,
    wait: Option<CondWait>,
}

impl CondWaitFor {
    pub fn new(c: Rc<Condition>, pred: Pred) -> CondWaitFor {
        CondWaitFor {
            c,
            pred,
            wait: None,
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let mut input = Some(input);
        loop {
            if let Some(w) = &mut self.wait {
                match w.step(it, input.take().unwrap_or(Input::Start)) {
                    NativeStep::Return(_) => self.wait = None,
                    other => return other,
                }
            }
            match self.pred.eval(it) {
                Err(e) => return NativeStep::Throw(e),
                Ok(v) if v.truthy() => return NativeStep::Return(v),
                Ok(_) => {
                    self.wait = Some(CondWait::new(self.c.clone()));
                    input = Some(Input::Start);
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BarrierOpKind {
    Wait,
    Reset,
    Abort,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BarrierStage {
    Acquire,
    Block,
    Wait,
}

/// `Barrier.wait`, `reset` and `abort`, each inside `async with self._cond`.
pub struct BarrierOp {
    b: Rc<Barrier>,
    kind: BarrierOpKind,
    stage: BarrierStage,
    sub: Option<CondWaitFor>,
    index: i64,
}

impl BarrierOp {
    pub fn new(b: Rc<Barrier>, kind: BarrierOpKind) -> BarrierOp {
        BarrierOp {
            b,
            kind,
            stage: BarrierStage::Acquire,
            sub: None,
            index: 0,
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let b = self.b.clone();
        match self.stage {
            BarrierStage::Acquire => {
                let mut acquire = SyncWait::LockAcquire {
                    l: b.cond.lock.clone(),
                };
                match acquire.step(it, input) {
                    NativeStep::Return(_) => {}
                    other => return other,
                }
                match self.kind {
                    BarrierOpKind::Reset => {
                        if b.count.get() > 0 {
                            b.state.set(BarrierState::Resetting);
                        } else {
                            b.state.set(BarrierState::Filling);
                        }
                        it.cond_notify(&b.cond, usize::MAX);
                        it.lock_release(&b.cond.lock);
                        NativeStep::Return(Value::Nil)
                    }
                    BarrierOpKind::Abort => {
                        b.state.set(BarrierState::Broken);
                        it.cond_notify(&b.cond, usize::MAX);
                        it.lock_release(&b.cond.lock);
                        NativeStep::Return(Value::Nil)
                    }
                    BarrierOpKind::Wait => {
                        self.stage = BarrierStage::Block;
                        self.sub = Some(CondWaitFor::new(
                            b.cond.clone(),
                            Pred::BarrierOpen(b.clone()),
                        ));
                        self.step(it, Input::Start)
                    }
                }
            }
            BarrierStage::Block => {
                let sub = self.sub.as_mut().expect("block wait");
                match sub.step(it, input) {
                    NativeStep::Return(_) => {}
                    NativeStep::Throw(e) => {
                        it.lock_release(&b.cond.lock);
                        return NativeStep::Throw(e);
                    }
                    other => return other,
                }
                if b.state.get() == BarrierState::Broken {
                    it.lock_release(&b.cond.lock);
                    return NativeStep::Throw(broken("Barrier aborted"));
                }
                self.index = b.count.get();
                b.count.set(self.index + 1);
                if self.index + 1 == b.parties {
                    b.state.set(BarrierState::Draining);
                    it.cond_notify(&b.cond, usize::MAX);
                    return self.finish(it, Ok(()));
                }
                self.stage = BarrierStage::Wait;
                self.sub = Some(CondWaitFor::new(
                    b.cond.clone(),
                    Pred::BarrierFilled(b.clone()),
                ));
                self.step(it, Input::Start)
            }
            BarrierStage::Wait => {
                let sub = self.sub.as_mut().expect("fill wait");
                match sub.step(it, input) {
                    NativeStep::Return(_) => {}
                    NativeStep::Throw(e) => return self.finish(it, Err(e)),
                    other => return other,
                }
                if matches!(
                    b.state.get(),
                    BarrierState::Broken | BarrierState::Resetting
                ) {
                    return self.finish(it, Err(broken("Abort or reset of barrier")));
                }
                self.finish(it, Ok(()))
            }
        }
    }

    /// `finally: self._count -= 1; self._exit()`, then leaving `async with`.
    fn finish(&mut self, it: &mut Interp, r: Result<(), ErrorRef>) -> NativeStep {
        let b = self.b.clone();
        b.count.set(b.count.get() - 1);
        if b.count.get() == 0 {
            if matches!(
                b.state.get(),
                BarrierState::Resetting | BarrierState::Draining
            ) {
                b.state.set(BarrierState::Filling);
            }
            it.cond_notify(&b.cond, usize::MAX);
        }
        it.lock_release(&b.cond.lock);
        match r {
            Ok(()) => NativeStep::Return(Value::Int(self.index)),
            Err(e) => NativeStep::Throw(e),
        }
    }
}

impl Interp {
    /// `Condition.notify(n)`: wakes up to `n` waiters not yet woken.
    pub fn cond_notify(&mut self, c: &Condition, n: usize) {
        let waiters: Vec<_> = c.waiters.borrow().iter().cloned().collect();
        let mut woken = 0;
        for w in waiters {
            if woken >= n {
                break;
            }
            if !waiter_done(&w) {
                woken += 1;
                self.wake(&w, Value::Bool(false));
            }
        }
    }
}
