//! `with` blocks (asyncio's `async with`) and what they enter: locks,
//! semaphores and `timeout()` scopes (asyncio 3.11's `Timeout`, step for
//! step); and the loop callbacks `call_soon`, `call_later`, `call_at`.

use super::callbacks::{CallbackAction, LoopCallback, Timeout, TimeoutState};
use super::coro::NativeCoro;
use super::sync_ops::SyncWait;
use crate::runtime::error::{type_error, ErrorObj, ErrorRef};
use crate::runtime::handle::Handle;
use crate::runtime::handle::TimerAction;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use crate::scheduler::event_loop::secs_to_ns;
use std::rc::Rc;

/// What entering a `with` scope does.
pub enum Enter {
    /// Done at once (`__aenter__` returned without waiting).
    Value(Value),
    /// A wait, as `await lock.acquire()`.
    Wait(NativeCoro),
}

fn runtime_error(msg: impl Into<String>) -> ErrorRef {
    ErrorObj::new("RuntimeError", msg.into())
}

impl Interp {
    /// `__aenter__` of the scope object `scope`.
    pub fn with_enter(&mut self, scope: &Value) -> Result<Enter, ErrorRef> {
        match scope {
            Value::Lock(l) => Ok(Enter::Wait(NativeCoro::Sync(SyncWait::LockAcquire {
                l: l.clone(),
            }))),
            Value::Semaphore(s) => Ok(Enter::Wait(NativeCoro::Sync(SyncWait::SemAcquire {
                s: s.clone(),
            }))),
            Value::Condition(c) => Ok(Enter::Wait(NativeCoro::Sync(SyncWait::LockAcquire {
                l: c.lock.clone(),
            }))),
            Value::Timeout(t) => {
                self.timeout_enter(t)?;
                Ok(Enter::Value(scope.clone()))
            }
            Value::Object(o) if o.inner.is_scope() => Ok(Enter::Value(scope.clone())),
            other => Err(ErrorObj::with_help(
                "TypeError",
                format!("`{}` cannot be used in `with`", other.type_name()),
                "`with` takes a lock, a semaphore, a condition, a timeout(...) or a file",
            )),
        }
    }

    /// `__aexit__` of `scope`, given the error that ended the body (if
    /// any). `Err` replaces that error (a timeout turning its cancellation
    /// into `TimeoutError`); `Ok` lets it propagate unchanged.
    pub fn with_exit(&mut self, scope: &Value, error: Option<&ErrorRef>) -> Result<(), ErrorRef> {
        match scope {
            Value::Lock(_) | Value::Semaphore(_) | Value::Condition(_) => {
                self.sync_method(scope, "release", Vec::new())?;
                Ok(())
            }
            Value::Timeout(t) => self.timeout_exit(t, error),
            Value::Object(o) => o
                .inner
                .exit_scope(&mut crate::runtime::native::function::Ctx { interp: self }),
            _ => Ok(()),
        }
    }

    fn timeout_enter(&mut self, t: &Rc<Timeout>) -> Result<(), ErrorRef> {
        if t.state.get() != TimeoutState::Created {
            return Err(runtime_error("Timeout has already been entered"));
        }
        let Some(task) = self.current.clone() else {
            return Err(runtime_error("Timeout should be used inside a task"));
        };
        t.state.set(TimeoutState::Entered);
        t.cancelling.set(task.cancel_requests.get());
        *t.task.borrow_mut() = Some(task);
        self.timeout_reschedule(t, t.when.get())
    }

    /// `Timeout.reschedule`: a deadline in the past expires at the next
    /// loop iteration (`call_soon`), a later one at its time (`call_at`).
    pub fn timeout_reschedule(
        &mut self,
        t: &Rc<Timeout>,
        when: Option<u64>,
    ) -> Result<(), ErrorRef> {
        match t.state.get() {
            TimeoutState::Entered => {}
            TimeoutState::Created => return Err(runtime_error("Timeout has not been entered")),
            s => {
                return Err(runtime_error(format!(
                    "Cannot change state of {} Timeout",
                    s.name()
                )))
            }
        }
        t.when.set(when);
        if let Some(h) = t.handler.borrow_mut().take() {
            self.cancel_callback(&h);
        }
        if let Some(when) = when {
            let cb = LoopCallback::new(CallbackAction::Timeout(t.clone()));
            if when <= self.lp.clock.now_ns() {
                self.lp
                    .call_soon(Handle::Timer(TimerAction::Call(cb.clone())));
            } else {
                let id = self.lp.timers.add(when, TimerAction::Call(cb.clone()));
                *cb.timer.borrow_mut() = Some(id);
            }
            *t.handler.borrow_mut() = Some(cb);
        }
        Ok(())
    }

    fn timeout_exit(&mut self, t: &Rc<Timeout>, error: Option<&ErrorRef>) -> Result<(), ErrorRef> {
        if let Some(h) = t.handler.borrow_mut().take() {
            self.cancel_callback(&h);
        }
        match t.state.get() {
            TimeoutState::Expiring => {
                t.state.set(TimeoutState::Expired);
                let task = t.task.borrow().clone();
                if let Some(task) = task {
                    // `Task.uncancel()`.
                    let n = task.cancel_requests.get().saturating_sub(1);
                    task.cancel_requests.set(n);
                    if n <= t.cancelling.get() && error.is_some_and(|e| e.is_cancel()) {
                        return Err(ErrorObj::new("TimeoutError", "the timeout expired"));
                    }
                }
            }
            TimeoutState::Entered => t.state.set(TimeoutState::Exited),
            _ => {}
        }
        Ok(())
    }

