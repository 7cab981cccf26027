//! The methods of queue, event, lock and semaphore, following CPython
//! 3.11's asyncio implementations (waiter order and wake-up rules included).

use super::builtins::native_coro;
use super::error::{type_error, ErrorObj, ErrorRef};
use super::interp::Interp;
use super::native::{NativeCoro, NativeStep};
use super::value::Value;
use crate::scheduler::event_loop::Input;
use crate::scheduler::future::{Awaitable, FutKind, Future};
use crate::scheduler::sync::{Event, Lock, Queue, Semaphore};
use std::collections::VecDeque;
use std::rc::Rc;

pub enum SyncWait {
    QueueGet {
        q: Rc<Queue>,
        waiter: Option<Rc<Future>>,
    },
    QueuePut {
        q: Rc<Queue>,
        item: Option<Value>,
        waiter: Option<Rc<Future>>,
    },
    EventWait {
        e: Rc<Event>,
        waiter: Option<Rc<Future>>,
    },
    LockAcquire {
        l: Rc<Lock>,
        waiter: Option<Rc<Future>>,
    },
    SemAcquire {
        s: Rc<Semaphore>,
        waiter: Option<Rc<Future>>,
    },
}

fn closed_error() -> ErrorRef {
    ErrorObj::new("QueueClosed", "the queue is closed")
}

fn remove_waiter(list: &mut VecDeque<Rc<Future>>, w: &Rc<Future>) {
    if let Some(i) = list.iter().position(|x| Rc::ptr_eq(x, w)) {
        list.remove(i);
    }
}

fn is_cancelled(f: &Rc<Future>) -> bool {
    matches!(
        f.core.borrow().state(),
        crate::scheduler::future::FutState::Cancelled(_)
    )
}

impl Interp {
    /// Wakes the first waiter that is not done yet (`_wakeup_next`).
    fn wakeup_next(&mut self, waiters: &std::cell::RefCell<VecDeque<Rc<Future>>>) {
        loop {
            let next = waiters.borrow_mut().pop_front();
            match next {
                Some(w) if !w.core.borrow().is_done() => {
                    self.set_future_result(&w, Value::Nil);
                    break;
                }
                Some(_) => continue,
                None => break,
            }
        }
    }

    fn queue_put_nowait(&mut self, q: &Rc<Queue>, item: Value) -> Result<(), ErrorRef> {
        if q.closed.get() {
            return Err(closed_error());
        }
        if q.full() {
            return Err(ErrorObj::new("QueueFull", "the queue is full"));
        }
        q.items.borrow_mut().push_back(item);
        self.wakeup_next(&q.getters);
        Ok(())
    }

    fn queue_get_nowait(&mut self, q: &Rc<Queue>) -> Result<Value, ErrorRef> {
        let item = q.items.borrow_mut().pop_front();
        match item {
            Some(v) => {
                self.wakeup_next(&q.putters);
                Ok(v)
            }
            None if q.closed.get() => Err(closed_error()),
            None => Err(ErrorObj::new("QueueEmpty", "the queue is empty")),
        }
    }

    fn wake_first(&mut self, waiters: &std::cell::RefCell<VecDeque<Rc<Future>>>) {
        let first = waiters.borrow().front().cloned();
        if let Some(f) = first {
            if !f.core.borrow().is_done() {
                self.set_future_result(&f, Value::Bool(true));
            }
        }
    }

    fn sem_wake_next(&mut self, s: &Rc<Semaphore>) {
        let next = s
            .waiters
            .borrow()
            .iter()
            .find(|f| !f.core.borrow().is_done())
            .cloned();
        if let Some(f) = next {
            s.count.set(s.count.get() - 1);
            self.set_future_result(&f, Value::Bool(true));
        }
    }

    fn sem_locked(s: &Semaphore) -> bool {
        s.count.get() == 0 || s.waiters.borrow().iter().any(|w| !is_cancelled(w))
    }

