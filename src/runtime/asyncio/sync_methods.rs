//! The methods a script calls on queue, event, lock, condition, barrier
//! and semaphore values, one function per type: what returns at once is
//! done here, what waits becomes a coroutine (`sync_ops.rs`,
//! `conditions.rs`).

use super::conditions::{BarrierOp, BarrierOpKind, CondWait, CondWaitFor, Pred};
use super::coro::coro_value;
use super::coro::NativeCoro;
use super::sync_ops::SyncWait;
use super::sync_state::{Barrier, BarrierState, Condition, Event, Lock, Queue, Semaphore};
use super::task::Task;
use crate::runtime::error::{overflow, type_error, value_error, ErrorObj, ErrorRef};
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::rc::Rc;

type R = Result<Value, ErrorRef>;

fn no_method(recv: &Value, m: &str) -> ErrorRef {
    ErrorObj::new(
        "AttributeError",
        format!("`{}` has no method `{m}`", recv.type_name()),
    )
}

impl Interp {
    /// A synchronisation primitive's method; the arguments are already
    /// bound (`methods::call`). The functions by type borrow the arguments
    /// and are inlined here: with the `Vec` moved into each (dropped apart)
    /// and an `Option` back, W3 (`queue_pingpong`) ran 2.7 % more
    /// instructions than the one long function did; this way, 0.9 %.
    pub fn sync_method(&mut self, recv: &Value, m: &str, mut args: Vec<Value>) -> R {
        match recv {
            Value::Queue(q) => self.queue_method(recv, q, m, &mut args),
            Value::Event(e) => self.event_method(recv, e, m),
            Value::Lock(l) => self.lock_method(recv, l, m),
            Value::Condition(c) => self.condition_method(recv, c, m, &mut args),
            Value::Barrier(b) => barrier_method(recv, b, m),
            Value::Semaphore(s) => self.semaphore_method(recv, s, m),
            _ => Err(no_method(recv, m)),
        }
    }

    /// A queue's method (`recv` is the queue, for the error naming it).
    #[inline(always)]
    fn queue_method(&mut self, recv: &Value, q: &Rc<Queue>, m: &str, args: &mut Vec<Value>) -> R {
        match m {
            "put" => {
                let item = args.pop();
                Ok(coro_value(
                    "put",
                    NativeCoro::Sync(SyncWait::QueuePut { q: q.clone(), item }),
                ))
            }
            "get" => Ok(coro_value(
                "get",
                NativeCoro::Sync(SyncWait::QueueGet { q: q.clone() }),
            )),
            "put_nowait" => self
                .queue_put_nowait(q, args.pop().expect("arg"))
                .map(|()| Value::Nil),
            "get_nowait" => self.queue_get_nowait(q),
            "size" | "len" => Ok(Value::Int(q.size() as i64)),
            "empty" => Ok(Value::Bool(q.size() == 0)),
            "full" => Ok(Value::Bool(q.full())),
            "task_done" => self.task_done(q),
            "join" => Ok(coro_value(
                "join",
                NativeCoro::Sync(SyncWait::QueueJoin {
                    e: q.finished.clone(),
                }),
            )),
            "close" => {
                q.closed.set(true);
                // Every waiter re-checks: getters find the queue closed, putters throw.
                let waiters: Vec<Rc<Task>> = q
                    .getters
                    .borrow_mut()
                    .drain(..)
                    .chain(q.putters.borrow_mut().drain(..))
                    .collect();
                for w in waiters {
                    self.wake(&w, Value::Nil);
                }
                Ok(Value::Nil)
            }
            _ => Err(no_method(recv, m)),
        }
    }

    fn task_done(&mut self, q: &Queue) -> R {
        let n = q.unfinished.get();
        if n == 0 {
            return Err(value_error("task_done() called too many times"));
        }
        q.unfinished.set(n - 1);
        if n == 1 {
            self.event_set(&q.finished);
        }
        Ok(Value::Nil)
    }

