//! Runs what the loop schedules: `run_handle` gives each handle its
//! meaning, `step` is `Task.__step`. The iteration's order (completions,
//! then due timers, then exactly the handles ready at its start, as
//! CPython 3.11's `BaseEventLoop._run_once`), the stop and the wait are
//! the scheduler's (`scheduler::iteration`, `scheduler::event_loop`): the
//! interpreter is its [`Runner`].

use super::error::{cancelled, ErrorRef, Loc};
use super::interp::Interp;
use super::values::value::{Str, Value};
use super::vm::Outcome;
use crate::runtime::asyncio::future::{Awaitable, Callback, FutState};
use crate::runtime::asyncio::task::Task;
use crate::runtime::handle::TimerAction;
use crate::runtime::handle::{Handle, Input};
use crate::scheduler::event_loop::{EventLoop, NeverReady};
use crate::scheduler::iteration::{self, Runner, Stop};
use std::rc::Rc;

/// Why the loop stopped before its target finished.
pub enum Stuck {
    /// Nothing can ever wake the waiting tasks.
    Deadlock(Vec<Rc<Task>>),
    /// Under virtual time, tasks keep yielding with `sleep(0)` while a timer is due later.
    Spinning(Vec<Rc<Task>>),
}

/// How the loop waits when nothing is ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Drive {
    /// The thread blocks in async-io (`Engine::eval`): the `async fn`s of
    /// the loop never suspend, and [`at_once`] runs them.
    Blocking,
    /// The loop is a future a host's executor polls (`Engine::eval_async`):
    /// a wait suspends it, and it yields now and then while it runs.
    Async,
}

/// Iterations an async run makes between two yields to the host's executor.
const YIELD_EVERY: u32 = 64;

/// Runs a future of the loop driven by [`Drive::Blocking`], which waits by
/// blocking the thread and so ends at its first poll.
pub(crate) fn at_once<T>(fut: impl std::future::Future<Output = T>) -> T {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("a blocking run of the loop suspended"),
    }
}

/// What [`Interp::tick`] did.
pub enum Tick {
    Ran,
    /// Nothing ready; the next timer is due at this time (ns on the loop clock).
    Idle(Option<u64>),
}

impl Interp {
    // ------------------------------------------------------------ stepping

    /// `Task.__step`: runs the task until it waits, yields or ends.
    #[inline]
    fn step(&mut self, task: Rc<Task>, input: Input) {
        if self.tracer.is_some() {
            return self.traced_step(task, input);
        }
        self.step_body(task, input)
    }

    pub(super) fn step_body(&mut self, task: Rc<Task>, mut input: Input) {
        if task.is_done() {
            return;
        }
        if task.must_cancel.get() {
            if !matches!(&input, Input::Throw(e) if e.is_cancel()) {
                input = Input::Throw(cancelled(task.cancel_msg()));
            }
            task.must_cancel.set(false);
        }
        task.set_waiting_on(None);
        // A task's start is a check point: tasks that spawn tasks and end
        // run for ever without a loop or a call that would count.
        if !task.started.get() && !matches!(input, Input::Throw(_)) {
            if let Some(e) = self.start_check() {
                input = Input::Throw(e);
            }
        }
        let Some(suspended) = task.exec.borrow_mut().take() else {
            return;
        };
        let mut ex = suspended.resume(&mut self.frame_bufs);
        let started = task.started.replace(true);
        let outcome = match input {
            // A coroutine cancelled before it starts runs none of its body.
            Input::Throw(e) if !started => Outcome::Threw(e),
            input => {
                let input = if started { input } else { Input::Start };
                let prev = self.current.replace(task.clone());
                let outcome = if self.catch_panics {
                    self.resume_catching_panics(&mut ex, input)
                } else {
                    self.resume(&mut ex, input)
                };
                self.current = prev;
                outcome
            }
        };
        if matches!(outcome, Outcome::Returned(_) | Outcome::Threw(_)) {
            self.frame_bufs.give(std::mem::take(&mut ex.frames));
        }
        match outcome {
            Outcome::Returned(v) => {
                if task.must_cancel.get() {
                    task.must_cancel.set(false);
                    self.finish_task(&task, FutState::Cancelled(task.cancel_msg().map(Str::from)));
                } else {
                    self.finish_task(&task, FutState::Done(v));
                }
            }
            Outcome::Threw(e) if e.is_cancel() => {
                task.set_cancel_error(e.clone());
                self.finish_task(
                    &task,
                    FutState::Cancelled(Some(Str::from(&e.message)).filter(|m| !m.is_empty())),
                );
            }
            Outcome::Threw(e) => {
                if let Some(code) = e.exit_code() {
                    // `exit()` in any task ends the program (after cleanup),
                    // as SystemExit leaves asyncio's loop.
                    self.exit_code.get_or_insert(code);
                    self.lp.stopping = true;
                    self.finish_task(&task, FutState::Failed(e));
                    task.core.borrow_mut().unretrieved = false;
                    return;
                }
                self.finish_task(&task, FutState::Failed(e));
                self.lp.failed.push(task.clone());
            }
            Outcome::Suspended(w) => {
                task.waiting_at.set(self.current_loc(&ex));
                task.waiting_since
                    .set(crate::runtime::asyncio::task::stamp_ms(
                        self.lp.clock.last_ns(),
                    ));
                *task.exec.borrow_mut() = Some(ex.suspend(&mut self.frame_bufs));
                self.add_done_callback(&w, Callback::Wakeup(task.clone()));
                task.set_waiting_on(Some(w.clone()));
                if task.must_cancel.get() && self.cancel_awaitable(&w, task.cancel_msg()) {
                    task.must_cancel.set(false);
                }
            }
            Outcome::Parked => {
                task.waiting_at.set(self.current_loc(&ex));
                task.waiting_since
                    .set(crate::runtime::asyncio::task::stamp_ms(
                        self.lp.clock.last_ns(),
                    ));
                *task.exec.borrow_mut() = Some(ex.suspend(&mut self.frame_bufs));
                if task.must_cancel.get() && self.cancel_park(&task, task.cancel_msg()) {
                    task.must_cancel.set(false);
                }
            }
            Outcome::Yielded => {
                task.waiting_at.set(self.current_loc(&ex));
                task.waiting_since
                    .set(crate::runtime::asyncio::task::stamp_ms(
                        self.lp.clock.last_ns(),
                    ));
                *task.exec.borrow_mut() = Some(ex.suspend(&mut self.frame_bufs));
                self.lp
                    .call_soon(Handle::Step(task.clone(), Input::Value(Value::Nil)));
            }
        }
    }

