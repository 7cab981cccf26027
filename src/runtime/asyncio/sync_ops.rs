//! Queue, event, lock and semaphore: the waits their coroutines run and
//! the steps their methods share (`sync_methods.rs`), following CPython
//! 3.11's asyncio implementations (waiter order and wake-up rules included).

use super::coro::NativeStep;
use super::sync_state::{
    waiter_cancelled, waiter_done, Event, Lock, Queue, QueueKind, Semaphore, Waiters,
};
use super::task::{Park, Task};
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::handle::{Handle, Input};
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::collections::VecDeque;
use std::rc::Rc;

/// A wait on a primitive. Once the task has parked on the primitive's
/// waiter list (its `park` state is no longer `No`), the next step is its
/// wake-up or the error thrown into it, which runs the clean-up asyncio's
/// coroutines run after `await fut`.
pub enum SyncWait {
    QueueGet {
        q: Rc<Queue>,
    },
    QueuePut {
        q: Rc<Queue>,
        item: Option<Value>,
    },
    EventWait {
        e: Rc<Event>,
    },
    /// `q.join()`: a wait on the queue's `finished` event, returning nil.
    QueueJoin {
        e: Rc<Event>,
    },
    LockAcquire {
        l: Rc<Lock>,
    },
    SemAcquire {
        s: Rc<Semaphore>,
    },
}

fn closed_error() -> ErrorRef {
    ErrorObj::new("QueueClosed", "the queue is closed")
}

pub(in crate::runtime) fn remove_waiter(list: &Waiters, w: &Rc<Task>) {
    let mut list = list.borrow_mut();
    if let Some(i) = list.iter().position(|x| Rc::ptr_eq(x, w)) {
        list.remove(i);
    }
}

impl Interp {
    /// Parks `task` (the running one) on `list` (asyncio: a new waiter
    /// future, appended, then awaited).
    pub(in crate::runtime) fn park(&mut self, task: &Rc<Task>, list: &Waiters) -> NativeStep {
        task.park.set(Park::Waiting);
        list.borrow_mut().push_back(task.clone());
        NativeStep::Park
    }

    /// `fut.set_result(v)` on a parked waiter.
    pub(in crate::runtime) fn wake(&mut self, t: &Rc<Task>, v: Value) {
        if t.park.get() == Park::Waiting {
            t.park.set(Park::Woken);
            if self.tracer.is_some() {
                self.trace_woken(t);
            }
            self.lp.call_soon(Handle::Wake(t.clone(), Input::Value(v)));
        }
    }

    /// `fut.cancel(msg)` on a parked waiter: `false` if it was not pending.
    pub fn cancel_park(&mut self, t: &Rc<Task>, msg: Option<Rc<str>>) -> bool {
        if t.park.get() != Park::Waiting {
            return false;
        }
        t.park.set(Park::Cancelled);
        if self.tracer.is_some() {
            self.trace_woken(t);
        }
        self.lp.call_soon(Handle::Wake(
            t.clone(),
            Input::Throw(crate::runtime::error::cancelled(msg)),
        ));
        true
    }

    /// Wakes the first waiter that is not done yet (`_wakeup_next`).
    fn wakeup_next(&mut self, waiters: &Waiters) {
        loop {
            let next = waiters.borrow_mut().pop_front();
            match next {
                Some(w) if !waiter_done(&w) => {
                    self.wake(&w, Value::Nil);
                    break;
                }
                Some(_) => continue,
                None => break,
            }
        }
    }

    pub(super) fn queue_put_nowait(&mut self, q: &Rc<Queue>, item: Value) -> Result<(), ErrorRef> {
        if q.closed.get() {
            return Err(closed_error());
        }
        if q.full() {
            return Err(ErrorObj::new("QueueFull", "the queue is full"));
        }
        push_item(q, item)?;
        q.unfinished.set(q.unfinished.get() + 1);
        q.finished.flag.set(false);
        self.wakeup_next(&q.getters);
        Ok(())
    }

    pub(super) fn queue_get_nowait(&mut self, q: &Rc<Queue>) -> Result<Value, ErrorRef> {
        let item = take_item(q)?;
        match item {
            Some(v) => {
                self.wakeup_next(&q.putters);
                Ok(v)
            }
            None if q.closed.get() => Err(closed_error()),
            None => Err(ErrorObj::new("QueueEmpty", "the queue is empty")),
        }
    }

