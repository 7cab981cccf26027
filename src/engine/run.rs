//! Running a loaded program to its end, as `asyncio.run` does: the main
//! task, then the end-of-program cleanup (what is left cancelled, native
//! work dropped, child processes killed, warnings), and the error a run
//! ends with. Blocking (`eval`, `run`), or as a future a host's executor
//! drives (`eval_async`): the same code, waiting as the loop's `Drive`
//! says.

use super::{tree, Engine, EXIT_OK};
use crate::diagnostics::{self, Waiter};
use crate::error::{Error, ErrorKind};
use crate::runtime::asyncio::future::Awaitable;
use crate::runtime::asyncio::task::{CoroStart, Task};
use crate::runtime::driver::{at_once, Drive, Stuck};
use crate::runtime::values::value::Value;
use std::future::Future;
use std::io::Write;
use std::rc::Rc;

impl Engine {
    /// Runs a whole program as `asyncio.run` would, returning the exit
    /// status; reports go to the error stream.
    pub fn run(&mut self, name: &str, text: &str) -> i32 {
        match self.execute(name, text, false) {
            Ok(_) => EXIT_OK,
            Err(e) => {
                self.write_err(&e.report);
                e.exit_status()
            }
        }
    }

    /// Runs a program as `asyncio.run` would and returns the value of its
    /// last expression statement (`nil` if it ends otherwise). Warnings
    /// (a failed task nobody awaited, a coroutine never awaited) still go to
    /// the error stream; the error, if any, is returned, rendered as the
    /// CLI would print it.
    pub fn eval(&mut self, name: &str, source: &str) -> Result<Value, Error> {
        self.execute(name, source, true)
    }

