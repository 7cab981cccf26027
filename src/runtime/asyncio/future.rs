//! Futures: a result that arrives later, with done-callbacks that run in the
//! order they were added (asyncio's `Future`). Tasks embed the same core.

use crate::runtime::error::ErrorRef;
use crate::runtime::values::value::{Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

use super::task::Task;
use crate::scheduler::timers::TimerId;

#[derive(Clone)]
pub enum FutState {
    Pending,
    Done(Value),
    Failed(ErrorRef),
    /// The cancel message, if any (a thin `Str` keeps the state, and so every
    /// task record, a word smaller).
    Cancelled(Option<Str>),
}

/// What runs when a future completes. Each is scheduled as its own ready
/// handle, in order, as `add_done_callback` callbacks are.
#[derive(Clone)]
pub enum Callback {
    /// A task awaiting the future resumes (asyncio's `Task.__wakeup`).
    Wakeup(Rc<Task>),
    /// `gather`'s per-child callback.
    GatherChild(Rc<Future>),
    /// `t.on_done(f)`: a script function called with the future.
    Script(Value),
    /// `wait_for`/`race` release their waiter future.
    Release(Rc<Future>),
    /// A task of a `group { }` ended.
    Group(Rc<super::group::Group>),
    /// The end of `run_until_complete`.
    Stop,
    /// `shield`: the inner awaitable ended; the outer future follows.
    ShieldInner(Rc<Future>),
    /// `shield`: the outer future ended (the inner one stops being watched).
    /// Boxed: an inline `Awaitable` would make every callback, and so every
    /// task record, a word bigger.
    ShieldOuter(Rc<Awaitable>),
    /// `wait`: one of the awaitables ended.
    WaitMember(Rc<super::waits::WaitShared>),
    /// `as_completed`: one of the awaitables ended.
    AsCompleted(Rc<super::as_completed::Shared>),
    /// Rust code watching a task (a server's handler answering its request).
    Native(Rc<crate::runtime::native::script_call::NativeHook>),
    /// Rust code run as the awaitable completes, not as a handle of its
    /// own (`map_concurrent` refilling a slot in the very step that freed
    /// it, as a semaphore's `release` does).
    Now(Rc<crate::runtime::native::script_call::NativeHook>),
}

#[derive(Default)]
pub struct Core {
    pub state: Option<FutState>,
    /// Most futures and tasks get exactly one callback (whoever awaits
    /// them): it sits inline, in the room a `Vec` takes anyway.
    pub callbacks: smallvec::SmallVec<[Callback; 1]>,
    /// Set when an error is stored; cleared when someone retrieves it.
    pub unretrieved: bool,
}

impl Core {
    pub fn state(&self) -> &FutState {
        self.state.as_ref().unwrap_or(&FutState::Pending)
    }
    pub fn is_done(&self) -> bool {
        !matches!(self.state(), FutState::Pending)
    }
}

pub struct GatherState {
    /// One per argument, duplicates included (results are reported per argument).
    pub children: Vec<Awaitable>,
    /// How many distinct children are watched.
    pub distinct: usize,
    pub finished: usize,
    pub return_errors: bool,
    pub cancel_requested: bool,
}

pub enum FutKind {
    Plain,
    /// `sleep`'s future: cancelling it cancels the timer.
    Sleep(RefCell<Option<TimerId>>),
    Gather(Box<RefCell<GatherState>>),
    /// A native operation's future: cancelling it drops the operation.
    Native(crate::scheduler::ops::OpId),
}

pub struct Future {
    pub core: RefCell<Core>,
    pub kind: FutKind,
}

impl Future {
    pub fn new(kind: FutKind) -> Rc<Future> {
        Rc::new(Future {
            core: RefCell::new(Core::default()),
            kind,
        })
    }
    pub fn state_name(&self) -> &'static str {
        state_name(self.core.borrow().state())
    }
}

pub(crate) fn state_name(s: &FutState) -> &'static str {
    match s {
        FutState::Pending => "pending",
        FutState::Done(_) | FutState::Failed(_) => "done",
        FutState::Cancelled(_) => "cancelled",
    }
}

/// Anything a task can wait on.
#[derive(Clone)]
pub enum Awaitable {
    Task(Rc<Task>),
    Future(Rc<Future>),
}

impl Awaitable {
    pub fn core(&self) -> &RefCell<Core> {
        match self {
            Awaitable::Task(t) => &t.core,
            Awaitable::Future(f) => &f.core,
        }
    }
    pub fn is_done(&self) -> bool {
        self.core().borrow().is_done()
    }
    pub fn to_value(&self) -> Value {
        match self {
            Awaitable::Task(t) => Value::Task(t.clone()),
            Awaitable::Future(f) => Value::Future(f.clone()),
        }
    }
    /// Identity, for spotting the same awaitable given twice.
    pub fn addr(&self) -> usize {
        match self {
            Awaitable::Task(t) => Rc::as_ptr(t) as *const () as usize,
            Awaitable::Future(f) => Rc::as_ptr(f) as *const () as usize,
        }
    }
    pub fn ptr_eq(&self, other: &Awaitable) -> bool {
        match (self, other) {
            (Awaitable::Task(a), Awaitable::Task(b)) => Rc::ptr_eq(a, b),
            (Awaitable::Future(a), Awaitable::Future(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
    /// The outcome as a `Result`, marking an error as retrieved.
    pub fn outcome(&self) -> Option<Result<Value, ErrorRef>> {
        let mut core = self.core().borrow_mut();
        core.unretrieved = false;
        match core.state() {
            FutState::Pending => None,
            FutState::Done(v) => Some(Ok(v.clone())),
            FutState::Failed(e) => Some(Err(e.clone())),
            FutState::Cancelled(msg) => Some(Err(crate::runtime::error::cancelled(
                msg.as_ref().map(Rc::from),
            ))),
        }
    }
}