    fn wake_first(&mut self, waiters: &Waiters) {
        let first = waiters.borrow().front().cloned();
        if let Some(w) = first {
            self.wake(&w, Value::Bool(true));
        }
    }

    pub(super) fn sem_wake_next(&mut self, s: &Rc<Semaphore>) {
        let next = s.waiters.borrow().iter().find(|w| !waiter_done(w)).cloned();
        if let Some(w) = next {
            s.count.set(s.count.get() - 1);
            self.wake(&w, Value::Bool(true));
        }
    }

    /// `Lock.release` (a `RuntimeError` when not locked).
    pub(in crate::runtime) fn checked_release(&mut self, l: &Lock) -> Result<(), ErrorRef> {
        if !l.held.get() {
            return Err(ErrorObj::with_help(
                "RuntimeError",
                "release of a lock that is not acquired",
                "call `release()` once per `await l.acquire()`",
            ));
        }
        self.lock_release(l);
        Ok(())
    }

    /// Releases a held lock and wakes its first waiter.
    pub(in crate::runtime) fn lock_release(&mut self, l: &Lock) {
        l.held.set(false);
        self.wake_first(&l.waiters);
    }

    /// `Event.set`: every waiter not yet woken is woken, in order.
    pub(super) fn event_set(&mut self, e: &Rc<Event>) {
        if !e.flag.get() {
            e.flag.set(true);
            let waiters: Vec<Rc<Task>> = e.waiters.borrow().iter().cloned().collect();
            for w in waiters {
                self.wake(&w, Value::Bool(true));
            }
        }
    }

    pub(super) fn sem_locked(s: &Semaphore) -> bool {
        s.count.get() == 0 || s.waiters.borrow().iter().any(|w| !waiter_cancelled(w))
    }
}

/// `Event.wait` (returning `done` once set), also `Queue.join`'s wait.
fn event_wait(
    it: &mut Interp,
    w: &Rc<Task>,
    e: &Rc<Event>,
    input: Input,
    done: Value,
) -> NativeStep {
    let state = w.park.replace(Park::No);
    if state == Park::No {
        if e.flag.get() {
            return NativeStep::Return(done);
        }
        return it.park(w, &e.waiters);
    }
    remove_waiter(&e.waiters, w);
    match input {
        Input::Throw(err) => NativeStep::Throw(err),
        _ => NativeStep::Return(done),
    }
}

/// `_put`: appends (FIFO, LIFO) or pushes onto the heap (`heapq.heappush`).
fn push_item(q: &Queue, item: Value) -> Result<(), ErrorRef> {
    let mut items = q.items.borrow_mut();
    items.push_back(item);
    if q.kind == QueueKind::Priority {
        let last = items.len() - 1;
        heap_sift_down(&mut items, 0, last)?;
    }
    Ok(())
}

/// `_get`: the oldest (FIFO), newest (LIFO) or smallest (`heapq.heappop`)
/// item. `Ok(None)` when empty.
fn take_item(q: &Queue) -> Result<Option<Value>, ErrorRef> {
    let mut items = q.items.borrow_mut();
    match q.kind {
        QueueKind::Fifo => Ok(items.pop_front()),
        QueueKind::Lifo => Ok(items.pop_back()),
        QueueKind::Priority => {
            let Some(last) = items.pop_back() else {
                return Ok(None);
            };
            if items.is_empty() {
                return Ok(Some(last));
            }
            let top = std::mem::replace(&mut items[0], last);
            heap_sift_up(&mut items, 0)?;
            Ok(Some(top))
        }
    }
}

fn less(a: &Value, b: &Value) -> Result<bool, ErrorRef> {
    Ok(crate::runtime::values::ops::compare(a, b, "<")?.is_lt())
}

/// `heapq._siftdown`: moves the item at `pos` up towards `start`.
fn heap_sift_down(h: &mut VecDeque<Value>, start: usize, mut pos: usize) -> Result<(), ErrorRef> {
    let item = h[pos].clone();
    while pos > start {
        let parent = (pos - 1) >> 1;
        if less(&item, &h[parent])? {
            h[pos] = h[parent].clone();
            pos = parent;
            continue;
        }
        break;
    }
    h[pos] = item;
    Ok(())
}

