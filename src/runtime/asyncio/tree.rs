//! The live task tree as data: every pending task with its state, where
//! and since when it waits, on what (a lock with the task holding it, a
//! queue and its size, a sleep and when it ends, a native operation), the
//! chain of tasks awaiting it and the group it belongs to. One walk, read
//! by the deadlock report, the REPL's `:tasks`, Ctrl-\ and `tasks ps`.

use super::coro::NativeCoro;
use super::future::{Awaitable, Callback, Core, FutKind, Future};
use super::sync_ops::SyncWait;
use super::task::{Park, Task};
use crate::runtime::error::Loc;
use crate::runtime::interp::Interp;
use crate::scheduler::event_loop::NEVER;
use std::rc::Rc;

/// What a task waits on in words, and the holder of the lock it waits for.
type Wait = (Option<String>, Option<(Rc<str>, bool)>);

/// One pending task.
pub struct Node {
    pub id: u64,
    pub name: Rc<str>,
    /// `running`, `ready`, `waiting` or `cancelling`.
    pub state: &'static str,
    /// How long it has waited (ns), if it waits.
    pub waited_ns: Option<u64>,
    pub at: Option<Loc>,
    /// What it waits on, in words (`a lock held by task 'x'`).
    pub on: Option<String>,
    /// The lock's holder when it waits for a lock: its name and whether it
    /// has ended (then it ended without releasing the lock).
    pub holder: Option<(Rc<str>, bool)>,
    /// The task awaiting it, the one awaiting that, ... (up to main).
    pub awaited_by: Vec<Rc<str>>,
    /// The task whose `group { }` block it was spawned in.
    pub group_of: Option<Rc<str>>,
}

impl Interp {
    /// The pending tasks, in creation order.
    pub fn task_tree(&self) -> Vec<Node> {
        self.lp.tasks.values().map(|t| self.node(t)).collect()
    }

    fn node(&self, t: &Rc<Task>) -> Node {
        let running = self.current.as_ref().is_some_and(|c| Rc::ptr_eq(c, t));
        let waiting = t.is_waiting();
        let state = if running {
            "running"
        } else if t.must_cancel.get() {
            "cancelling"
        } else if waiting {
            "waiting"
        } else {
            "ready"
        };
        let (on, holder) = if waiting {
            self.wait_of(t)
        } else {
            (None, None)
        };
        Node {
            id: t.id,
            name: t.name(),
            state,
            waited_ns: waiting.then(|| {
                let now = super::task::stamp_ms(self.lp.clock.now_ns());
                u64::from(now.wrapping_sub(t.waiting_since.get())) * 1_000_000
            }),
            at: if waiting || !running {
                t.waiting_at.get()
            } else {
                None
            },
            on,
            holder,
            awaited_by: awaited_by_chain(t),
            group_of: group_of(&t.core.borrow()),
        }
    }

    /// What a waiting task waits on, in words (the trace's labels).
    pub(crate) fn wait_words(&self, t: &Task) -> Option<String> {
        self.wait_of(t).0
    }

    /// What a waiting task waits on: the native coroutine it is in (a
    /// primitive, a sleep), else the future or task it awaits.
    fn wait_of(&self, t: &Task) -> Wait {
        let exec = t.exec.borrow();
        if let Some(native) = exec.as_ref().and_then(|e| e.native()) {
            if let Some(found) = self.native_wait(t, native) {
                return found;
            }
        }
        (t.waiting_on().map(|w| self.awaitable_words(&w)), None)
    }

