//! Script calls handed to the loop by native operations: how a server's
//! accept loop (a Rust future on the executor, `stdlib/http.rs`,
//! `stdlib/net.rs`) gets a script function run for each request.
//!
//! The future queues a [`ScriptCall`] through a
//! [`crate::scheduler::ops::Caller`] and awaits a channel of its own. At
//! the start of its next iteration the loop takes the queued calls, in
//! order, and starts each: an `async fn` becomes a task (so a handler can
//! wait, and a slow one does not hold up the others); a plain function runs
//! at once. When the call ends — returned, failed or cancelled — its
//! `on_done` runs on the loop with the outcome; that closure turns the
//! value into the future's answer (an HTTP response, say) and sends it.
//! Nothing here knows about HTTP.
//!
//! The tasks a call started are kept in its [`TaskSet`] while they run, so
//! whoever owns the set (a server) can cancel them when it closes.

use crate::runtime::asyncio::future::{Awaitable, Callback};
use crate::runtime::asyncio::task::{Coro, CoroStart, Task};
use crate::runtime::error::ErrorRef;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// What runs on the loop with a call's outcome.
pub(crate) type OnDone = Box<dyn FnOnce(&mut Interp, Result<Value, ErrorRef>)>;

/// `func(*args)`, to be run by the loop for a native operation.
pub struct ScriptCall {
    pub func: Value,
    pub args: Vec<Value>,
    pub on_done: OnDone,
    /// Where the call's task is kept while it runs.
    pub running: Rc<TaskSet>,
    /// What its task is called (`GET /posts/1`) instead of `Task-N`.
    pub name: Option<Rc<str>>,
    /// Where its task is put when it starts, for an asker that may cancel
    /// it (a server whose client hung up).
    pub started: Option<Rc<Started>>,
}

/// The task a call started, if it started one and has not been cancelled
/// through here.
#[derive(Default)]
pub struct Started(RefCell<Option<Rc<Task>>>);

impl Started {
    /// Cancels the call's task (nothing if it was a plain function or has
    /// ended).
    pub fn cancel(&self, interp: &mut Interp) {
        let task = self.0.borrow_mut().take();
        if let Some(t) = task {
            interp.cancel_task(&t, None);
        }
    }
}

/// Tasks started for calls and not yet ended.
#[derive(Default)]
pub struct TaskSet {
    tasks: RefCell<Vec<Rc<Task>>>,
}

impl TaskSet {
    fn insert(&self, t: Rc<Task>) {
        self.tasks.borrow_mut().push(t);
    }

    fn remove(&self, t: &Rc<Task>) {
        self.tasks.borrow_mut().retain(|x| !Rc::ptr_eq(x, t));
    }

    /// Cancels every task still running (each ends at its next step).
    pub fn cancel_all(&self, interp: &mut Interp) {
        let tasks = self.tasks.borrow().clone();
        for t in &tasks {
            interp.cancel_task(t, None);
        }
    }
}

/// A Rust done-callback: runs once, on the loop, when the awaitable it was
/// added to ends. Behind one thin pointer so that [`Callback`] stays small.
pub struct NativeHook(RefCell<Option<HookFn>>);

type HookFn = Box<dyn FnOnce(&mut Interp, &Awaitable)>;

impl NativeHook {
    pub(crate) fn new(f: impl FnOnce(&mut Interp, &Awaitable) + 'static) -> Rc<NativeHook> {
        Rc::new(NativeHook(RefCell::new(Some(Box::new(f)))))
    }

    pub(crate) fn run(&self, interp: &mut Interp, a: &Awaitable) {
        let f = self.0.borrow_mut().take();
        if let Some(f) = f {
            f(interp, a);
        }
    }
}

impl Interp {
    /// Starts the calls native operations handed over since the last
    /// iteration, in the order they were handed over.
    #[inline]
    pub(crate) fn start_script_calls(&mut self) {
        if !self.lp.ops.has_completions() {
            return;
        }
        for call in self.lp.ops.take_calls() {
            self.start_script_call(call);
        }
    }

    fn start_script_call(&mut self, call: ScriptCall) {
        let ScriptCall {
            func,
            args,
            on_done,
            running,
            name,
            started,
        } = call;
        let made = match &func {
            Value::Func(c) if c.proto.is_async => {
                Self::bind_args(c, args, Vec::new()).map(|args| {
                    Value::Coro(Coro::new(
                        CoroStart::Script {
                            closure: c.clone(),
                            args,
                        },
                        c.proto.name.clone(),
                        None,
                    ))
                })
            }
            f => self.call_sync(f, args),
        };
        let coro = match made {
            Ok(v @ Value::Coro(_)) => v,
            other => return on_done(self, other),
        };
        let task = match self.spawn_value(coro, None, None) {
            Ok(Value::Task(t)) => t,
            Ok(_) => unreachable!("spawn_value makes a task"),
            Err(e) => return on_done(self, Err(e)),
        };
        if let Some(name) = name {
            task.set_name(name);
            if self.tracer.is_some() {
                self.trace_renamed(&task);
            }
        }
        running.insert(task.clone());
        if let Some(s) = started {
            *s.0.borrow_mut() = Some(task.clone());
        }
        let hook = NativeHook::new(move |interp, a| {
            if let Awaitable::Task(t) = a {
                running.remove(t);
            }
            let outcome = a.outcome().unwrap_or(Ok(Value::Nil));
            on_done(interp, outcome);
        });
        self.add_done_callback(&Awaitable::Task(task), Callback::Native(hook));
    }

    /// Renders a runtime error as the CLI reports it (with its source line
    /// and stack when the engine has given the interpreter its sources).
    pub(crate) fn render_error(&self, e: &ErrorRef) -> String {
        match &self.error_renderer {
            Some(r) => r(e),
            None => format!("error[{}]: {}\n", e.kind, e.message),
        }
    }
}
