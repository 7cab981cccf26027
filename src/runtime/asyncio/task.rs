//! Tasks and coroutines. A task is a future that drives a coroutine: it
//! holds the coroutine's suspended frames and the bookkeeping asyncio's
//! `Task` keeps (pending cancel, the future it waits on, cancel count).

use super::coro::NativeCoro;
use super::future::{Awaitable, Core, FutState};
use crate::runtime::error::Loc;
use crate::runtime::exec::Suspended;
use crate::runtime::link::Closure;
use crate::runtime::values::value::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What few tasks need, allocated on first use: every blocked task is
/// paid for in memory, and most never get a name or a cancel message.
#[derive(Default)]
pub struct TaskRare {
    /// Set by `set_name` (and for `main`); otherwise the name is
    /// `Task-{number}`, made only when asked for.
    pub name: Option<Rc<str>>,
    pub cancel_msg: Option<Rc<str>>,
    /// The CancelledError that ended the task, with where it was thrown.
    pub cancel_error: Option<crate::runtime::error::ErrorRef>,
}

/// A task parked on a lock, event, semaphore or queue. asyncio makes a
/// waiter future for each such wait; here the task itself is the waiter (a
/// task waits on one thing at a time), so a blocked task costs no future,
/// no callback list and no allocation. The states mirror the waiter
/// future's: pending, done, cancelled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Park {
    No,
    Waiting,
    Woken,
    Cancelled,
}

pub struct Task {
    pub id: u64,
    pub rare: Cell<Option<Box<TaskRare>>>,
    /// The `N` of `Task-N` (wraps after 2^32 tasks: four bytes fewer keep
    /// a task within its allocation size class).
    pub number: u32,
    pub core: RefCell<Core>,
    /// The suspended frames; `None` while the task runs or once it is done.
    pub exec: RefCell<Option<Suspended>>,
    pub must_cancel: Cell<bool>,
    /// Whether the first step ran (a task cancelled before that runs none
    /// of its body).
    pub started: Cell<bool>,
    pub park: Cell<Park>,
    pub(crate) waiting_on: Cell<Option<Awaitable>>,
    pub cancel_requests: Cell<u32>,
    pub spawned_at: Option<Loc>,
    /// Where the task last suspended, for the deadlock report and `:tasks`.
    pub waiting_at: Cell<Option<Loc>>,
    /// When it last suspended, in ms on the loop clock (its latest
    /// reading: see `Clock::last_ns`; wrapping after 49 days), for how long
    /// a task has waited. Milliseconds: four bytes keep a task within its
    /// allocation size class.
    pub waiting_since: Cell<u32>,
}

/// A clock reading (ns) as a task's `waiting_since` (ms, wrapping).
pub(crate) fn stamp_ms(ns: u64) -> u32 {
    (ns / 1_000_000) as u32
}

impl Task {
    /// Reads the rarely used fields (kept in a `Cell`: a task is big
    /// enough already without a `RefCell`'s borrow flag).
    fn with_rare<R>(&self, f: impl FnOnce(Option<&TaskRare>) -> R) -> R {
        let rare = self.rare.take();
        let r = f(rare.as_deref());
        self.rare.set(rare);
        r
    }
    pub fn name(&self) -> Rc<str> {
        self.with_rare(|r| r.and_then(|r| r.name.clone()))
            .unwrap_or_else(|| Rc::from(format!("Task-{}", self.number)))
    }
    /// The name given by `set_name` (or `main`'s), without making `Task-N`.
    pub fn given_name(&self) -> Option<Rc<str>> {
        self.with_rare(|r| r.and_then(|r| r.name.clone()))
    }
    pub fn set_name(&self, name: Rc<str>) {
        self.rare_mut(|r| r.name = Some(name));
    }
    pub fn cancel_msg(&self) -> Option<Rc<str>> {
        self.with_rare(|r| r.and_then(|r| r.cancel_msg.clone()))
    }
    pub fn set_cancel_msg(&self, msg: Option<Rc<str>>) {
        if msg.is_some() || self.with_rare(|r| r.is_some()) {
            self.rare_mut(|r| r.cancel_msg = msg);
        }
    }
    pub fn cancel_error(&self) -> Option<crate::runtime::error::ErrorRef> {
        self.with_rare(|r| r.and_then(|r| r.cancel_error.clone()))
    }
    pub fn set_cancel_error(&self, e: crate::runtime::error::ErrorRef) {
        self.rare_mut(|r| r.cancel_error = Some(e));
    }
    fn rare_mut(&self, f: impl FnOnce(&mut TaskRare)) {
        let mut rare = self.rare.take().unwrap_or_default();
        f(&mut rare);
        self.rare.set(Some(rare));
    }
    /// What the task waits on, if it awaits a future or a task.
    pub fn waiting_on(&self) -> Option<Awaitable> {
        self.with_waiting_on(|w| w.cloned())
    }
    fn with_waiting_on<R>(&self, f: impl FnOnce(Option<&Awaitable>) -> R) -> R {
        let w = self.waiting_on.take();
        let r = f(w.as_ref());
        self.waiting_on.set(w);
        r
    }
    pub fn set_waiting_on(&self, w: Option<Awaitable>) {
        self.waiting_on.set(w);
    }
    /// Awaits no future or task (ready, or yielded by `sleep(0)`).
    pub fn awaits_nothing(&self) -> bool {
        !self.with_waiting_on(|w| w.is_some())
    }
    /// Suspended on a future, a task or a primitive (not merely ready).
    pub fn is_waiting(&self) -> bool {
        !self.awaits_nothing() || self.park.get() == Park::Waiting
    }
    pub fn is_done(&self) -> bool {
        self.core.borrow().is_done()
    }
    pub fn state_name(&self) -> &'static str {
        super::future::state_name(self.core.borrow().state())
    }
    pub fn is_cancelled(&self) -> bool {
        matches!(self.core.borrow().state(), FutState::Cancelled(_))
    }
}