    /// The check point of a task's start (as the VM's `check!(1)`).
    fn start_check(&mut self) -> Option<ErrorRef> {
        if self.countdown <= 1 || crate::limits::attention() {
            self.check_point(1)
        } else {
            self.countdown -= 1;
            None
        }
    }

    /// [`Interp::resume`], but a panic (a bug in tasks) fails the task with
    /// an `InternalError` instead of unwinding further; the state a call
    /// back from native code leaves behind is reset.
    fn resume_catching_panics(&mut self, ex: &mut super::exec::Exec, input: Input) -> Outcome {
        let (depth, reentries) = (self.outer_depth, self.reentries);
        let run = std::panic::AssertUnwindSafe(|| self.resume(ex, input));
        match std::panic::catch_unwind(run) {
            Ok(outcome) => outcome,
            Err(payload) => {
                self.outer_depth = depth;
                self.depth_changed();
                self.reentries = reentries;
                self.caller_depth = 0;
                Outcome::Threw(super::error::ErrorObj::with_help(
                    "InternalError",
                    format!("internal error (a bug in tasks): {}", panic_text(&*payload)),
                    "the session goes on; please report this input",
                ))
            }
        }
    }

    fn finish_task(&mut self, task: &Rc<Task>, state: FutState) {
        self.lp.tasks.remove(task.id);
        self.complete(&Awaitable::Task(task.clone()), state);
    }

    #[inline]
    fn run_handle(&mut self, h: Handle) -> bool {
        if self.tracer.is_some() {
            return self.traced_handle(h);
        }
        self.run_handle_body(h)
    }

    #[inline(always)]
    pub(super) fn run_handle_body(&mut self, h: Handle) -> bool {
        match h {
            Handle::Step(t, input) => {
                let spin = matches!(input, Input::Value(Value::Nil)) && t.awaits_nothing();
                self.step(t, input);
                return spin;
            }
            Handle::Wake(t, input) => self.step(t, input),
            Handle::Callback(cb, a) => match cb {
                Callback::Wakeup(t) => {
                    let input = match a.outcome() {
                        Some(Ok(v)) => Input::Value(v),
                        Some(Err(e)) => Input::Throw(e),
                        None => Input::Value(Value::Nil),
                    };
                    self.step(t, input);
                }
                Callback::GatherChild(outer) => self.gather_child_done(&outer, &a),
                Callback::Release(w) => {
                    if !w.core.borrow().is_done() {
                        self.set_future_result(&w, Value::Nil);
                    }
                }
                Callback::Script(f) => {
                    if let Err(e) = self.call_sync(&f, vec![a.to_value()]) {
                        self.report_callback_error(&e);
                    }
                }
                Callback::Group(g) => {
                    if let Awaitable::Task(t) = &a {
                        self.group_task_done(&g, t);
                    }
                }
                Callback::Stop => self.lp.stopping = true,
                Callback::ShieldInner(outer) => self.shield_inner_done(&outer, &a),
                Callback::ShieldOuter(inner) => self.shield_outer_done(&a, &inner),
                Callback::WaitMember(s) => self.wait_member_done(&s, &a),
                Callback::AsCompleted(s) => self.as_completed_member_done(&s, &a),
                Callback::Native(hook) | Callback::Now(hook) => hook.run(self, &a),
            },
            Handle::Complete(f, result) => {
                if !f.core.borrow().is_done() {
                    let state = match result {
                        Ok(v) => FutState::Done(v),
                        Err(e) => FutState::Failed(e),
                    };
                    self.complete(&Awaitable::Future(f), state);
                }
            }
            Handle::Timer(action) => match action {
                TimerAction::SetResult(f) | TimerAction::Release(f) => {
                    if !f.core.borrow().is_done() {
                        self.set_future_result(&f, Value::Nil);
                    }
                }
                TimerAction::Call(cb) => self.run_callback(&cb),
            },
        }
        false
    }

