//! The interpreter's side of `--trace` (see `crate::trace`): the hooks
//! that tell the tracer what ran. Each hook's call site tests
//! `self.tracer.is_some()` first, so a run without a trace pays one
//! predictable branch per hook and never enters these functions.

use super::asyncio::coro::NativeCoro;
use super::asyncio::sync_ops::SyncWait;
use super::interp::Interp;
use crate::runtime::asyncio::future::{Awaitable, FutKind};
use crate::runtime::asyncio::task::Task;
use crate::runtime::handle::{Handle, Input, TimerAction};
use crate::trace::events::WaitKind;
use crate::trace::Tracer;
use std::rc::Rc;

impl Interp {
    fn tracer(&mut self) -> &mut Tracer {
        self.tracer.as_deref_mut().expect("called while tracing")
    }

    fn tracer_now(&mut self) -> (&mut Tracer, u64) {
        let now = self.lp.clock.now_ns();
        let tr = self.tracer.as_deref_mut().expect("called while tracing");
        (tr, now)
    }

    /// `Interp::step` while tracing: the step as a slice, the wait it
    /// leaves the task in as the next one.
    #[cold]
    #[inline(never)]
    pub(super) fn traced_step(&mut self, task: Rc<Task>, input: Input) {
        if task.is_done() || task.exec.borrow().is_none() {
            return self.step_body(task, input);
        }
        // The loop's latest reading, not a new one: a step follows the
        // previous one at once, or a wait that read the clock at its end.
        let now = self.lp.clock.last_ns();
        self.tracer().step_begin(task.id, now);
        self.step_body(task.clone(), input);
        let wait = if task.is_done() {
            None
        } else if task.is_waiting() {
            Some(self.wait_label(&task))
        } else {
            Some((WaitKind::Yield, None))
        };
        let (tr, now) = self.tracer_now();
        tr.step_end(task.id, now, wait);
    }

    /// `Interp::run_handle` while tracing: what the handle runs because of
    /// (a completion, a timer, an operation's end), for the arrows of what
    /// it wakes.
    #[cold]
    #[inline(never)]
    pub(super) fn traced_handle(&mut self, h: Handle) -> bool {
        let (tr, now) = self.tracer_now();
        let mut op = None;
        let mut timer = false;
        match &h {
            Handle::Step(..) | Handle::Wake(..) => {}
            Handle::Callback(_, a) => tr.callback_of(a.addr()),
            Handle::Timer(action) => {
                let what = match action {
                    TimerAction::SetResult(f) => {
                        matches!(f.kind, FutKind::Sleep(_)).then_some("a sleep ends")
                    }
                    TimerAction::Release(_) => Some("a timeout"),
                    TimerAction::Call(_) => Some("a loop callback"),
                };
                // Not a sleep's: the end of the program's shutdown steps.
                if let Some(what) = what {
                    timer = true;
                    tr.timer_begin(what, now);
                }
            }
            Handle::Complete(f, _) => {
                if let FutKind::Native(id) = f.kind {
                    op = Some(id);
                    tr.op_completing(id);
                }
            }
        }
        let spin = self.run_handle_body(h);
        let (tr, now) = self.tracer_now();
        if timer {
            tr.timer_end(now);
        }
        if let Some(id) = op {
            tr.op_end(id, now, None);
        }
        tr.handle_done();
        spin
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_spawned(&mut self, task: &Task) {
        let name = task.given_name();
        self.tracer().spawned(task.id, name, task.number);
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_renamed(&mut self, task: &Task) {
        let name = task.name();
        self.tracer().renamed(task.id, name);
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_completed(&mut self, a: &Awaitable) {
        self.tracer().completed(a.addr());
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_woken(&mut self, t: &Task) {
        self.tracer().woken(t.id);
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_op_begin(&mut self, id: u64, name: &Rc<str>) {
        let (tr, now) = self.tracer_now();
        tr.op_begin(id, name.clone(), now);
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_op_dropped(&mut self, id: u64) {
        let (tr, now) = self.tracer_now();
        tr.op_end(id, now, Some("cancelled"));
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trace_printed(&mut self, text: &str) {
        let task = self.current.as_ref().map(|t| t.id);
        let (tr, now) = self.tracer_now();
        tr.printed(task, text, now);
    }

    /// What a waiting task waits on: its kind and the task tree's words.
    fn wait_label(&self, t: &Task) -> (WaitKind, Option<Rc<str>>) {
        let exec = t.exec.borrow();
        let native = exec.as_ref().and_then(|e| e.native());
        if let Some(NativeCoro::WaitFor(_)) = native {
            // The tree sees only its waiter future.
            return (WaitKind::Task, Some(Rc::from("wait_for()")));
        }
        let in_native = native.is_some();
        drop(exec);
        if let (false, Some(Awaitable::Task(u))) = (in_native, t.waiting_on()) {
            // The commonest wait, named without `format!` (as the tree
            // words it): traced runs are paid for per step.
            let mut words = Vec::with_capacity(16);
            words.extend_from_slice(b"task '");
            match u.given_name() {
                Some(n) => words.extend_from_slice(n.as_bytes()),
                None => {
                    words.extend_from_slice(b"Task-");
                    crate::trace::decimal(u64::from(u.number), &mut words);
                }
            }
            words.push(b'\'');
            // A str's bytes and ASCII: always UTF-8.
            let words = String::from_utf8(words).unwrap_or_default();
            return (WaitKind::Task, Some(Rc::from(words)));
        }
        (self.wait_kind(t), self.wait_words(t).map(Rc::from))
    }

    /// What kind of thing a waiting task waits on (the timeline's colour).
    fn wait_kind(&self, t: &Task) -> WaitKind {
        let exec = t.exec.borrow();
        if let Some(n) = exec.as_ref().and_then(|e| e.native()) {
            let kind = match n {
                NativeCoro::Sleep { .. } | NativeCoro::SleepWith(_) => Some(WaitKind::Sleep),
                NativeCoro::Sync(s) => Some(match s {
                    SyncWait::QueueGet { .. }
                    | SyncWait::QueuePut { .. }
                    | SyncWait::QueueJoin { .. } => WaitKind::Queue,
                    SyncWait::EventWait { .. } => WaitKind::Event,
                    SyncWait::LockAcquire { .. } => WaitKind::Lock,
                    SyncWait::SemAcquire { .. } => WaitKind::Semaphore,
                }),
                NativeCoro::CondWait(_) | NativeCoro::CondWaitFor(_) | NativeCoro::Barrier(_) => {
                    Some(WaitKind::Condition)
                }
                NativeCoro::Race(_)
                | NativeCoro::Wait(_)
                | NativeCoro::AsCompleted(_)
                | NativeCoro::Group(_) => Some(WaitKind::Tasks),
                _ => None,
            };
            if let Some(k) = kind {
                return k;
            }
        }
        match t.waiting_on() {
            Some(Awaitable::Task(_)) => WaitKind::Task,
            Some(Awaitable::Future(f)) => match f.kind {
                FutKind::Native(_) => WaitKind::Op,
                FutKind::Gather(_) => WaitKind::Tasks,
                FutKind::Sleep(_) => WaitKind::Sleep,
                FutKind::Plain => WaitKind::Other,
            },
            None => WaitKind::Other,
        }
    }
}
