//! Synchronisation primitives with asyncio's semantics, waiter order
//! included. Each keeps FIFO lists of parked tasks (see [`Park`]).

use super::task::{Park, Task};
use crate::runtime::values::value::Value;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Tasks parked on a primitive, in arrival order.
pub(crate) type Waiters = RefCell<VecDeque<Rc<Task>>>;

/// Whether a parked waiter is no longer pending (asyncio's `fut.done()`).
pub(crate) fn waiter_done(t: &Task) -> bool {
    t.park.get() != Park::Waiting
}

/// Whether a waiter's wait was cancelled (`fut.cancelled()`).
pub(crate) fn waiter_cancelled(t: &Task) -> bool {
    t.park.get() == Park::Cancelled
}

/// Which end `get` takes from: asyncio's `Queue`, `LifoQueue` and
/// `PriorityQueue` (a binary heap kept by `heapq`'s algorithm).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    Fifo,
    Lifo,
    Priority,
}

/// `queue(maxsize)`: asyncio.Queue, plus `close()`.
pub struct Queue {
    pub items: RefCell<VecDeque<Value>>,
    pub maxsize: usize,
    pub kind: QueueKind,
    pub getters: Waiters,
    pub putters: Waiters,
    pub closed: Cell<bool>,
    /// Items put and not yet marked done by `task_done()`.
    pub unfinished: Cell<u64>,
    /// Set while `unfinished` is 0: what `join()` waits on.
    pub finished: Rc<Event>,
}

impl Queue {
    pub fn new(maxsize: usize, kind: QueueKind) -> Rc<Queue> {
        let finished = Event::new();
        finished.flag.set(true);
        Rc::new(Queue {
            items: RefCell::new(VecDeque::new()),
            maxsize,
            kind,
            getters: RefCell::new(VecDeque::new()),
            putters: RefCell::new(VecDeque::new()),
            closed: Cell::new(false),
            unfinished: Cell::new(0),
            finished,
        })
    }
    pub fn size(&self) -> usize {
        self.items.borrow().len()
    }
    pub fn full(&self) -> bool {
        self.maxsize > 0 && self.size() >= self.maxsize
    }
}

/// `event()`: asyncio.Event.
pub struct Event {
    pub flag: Cell<bool>,
    pub waiters: Waiters,
}

impl Event {
    pub fn new() -> Rc<Event> {
        Rc::new(Event {
            flag: Cell::new(false),
            waiters: RefCell::new(VecDeque::new()),
        })
    }
    pub fn is_set(&self) -> bool {
        self.flag.get()
    }
}

/// `lock()`: asyncio.Lock, FIFO-fair.
pub struct Lock {
    pub held: Cell<bool>,
    /// The task that took it last (meaningful while `held`): who a task
    /// waiting for the lock waits for, in the deadlock report and `tasks ps`.
    pub holder: RefCell<std::rc::Weak<Task>>,
    pub waiters: Waiters,
}

impl Lock {
    pub fn new() -> Rc<Lock> {
        Rc::new(Lock {
            held: Cell::new(false),
            holder: RefCell::new(std::rc::Weak::new()),
            waiters: RefCell::new(VecDeque::new()),
        })
    }
    pub fn locked(&self) -> bool {
        self.held.get()
    }
}

/// `condition(lock = nil)`: asyncio.Condition over a lock (its own if none given).
pub struct Condition {
    pub lock: Rc<Lock>,
    pub waiters: Waiters,
}

impl Condition {
    pub fn new(lock: Rc<Lock>) -> Rc<Condition> {
        Rc::new(Condition {
            lock,
            waiters: RefCell::new(VecDeque::new()),
        })
    }
}

/// asyncio's `_BarrierState`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BarrierState {
    Filling,
    Draining,
    Resetting,
    Broken,
}

impl BarrierState {
    pub fn name(self) -> &'static str {
        match self {
            BarrierState::Filling => "filling",
            BarrierState::Draining => "draining",
            BarrierState::Resetting => "resetting",
            BarrierState::Broken => "broken",
        }
    }
}

/// `barrier(n)`: asyncio.Barrier, built on its own condition.
pub struct Barrier {
    pub cond: Rc<Condition>,
    pub parties: i64,
    pub state: Cell<BarrierState>,
    pub count: Cell<i64>,
}

impl Barrier {
    pub fn new(parties: i64) -> Rc<Barrier> {
        Rc::new(Barrier {
            cond: Condition::new(Lock::new()),
            parties,
            state: Cell::new(BarrierState::Filling),
            count: Cell::new(0),
        })
    }
    pub fn n_waiting(&self) -> i64 {
        if self.state.get() == BarrierState::Filling {
            self.count.get()
        } else {
            0
        }
    }
}

/// `semaphore(n)`: asyncio.Semaphore; `bounded_semaphore(n)`:
/// asyncio.BoundedSemaphore (releasing above `n` is an error).
pub struct Semaphore {
    pub count: Cell<i64>,
    pub waiters: Waiters,
    pub bound: Option<i64>,
}

impl Semaphore {
    pub fn new(n: i64, bounded: bool) -> Rc<Semaphore> {
        Rc::new(Semaphore {
            count: Cell::new(n),
            waiters: RefCell::new(VecDeque::new()),
            bound: bounded.then_some(n),
        })
    }
    pub fn value(&self) -> i64 {
        self.count.get()
    }
}
