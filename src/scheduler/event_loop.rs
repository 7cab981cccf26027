//! The asyncio-faithful loop's state and its wait: a FIFO ready queue of
//! handles, the timer heap, the clock, native operations, and the registry
//! of live tasks. What a handle does when run is the runtime's business
//! (`runtime::driver`); this module only orders and waits.

use super::clock::Clock;
use super::ops::{NativeOps, OpId};
use super::registry::TaskRegistry;
use super::timers::{TimerId, Timers};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The types a loop schedules, named by the runtime: the loop moves them
/// around without looking inside.
pub trait LoopTypes {
    /// One unit of work in the ready queue.
    type Handle;
    /// What a due timer does.
    type TimerAction;
    /// A live task.
    type Task;
    /// What a native operation produces.
    type OpResult: 'static;
    /// What a native operation's result completes (a future).
    type OpTarget;
    /// A call a running operation hands back to the loop (a server's
    /// handler for one request).
    type Call;
    /// The handle that hands `result` to `target` when the operation is done.
    fn complete(target: Self::OpTarget, result: Self::OpResult) -> Self::Handle;
    /// The handle that runs a due timer's action.
    fn timer(action: Self::TimerAction) -> Self::Handle;
}

/// Nothing is ready, no timer is pending and no native operation is in
/// flight: nothing can ever happen again.
pub struct NeverReady;

/// A wait as [`EventLoop::plan_wait`] sets it up: until when the thread
/// waits (`None`: no deadline), and since when virtual time flows.
struct WaitPlan {
    until: Option<Instant>,
    flowing_since: Option<Instant>,
}

/// Under virtual time, tasks kept yielding with `sleep(0)` while a timer
/// is due later, for more than [`SPIN_LIMIT`] iterations (said once per
/// unbroken run of them).
pub struct Spinning;

/// Iterations of pure `sleep(0)` spinning (with timers pending) tolerated
/// under virtual time.
const SPIN_LIMIT: u64 = 1_000_000;

pub struct EventLoop<K: LoopTypes> {
    pub ready: VecDeque<K::Handle>,
    pub timers: Timers<K::TimerAction>,
    pub clock: Clock,
    pub stopping: bool,
    next_task_id: u64,
    next_task_name: u64,
    /// Pending tasks in creation order.
    pub tasks: TaskRegistry<K::Task>,
    /// Tasks that ended with an error, checked at the end for unretrieved errors.
    pub failed: Vec<Rc<K::Task>>,
    /// Native operations (host async functions, I/O, subprocesses) running
    /// on the executor, and the futures their results complete.
    /// Servers hand script calls back through it (`runtime::native::script_call`).
    pub ops: NativeOps<K::OpResult, K::Call>,
    pub op_futures: HashMap<OpId, K::OpTarget>,
    /// Consecutive iterations that only resumed tasks yielding with `sleep(0)`.
    pub spin_iterations: u64,
}

impl<K: LoopTypes> EventLoop<K> {
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

    pub fn call_soon(&mut self, h: K::Handle) {
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
                self.ready.push_back(K::complete(f, result));
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
        if let Some(plan) = self.plan_wait(deadline) {
            self.ops.wait_or(plan.until, other);
            self.after_wait(deadline, plan);
        }
    }

    /// As [`EventLoop::wait_for_event_or`], as a future a host's executor
    /// drives (the same clock rules).
    pub async fn wait_for_event_or_async(
        &mut self,
        deadline: Option<u64>,
        other: impl std::future::Future<Output = ()>,
    ) {
        if let Some(plan) = self.plan_wait(deadline) {
            self.ops.wait_or_async(plan.until, other).await;
            self.after_wait(deadline, plan);
        }
    }

    /// The clock's side of a wait, before it: under virtual time with no
    /// operation in flight the clock jumps to `deadline` and there is
    /// nothing to wait for (`None`), unless there is no deadline (then
    /// only what the caller waits for besides can move). Otherwise, until
    /// when the thread waits.
    fn plan_wait(&mut self, deadline: Option<u64>) -> Option<WaitPlan> {
        match &mut self.clock {
            Clock::Virtual { now } => {
                if self.ops.in_flight() == 0 {
                    if let Some(d) = deadline {
                        *now = (*now).max(d);
                        return None;
                    }
                    return Some(WaitPlan {
                        until: None,
                        flowing_since: None,
                    });
                }
                let started = Instant::now();
                let until =
                    deadline.map(|d| started + Duration::from_nanos(d.saturating_sub(*now)));
                Some(WaitPlan {
                    until,
                    flowing_since: Some(started),
                })
            }
            Clock::Real { start, .. } => Some(WaitPlan {
                until: deadline.map(|d| *start + Duration::from_nanos(d)),
                flowing_since: None,
            }),
        }
    }

