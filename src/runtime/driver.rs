//! Runs the event loop: each iteration moves due timers to the back of the
//! ready queue and runs exactly the handles that were ready at its start
//! (CPython 3.11's `BaseEventLoop._run_once`). Also the operations on
//! tasks and futures that schedule callbacks.

use super::error::{cancelled, type_error, ErrorObj, ErrorRef, Loc};
use super::exec::{Exec, Frame, FrameKind};
use super::interp::Interp;
use super::value::Value;
use super::vm::Outcome;
use crate::scheduler::event_loop::{Handle, Input};
use crate::scheduler::future::{Awaitable, Callback, FutKind, FutState, Future, GatherState};
use crate::scheduler::task::{Coro, CoroStart, Task};
use crate::scheduler::timers::TimerAction;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Why the loop stopped before its target finished.
pub enum Stuck {
    /// Nothing can ever wake the waiting tasks.
    Deadlock(Vec<Rc<Task>>),
    /// Under virtual time, tasks keep yielding with `sleep(0)` while a timer is due later.
    Spinning(Vec<Rc<Task>>),
}

/// What [`Interp::tick`] did.
pub enum Tick {
    Ran,
    /// Nothing ready; the next timer is due at this time (ns on the loop clock).
    Idle(Option<u64>),
}

/// Iterations of pure `sleep(0)` spinning (with timers pending) tolerated under virtual time.
const SPIN_LIMIT: u64 = 1_000_000;

impl Interp {
    // ------------------------------------------------------------ tasks

    pub fn spawn_coro(&mut self, start: CoroStart, spawned_at: Option<Loc>) -> Rc<Task> {
        let number = self.lp.next_name();
        self.spawn_named(start, spawned_at, None, number)
    }

    fn spawn_named(
        &mut self,
        start: CoroStart,
        spawned_at: Option<Loc>,
        name: Option<Rc<str>>,
        number: u64,
    ) -> Rc<Task> {
        // Sized for what most tasks need (a root frame plus one awaited
        // native frame; locals plus a little operand room): tasks are many.
        let mut ex = Exec {
            frames: Vec::with_capacity(2),
            ..Exec::default()
        };
        match start {
            CoroStart::Script { closure, args } => {
                ex.stack.reserve_exact(closure.proto.n_locals + 2);
                ex.stack.extend(args);
                ex.stack.resize(closure.proto.n_locals, Value::Nil);
                ex.frames.push(Frame {
                    closure,
                    ip: 0,
                    base: 0,
                    ret_to: 0,
                    kind: FrameKind::Root,
                });
            }
            CoroStart::Native(n) => {
                ex.frames.push(Frame {
                    closure: self.native_closure.clone(),
                    ip: 0,
                    base: 0,
                    ret_to: 0,
                    kind: FrameKind::Native(Box::new(n)),
                });
            }
        }
        let id = self.lp.next_id();
        let task = Rc::new(Task {
            id,
            name: RefCell::new(name),
            number,
            core: RefCell::new(Default::default()),
            exec: RefCell::new(Some(ex)),
            must_cancel: Cell::new(false),
            cancel_msg: RefCell::new(None),
            waiting_on: RefCell::new(None),
            cancel_requests: Cell::new(0),
            spawned_at,
            cancel_error: RefCell::new(None),
            waiting_at: Cell::new(None),
        });
        self.lp.tasks.insert(id, task.clone());
        self.lp.call_soon(Handle::Step(task.clone(), Input::Start));
        task
    }

    /// The main task is named `main` and has no spawn site.
    pub fn spawn_main(&mut self, start: CoroStart) -> Rc<Task> {
        self.spawn_named(start, None, Some(Rc::from("main")), 0)
    }

    pub fn spawn_value(
        &mut self,
        v: Value,
        at: Option<Loc>,
        group: Option<Value>,
    ) -> Result<Value, ErrorRef> {
        if let Value::Task(t) = &v {
            return Err(ErrorObj::with_help(
                "TypeError",
                format!("task '{}' is already running", t.name()),
                "a task is spawned once; await it to get its result",
            ));
        }
        let Value::Coro(c) = v else {
            return Err(ErrorObj::with_help(
                "TypeError",
                format!("spawn needs a coroutine, not `{}`", v.type_name()),
                "call an async fn to get a coroutine: `spawn work()`",
            ));
        };
        let Some(start) = c.take() else {
            return Err(type_error(format!(
                "coroutine `{}` was already awaited or spawned",
                c.name()
            )));
        };
        let task = self.spawn_coro(start, at);
        if let Some(Value::Group(g)) = group {
            self.group_spawn(&g, &task)?;
        }
        Ok(Value::Task(task))
    }

