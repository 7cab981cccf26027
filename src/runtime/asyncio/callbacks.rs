//! Loop callbacks (`call_soon`, `call_later`, `call_at`: asyncio's
//! `Handle` and `TimerHandle`) and the `timeout()` scope object
//! (asyncio's `Timeout`), whose expiry is such a callback.

use super::task::Task;
use crate::runtime::values::value::Value;
use crate::scheduler::timers::TimerId;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What a loop callback does when it runs.
pub enum CallbackAction {
    /// A script function with its arguments.
    Script(Value, Vec<Value>),
    /// A `timeout()` expiring (`Timeout._on_timeout`).
    Timeout(Rc<Timeout>),
    /// `as_completed`'s timeout (`_on_timeout`).
    AsCompletedTimeout(Rc<super::as_completed::Shared>),
}

/// A scheduled callback. Cancelling one in the ready queue marks it (it is
/// skipped when its turn comes, as asyncio's `Handle._cancelled`); one on
/// the timer heap is also taken off the heap.
pub struct LoopCallback {
    pub action: CallbackAction,
    pub cancelled: Cell<bool>,
    pub timer: RefCell<Option<TimerId>>,
}

impl LoopCallback {
    pub fn new(action: CallbackAction) -> Rc<LoopCallback> {
        Rc::new(LoopCallback {
            action,
            cancelled: Cell::new(false),
            timer: RefCell::new(None),
        })
    }
}

/// asyncio's `_State` of a `Timeout`, with its `value` spelling.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeoutState {
    Created,
    Entered,
    Expiring,
    Expired,
    Exited,
}

impl TimeoutState {
    pub fn name(self) -> &'static str {
        match self {
            TimeoutState::Created => "created",
            TimeoutState::Entered => "active",
            TimeoutState::Expiring => "expiring",
            TimeoutState::Expired => "expired",
            TimeoutState::Exited => "finished",
        }
    }
}

/// `timeout(secs)` / `timeout_at(deadline)`: asyncio 3.11's `Timeout`.
pub struct Timeout {
    pub state: Cell<TimeoutState>,
    /// The deadline in nanoseconds on the loop clock; `None`: never.
    pub when: Cell<Option<u64>>,
    pub handler: RefCell<Option<Rc<LoopCallback>>>,
    pub task: RefCell<Option<Rc<Task>>>,
    /// The task's cancel requests when the block was entered.
    pub cancelling: Cell<u32>,
}

impl Timeout {
    pub fn new(when: Option<u64>) -> Rc<Timeout> {
        Rc::new(Timeout {
            state: Cell::new(TimeoutState::Created),
            when: Cell::new(when),
            handler: RefCell::new(None),
            task: RefCell::new(None),
            cancelling: Cell::new(0),
        })
    }
}