    #[inline(always)]
    fn event_method(&mut self, recv: &Value, e: &Rc<Event>, m: &str) -> R {
        match m {
            "set" => {
                self.event_set(e);
                Ok(Value::Nil)
            }
            "clear" => {
                e.flag.set(false);
                Ok(Value::Nil)
            }
            "is_set" => Ok(Value::Bool(e.flag.get())),
            "wait" => Ok(coro_value(
                "wait",
                NativeCoro::Sync(SyncWait::EventWait { e: e.clone() }),
            )),
            _ => Err(no_method(recv, m)),
        }
    }

    /// A lock's method (a condition's lock answers the same).
    #[inline(always)]
    fn lock_method(&mut self, recv: &Value, l: &Rc<Lock>, m: &str) -> R {
        match m {
            "acquire" => Ok(coro_value(
                "acquire",
                NativeCoro::Sync(SyncWait::LockAcquire { l: l.clone() }),
            )),
            "release" => self.checked_release(l).map(|()| Value::Nil),
            "locked" => Ok(Value::Bool(l.held.get())),
            _ => Err(no_method(recv, m)),
        }
    }

    #[inline(always)]
    fn condition_method(
        &mut self,
        recv: &Value,
        c: &Rc<Condition>,
        m: &str,
        args: &mut Vec<Value>,
    ) -> R {
        match m {
            "acquire" | "release" | "locked" => self.lock_method(recv, &c.lock, m),
            "wait" => Ok(coro_value(
                "wait",
                NativeCoro::CondWait(Box::new(CondWait::new(c.clone()))),
            )),
            "wait_for" => Ok(coro_value(
                "wait_for",
                NativeCoro::CondWaitFor(Box::new(CondWaitFor::new(
                    c.clone(),
                    Pred::Script(args.swap_remove(0)),
                ))),
            )),
            "notify" | "notify_all" => self.notify(c, m, args.first()),
            _ => Err(no_method(recv, m)),
        }
    }

    /// `c.notify(n)` (one waiter when `n` is left out), `c.notify_all()`.
    fn notify(&mut self, c: &Condition, m: &str, n: Option<&Value>) -> R {
        if !c.lock.held.get() {
            return Err(ErrorObj::new(
                "RuntimeError",
                "cannot notify on un-acquired lock",
            ));
        }
        let n = match (m, n) {
            ("notify", Some(v)) => match v {
                Value::Int(n) => (*n).max(0) as usize,
                other => {
                    return Err(type_error(format!(
                        "notify() needs an int, not `{}`",
                        other.type_name()
                    )))
                }
            },
            ("notify", None) => 1,
            _ => usize::MAX,
        };
        self.cond_notify(c, n);
        Ok(Value::Nil)
    }

    #[inline(always)]
    fn semaphore_method(&mut self, recv: &Value, s: &Rc<Semaphore>, m: &str) -> R {
        match m {
            "acquire" => Ok(coro_value(
                "acquire",
                NativeCoro::Sync(SyncWait::SemAcquire { s: s.clone() }),
            )),
            "release" => {
                if s.bound.is_some_and(|b| s.count.get() >= b) {
                    return Err(value_error("bounded_semaphore released too many times"));
                }
                match s.count.get().checked_add(1) {
                    Some(n) => {
                        s.count.set(n);
                        self.sem_wake_next(s);
                        Ok(Value::Nil)
                    }
                    None => Err(overflow()),
                }
            }
            "locked" => Ok(Value::Bool(Self::sem_locked(s))),
            "value" => Ok(Value::Int(s.count.get())),
            _ => Err(no_method(recv, m)),
        }
    }
}

#[inline(always)]
fn barrier_method(recv: &Value, b: &Rc<Barrier>, m: &str) -> R {
    match m {
        "wait" | "reset" | "abort" => {
            let (name, kind) = match m {
                "wait" => ("wait", BarrierOpKind::Wait),
                "reset" => ("reset", BarrierOpKind::Reset),
                _ => ("abort", BarrierOpKind::Abort),
            };
            Ok(coro_value(
                name,
                NativeCoro::Barrier(Box::new(BarrierOp::new(b.clone(), kind))),
            ))
        }
        "parties" => Ok(Value::Int(b.parties)),
        "n_waiting" => Ok(Value::Int(b.n_waiting())),
        "broken" => Ok(Value::Bool(b.state.get() == BarrierState::Broken)),
        _ => Err(no_method(recv, m)),
    }
}