    /// The clock's side of a wait, after it: virtual time flowed at the
    /// real rate while an operation was in flight, capped at the deadline;
    /// the real clock is read (what wakes now starts its next wait about now).
    fn after_wait(&mut self, deadline: Option<u64>, plan: WaitPlan) {
        match &mut self.clock {
            Clock::Virtual { now } => {
                if let Some(started) = plan.flowing_since {
                    let flowed = now.saturating_add(started.elapsed().as_nanos() as u64);
                    *now = deadline.map_or(flowed, |d| flowed.min(d.max(*now)));
                }
            }
            Clock::Real { .. } => {
                self.clock.now_ns();
            }
        }
    }

    /// Whether the loop must wait before its next iteration: `Ok(None)`
    /// when something is ready or has finished, `Ok(Some(deadline))` when
    /// it waits for a completion or the timer due at `deadline`, `Err`
    /// when nothing can ever happen again (a deadlock).
    #[inline]
    pub fn next_wait(&mut self) -> Result<Option<Option<u64>>, NeverReady> {
        if !self.ready.is_empty() {
            return Ok(None);
        }
        self.ops.poll();
        if self.ops.has_completions() {
            return Ok(None);
        }
        let deadline = self.timers.next_deadline();
        if deadline.is_none() && self.ops.in_flight() == 0 {
            return Err(NeverReady);
        }
        Ok(Some(deadline))
    }

    /// When nothing is ready, waits for a completion, the next timer or the
    /// future `before_wait` returns (a signal); `before_wait` runs only
    /// when the loop is about to wait (it flushes output). `Err` when
    /// nothing can ever happen again (a deadlock).
    #[inline]
    pub fn wait_until_ready<F: std::future::Future<Output = ()>>(
        &mut self,
        before_wait: impl FnOnce() -> F,
    ) -> Result<(), NeverReady> {
        if let Some(deadline) = self.next_wait()? {
            let other = before_wait();
            self.wait_for_event_or(deadline, other);
        }
        Ok(())
    }

    /// Without waiting: `Ok` if an iteration has something to run (ready
    /// handles, completions, due timers), else the next deadline.
    pub fn poll_ready(&mut self) -> Result<(), Option<u64>> {
        if !self.ready.is_empty() {
            return Ok(());
        }
        self.ops.poll();
        let now = self.clock.now_ns();
        match self.timers.next_deadline() {
            Some(d) if d <= now => Ok(()),
            _ if self.ops.has_completions() => Ok(()),
            next => Err(next),
        }
    }

    /// The second step of an iteration as CPython 3.11's `_run_once` takes
    /// it: after the I/O events ([`EventLoop::collect_completions`]), the
    /// timers now due join the ready queue. Returns how many handles this
    /// iteration runs (exactly those ready now: what they schedule waits
    /// for the next one) and whether a timer fired.
    #[inline]
    pub fn fire_due_timers(&mut self) -> (usize, bool) {
        let mut due = Vec::new();
        // Reading the clock costs a system call's worth of time; with no
        // timer pending there is nothing to compare it with.
        if self.timers.next_deadline().is_some() {
            let now = self.clock.now_ns();
            self.timers.pop_due(now, &mut due);
        }
        let fired = !due.is_empty();
        for action in due {
            self.call_soon(K::timer(action));
        }
        (self.ready.len(), fired)
    }

    /// Ends an iteration. `only_spun`: every handle run was a task yielding
    /// with `sleep(0)`; under virtual time, with a timer pending and no
    /// operation in flight, too many such iterations in a row are an error
    /// (the clock could never move).
    pub fn end_iteration(&mut self, only_spun: bool) -> Result<(), Spinning> {
        self.ops.poll();
        if only_spun
            && !self.stopping
            && self.ops.in_flight() == 0
            && self.clock.is_virtual()
            && self.timers.next_deadline().is_some()
        {
            self.spin_iterations += 1;
            // Once per run of such iterations, as it crosses the limit: the
            // REPL's loop goes on after the report (its input cancelled, or
            // a background task spinning at the prompt), and must not report
            // again at every later iteration of the same run.
            if self.spin_iterations == SPIN_LIMIT + 1 {
                return Err(Spinning);
            }
        } else {
            self.spin_iterations = 0;
        }
        Ok(())
    }

    /// Schedules a timer `delay` seconds from now.
    pub fn call_later(&mut self, delay: f64, action: K::TimerAction) -> TimerId {
        let when = self.clock.now_ns().saturating_add(secs_to_ns(delay));
        self.timers.add(when, action)
    }
}

/// The deadline of a timer that never fires (`sleep(inf)`): the loop
/// never waits for it, so a program whose tasks all wait on such timers is
/// deadlocked.
pub(crate) const NEVER: u64 = u64::MAX;

/// A delay in nanoseconds: `inf` is [`NEVER`]; finite delays are checked
/// against the clock's range by their callers (`runtime::asyncio::scopes::secs_arg`), and
/// clamped just below `NEVER` here.
pub(crate) fn secs_to_ns(secs: f64) -> u64 {
    if secs <= 0.0 || secs.is_nan() {
        0
    } else if secs == f64::INFINITY {
        NEVER
    } else {
        ((secs * 1e9).round() as u64).min(NEVER - 1)
    }
}