    /// `Timeout._on_timeout`.
    fn timeout_expire(&mut self, t: &Rc<Timeout>) {
        let task = t.task.borrow().clone();
        if let Some(task) = task {
            self.cancel_task(&task, None);
        }
        t.state.set(TimeoutState::Expiring);
        t.handler.borrow_mut().take();
    }

    /// `handle.cancel()`.
    pub fn cancel_callback(&mut self, h: &Rc<LoopCallback>) {
        h.cancelled.set(true);
        if let Some(id) = h.timer.borrow_mut().take() {
            self.lp.timers.cancel(&id);
        }
    }

    /// A loop callback's turn (`Handle._run`).
    pub fn run_callback(&mut self, h: &Rc<LoopCallback>) {
        if h.cancelled.get() {
            return;
        }
        h.timer.borrow_mut().take();
        match &h.action {
            CallbackAction::Timeout(t) => self.timeout_expire(t),
            CallbackAction::AsCompletedTimeout(s) => self.as_completed_timeout(s),
            CallbackAction::Script(f, args) => {
                if let Err(e) = self.call_sync(f, args.clone()) {
                    self.report_loop_callback_error(&e);
                }
            }
        }
    }

    /// `call_soon(f, args...)`, `call_later(delay, ...)`, `call_at(when, ...)`:
    /// `at` is the due time in nanoseconds, `None` for the ready queue.
    pub fn schedule_callback(&mut self, at: Option<u64>, f: Value, args: Vec<Value>) -> Value {
        let cb = LoopCallback::new(CallbackAction::Script(f, args));
        match at {
            None => self
                .lp
                .call_soon(Handle::Timer(TimerAction::Call(cb.clone()))),
            Some(when) => {
                let id = self.lp.timers.add(when, TimerAction::Call(cb.clone()));
                *cb.timer.borrow_mut() = Some(id);
            }
        }
        Value::Handle(cb)
    }

    /// The methods of timeouts and callback handles.
    pub fn scope_method(
        &mut self,
        recv: &Value,
        m: &str,
        args: Vec<Value>,
    ) -> Result<Value, ErrorRef> {
        match (recv, m) {
            (Value::Timeout(t), "deadline") => Ok(t
                .when
                .get()
                .map_or(Value::Nil, |ns| Value::Float(ns as f64 / 1e9))),
            (Value::Timeout(t), "expired") => Ok(Value::Bool(matches!(
                t.state.get(),
                TimeoutState::Expiring | TimeoutState::Expired
            ))),
            (Value::Timeout(t), "reschedule") => {
                let when = deadline_arg("reschedule", &args[0])?;
                self.timeout_reschedule(t, when)?;
                Ok(Value::Nil)
            }
            (Value::Handle(h), "cancel") => {
                self.cancel_callback(h);
                Ok(Value::Nil)
            }
            (Value::Handle(h), "cancelled") => Ok(Value::Bool(h.cancelled.get())),
            _ => Err(ErrorObj::new(
                "AttributeError",
                format!("`{}` has no method `{m}`", recv.type_name()),
            )),
        }
    }
}

/// A deadline in seconds on the loop clock (as `now()` gives), or nil.
pub(crate) fn deadline_arg(f: &str, v: &Value) -> Result<Option<u64>, ErrorRef> {
    match v {
        Value::Nil => Ok(None),
        v => {
            let secs = secs_arg(f, v)?;
            if secs.is_nan() {
                return Err(crate::runtime::error::value_error(format!(
                    "{f}() needs a time, not nan"
                )));
            }
            Ok(Some(secs_to_ns(secs)))
        }
    }
}

/// A number argument (an int or a float), in the builtins' words.
pub(crate) fn num_arg(f: &str, v: &Value) -> Result<f64, ErrorRef> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(x) => Ok(*x),
        _ => Err(type_error(format!(
            "{f}() needs a number, not `{}`",
            v.type_name()
        ))),
    }
}

/// A delay or a deadline in seconds (`sleep`, timeouts, `call_later`,
/// `call_at`): a number, `inf` for never; a finite time that the clock's
/// nanoseconds cannot hold (past about 292 years) is an `OverflowError`
/// rather than a silent wake-up at the clock's end.
pub(crate) fn secs_arg(f: &str, v: &Value) -> Result<f64, ErrorRef> {
    let secs = num_arg(f, v)?;
    if secs.is_finite() && secs >= MAX_SECS {
        return Err(ErrorObj::with_help(
            "OverflowError",
            format!(
                "{f}(): {} seconds is too far ahead for the clock (at most about 292 years)",
                crate::runtime::values::value::format_float(secs)
            ),
            "to wait for ever, use `inf`",
        ));
    }
    Ok(secs)
}

/// 2**63 nanoseconds: the clock's end, in seconds.
pub(crate) const MAX_SECS: f64 = 9_223_372_036.0;