    fn report_callback_error(&mut self, e: &ErrorRef) {
        let _ = self.out.flush();
        let _ = writeln!(
            self.err,
            "warning: an `on_done` callback failed: {}: {}",
            e.kind, e.message
        );
    }

    /// A `call_soon`/`call_later`/`call_at` callback failed: reported, and
    /// the loop goes on (asyncio logs "Exception in callback").
    pub(super) fn report_loop_callback_error(&mut self, e: &ErrorRef) {
        let _ = self.out.flush();
        let _ = writeln!(
            self.err,
            "warning: a loop callback failed: {}: {}",
            e.kind, e.message
        );
    }

    /// One loop iteration, waiting first if nothing is ready (the
    /// scheduler's `run_once`). `Err` when nothing can ever happen again.
    #[inline]
    fn run_once(&mut self) -> Result<(), Stuck> {
        iteration::run_once(self).map_err(|why| self.stuck(why))
    }

    /// As [`Interp::run_once`], waiting as a future (`Drive::Async`).
    async fn run_once_async(&mut self) -> Result<(), Stuck> {
        match self.lp.next_wait() {
            Err(_) => return Err(Stuck::Deadlock(self.lp.tasks.values().cloned().collect())),
            Ok(Some(deadline)) => {
                let _ = self.out.flush();
                let woken = self.interrupts.woken();
                self.lp.wait_for_event_or_async(deadline, woken).await;
            }
            Ok(None) => {}
        }
        self.handle_stop_signal();
        iteration::run_iteration(self).map_err(|_| self.stuck(Stop::Spinning))
    }

    /// Runs one iteration if anything is ready, finished or due, without waiting.
    pub fn tick(&mut self) -> Result<Tick, Stuck> {
        if let Err(next) = self.lp.poll_ready() {
            return Ok(Tick::Idle(next));
        }
        iteration::run_iteration(self).map_err(|_| self.stuck(Stop::Spinning))?;
        Ok(Tick::Ran)
    }

    /// Why the loop stopped, with the tasks it leaves waiting.
    fn stuck(&self, why: Stop) -> Stuck {
        let tasks = self.lp.tasks.values().cloned().collect();
        match why {
            Stop::Never => Stuck::Deadlock(tasks),
            Stop::Spinning => Stuck::Spinning(tasks),
        }
    }

    /// `run_until_complete`: runs until `target` is done and the stop
    /// callback it schedules has run.
    pub fn run_until_complete(&mut self, target: &Awaitable) -> Result<(), Stuck> {
        at_once(self.run_until_complete_in(target, Drive::Blocking))
    }

    /// [`Interp::run_until_complete`], waiting as `drive` says.
    pub(crate) async fn run_until_complete_in(
        &mut self,
        target: &Awaitable,
        drive: Drive,
    ) -> Result<(), Stuck> {
        self.lp.stopping = false;
        self.add_done_callback(target, Callback::Stop);
        let mut turns: u32 = 0;
        while !self.lp.stopping {
            let ran = match drive {
                Drive::Blocking => self.run_once(),
                Drive::Async => {
                    // A script that never waits still lets the host's
                    // other futures run now and then.
                    turns = turns.wrapping_add(1);
                    if turns.is_multiple_of(YIELD_EVERY) {
                        futures_lite::future::yield_now().await;
                    }
                    self.run_once_async().await
                }
            };
            if let Err(stuck) = ran {
                target
                    .core()
                    .borrow_mut()
                    .callbacks
                    .retain(|c| !matches!(c, Callback::Stop));
                return Err(stuck);
            }
        }
        // Stopped early (by `exit()` in another task): the stop callback
        // must not end a later run of the loop.
        target
            .core()
            .borrow_mut()
            .callbacks
            .retain(|c| !matches!(c, Callback::Stop));
        Ok(())
    }