    /// asyncio's `ensure_future`: coroutines become tasks.
    pub fn ensure_future(&mut self, v: Value) -> Result<Awaitable, ErrorRef> {
        match v {
            Value::Task(t) => Ok(Awaitable::Task(t)),
            Value::Future(f) => Ok(Awaitable::Future(f)),
            Value::Coro(_) => match self.spawn_value(v, None, None)? {
                Value::Task(t) => Ok(Awaitable::Task(t)),
                _ => unreachable!(),
            },
            other => Err(type_error(format!(
                "`{}` is not awaitable",
                other.type_name()
            ))),
        }
    }

    // ------------------------------------------------------------ futures

    pub fn add_done_callback(&mut self, a: &Awaitable, cb: Callback) {
        let done = a.core().borrow().is_done();
        if done {
            self.lp.call_soon(Handle::Callback(cb, a.clone()));
        } else {
            let mut core = a.core().borrow_mut();
            // Most futures get exactly one callback (the task awaiting them).
            if core.callbacks.capacity() == 0 {
                core.callbacks.reserve_exact(1);
            }
            core.callbacks.push(cb);
        }
    }

    fn complete(&mut self, a: &Awaitable, state: FutState) {
        let callbacks = {
            let mut core = a.core().borrow_mut();
            if matches!(state, FutState::Failed(_)) {
                core.unretrieved = true;
            }
            core.state = Some(state);
            std::mem::take(&mut core.callbacks)
        };
        for cb in callbacks {
            self.lp.call_soon(Handle::Callback(cb, a.clone()));
        }
    }

    pub fn set_future_result(&mut self, f: &Rc<Future>, v: Value) {
        self.complete(&Awaitable::Future(f.clone()), FutState::Done(v));
    }

    pub fn cancel_sleep_timer(&mut self, f: &Rc<Future>) {
        if let FutKind::Sleep(t) = &f.kind {
            if let Some(id) = t.borrow_mut().take() {
                self.lp.timers.cancel(&id);
            }
        }
    }

    pub fn cancel_future(&mut self, f: &Rc<Future>, msg: Option<Rc<str>>) -> bool {
        if f.core.borrow().is_done() {
            return false;
        }
        if let FutKind::Gather(g) = &f.kind {
            // `_GatheringFuture.cancel`: cancel the children; the outer future
            // ends when they have.
            let children = g.borrow().children.clone();
            let mut any = false;
            for c in &children {
                any |= self.cancel_awaitable(c, msg.clone());
            }
            if any {
                g.borrow_mut().cancel_requested = true;
            }
            return any;
        }
        self.cancel_sleep_timer(f);
        self.complete(&Awaitable::Future(f.clone()), FutState::Cancelled(msg));
        true
    }

    /// `Task.cancel`: cancel what the task waits on, or make its next step throw.
    pub fn cancel_task(&mut self, t: &Rc<Task>, msg: Option<Rc<str>>) -> bool {
        if t.is_done() {
            return false;
        }
        t.core.borrow_mut().unretrieved = false;
        t.cancel_requests.set(t.cancel_requests.get() + 1);
        let waiting = t.waiting_on.borrow().clone();
        if let Some(w) = waiting {
            if self.cancel_awaitable(&w, msg.clone()) {
                return true;
            }
        }
        t.must_cancel.set(true);
        *t.cancel_msg.borrow_mut() = msg;
        true
    }

    pub fn cancel_awaitable(&mut self, a: &Awaitable, msg: Option<Rc<str>>) -> bool {
        match a {
            Awaitable::Task(t) => self.cancel_task(t, msg),
            Awaitable::Future(f) => self.cancel_future(f, msg),
        }
    }

    // ------------------------------------------------------------ gather