    pub fn sync_method(
        &mut self,
        recv: &Value,
        m: &str,
        mut args: Vec<Value>,
    ) -> Result<Value, ErrorRef> {
        let want = |n: usize| -> Result<(), ErrorRef> {
            if args.len() != n {
                return Err(type_error(format!(
                    "{}.{m}() takes {n} argument{} but {} were given",
                    recv.type_name(),
                    if n == 1 { "" } else { "s" },
                    args.len()
                )));
            }
            Ok(())
        };
        let no_method = || {
            ErrorObj::new(
                "AttributeError",
                format!("`{}` has no method `{m}`", recv.type_name()),
            )
        };
        match recv {
            Value::Queue(q) => match m {
                "put" => {
                    want(1)?;
                    let item = args.pop();
                    Ok(native_coro(
                        self,
                        "put",
                        NativeCoro::Sync(SyncWait::QueuePut {
                            q: q.clone(),
                            item,
                            waiter: None,
                        }),
                    ))
                }
                "get" => {
                    want(0)?;
                    Ok(native_coro(
                        self,
                        "get",
                        NativeCoro::Sync(SyncWait::QueueGet {
                            q: q.clone(),
                            waiter: None,
                        }),
                    ))
                }
                "put_nowait" => {
                    want(1)?;
                    self.queue_put_nowait(q, args.pop().expect("arg"))?;
                    Ok(Value::Nil)
                }
                "get_nowait" => {
                    want(0)?;
                    self.queue_get_nowait(q)
                }
                "size" | "len" => {
                    want(0)?;
                    Ok(Value::Int(q.size() as i64))
                }
                "empty" => {
                    want(0)?;
                    Ok(Value::Bool(q.size() == 0))
                }
                "full" => {
                    want(0)?;
                    Ok(Value::Bool(q.full()))
                }
                "close" => {
                    want(0)?;
                    q.closed.set(true);
                    // Every waiter re-checks: getters find the queue closed, putters throw.
                    let waiters: Vec<Rc<Future>> = q
                        .getters
                        .borrow_mut()
                        .drain(..)
                        .chain(q.putters.borrow_mut().drain(..))
                        .collect();
                    for w in waiters {
                        if !w.core.borrow().is_done() {
                            self.set_future_result(&w, Value::Nil);
                        }
                    }
                    Ok(Value::Nil)
                }
                _ => Err(no_method()),
            },
            Value::Event(e) => match m {
                "set" => {
                    want(0)?;
                    if !e.flag.get() {
                        e.flag.set(true);
                        let waiters: Vec<Rc<Future>> = e.waiters.borrow().iter().cloned().collect();
                        for w in waiters {
                            if !w.core.borrow().is_done() {
                                self.set_future_result(&w, Value::Bool(true));
                            }
                        }
                    }
                    Ok(Value::Nil)
                }
                "clear" => {
                    want(0)?;
                    e.flag.set(false);
                    Ok(Value::Nil)
                }
                "is_set" => {
                    want(0)?;
                    Ok(Value::Bool(e.flag.get()))
                }
                "wait" => {
                    want(0)?;
                    Ok(native_coro(
                        self,
                        "wait",
                        NativeCoro::Sync(SyncWait::EventWait {
                            e: e.clone(),
                            waiter: None,
                        }),
                    ))
                }
                _ => Err(no_method()),
            },
            Value::Lock(l) => match m {
                "acquire" => {
                    want(0)?;
                    Ok(native_coro(
                        self,
                        "acquire",
                        NativeCoro::Sync(SyncWait::LockAcquire {
                            l: l.clone(),
                            waiter: None,
                        }),
                    ))
                }
                "release" => {
                    want(0)?;
                    if !l.held.get() {
                        return Err(ErrorObj::with_help(
                            "RuntimeError",
                            "release of a lock that is not acquired",
                            "call `release()` once per `await l.acquire()`",
                        ));
                    }
                    l.held.set(false);
                    self.wake_first(&l.waiters);
                    Ok(Value::Nil)
                }
                "locked" => {
                    want(0)?;
                    Ok(Value::Bool(l.held.get()))
                }
                _ => Err(no_method()),
            },
            Value::Semaphore(s) => match m {
                "acquire" => {
                    want(0)?;
                    Ok(native_coro(
                        self,
                        "acquire",
                        NativeCoro::Sync(SyncWait::SemAcquire {
                            s: s.clone(),
                            waiter: None,
                        }),
                    ))
                }
                "release" => {
                    want(0)?;
                    s.count.set(s.count.get() + 1);
                    self.sem_wake_next(s);
                    Ok(Value::Nil)
                }
                "locked" => {
                    want(0)?;
                    Ok(Value::Bool(Self::sem_locked(s)))
                }
                "value" => {
                    want(0)?;
                    Ok(Value::Int(s.count.get()))
                }
                _ => Err(no_method()),
            },
            _ => Err(no_method()),
        }
    }
}