    /// [`Engine::eval`] of a file.
    pub fn eval_file(&mut self, path: impl AsRef<std::path::Path>) -> Result<Value, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("error: cannot read {}: {e}\n", path.display()),
            )
        })?;
        self.execute(&path.display().to_string(), &text, true)
    }

    /// [`Engine::eval`] as a future, for a host that runs its own
    /// executor (a `LocalExecutor`, `futures::executor::LocalPool`, a
    /// tokio `LocalSet`): while the script waits (a timer, a native
    /// operation) the future is pending and the executor runs its other
    /// futures; while it computes, it yields every few loop iterations.
    /// The engine stays on its thread (`!Send`), and the future borrows
    /// it. Dropping the future before it ends stops the program where it
    /// is; the next program run on the engine first cancels what it left
    /// (its `finally` blocks run then).
    pub async fn eval_async(&mut self, name: &str, source: &str) -> Result<Value, Error> {
        let main = {
            let _active = crate::runtime::asyncio::task::enter_engine(self.id);
            let closure = self.load(name, source, true)?;
            self.spawn_main(CoroStart::Script {
                closure,
                args: Vec::new(),
            })
        };
        self.run_main_async(main).await
    }

    fn execute(&mut self, name: &str, text: &str, echo: bool) -> Result<Value, Error> {
        let _active = crate::runtime::asyncio::task::enter_engine(self.id);
        let closure = self.load(name, text, echo)?;
        let main = self.spawn_main(CoroStart::Script {
            closure,
            args: Vec::new(),
        });
        self.run_main(main)
    }

    /// Runs the loop until `main` ends, then ends the program as
    /// `asyncio.run` does: cancels what is left, reports, resets.
    pub(crate) fn run_main(&mut self, main: Rc<Task>) -> Result<Value, Error> {
        let _active = crate::runtime::asyncio::task::enter_engine(self.id);
        at_once(self.run_main_in(main, Drive::Blocking))
    }

    /// [`Engine::run_main`] as a future: the engine is marked as the one
    /// running on this thread while it is polled (another engine's future
    /// may run on the same thread between two polls).
    pub(crate) async fn run_main_async(&mut self, main: Rc<Task>) -> Result<Value, Error> {
        let id = self.id;
        let mut run = std::pin::pin!(self.run_main_in(main, Drive::Async));
        std::future::poll_fn(move |cx| {
            let _active = crate::runtime::asyncio::task::enter_engine(id);
            run.as_mut().poll(cx)
        })
        .await
    }

    async fn run_main_in(&mut self, main: Rc<Task>, drive: Drive) -> Result<Value, Error> {
        self.in_run = true;
        let outcome = self.run_main_to_end(main, drive).await;
        self.in_run = false;
        outcome
    }

    /// Ends what a run whose future was dropped left on the loop (its
    /// tasks are cancelled and their `finally` blocks run, its native work
    /// is dropped, its children killed, its globals reset), before
    /// another program starts. Its output and warnings go where a run's
    /// go; its outcome is lost with its future.
    fn end_abandoned_run(&mut self) {
        self.in_run = false;
        let _active = crate::runtime::asyncio::task::enter_engine(self.id);
        self.interp.interrupts.main_finished();
        self.interp.lp.ops.close_calls();
        if let Err(stuck) = self.interp.cancel_remaining() {
            self.report_stuck(stuck);
        }
        self.interp.lp.ops.abort_all();
        self.run_end_hooks();
        self.reset_globals();
        let _ = self.interp.out.flush();
    }

    async fn run_main_to_end(&mut self, main: Rc<Task>, drive: Drive) -> Result<Value, Error> {
        // A previous program on this engine closed them at its end.
        self.interp.lp.ops.open_calls();
        let ran = self
            .interp
            .run_until_complete_in(&Awaitable::Task(main.clone()), drive)
            .await;
        self.interp.interrupts.main_finished();
        // Servers take no more requests once the main task has ended; the
        // handlers still running are cancelled with the other tasks.
        self.interp.lp.ops.close_calls();
        if let Err(stuck) = ran {
            self.interp.lp.ops.abort_all();
            let _ = self.interp.out.flush();
            return Err(self.stuck_error(stuck));
        }
        crash_if_asked();
        let mut cleanup = None;
        if let Err(stuck) = self.interp.cancel_remaining_in(drive).await {
            cleanup = Some(self.stuck_error(stuck));
        }
        // Whatever native work is left (a task that swallowed its
        // cancellation) is dropped: nothing outlives the program, not even
        // a child a script started and forgot (the modules' end hooks:
        // `process` kills the children, `fs` waits for its writes in flight
        // and removes the temporary files).
        self.interp.lp.ops.abort_all();
        self.run_end_hooks();
        let outcome = match Awaitable::Task(main.clone()).outcome() {
            Some(Err(e)) if e.is_cancel() => Err(main.cancel_error().unwrap_or(e)),
            Some(Err(e)) => Err(e),
            Some(Ok(v)) => Ok(v),
            None => Ok(Value::Nil),
        };
        if let Some(c) = &cleanup {
            self.write_err(&c.report);
        }
        self.reset_globals();
        self.report_unretrieved(&main);
        self.report_never_awaited();
        let _ = self.interp.out.flush();
        let exit = self
            .interp
            .exit_code
            .take()
            .or_else(|| outcome.as_ref().err().and_then(|e| e.exit_code()));
        if let Some(code) = exit {
            return match code {
                0 => Ok(Value::Nil),
                code => Err(Error::new(ErrorKind::Exit(code), String::new())),
            };
        }
        match (outcome, cleanup) {
            // A signal cancelled the main task and it ended cancelled (it
            // may also have caught the cancellation and gone on, as under asyncio).
            (Err(e), _) if e.is_cancel() && self.interp.interrupts.signal().is_some() => {
                let signo = self.interp.interrupts.signal().unwrap_or(2);
                Err(Error::new(
                    ErrorKind::Signal(signo),
                    diagnostics::stopped_by_signal(&self.style, signo, false),
                ))
            }
            (Err(e), _) => {
                let report = diagnostics::runtime_error(&self.style, &self.sources, &e);
                Err(Error::script(report, &self.sources, &e))
            }
            // Already written, in its place before the warnings.
            (Ok(_), Some(_)) => Err(Error::new(ErrorKind::Deadlock, String::new())),
            (Ok(v), None) => Ok(v),
        }
    }

    /// Spawns a program's (or an input's) main task, remembered as the
    /// one stuck reports are about.
    pub(crate) fn spawn_main(&mut self, start: CoroStart) -> Rc<Task> {
        if self.in_run {
            self.end_abandoned_run();
        }
        let main = self.interp.spawn_main(start);
        self.main = Rc::downgrade(&main);
        main
    }

    fn stuck_error(&mut self, stuck: Stuck) -> Error {
        let (title, help, tasks) = match stuck {
            Stuck::Deadlock(tasks) => (
                "deadlock: every task is waiting and nothing can wake any of them",
                "each waiting task needs another task, a timer or an event to resume it",
                tasks,
            ),
            Stuck::Spinning(tasks) => (
                "virtual time is stuck: tasks keep yielding with `sleep(0)` while a timer waits",
                "under --virtual-time the clock only moves when every task waits; await the timer (or an event) instead of polling",
                tasks,
            ),
        };
        let facts = self.task_tree();
        let waiters: Vec<Waiter> = tasks
            .iter()
            .map(|t| Waiter {
                name: t.name(),
                at: t.waiting_at.get(),
                more: facts
                    .iter()
                    .find(|f| f.id == t.id)
                    .map(|f| tree::report_lines(f, &facts))
                    .unwrap_or_default(),
            })
            .collect();
        // The main task's place, if it is one of the stuck tasks (the REPL's
        // input waits among tasks earlier inputs left, defined elsewhere).
        let main = self.main.upgrade();
        let focus = tasks
            .iter()
            .find(|t| main.as_ref().is_some_and(|m| Rc::ptr_eq(m, t)))
            .and_then(|t| t.waiting_at.get());
        let report = diagnostics::stuck(&self.style, &self.sources, title, help, &waiters, focus);
        Error::new(ErrorKind::Deadlock, report)
    }

    pub(super) fn report_stuck(&mut self, stuck: Stuck) {
        let e = self.stuck_error(stuck);
        self.write_err(&e.report);
    }
}

/// `TASKS_TEST_CRASH=1` panics once the main task has ended, before the
/// output is flushed: the only way to test that a crash keeps what was
/// printed (`tests/cli.rs`), since no known program crashes.
fn crash_if_asked() {
    if std::env::var_os("TASKS_TEST_CRASH").is_some_and(|v| v == "1") {
        panic!("TASKS_TEST_CRASH=1: crashing on purpose");
    }
}