    pub fn gather(&mut self, items: Vec<Value>, return_errors: bool) -> Result<Value, ErrorRef> {
        let mut children: Vec<Awaitable> = Vec::new();
        for v in items {
            let a = self.ensure_future(v)?;
            children.push(a);
        }
        Ok(Value::Future(
            self.gather_awaitables(children, return_errors)?,
        ))
    }

    pub fn gather_awaitables(
        &mut self,
        children: Vec<Awaitable>,
        return_errors: bool,
    ) -> Result<Rc<Future>, ErrorRef> {
        // The same awaitable given twice is watched once, as asyncio does;
        // results are still reported for each argument.
        let mut seen = std::collections::HashSet::with_capacity(children.len());
        let distinct: Vec<Awaitable> = children
            .iter()
            .filter(|c| seen.insert(c.addr()))
            .cloned()
            .collect();
        let outer = Future::new(FutKind::Gather(Box::new(RefCell::new(GatherState {
            distinct: distinct.len(),
            children,
            finished: 0,
            return_errors,
            cancel_requested: false,
        }))));
        if distinct.is_empty() {
            self.set_future_result(&outer, Value::list(Vec::new()));
            return Ok(outer);
        }
        for c in &distinct {
            self.add_done_callback(c, Callback::GatherChild(outer.clone()));
        }
        Ok(outer)
    }

    /// `gather`'s `_done_callback`.
    fn gather_child_done(&mut self, outer: &Rc<Future>, child: &Awaitable) {
        let FutKind::Gather(g) = &outer.kind else {
            return;
        };
        g.borrow_mut().finished += 1;
        if outer.core.borrow().is_done() {
            child.core().borrow_mut().unretrieved = false;
            return;
        }
        let (return_errors, finished, total) = {
            let g = g.borrow();
            (g.return_errors, g.finished, g.distinct)
        };
        if !return_errors {
            if let Some(Err(e)) = child.outcome() {
                self.complete(&Awaitable::Future(outer.clone()), FutState::Failed(e));
                return;
            }
        }
        if finished == total {
            let children = g.borrow().children.clone();
            let results = children
                .iter()
                .map(|c| match c.outcome() {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => Value::Error(e),
                    None => Value::Nil,
                })
                .collect();
            if g.borrow().cancel_requested {
                self.complete(
                    &Awaitable::Future(outer.clone()),
                    FutState::Failed(cancelled(None)),
                );
            } else {
                self.set_future_result(outer, Value::list(results));
            }
        }
    }

    // ------------------------------------------------------------ stepping

    /// `Task.__step`: runs the task until it waits, yields or ends.
    fn step(&mut self, task: Rc<Task>, mut input: Input) {
        if task.is_done() {
            return;
        }
        if task.must_cancel.get() {
            if !matches!(&input, Input::Throw(e) if e.is_cancel()) {
                input = Input::Throw(cancelled(task.cancel_msg.borrow().clone()));
            }
            task.must_cancel.set(false);
        }
        *task.waiting_on.borrow_mut() = None;
        let Some(mut ex) = task.exec.borrow_mut().take() else {
            return;
        };
        let prev = self.current.replace(task.clone());
        let outcome = self.resume(&mut ex, input);
        self.current = prev;
        let a = Awaitable::Task(task.clone());
        match outcome {
            Outcome::Returned(v) => {
                if task.must_cancel.get() {
                    task.must_cancel.set(false);
                    self.finish_task(&task, FutState::Cancelled(task.cancel_msg.borrow().clone()));
                } else {
                    self.finish_task(&task, FutState::Done(v));
                }
            }
            Outcome::Threw(e) if e.is_cancel() => {
                *task.cancel_error.borrow_mut() = Some(e.clone());
                self.finish_task(
                    &task,
                    FutState::Cancelled(Some(e.message.clone()).filter(|m| !m.is_empty())),
                );
            }
            Outcome::Threw(e) => {
                self.finish_task(&task, FutState::Failed(e));
                self.lp.failed.push(task.clone());
            }
            Outcome::Suspended(w) => {
                task.waiting_at.set(self.current_loc(&ex));
                *task.exec.borrow_mut() = Some(ex);
                self.add_done_callback(&w, Callback::Wakeup(task.clone()));
                *task.waiting_on.borrow_mut() = Some(w.clone());
                if task.must_cancel.get()
                    && self.cancel_awaitable(&w, task.cancel_msg.borrow().clone())
                {
                    task.must_cancel.set(false);
                }
            }
            Outcome::Yielded => {
                task.waiting_at.set(self.current_loc(&ex));
                *task.exec.borrow_mut() = Some(ex);
                self.lp
                    .call_soon(Handle::Step(task.clone(), Input::Value(Value::Nil)));
            }
        }
        let _ = a;
    }

