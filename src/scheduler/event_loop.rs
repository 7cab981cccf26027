//! The asyncio-faithful loop's state: a FIFO ready queue of handles, the
//! timer heap, the clock, and the registry of live tasks. The driver that
//! runs handles lives in `runtime::driver`, since running needs the VM.

use super::clock::Clock;
use super::future::{Awaitable, Callback};
use super::registry::TaskRegistry;
use super::task::Task;
use super::timers::{TimerAction, TimerId, Timers};
use crate::runtime::error::ErrorRef;
use crate::runtime::value::Value;
use std::collections::VecDeque;
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
}

pub struct EventLoop {
    pub ready: VecDeque<Handle>,
    pub timers: Timers,
    pub clock: Clock,
    pub stopping: bool,
    next_task_id: u64,
    next_task_name: u64,
    /// Pending tasks in creation order.
    pub tasks: TaskRegistry,
    /// Tasks that ended with an error, checked at the end for unretrieved errors.
    pub failed: Vec<Rc<Task>>,
    /// Native helpers (I/O, subprocesses) run here and report back between iterations.
    pub executor: async_executor::LocalExecutor<'static>,
    /// Consecutive iterations that only resumed tasks yielding with `sleep(0)`.
    pub spin_iterations: u64,
}

impl EventLoop {
    pub fn new(clock: Clock) -> Self {
        EventLoop {
            ready: VecDeque::new(),
            timers: Timers::default(),
            clock,
            stopping: false,
            next_task_id: 0,
            next_task_name: 0,
            tasks: TaskRegistry::default(),
            failed: Vec::new(),
            executor: async_executor::LocalExecutor::new(),
            spin_iterations: 0,
        }
    }

    /// Default task names count spawned tasks only: `Task-1`, `Task-2`, ...
    pub fn next_name(&mut self) -> u64 {
        self.next_task_name += 1;
        self.next_task_name
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_task_id += 1;
        self.next_task_id
    }

    pub fn call_soon(&mut self, h: Handle) {
        self.ready.push_back(h);
    }

    /// Schedules a timer `delay` seconds from now.
    pub fn call_later(&mut self, delay: f64, action: TimerAction) -> TimerId {
        let when = self.clock.now_ns().saturating_add(secs_to_ns(delay));
        self.timers.add(when, action)
    }
}

pub fn secs_to_ns(secs: f64) -> u64 {
    if secs <= 0.0 || secs.is_nan() {
        0
    } else if secs > 1.0e9 {
        u64::MAX / 2
    } else {
        (secs * 1e9).round() as u64
    }
}