    fn native_wait(&self, t: &Task, n: &NativeCoro) -> Option<Wait> {
        let words = match n {
            NativeCoro::Sleep { fut: Some(f), .. } => self.sleep_words(f),
            NativeCoro::SleepWith(inner) => return self.native_wait(t, &inner.0),
            NativeCoro::Sync(SyncWait::LockAcquire { l }) if t.park.get() == Park::Waiting => {
                let holder = l.held.get().then(|| l.holder.borrow().upgrade());
                return Some(match holder {
                    Some(Some(h)) => {
                        let ended = h.is_done();
                        let how = if ended {
                            " (it ended without releasing it)"
                        } else {
                            ""
                        };
                        let words = format!("a lock held by task '{}'{how}", h.name());
                        (Some(words), Some((h.name(), ended)))
                    }
                    Some(None) => (Some("a lock held by a task that has ended".into()), None),
                    None => (Some("a lock (being handed over)".into()), None),
                });
            }
            NativeCoro::Sync(SyncWait::QueueGet { q }) => format!(
                "get() of an empty queue (size {}, {} waiting to get)",
                q.size(),
                q.getters.borrow().len(),
            ),
            NativeCoro::Sync(SyncWait::QueuePut { q, .. }) => format!(
                "put() to a full queue (size {} of {}, {} waiting to put)",
                q.size(),
                q.maxsize,
                q.putters.borrow().len(),
            ),
            NativeCoro::Sync(SyncWait::QueueJoin { .. }) => {
                "join() of a queue (items not yet marked done)".into()
            }
            NativeCoro::Sync(SyncWait::EventWait { .. }) => "an event not yet set".into(),
            NativeCoro::Sync(SyncWait::SemAcquire { s }) => format!(
                "a semaphore (value {}, {} waiting)",
                s.value(),
                s.waiters.borrow().len()
            ),
            NativeCoro::CondWait(_) | NativeCoro::CondWaitFor(_) => "a condition".into(),
            NativeCoro::Barrier(_) => "a barrier".into(),
            NativeCoro::Race(_) => "race()".into(),
            NativeCoro::Wait(_) => "wait()".into(),
            NativeCoro::AsCompleted(_) => "as_completed()".into(),
            NativeCoro::Group(_) => "the tasks of its group".into(),
            _ => return None,
        };
        Some((Some(words), None))
    }

    /// `sleep until 2.500s` (on the loop clock), or `sleep for ever`.
    fn sleep_words(&self, f: &Future) -> String {
        let FutKind::Sleep(timer) = &f.kind else {
            return "a future".into();
        };
        let when = timer
            .borrow()
            .as_ref()
            .and_then(|id| self.lp.timers.deadline_of(id));
        match when {
            Some(NEVER) => "sleep for ever".into(),
            Some(w) => format!("sleep until {:.3}s", w as f64 / 1e9),
            None => "sleep (over)".into(),
        }
    }

    fn awaitable_words(&self, w: &Awaitable) -> String {
        match w {
            Awaitable::Task(u) => format!("task '{}'", u.name()),
            Awaitable::Future(f) => match &f.kind {
                FutKind::Native(id) => self
                    .lp
                    .ops
                    .name(*id)
                    .map_or_else(|| "a native operation".into(), |n| n.to_string()),
                FutKind::Gather(g) => {
                    let g = g.borrow();
                    format!("gather() of {} ({} done)", g.children.len(), g.finished)
                }
                FutKind::Sleep(_) => self.sleep_words(f),
                FutKind::Plain => "a future".into(),
            },
        }
    }
}

/// The tasks awaiting `core`'s owner: directly, or through the futures
/// (`gather`, `wait_for`, `shield`) that follow it.
fn awaiters(core: &Core, out: &mut Vec<Rc<Task>>, depth: u32) {
    if depth > 8 {
        return;
    }
    for cb in core.callbacks.iter() {
        match cb {
            Callback::Wakeup(t) => out.push(t.clone()),
            Callback::GatherChild(f) | Callback::Release(f) | Callback::ShieldInner(f) => {
                awaiters(&f.core.borrow(), out, depth + 1)
            }
            _ => {}
        }
    }
}

/// The tasks awaiting `t`, nearest first: each one's first awaiter, until
/// a task nobody awaits (or a cycle, marked).
pub(crate) fn awaited_by_chain(t: &Rc<Task>) -> Vec<Rc<str>> {
    let mut chain = Vec::new();
    let mut seen = vec![t.id];
    let mut at = t.clone();
    loop {
        let mut found = Vec::new();
        awaiters(&at.core.borrow(), &mut found, 0);
        let Some(next) = found.into_iter().next() else {
            break;
        };
        if seen.contains(&next.id) {
            chain.push(Rc::from(format!("{} (a cycle)", next.name())));
            break;
        }
        seen.push(next.id);
        chain.push(next.name());
        at = next;
    }
    chain
}

fn group_of(core: &Core) -> Option<Rc<str>> {
    core.callbacks.iter().find_map(|cb| match cb {
        Callback::Group(g) => g.parent.borrow().as_ref().map(|p| p.name()),
        _ => None,
    })
}
