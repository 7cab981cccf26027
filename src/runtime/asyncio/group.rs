//! `group { ... }`: asyncio.TaskGroup. Waits for every task spawned
//! lexically inside the block; the first failure cancels the others (and
//! the block itself), and is rethrown once every task has ended.

use super::coro::{NativeCoro, NativeStep};
use super::future::{Awaitable, FutKind, Future};
use super::task::Task;
use crate::runtime::error::ErrorRef;
use crate::runtime::handle::Input;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[derive(Default)]
pub struct Group {
    pub tasks: RefCell<Vec<Rc<Task>>>,
    pub errors: RefCell<Vec<ErrorRef>>,
    pub aborting: Cell<bool>,
    pub exiting: Cell<bool>,
    pub parent: RefCell<Option<Rc<Task>>>,
    pub parent_cancel_requested: Cell<bool>,
    pub on_completed: RefCell<Option<Rc<Future>>>,
    /// `g.cancel()` was called: the body's cancellation is the group's own.
    pub user_cancel: Cell<bool>,
    /// The block has been left: nothing more can be spawned into it.
    pub ended: Cell<bool>,
}

pub(crate) fn new_group(parent: Option<Rc<Task>>) -> Value {
    let g = Group::default();
    *g.parent.borrow_mut() = parent;
    Value::Group(Rc::new(g))
}

pub(crate) fn exit(group: Value, error: Option<ErrorRef>) -> NativeCoro {
    let Value::Group(group) = group else {
        unreachable!("group slot holds a group")
    };
    NativeCoro::Group(Box::new(GroupExit {
        group,
        error,
        propagate_cancel: None,
        started: false,
    }))
}

pub struct GroupExit {
    group: Rc<Group>,
    error: Option<ErrorRef>,
    propagate_cancel: Option<ErrorRef>,
    started: bool,
}

impl Interp {
    fn group_abort(&mut self, g: &Group) {
        g.aborting.set(true);
        let tasks: Vec<Rc<Task>> = g.tasks.borrow().clone();
        for t in tasks {
            if !t.is_done() {
                self.cancel_task(&t, None);
            }
        }
    }

    /// `TaskGroup._on_task_done`.
    pub fn group_task_done(&mut self, g: &Rc<Group>, task: &Rc<Task>) {
        g.tasks.borrow_mut().retain(|t| !Rc::ptr_eq(t, task));
        if g.tasks.borrow().is_empty() {
            let fut = g.on_completed.borrow().clone();
            if let Some(f) = fut {
                if !f.core.borrow().is_done() {
                    self.set_future_result(&f, Value::Bool(true));
                }
            }
        }
        if task.is_cancelled() {
            return;
        }
        let Some(Err(e)) = Awaitable::Task(task.clone()).outcome() else {
            return;
        };
        g.errors.borrow_mut().push(e);
        let parent = g.parent.borrow().clone();
        let Some(parent) = parent else { return };
        if parent.is_done() {
            return;
        }
        if !g.aborting.get() && !g.parent_cancel_requested.get() {
            self.group_abort(g);
            g.parent_cancel_requested.set(true);
            self.cancel_task(&parent, None);
        }
    }

    /// `g.cancel()` (CPython 3.15's `TaskGroup.cancel()`): cancel the
    /// group's tasks and its body if it still runs; the block then ends
    /// without an error (unless a task had already failed).
    pub fn group_cancel(&mut self, g: &Rc<Group>) {
        if g.ended.get() {
            return;
        }
        g.user_cancel.set(true);
        if !g.aborting.get() {
            self.group_abort(g);
        }
        if g.exiting.get() || g.parent_cancel_requested.get() {
            return;
        }
        let parent = g.parent.borrow().clone();
        if let Some(p) = parent.filter(|p| !p.is_done()) {
            g.parent_cancel_requested.set(true);
            self.cancel_task(&p, None);
        }
    }

    /// Whether the group still takes tasks.
    pub fn group_open(g: &Group) -> Result<(), ErrorRef> {
        if g.ended.get() {
            return Err(crate::runtime::error::ErrorObj::new(
                "RuntimeError",
                "the group has ended: spawn into it while its block runs",
            ));
        }
        if g.aborting.get() {
            return Err(crate::runtime::error::ErrorObj::new(
                "RuntimeError",
                "the group is shutting down",
            ));
        }
        Ok(())
    }

    pub fn group_spawn(&mut self, g: &Rc<Group>, task: &Rc<Task>) -> Result<(), ErrorRef> {
        Self::group_open(g)?;
        self.add_done_callback(
            &Awaitable::Task(task.clone()),
            super::future::Callback::Group(g.clone()),
        );
        g.tasks.borrow_mut().push(task.clone());
        Ok(())
    }
}

impl GroupExit {
    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        let g = self.group.clone();
        if !self.started {
            self.started = true;
            g.exiting.set(true);
            if self.error.as_ref().is_some_and(|e| e.is_cancel()) {
                self.propagate_cancel = self.error.clone();
            }
            if g.parent_cancel_requested.get() {
                if let Some(p) = g.parent.borrow().as_ref() {
                    let n = p.cancel_requests.get().saturating_sub(1);
                    p.cancel_requests.set(n);
                    if n == 0 {
                        self.propagate_cancel = None;
                        if g.user_cancel.get() {
                            // `uncancel()` as 3.13 has it: a cancel asked
                            // for and not yet delivered is dropped too.
                            p.must_cancel.set(false);
                        }
                    }
                }
            }
            if self.error.is_some() && !g.aborting.get() {
                it.group_abort(&g);
            }
        } else {
            if let Input::Throw(e) = input {
                if e.is_cancel() && !g.aborting.get() {
                    self.propagate_cancel = Some(e);
                    it.group_abort(&g);
                }
            }
            *g.on_completed.borrow_mut() = None;
        }
        if !g.tasks.borrow().is_empty() {
            let f = Future::new(FutKind::Plain);
            *g.on_completed.borrow_mut() = Some(f.clone());
            return NativeStep::Await(Awaitable::Future(f));
        }
        g.ended.set(true);
        if let Some(c) = &self.propagate_cancel {
            if g.errors.borrow().is_empty() {
                return NativeStep::Throw(c.clone());
            }
        }
        if let Some(e) = &self.error {
            if !e.is_cancel() {
                g.errors.borrow_mut().push(e.clone());
            }
        }
        let first = g.errors.borrow().first().cloned();
        if let Some(e) = &first {
            // The first is raised; it keeps the others (`e.others()`).
            let rest = g.errors.borrow()[1..].to_vec();
            e.others.borrow_mut().extend(rest);
        }
        match first {
            Some(e) => NativeStep::Throw(e),
            None => NativeStep::Return(Value::Nil),
        }
    }
}