    fn finish_task(&mut self, task: &Rc<Task>, state: FutState) {
        self.lp.tasks.remove(task.id);
        self.complete(&Awaitable::Task(task.clone()), state);
    }

    fn run_handle(&mut self, h: Handle) -> bool {
        match h {
            Handle::Step(t, input) => {
                let spin =
                    matches!(input, Input::Value(Value::Nil)) && t.waiting_on.borrow().is_none();
                self.step(t, input);
                return spin;
            }
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
            },
            Handle::Timer(action) => match action {
                TimerAction::SetResult(f) | TimerAction::Release(f) => {
                    if !f.core.borrow().is_done() {
                        self.set_future_result(&f, Value::Nil);
                    }
                }
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

    /// One loop iteration. `Err` when nothing can ever happen again.
    fn run_once(&mut self) -> Result<(), Stuck> {
        if self.lp.ready.is_empty() {
            match self.lp.timers.next_deadline() {
                Some(deadline) => {
                    let _ = self.out.flush();
                    self.lp.clock.wait_until(deadline, &self.lp.executor);
                }
                None => {
                    while self.lp.executor.try_tick() {}
                    if self.lp.ready.is_empty() {
                        return Err(Stuck::Deadlock(self.lp.tasks.values().cloned().collect()));
                    }
                }
            }
        }
        self.run_iteration()
    }

    /// Runs one iteration if anything is ready or due, without waiting.
    pub fn tick(&mut self) -> Result<Tick, Stuck> {
        if self.lp.ready.is_empty() {
            let now = self.lp.clock.now_ns();
            match self.lp.timers.next_deadline() {
                Some(d) if d <= now => {}
                next => {
                    while self.lp.executor.try_tick() {}
                    if self.lp.ready.is_empty() {
                        return Ok(Tick::Idle(next));
                    }
                }
            }
        }
        self.run_iteration()?;
        Ok(Tick::Ran)
    }

    fn run_iteration(&mut self) -> Result<(), Stuck> {
        let now = self.lp.clock.now_ns();
        let mut due = Vec::new();
        self.lp.timers.pop_due(now, &mut due);
        let fired = !due.is_empty();
        for action in due {
            self.lp.call_soon(Handle::Timer(action));
        }
        let n = self.lp.ready.len();
        let mut all_spin = n > 0 && !fired;
        for _ in 0..n {
            let Some(h) = self.lp.ready.pop_front() else {
                break;
            };
            all_spin &= self.run_handle(h);
        }
        while self.lp.executor.try_tick() {}
        if all_spin
            && !self.lp.stopping
            && self.lp.clock.is_virtual()
            && self.lp.timers.next_deadline().is_some()
        {
            self.lp.spin_iterations += 1;
            if self.lp.spin_iterations > SPIN_LIMIT {
                return Err(Stuck::Spinning(self.lp.tasks.values().cloned().collect()));
            }
        } else {
            self.lp.spin_iterations = 0;
        }
        Ok(())
    }

    /// `run_until_complete`: runs until `target` is done and the stop
    /// callback it schedules has run.
    pub fn run_until_complete(&mut self, target: &Awaitable) -> Result<(), Stuck> {
        self.lp.stopping = false;
        self.add_done_callback(target, Callback::Stop);
        while !self.lp.stopping {
            if let Err(stuck) = self.run_once() {
                target
                    .core()
                    .borrow_mut()
                    .callbacks
                    .retain(|c| !matches!(c, Callback::Stop));
                return Err(stuck);
            }
        }
        Ok(())
    }

    /// `asyncio.run`'s shutdown: cancel what is still pending (in creation
    /// order) and run until those tasks have ended.
    pub fn cancel_remaining(&mut self) -> Result<(), Stuck> {
        let pending: Vec<Rc<Task>> = self.lp.tasks.values().cloned().collect();
        if pending.is_empty() {
            return Ok(());
        }
        for t in &pending {
            self.cancel_task(t, None);
        }
        let all: Vec<Awaitable> = pending.iter().map(|t| Awaitable::Task(t.clone())).collect();
        let g = self.gather_awaitables(all, true).expect("gather of tasks");
        self.run_until_complete(&Awaitable::Future(g))
    }

    /// Spawns a coroutine made of `closure` as the main task.
    pub fn coro_of(closure: Rc<crate::compile::code::Closure>) -> CoroStart {
        CoroStart::Script {
            closure,
            args: Vec::new(),
        }
    }

    pub fn task_method(
        &mut self,
        recv: &Value,
        m: &str,
        args: Vec<Value>,
    ) -> Result<Value, ErrorRef> {
        let a = match recv {
            Value::Task(t) => Awaitable::Task(t.clone()),
            Value::Future(f) => Awaitable::Future(f.clone()),
            _ => unreachable!(),
        };
        let ty = recv.type_name();
        let want = |n: usize, max: usize| -> Result<(), ErrorRef> {
            if args.len() < n || args.len() > max {
                return Err(type_error(format!(
                    "{ty}.{m}() takes {} but {} were given",
                    if n == max {
                        format!("{n} arguments")
                    } else {
                        format!("{n} to {max} arguments")
                    },
                    args.len()
                )));
            }
            Ok(())
        };
        match m {
            "done" => {
                want(0, 0)?;
                Ok(Value::Bool(a.is_done()))
            }
            "cancelled" => {
                want(0, 0)?;
                Ok(Value::Bool(matches!(
                    a.core().borrow().state(),
                    FutState::Cancelled(_)
                )))
            }
            "cancel" => {
                want(0, 1)?;
                let msg = args.first().map(|v| Rc::from(v.to_display().as_str()));
                Ok(Value::Bool(self.cancel_awaitable(&a, msg)))
            }
            "result" => {
                want(0, 0)?;
                match a.outcome() {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => Err(e),
                    None => Err(ErrorObj::with_help(
                        "InvalidStateError",
                        format!("{ty} is still pending"),
                        "await it first, or check `done()`",
                    )),
                }
            }
            "error" => {
                want(0, 0)?;
                match a.outcome() {
                    Some(Ok(_)) => Ok(Value::Nil),
                    Some(Err(e)) if e.is_cancel() => Err(e),
                    Some(Err(e)) => Ok(Value::Error(e)),
                    None => Err(ErrorObj::with_help(
                        "InvalidStateError",
                        format!("{ty} is still pending"),
                        "await it first, or check `done()`",
                    )),
                }
            }
            "name" => {
                want(0, 0)?;
                match &a {
                    Awaitable::Task(t) => Ok(Value::Str(t.name())),
                    _ => Err(ErrorObj::new("AttributeError", "a future has no name")),
                }
            }
            "set_name" => {
                want(1, 1)?;
                match &a {
                    Awaitable::Task(t) => {
                        t.set_name(Rc::from(args[0].to_display().as_str()));
                        Ok(Value::Nil)
                    }
                    _ => Err(ErrorObj::new("AttributeError", "a future has no name")),
                }
            }
            "on_done" => {
                want(1, 1)?;
                if matches!(&args[0], Value::Func(c) if c.proto.is_async) {
                    return Err(type_error(
                        "on_done() needs a plain `fn`: the callback runs at once, it cannot be awaited",
                    ));
                }
                if !matches!(args[0], Value::Func(_) | Value::Builtin(_)) {
                    return Err(type_error(format!(
                        "on_done() needs a function, not `{}`",
                        args[0].type_name()
                    )));
                }
                self.add_done_callback(&a, Callback::Script(args[0].clone()));
                Ok(Value::Nil)
            }
            _ => Err(ErrorObj::new(
                "AttributeError",
                format!("`{ty}` has no method `{m}`"),
            )),
        }
    }

    /// Coroutine values made but never run, for the end-of-program warning.
    pub fn never_awaited() -> Vec<(Rc<str>, Option<Loc>)> {
        crate::scheduler::task::NEVER_AWAITED.with(|w| std::mem::take(&mut *w.borrow_mut()))
    }

    pub fn coro_value(&self, start: CoroStart, name: Rc<str>) -> Value {
        Value::Coro(Coro::new(start, name, None))
    }
}

use std::io::Write;