/// How a coroutine starts: a script `async fn` with its bound arguments, or
/// a native one such as `sleep`.
pub enum CoroStart {
    Script {
        closure: Rc<Closure>,
        args: Vec<Value>,
    },
    Native(NativeCoro),
}

/// A coroutine's name: builtins' are static, so making one (as every
/// `q.get()` does) allocates no string.
pub enum CoroName {
    Static(&'static str),
    Shared(Rc<str>),
}

impl CoroName {
    pub fn as_str(&self) -> &str {
        match self {
            CoroName::Static(s) => s,
            CoroName::Shared(s) => s,
        }
    }
}

impl From<&'static str> for CoroName {
    fn from(s: &'static str) -> CoroName {
        CoroName::Static(s)
    }
}

impl From<Rc<str>> for CoroName {
    fn from(s: Rc<str>) -> CoroName {
        CoroName::Shared(s)
    }
}

pub struct Coro {
    pub start: RefCell<Option<CoroStart>>,
    pub name: CoroName,
    /// Where the coroutine was made (set after the fact for builtins).
    pub created_at: Cell<Option<Loc>>,
}

impl Coro {
    pub fn new(start: CoroStart, name: impl Into<CoroName>, created_at: Option<Loc>) -> Rc<Coro> {
        Rc::new(Coro {
            start: RefCell::new(Some(start)),
            name: name.into(),
            created_at: Cell::new(created_at),
        })
    }
    pub fn name(&self) -> &str {
        self.name.as_str()
    }
    /// Takes the body to run; `None` if it was already awaited or spawned.
    pub fn take(&self) -> Option<CoroStart> {
        self.start.borrow_mut().take()
    }
}

/// A coroutine that never ran: the engine it belongs to, its name, where it was made.
type Unawaited = (u64, Rc<str>, Option<Loc>);

thread_local! {
    /// Coroutines dropped without ever running, with the engine that was
    /// running when they were dropped: reported at the end of its program.
    static NEVER_AWAITED: RefCell<Vec<Unawaited>> = const { RefCell::new(Vec::new()) };
    /// The engine running on this thread now (0: none). Two engines on one
    /// thread keep their never-awaited coroutines apart by it.
    static ACTIVE_ENGINE: Cell<u64> = const { Cell::new(0) };
    /// Tasks alive on this thread (made and not yet freed), so a test can
    /// see that an engine frees its tasks when it ends.
    static LIVE_TASKS: Cell<usize> = const { Cell::new(0) };
}

/// Tasks made on this thread and not yet freed.
pub(crate) fn live_tasks() -> usize {
    LIVE_TASKS.with(Cell::get)
}

/// Counts a task made (see [`live_tasks`]); its `Drop` counts it freed.
pub(crate) fn count_task_made() {
    LIVE_TASKS.with(|n| n.set(n.get() + 1));
}

impl Drop for Task {
    fn drop(&mut self) {
        let _ = LIVE_TASKS.try_with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// The engine running on this thread now (0 outside any).
pub(crate) fn active_engine() -> u64 {
    ACTIVE_ENGINE.try_with(Cell::get).unwrap_or(0)
}

/// Marks engine `id` as the one running on this thread until the guard drops.
pub(crate) fn enter_engine(id: u64) -> EngineGuard {
    EngineGuard(ACTIVE_ENGINE.with(|a| a.replace(id)))
}

pub(crate) struct EngineGuard(u64);

impl Drop for EngineGuard {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = ACTIVE_ENGINE.try_with(|a| a.set(prev));
    }
}

/// Takes engine `id`'s never-awaited coroutines.
pub(crate) fn take_never_awaited(id: u64) -> Vec<(Rc<str>, Option<Loc>)> {
    NEVER_AWAITED.with(|w| {
        let mut w = w.borrow_mut();
        let (mine, others): (Vec<_>, Vec<_>) = w.drain(..).partition(|(e, _, _)| *e == id);
        *w = others;
        mine.into_iter().map(|(_, n, at)| (n, at)).collect()
    })
}

impl Drop for Coro {
    fn drop(&mut self) {
        if self.start.get_mut().is_some() {
            let engine = active_engine();
            if engine == 0 {
                // Dropped outside any engine (the engine itself going away).
                return;
            }
            let name = Rc::from(self.name.as_str());
            let at = self.created_at.get();
            let _ = NEVER_AWAITED.try_with(|w| w.borrow_mut().push((engine, name, at)));
        }
    }
}
