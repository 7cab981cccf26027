//! What a native does with tasks and futures through its context:
//! asyncio's functions for Rust code (the current task and the live ones,
//! cancelling, done callbacks, loop callbacks, `gather`, `shield`, `wait`,
//! `as_completed`). The builtins of those names are these methods behind
//! their argument checks.

use super::NativeCtx;
use crate::runtime::asyncio::coro::{coro_value, NativeCoro};
use crate::runtime::asyncio::future::{Awaitable, Callback, FutState};
use crate::runtime::asyncio::waits::{ReturnWhen, Wait};
use crate::runtime::error::{cancelled, type_error, ScriptError};
use crate::runtime::native::script_call::NativeHook;
use crate::runtime::values::value::Value;
use std::rc::Rc;

impl NativeCtx<'_> {
    /// The task running now (`current_task()`), if any.
    pub fn current_task(&self) -> Option<Value> {
        self.interp.current.clone().map(Value::Task)
    }

    /// The tasks not yet done, in the order they were made (`all_tasks()`).
    pub fn tasks(&self) -> Vec<Value> {
        let live = self.interp.lp.tasks.values().filter(|t| !t.is_done());
        live.cloned().map(Value::Task).collect()
    }

    /// Cancels a task or a future as `t.cancel(msg)` does: false if it had
    /// already ended.
    pub fn cancel(&mut self, aw: &Value, msg: Option<&str>) -> Result<bool, ScriptError> {
        let msg = msg.map(Rc::from);
        match aw {
            Value::Task(t) => Ok(self.interp.cancel_task(t, msg)),
            Value::Future(f) => Ok(self.interp.cancel_future(f, msg)),
            other => Err(type_error(format!(
                "cannot cancel `{}`: only a task or a future",
                other.type_name()
            ))),
        }
    }

    /// Runs `f` on the loop when the task or future ends (in the loop's
    /// next turn if it has), as `add_done_callback` does. `f` sees the
    /// outcome without taking it: a failure nobody awaits is still
    /// reported at the end of the program.
    pub fn on_done(
        &mut self,
        aw: &Value,
        f: impl FnOnce(&mut NativeCtx<'_>, Result<Value, ScriptError>) + 'static,
    ) -> Result<(), ScriptError> {
        let a = match aw {
            Value::Task(t) => Awaitable::Task(t.clone()),
            Value::Future(f) => Awaitable::Future(f.clone()),
            other => {
                return Err(type_error(format!(
                    "on_done needs a task or a future, not `{}`",
                    other.type_name()
                )))
            }
        };
        let hook = NativeHook::new(move |interp, a| {
            let outcome = match a.core().borrow().state() {
                FutState::Pending => Ok(Value::Nil),
                FutState::Done(v) => Ok(v.clone()),
                FutState::Failed(e) => Err(e.clone()),
                FutState::Cancelled(msg) => Err(cancelled(msg.as_ref().map(Rc::from))),
            };
            f(&mut NativeCtx { interp }, outcome);
        });
        self.interp.add_done_callback(&a, Callback::Native(hook));
        Ok(())
    }

    /// Schedules `f(args...)` (a plain script function) for the loop's
    /// next turn, as `call_soon` does; the handle it returns cancels it.
    pub fn call_soon(&mut self, f: Value, args: Vec<Value>) -> Value {
        self.interp.schedule_callback(None, f, args)
    }

    /// Schedules `f(args...)` for `when_ns` on the loop's clock
    /// ([`NativeCtx::now_ns`] plus a delay), as `call_at` does.
    pub fn call_at(&mut self, when_ns: u64, f: Value, args: Vec<Value>) -> Value {
        self.interp.schedule_callback(Some(when_ns), f, args)
    }

    /// A future of the results of `aws` (coroutines, tasks, futures), in
    /// their order, as `gather` makes; with `return_errors` a failure is a
    /// result instead of failing the whole.
    pub fn gather(&mut self, aws: Vec<Value>, return_errors: bool) -> Result<Value, ScriptError> {
        self.interp.gather(aws, return_errors)
    }

    /// `shield(aw)`: a future that follows `aw`, whose cancellation does
    /// not reach it.
    pub fn shield(&mut self, aw: Value) -> Result<Value, ScriptError> {
        self.interp.shield(aw)
    }

    /// `wait(aws, timeout:, return_when:)`: a coroutine giving `[done,
    /// pending]`; `return_when` is `"ALL_COMPLETED"`, `"FIRST_COMPLETED"`
    /// or `"FIRST_EXCEPTION"`.
    pub fn wait(
        &mut self,
        aws: Vec<Value>,
        timeout: Option<f64>,
        return_when: &str,
    ) -> Result<Value, ScriptError> {
        let when = ReturnWhen::parse(Some(&Value::str(return_when)))?;
        let fs = self.interp.wait_members(aws)?;
        Ok(coro_value(
            "wait",
            NativeCoro::Wait(Box::new(Wait::new(fs, timeout, when))),
        ))
    }

    /// `as_completed(aws, timeout:)`: a list of coroutines, each giving
    /// the next result to arrive.
    pub fn as_completed(
        &mut self,
        aws: Vec<Value>,
        timeout: Option<f64>,
    ) -> Result<Value, ScriptError> {
        self.interp.as_completed(aws, timeout)
    }
}
