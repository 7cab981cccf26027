//! What the runtime's loop schedules: the handles of its ready queue, what
//! a resumed task receives, and what a due timer does. The scheduler moves
//! these around without looking inside (`scheduler::event_loop::LoopTypes`).

use super::asyncio::callbacks::LoopCallback;
use super::asyncio::future::{Awaitable, Callback, Future};
use super::asyncio::task::Task;
use super::error::ErrorRef;
use super::values::value::Value;
use std::rc::Rc;

/// What a task is resumed with.
pub enum Input {
    /// First step: start the coroutine.
    Start,
    Value(Value),
    Throw(ErrorRef),
}

/// One unit of work in the ready queue.
pub enum Handle {
    Step(Rc<Task>, Input),
    /// A parked task woken (or its wait cancelled): asyncio's
    /// `Task.__wakeup` on the waiter future.
    Wake(Rc<Task>, Input),
    Callback(Callback, Awaitable),
    Timer(TimerAction),
    /// A native operation finished: complete its future (the analogue of
    /// the reader callback asyncio's selector schedules for an I/O event).
    Complete(Rc<Future>, Result<Value, ErrorRef>),
}

/// What a due timer does.
pub enum TimerAction {
    /// `sleep`: resolve the future unless it was cancelled meanwhile.
    SetResult(Rc<Future>),
    /// `wait_for`: release the waiter future when the time is up.
    Release(Rc<Future>),
    /// `call_later`, `call_at` and a `timeout()`'s expiry.
    Call(Rc<LoopCallback>),
}

/// A native operation that panicked fails the call awaiting it, as a
/// panic in a task's step does (`Interp::resume_catching_panics`).
impl crate::scheduler::ops::FromPanic for Result<Value, ErrorRef> {
    fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Self {
        Err(super::error::ErrorObj::with_help(
            "InternalError",
            format!(
                "internal error (a bug in tasks or in a host function): {}",
                super::driver::panic_text(&*payload)
            ),
            "the program goes on; please report what ran",
        ))
    }
}

/// The runtime's instance of the scheduler's generic loop.
pub enum Vm {}

impl crate::scheduler::event_loop::LoopTypes for Vm {
    type Handle = Handle;
    type TimerAction = TimerAction;
    type Task = Task;
    type OpResult = Result<Value, ErrorRef>;
    type OpTarget = Rc<Future>;
    type Call = super::native::script_call::ScriptCall;
    fn complete(target: Rc<Future>, result: Result<Value, ErrorRef>) -> Handle {
        Handle::Complete(target, result)
    }
    fn timer(action: TimerAction) -> Handle {
        Handle::Timer(action)
    }
}

/// The loop as the runtime uses it.
pub(crate) type EventLoop = crate::scheduler::event_loop::EventLoop<Vm>;
