//! Synchronisation primitives with asyncio's semantics, waiter order
//! included. Each keeps FIFO lists of parked tasks (see [`Park`]).

use super::task::{Park, Task};
use crate::runtime::value::Value;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Tasks parked on a primitive, in arrival order.
pub type Waiters = RefCell<VecDeque<Rc<Task>>>;

/// Whether a parked waiter is no longer pending (asyncio's `fut.done()`).
pub fn waiter_done(t: &Task) -> bool {
    t.park.get() != Park::Waiting
}

/// Whether a waiter's wait was cancelled (`fut.cancelled()`).
pub fn waiter_cancelled(t: &Task) -> bool {
    t.park.get() == Park::Cancelled
}

/// `queue(maxsize)`: asyncio.Queue, plus `close()`.
pub struct Queue {
    pub items: RefCell<VecDeque<Value>>,
    pub maxsize: usize,
    pub getters: Waiters,
    pub putters: Waiters,
    pub closed: Cell<bool>,
}

impl Queue {
    pub fn new(maxsize: usize) -> Rc<Queue> {
        Rc::new(Queue {
            items: RefCell::new(VecDeque::new()),
            maxsize,
            getters: RefCell::new(VecDeque::new()),
            putters: RefCell::new(VecDeque::new()),
            closed: Cell::new(false),
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
    pub waiters: Waiters,
}

impl Lock {
    pub fn new() -> Rc<Lock> {
        Rc::new(Lock {
            held: Cell::new(false),
            waiters: RefCell::new(VecDeque::new()),
        })
    }
    pub fn locked(&self) -> bool {
        self.held.get()
    }
}

/// `semaphore(n)`: asyncio.Semaphore.
pub struct Semaphore {
    pub count: Cell<i64>,
    pub waiters: Waiters,
}

impl Semaphore {
    pub fn new(n: i64) -> Rc<Semaphore> {
        Rc::new(Semaphore {
            count: Cell::new(n),
            waiters: RefCell::new(VecDeque::new()),
        })
    }
    pub fn value(&self) -> i64 {
        self.count.get()
    }
}
