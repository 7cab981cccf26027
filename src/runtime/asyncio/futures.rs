//! Operations on tasks and futures that schedule callbacks: spawning,
//! completing, cancelling (asyncio's `Task.cancel` and `Future.cancel`),
//! `gather`, and the methods scripts call on tasks.

use super::future::{Awaitable, Callback, FutKind, FutState, Future, GatherState};
use super::task::{Coro, CoroStart, Task};
use crate::runtime::error::{cancelled, type_error, ErrorObj, ErrorRef, Loc};
use crate::runtime::exec::{Exec, Frame, FrameKind};
use crate::runtime::handle::{Handle, Input};
use crate::runtime::interp::Interp;
use crate::runtime::values::value::{Str, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

impl Interp {
    // ------------------------------------------------------------ tasks

    pub fn spawn_coro(&mut self, start: CoroStart, spawned_at: Option<Loc>) -> Rc<Task> {
        let number = self.lp.next_name();
        self.spawn_named(start, spawned_at, None, number)
    }

    pub(in crate::runtime) fn spawn_named(
        &mut self,
        start: CoroStart,
        spawned_at: Option<Loc>,
        name: Option<Rc<str>>,
        number: u64,
    ) -> Rc<Task> {
        // Tasks are many: a new one gets one frame's room (inline once
        // suspended) and a stack sized for its body; deeper ones grow.
        let mut ex = Exec {
            frames: self.frame_bufs.take(),
            ..Exec::default()
        };
        match start {
            CoroStart::Script { closure, args } => {
                // Exactly what the body needs: a blocked task keeps this.
                ex.stack
                    .reserve_exact(closure.proto.n_locals + closure.proto.max_stack.min(64));
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
            CoroStart::Native(n) => self.push_native(&mut ex, n),
        }
        let id = self.lp.next_id();
        super::task::count_task_made();
        let task = Rc::new(Task {
            id,
            rare: Cell::new(name.map(|name| {
                Box::new(super::task::TaskRare {
                    name: Some(name),
                    ..Default::default()
                })
            })),
            // Wraps after 2^32 tasks (see `Task::number`).
            number: number as u32,
            core: RefCell::new(Default::default()),
            exec: RefCell::new(Some(ex.suspend(&mut self.frame_bufs))),
            must_cancel: Cell::new(false),
            started: Cell::new(false),
            park: Cell::new(super::task::Park::No),
            waiting_on: Cell::new(None),
            cancel_requests: Cell::new(0),
            spawned_at,
            waiting_at: Cell::new(None),
            waiting_since: Cell::new(super::task::stamp_ms(self.lp.clock.last_ns())),
        });
        self.lp.tasks.insert(id, task.clone());
        if self.tracer.is_some() {
            self.trace_spawned(&task);
        }
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
        if let Some(Value::Group(g)) = &group {
            // Before the coroutine is taken: refused, it stays unrun.
            Self::group_open(g)?;
        }
        let Some(start) = c.take() else {
            return Err(type_error(format!(
                "coroutine `{}` was already awaited or spawned",
                c.name()
            )));
        };
        if let Err(e) = self.check_task_limit() {
            // The coroutine stays unrun: put it back so it is reported as such.
            *c.start.borrow_mut() = Some(start);
            return Err(e);
        }
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
            other => Err(ErrorObj::with_help(
                "TypeError",
                format!("`{}` is not awaitable", other.type_name()),
                not_awaitable_help(&other),
            )),
        }
    }

    // ------------------------------------------------------------ futures

    pub fn add_done_callback(&mut self, a: &Awaitable, cb: Callback) {
        let done = a.core().borrow().is_done();
        if done {
            self.lp.call_soon(Handle::Callback(cb, a.clone()));
        } else {
            a.core().borrow_mut().callbacks.push(cb);
        }
    }

    pub(in crate::runtime) fn complete(&mut self, a: &Awaitable, state: FutState) {
        if self.tracer.is_some() {
            self.trace_completed(a);
        }
        let callbacks = {
            let mut core = a.core().borrow_mut();
            if matches!(state, FutState::Failed(_)) {
                core.unretrieved = true;
            }
            core.state = Some(state);
            std::mem::take(&mut core.callbacks)
        };
        for cb in callbacks {
            match cb {
                Callback::Now(hook) => hook.run(self, a),
                cb => self.lp.call_soon(Handle::Callback(cb, a.clone())),
            }
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
        if let FutKind::Native(id) = f.kind {
            self.lp.ops.abort(id);
            self.lp.op_futures.remove(&id);
            if self.tracer.is_some() {
                self.trace_op_dropped(id);
            }
        }
        self.complete(
            &Awaitable::Future(f.clone()),
            FutState::Cancelled(msg.map(Str::from)),
        );
        true
    }

    /// `Task.cancel`: cancel what the task waits on, or make its next step throw.
    pub fn cancel_task(&mut self, t: &Rc<Task>, msg: Option<Rc<str>>) -> bool {
        if t.is_done() {
            return false;
        }
        t.core.borrow_mut().unretrieved = false;
        t.cancel_requests.set(t.cancel_requests.get() + 1);
        let waiting = t.waiting_on();
        if let Some(w) = waiting {
            if self.cancel_awaitable(&w, msg.clone()) {
                return true;
            }
        }
        if self.cancel_park(t, msg.clone()) {
            return true;
        }
        t.must_cancel.set(true);
        t.set_cancel_msg(msg);
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
        // asyncio's `arg_to_fut`: a coroutine given twice becomes one task.
        // Each entry keeps its coroutine alive, so no address is reused.
        let mut task_of: HashMap<*const Coro, (Rc<Coro>, Awaitable)> = HashMap::new();
        for v in items {
            let coro = match &v {
                Value::Coro(c) => Some(c.clone()),
                _ => None,
            };
            if let Some((_, a)) = coro.as_ref().and_then(|c| task_of.get(&Rc::as_ptr(c))) {
                children.push(a.clone());
                continue;
            }
            let a = self.ensure_future(v)?;
            if let Some(c) = coro {
                task_of.insert(Rc::as_ptr(&c), (c, a.clone()));
            }
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
    pub(in crate::runtime) fn gather_child_done(&mut self, outer: &Rc<Future>, child: &Awaitable) {
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

    /// A task's or a future's method; the arguments are already bound
    /// (`methods::call`).
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
        match m {
            "done" => Ok(Value::Bool(a.is_done())),
            "cancelled" => Ok(Value::Bool(matches!(
                a.core().borrow().state(),
                FutState::Cancelled(_)
            ))),
            "cancel" => {
                let msg = args.first().map(|v| Rc::from(v.to_display().as_str()));
                Ok(Value::Bool(self.cancel_awaitable(&a, msg)))
            }
            "result" => match a.outcome() {
                Some(Ok(v)) => Ok(v),
                Some(Err(e)) => Err(e),
                None => Err(still_pending(ty)),
            },
            "error" => match a.outcome() {
                Some(Ok(_)) => Ok(Value::Nil),
                Some(Err(e)) if e.is_cancel() => Err(e),
                Some(Err(e)) => Ok(Value::Error(e)),
                None => Err(still_pending(ty)),
            },
            "set_result" | "set_error" => {
                let Awaitable::Future(f) = &a else {
                    return Err(ErrorObj::new(
                        "AttributeError",
                        format!("a task has no method `{m}`: its body sets its result"),
                    ));
                };
                let state = match (m, &args[0]) {
                    ("set_result", v) => FutState::Done(v.clone()),
                    (_, Value::Error(e)) => FutState::Failed(e.clone()),
                    (_, v) => {
                        return Err(type_error(format!(
                            "set_error() needs an error, not `{}`",
                            v.type_name()
                        )))
                    }
                };
                if f.core.borrow().is_done() {
                    return Err(ErrorObj::new(
                        "InvalidStateError",
                        format!("{m}() on a future that is {}", f.state_name()),
                    ));
                }
                self.complete(&a, state);
                Ok(Value::Nil)
            }
            "name" => match &a {
                Awaitable::Task(t) => Ok(Value::Str(t.name().into())),
                _ => Err(ErrorObj::new("AttributeError", "a future has no name")),
            },
            "set_name" => match &a {
                Awaitable::Task(t) => {
                    t.set_name(Rc::from(args[0].to_display().as_str()));
                    if self.tracer.is_some() {
                        self.trace_renamed(t);
                    }
                    Ok(Value::Nil)
                }
                _ => Err(ErrorObj::new("AttributeError", "a future has no name")),
            },
            "on_done" => {
                if matches!(&args[0], Value::Func(c) if c.proto.is_async) {
                    return Err(type_error(
                        "on_done() needs a plain `fn`: the callback runs at once, it cannot be awaited",
                    ));
                }
                if !matches!(args[0], Value::Func(_) | Value::Native(_)) {
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
}

/// `t.result()` or `t.error()` before `t` is done.
fn still_pending(ty: &str) -> ErrorRef {
    ErrorObj::with_help(
        "InvalidStateError",
        format!("{ty} is still pending"),
        "await it first, or check `done()`",
    )
}

/// What to do instead, for `gather`, `wait` and the rest that await what
/// they are given: a function passed without its call is the usual slip.
fn not_awaitable_help(v: &Value) -> String {
    match v {
        Value::Func(c) => format!(
            "pass the call, not the function: `{0}()` gives the coroutine to wait for, `{0}` is \
             the function itself",
            c.proto.name
        ),
        Value::Native(_) => {
            "pass the call, not the function: the call gives what to wait for".into()
        }
        other => format!(
            "this `{}` is a value, not something to wait for: only a coroutine, a task or a \
             future is awaited",
            other.type_name()
        ),
    }
}
