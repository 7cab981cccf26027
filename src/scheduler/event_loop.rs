//! The asyncio-faithful loop's state: a FIFO ready queue of handles, the
//! timer heap, the clock, and the registry of live tasks. The driver that
//! runs handles lives in `runtime::driver`, since running needs the VM.

use super::clock::Clock;
use super::future::{Awaitable, Callback, Future};
use super::ops::{NativeOps, OpId};
use super::registry::TaskRegistry;
use super::task::Task;
use super::timers::{TimerAction, TimerId, Timers};
use crate::runtime::error::ErrorRef;
use crate::runtime::value::Value;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

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
    /// Native operations (host async functions, I/O, subprocesses) running
    /// on the executor, and the futures their results complete.
    /// Servers hand script calls back through it (`runtime::script_call`).
    pub ops: NativeOps<Result<Value, ErrorRef>, crate::runtime::script_call::ScriptCall>,
    pub op_futures: HashMap<OpId, Rc<Future>>,
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
            ops: NativeOps::default(),
            op_futures: HashMap::new(),
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

    /// Moves finished native operations to the ready queue, in the order
    /// they finished.
    #[inline]
    pub fn collect_completions(&mut self) {
        if self.ops.in_flight() == 0 && !self.ops.has_completions() {
            return;
        }
        let mut done = Vec::new();
        self.ops.take_completions(&mut done);
        for (id, result) in done {
            if let Some(f) = self.op_futures.remove(&id) {
                self.ready.push_back(Handle::Complete(f, result));
            }
        }
    }

    /// Nothing is ready: waits for the next event, a completion or the timer
    /// due at `deadline` (ns on the loop clock). Under virtual time the
    /// clock jumps to the deadline when no operation is in flight; while
    /// one is, time flows at the real rate, capped at the deadline, so a
    /// `wait_for(op, 0.2)` times out when it would on the real clock.
    pub fn wait_for_event(&mut self, deadline: Option<u64>) {
        self.wait_for_event_or(deadline, std::future::pending());
    }

    /// As [`EventLoop::wait_for_event`], also returning when `other` does.
    pub fn wait_for_event_or(
        &mut self,
        deadline: Option<u64>,
        other: impl std::future::Future<Output = ()>,
    ) {
        match &mut self.clock {
            Clock::Virtual { now } => {
                if self.ops.in_flight() == 0 {
                    match deadline {
                        Some(d) => *now = (*now).max(d),
                        // Nothing in the loop can move: only `other` can.
                        None => self.ops.wait_or(None, other),
                    }
                    return;
                }
                let started = Instant::now();
                let until =
                    deadline.map(|d| started + Duration::from_nanos(d.saturating_sub(*now)));
                self.ops.wait_or(until, other);
                let flowed = now.saturating_add(started.elapsed().as_nanos() as u64);
                *now = deadline.map_or(flowed, |d| flowed.min(d.max(*now)));
            }
            Clock::Real { start } => {
                let until = deadline.map(|d| *start + Duration::from_nanos(d));
                self.ops.wait_or(until, other);
            }
        }
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