/// `heapq._siftup`: sinks the item at `pos` to a leaf along the smaller
/// children, then sifts it back up (the exact comparisons CPython makes,
/// so equal priorities come out in CPython's order).
fn heap_sift_up(h: &mut VecDeque<Value>, mut pos: usize) -> Result<(), ErrorRef> {
    let end = h.len();
    let start = pos;
    let item = h[pos].clone();
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !less(&h[child], &h[right])? {
            child = right;
        }
        h[pos] = h[child].clone();
        pos = child;
        child = 2 * pos + 1;
    }
    h[pos] = item;
    heap_sift_down(h, start, pos)
}

impl SyncWait {
    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        // The running task is the waiter. Waits only run in tasks (a plain
        // callback cannot await), so this is a guard, not a path.
        let Some(w) = it.current.clone() else {
            return NativeStep::Throw(ErrorObj::new(
                "RuntimeError",
                "a lock, event, semaphore or queue wait needs a task",
            ));
        };
        match self {
            SyncWait::QueueGet { q } => {
                let state = w.park.replace(Park::No);
                if state != Park::No {
                    // A woken getter was already taken off the list.
                    if let Input::Throw(e) = input {
                        remove_waiter(&q.getters, &w);
                        // `getter.cancel()` leaves a woken getter woken.
                        if q.size() > 0 && state == Park::Woken {
                            it.wakeup_next(&q.getters);
                        }
                        return NativeStep::Throw(e);
                    }
                }
                if q.size() == 0 {
                    if q.closed.get() {
                        return NativeStep::Throw(closed_error());
                    }
                    return it.park(&w, &q.getters);
                }
                match it.queue_get_nowait(q) {
                    Ok(v) => NativeStep::Return(v),
                    Err(e) => NativeStep::Throw(e),
                }
            }
            SyncWait::QueuePut { q, item } => {
                let state = w.park.replace(Park::No);
                if state != Park::No {
                    if let Input::Throw(e) = input {
                        remove_waiter(&q.putters, &w);
                        if !q.full() && state == Park::Woken {
                            it.wakeup_next(&q.putters);
                        }
                        return NativeStep::Throw(e);
                    }
                }
                if q.closed.get() {
                    return NativeStep::Throw(closed_error());
                }
                if q.full() {
                    return it.park(&w, &q.putters);
                }
                match it.queue_put_nowait(q, item.take().unwrap_or(Value::Nil)) {
                    Ok(()) => NativeStep::Return(Value::Nil),
                    Err(e) => NativeStep::Throw(e),
                }
            }
            SyncWait::EventWait { e } => event_wait(it, &w, e, input, Value::Bool(true)),
            SyncWait::QueueJoin { e } => event_wait(it, &w, e, input, Value::Nil),
            SyncWait::LockAcquire { l } => {
                let state = w.park.replace(Park::No);
                if state == Park::No {
                    if !l.held.get() && l.waiters.borrow().iter().all(|w| waiter_cancelled(w)) {
                        l.held.set(true);
                        *l.holder.borrow_mut() = Rc::downgrade(&w);
                        return NativeStep::Return(Value::Bool(true));
                    }
                    return it.park(&w, &l.waiters);
                }
                remove_waiter(&l.waiters, &w);
                match input {
                    Input::Throw(err) => {
                        if err.is_cancel() && !l.held.get() {
                            it.wake_first(&l.waiters);
                        }
                        NativeStep::Throw(err)
                    }
                    _ => {
                        l.held.set(true);
                        *l.holder.borrow_mut() = Rc::downgrade(&w);
                        NativeStep::Return(Value::Bool(true))
                    }
                }
            }
            SyncWait::SemAcquire { s } => {
                let state = w.park.replace(Park::No);
                if state == Park::No {
                    if !Interp::sem_locked(s) {
                        s.count.set(s.count.get() - 1);
                        return NativeStep::Return(Value::Bool(true));
                    }
                    return it.park(&w, &s.waiters);
                }
                remove_waiter(&s.waiters, &w);
                match input {
                    Input::Throw(err) => {
                        if err.is_cancel() && state != Park::Cancelled {
                            // Gives back the unit a release handed over:
                            // below the value it had, so no overflow.
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
        }
    }
}