impl SyncWait {
    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        match self {
            SyncWait::QueueGet { q, waiter } => {
                if let Some(w) = waiter.take() {
                    if let Input::Throw(e) = input {
                        it.cancel_future(&w, None);
                        remove_waiter(&mut q.getters.borrow_mut(), &w);
                        if q.size() > 0 && !is_cancelled(&w) {
                            it.wakeup_next(&q.getters);
                        }
                        return NativeStep::Throw(e);
                    }
                }
                if q.size() == 0 {
                    if q.closed.get() {
                        return NativeStep::Throw(closed_error());
                    }
                    let w = Future::new(FutKind::Plain);
                    q.getters.borrow_mut().push_back(w.clone());
                    *waiter = Some(w.clone());
                    return NativeStep::Await(Awaitable::Future(w));
                }
                match it.queue_get_nowait(q) {
                    Ok(v) => NativeStep::Return(v),
                    Err(e) => NativeStep::Throw(e),
                }
            }
            SyncWait::QueuePut { q, item, waiter } => {
                if let Some(w) = waiter.take() {
                    if let Input::Throw(e) = input {
                        it.cancel_future(&w, None);
                        remove_waiter(&mut q.putters.borrow_mut(), &w);
                        if !q.full() && !is_cancelled(&w) {
                            it.wakeup_next(&q.putters);
                        }
                        return NativeStep::Throw(e);
                    }
                }
                if q.closed.get() {
                    return NativeStep::Throw(closed_error());
                }
                if q.full() {
                    let w = Future::new(FutKind::Plain);
                    q.putters.borrow_mut().push_back(w.clone());
                    *waiter = Some(w.clone());
                    return NativeStep::Await(Awaitable::Future(w));
                }
                match it.queue_put_nowait(q, item.take().unwrap_or(Value::Nil)) {
                    Ok(()) => NativeStep::Return(Value::Nil),
                    Err(e) => NativeStep::Throw(e),
                }
            }
            SyncWait::EventWait { e, waiter } => match waiter.take() {
                None => {
                    if e.flag.get() {
                        return NativeStep::Return(Value::Bool(true));
                    }
                    let w = Future::new(FutKind::Plain);
                    e.waiters.borrow_mut().push_back(w.clone());
                    *waiter = Some(w.clone());
                    NativeStep::Await(Awaitable::Future(w))
                }
                Some(w) => {
                    remove_waiter(&mut e.waiters.borrow_mut(), &w);
                    match input {
                        Input::Throw(err) => NativeStep::Throw(err),
                        _ => NativeStep::Return(Value::Bool(true)),
                    }
                }
            },
            SyncWait::LockAcquire { l, waiter } => match waiter.take() {
                None => {
                    if !l.held.get() && l.waiters.borrow().iter().all(is_cancelled) {
                        l.held.set(true);
                        return NativeStep::Return(Value::Bool(true));
                    }
                    let w = Future::new(FutKind::Plain);
                    l.waiters.borrow_mut().push_back(w.clone());
                    *waiter = Some(w.clone());
                    NativeStep::Await(Awaitable::Future(w))
                }
                Some(w) => {
                    remove_waiter(&mut l.waiters.borrow_mut(), &w);
                    match input {
                        Input::Throw(err) => {
                            if err.is_cancel() && !l.held.get() {
                                it.wake_first(&l.waiters);
                            }
                            NativeStep::Throw(err)
                        }
                        _ => {
                            l.held.set(true);
                            NativeStep::Return(Value::Bool(true))
                        }
                    }
                }
            },
            SyncWait::SemAcquire { s, waiter } => match waiter.take() {
                None => {
                    if !Interp::sem_locked(s) {
                        s.count.set(s.count.get() - 1);
                        return NativeStep::Return(Value::Bool(true));
                    }
                    let w = Future::new(FutKind::Plain);
                    s.waiters.borrow_mut().push_back(w.clone());
                    *waiter = Some(w.clone());
                    NativeStep::Await(Awaitable::Future(w))
                }
                Some(w) => {
                    remove_waiter(&mut s.waiters.borrow_mut(), &w);
                    match input {
                        Input::Throw(err) => {
                            if err.is_cancel() && !is_cancelled(&w) {
                                s.count.set(s.count.get() + 1);
                                it.sem_wake_next(s);
                            }
                            NativeStep::Throw(err)
                        }
                        _ => {
                            if s.count.get() > 0 {
                                it.sem_wake_next(s);
                            }
                            NativeStep::Return(Value::Bool(true))
                        }
                    }
                }
            },
        }
    }
}