    /// `asyncio.run`'s shutdown (`Runner.close`): cancel what is still
    /// pending (in creation order) and run until those tasks have ended,
    /// then run the loop as `shutdown_asyncgens()` and
    /// `shutdown_default_executor()` do. Tasks spawned during the shutdown
    /// (by a `finally`) get exactly the loop turns CPython gives them.
    pub fn cancel_remaining(&mut self) -> Result<(), Stuck> {
        at_once(self.cancel_remaining_in(Drive::Blocking))
    }

    /// [`Interp::cancel_remaining`], waiting as `drive` says.
    pub(crate) async fn cancel_remaining_in(&mut self, drive: Drive) -> Result<(), Stuck> {
        self.cancel_all_tasks(drive).await?;
        self.run_until_complete_at_once(drive).await?;
        self.run_until_complete_at_once(drive).await
    }

    /// `_cancel_all_tasks`.
    async fn cancel_all_tasks(&mut self, drive: Drive) -> Result<(), Stuck> {
        let pending: Vec<Rc<Task>> = self.lp.tasks.values().cloned().collect();
        if pending.is_empty() {
            return Ok(());
        }
        for t in &pending {
            self.cancel_task(t, None);
        }
        let all: Vec<Awaitable> = pending.iter().map(|t| Awaitable::Task(t.clone())).collect();
        let g = self.gather_awaitables(all, true).expect("gather of tasks");
        self.run_until_complete_in(&Awaitable::Future(g), drive)
            .await
    }

    /// `loop.run_until_complete(coro)` for a coroutine that returns without
    /// awaiting (what the two shutdown coroutines do with no async
    /// generators and no default executor): its task's first step ends it
    /// in one iteration, and the stop callback runs in the next. A future
    /// resolved by a ready handle takes the same two iterations.
    async fn run_until_complete_at_once(&mut self, drive: Drive) -> Result<(), Stuck> {
        let f = crate::runtime::asyncio::future::Future::new(
            crate::runtime::asyncio::future::FutKind::Plain,
        );
        self.lp
            .call_soon(Handle::Timer(TimerAction::SetResult(f.clone())));
        self.run_until_complete_in(&Awaitable::Future(f), drive)
            .await
    }

    /// Breaks the reference cycles a program that ended stuck leaves (a
    /// task's frames hold the future it waits on, whose callbacks hold the
    /// task; timers and the ready queue hold both), so that dropping the
    /// interpreter frees them: the REPL's engine lives long, and leak
    /// checkers see nothing left.
    pub fn release_cycles(&mut self) {
        let tasks: Vec<Rc<Task>> = self.lp.tasks.values().cloned().collect();
        for t in &tasks {
            // A frame's local functions that call themselves are a cycle
            // through its cells: freed once the frames are gone.
            let exec = t.exec.borrow_mut().take();
            let cells = exec.as_ref().map(|e| e.cells()).unwrap_or_default();
            drop(exec);
            super::cycles::free_unreachable(cells);
            drop(t.waiting_on.take());
            t.core.borrow_mut().callbacks.clear();
        }
        self.lp.ready.clear();
        self.lp.timers = Default::default();
        self.lp.failed.clear();
        self.lp.op_futures.clear();
        self.lp.tasks = Default::default();
        self.current = None;
        self.globals.clear();
    }

    /// Coroutine values made but never run, for the end-of-program warning.
    pub fn never_awaited(engine: u64) -> Vec<(Rc<str>, Option<Loc>)> {
        crate::runtime::asyncio::task::take_never_awaited(engine)
    }
}

use std::io::Write;

/// The message a panic was raised with.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    match payload.downcast_ref::<&str>() {
        Some(s) => s.to_string(),
        None => match payload.downcast_ref::<String>() {
            Some(s) => s.clone(),
            None => "a panic".to_string(),
        },
    }
}

/// The scheduler's iterations run the interpreter's handles.
impl Runner for Interp {
    type Types = super::handle::Vm;

    #[inline(always)]
    fn event_loop(&mut self) -> &mut EventLoop<Self::Types> {
        &mut self.lp
    }

    #[inline(always)]
    fn run(&mut self, handle: Handle) -> bool {
        self.run_handle(handle)
    }

    #[inline(always)]
    fn start_calls(&mut self) {
        self.start_script_calls();
    }

    /// Flushes the output before the thread sleeps, and wakes for a signal
    /// under `tasks run`; a stop signal is handled once awake.
    #[inline]
    fn wait(&mut self) -> Result<(), NeverReady> {
        let (out, interrupts) = (&mut self.out, &self.interrupts);
        self.lp.wait_until_ready(|| {
            let _ = out.flush();
            interrupts.woken()
        })?;
        self.handle_stop_signal();
        Ok(())
    }
}
