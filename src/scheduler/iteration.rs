//! One turn of the loop, in CPython 3.11's `BaseEventLoop._run_once`
//! order (`run_forever` is the runtime's loop over it, until a handle
//! sets `stopping`; it may wait as a future, `Engine::eval_async`): the
//! I/O events first (native operations that completed), then the timers
//! now due, then exactly the handles ready at that point (what they
//! schedule waits for the next turn); a stop lets the turn it came in
//! finish. What a handle does is the runtime's ([`Runner::run`]); the
//! order is this file's, tested below against CPython with a fake handle
//! type, without the VM.

use super::event_loop::{EventLoop, LoopTypes, NeverReady, Spinning};

/// What drives the loop: it owns the [`EventLoop`] and runs its handles.
pub(crate) trait Runner {
    /// The types the loop schedules.
    type Types: LoopTypes;
    /// The loop this runner drives.
    fn event_loop(&mut self) -> &mut EventLoop<Self::Types>;
    /// Runs one handle; true when all it did was resume a task yielding
    /// with `sleep(0)` (see [`EventLoop::end_iteration`]).
    fn run(&mut self, handle: <Self::Types as LoopTypes>::Handle) -> bool;
    /// After the I/O events, before the timers: the calls operations
    /// handed back to the loop (a server's requests) are started.
    fn start_calls(&mut self) {}
    /// Nothing is ready: waits for a completion or the next timer (`Err`:
    /// nothing can ever come). The runtime flushes its output and listens
    /// for signals meanwhile.
    fn wait(&mut self) -> Result<(), NeverReady> {
        self.event_loop()
            .wait_until_ready(std::future::pending::<()>)
    }
}

/// Why the loop cannot go on.
pub(crate) enum Stop {
    /// Nothing is ready, due or in flight: a deadlock.
    Never,
    /// Under virtual time, tasks only yield with `sleep(0)` while a timer
    /// waits: the clock can never move.
    Spinning,
}

impl From<NeverReady> for Stop {
    fn from(_: NeverReady) -> Stop {
        Stop::Never
    }
}

impl From<Spinning> for Stop {
    fn from(_: Spinning) -> Stop {
        Stop::Spinning
    }
}

/// One iteration, without waiting: completions, then due timers, then
/// the handles ready now.
#[inline]
pub(crate) fn run_iteration<R: Runner>(r: &mut R) -> Result<(), Spinning> {
    r.event_loop().collect_completions();
    r.start_calls();
    let (n, fired) = r.event_loop().fire_due_timers();
    let mut only_spun = n > 0 && !fired;
    for _ in 0..n {
        let Some(h) = r.event_loop().ready.pop_front() else {
            break;
        };
        only_spun &= r.run(h);
    }
    r.event_loop().end_iteration(only_spun)
}

/// `_run_once`: waits if nothing is ready, then one iteration.
#[inline]
pub(crate) fn run_once<R: Runner>(r: &mut R) -> Result<(), Stop> {
    r.wait()?;
    Ok(run_iteration(r)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::clock::Clock;
    use std::rc::Rc;

    /// A handle that logs its name, then schedules more.
    struct Fake {
        name: String,
        then: Vec<Then>,
    }

    enum Then {
        Soon(Fake),
        Later(f64, Fake),
        Stop,
    }

    fn h(name: &str, then: Vec<Then>) -> Fake {
        let name = name.to_string();
        Fake { name, then }
    }

    struct FakeTypes;

    /// A native operation's result: the name its completion logs.
    struct Done(&'static str);

    impl crate::scheduler::ops::FromPanic for Done {
        fn from_panic(_: Box<dyn std::any::Any + Send>) -> Done {
            Done("panicked")
        }
    }

    impl LoopTypes for FakeTypes {
        type Handle = Fake;
        type TimerAction = Fake;
        type Task = ();
        type OpResult = Done;
        type OpTarget = ();
        type Call = ();
        fn complete(_: (), result: Done) -> Fake {
            h(result.0, vec![])
        }
        fn timer(action: Fake) -> Fake {
            action
        }
    }

    struct FakeRunner {
        lp: EventLoop<FakeTypes>,
        log: Vec<String>,
        turns: usize,
    }

    impl Runner for FakeRunner {
        type Types = FakeTypes;
        fn event_loop(&mut self) -> &mut EventLoop<FakeTypes> {
            &mut self.lp
        }
        fn run(&mut self, handle: Fake) -> bool {
            self.log.push(handle.name);
            for then in handle.then {
                match then {
                    Then::Soon(f) => self.lp.call_soon(f),
                    Then::Later(d, f) => {
                        self.lp.call_later(d, f);
                    }
                    Then::Stop => self.lp.stopping = true,
                }
            }
            false
        }
        fn wait(&mut self) -> Result<(), NeverReady> {
            self.turns += 1;
            self.log.push(format!("|{}", self.turns));
            self.lp.wait_until_ready(std::future::pending::<()>)
        }
    }

    /// `run_forever`'s loop, as the runtime's `run_until_complete_in`
    /// writes it: turns until a handle stops the loop.
    fn run_until_stopped(r: &mut FakeRunner) {
        r.lp.stopping = false;
        while !r.lp.stopping {
            assert!(run_once(r).is_ok());
        }
    }

    /// The order CPython 3.11 runs the same program in: `run_once.py`
    /// below prints exactly the expected line (handles by `call_soon`,
    /// timers by `call_later`, the completed operation as a socket that is
    /// readable before the loop starts, `|n` at each `_run_once`).
    ///
    /// ```python
    /// import asyncio, socket
    /// log = []
    /// loop = asyncio.new_event_loop()
    /// def h(name, *then):
    ///     def run():
    ///         log.append(name)
    ///         for t in then: t()
    ///     return run
    /// soon = lambda name, *then: (lambda: loop.call_soon(h(name, *then)))
    /// later = lambda d, name, *then: (lambda: loop.call_later(d, h(name, *then)))
    /// r, w = socket.socketpair()
    /// def io():
    ///     r.recv(10); loop.remove_reader(r); log.append("IO")
    /// loop.call_later(0.2, h("T2"))
    /// loop.call_later(0.1, h("T1a", loop.stop))
    /// loop.call_later(0.1, h("T1b"))
    /// loop.call_later(0, h("T0"))
    /// loop.call_soon(h("A", soon("A2", soon("A3")), later(0, "AT")))
    /// loop.call_soon(h("B"))
    /// loop.add_reader(r, io); w.send(b"x")
    /// n = 0; orig = loop._run_once
    /// def counted():
    ///     global n; n += 1; log.append(f"|{n}"); orig()
    /// loop._run_once = counted
    /// loop.run_forever(); log.append("stopped")
    /// loop.call_later(0.15, h("T3", loop.stop))
    /// loop.run_forever()
    /// print(" ".join(log))
    /// ```
    #[test]
    fn iterations_run_in_cpythons_run_once_order() {
        let mut r = FakeRunner {
            lp: EventLoop::new(Clock::virtual_clock()),
            log: vec![],
            turns: 0,
        };
        let lp = &mut r.lp;
        lp.call_later(0.2, h("T2", vec![]));
        lp.call_later(0.1, h("T1a", vec![Then::Stop]));
        lp.call_later(0.1, h("T1b", vec![]));
        lp.call_later(0.0, h("T0", vec![]));
        let a2 = h("A2", vec![Then::Soon(h("A3", vec![]))]);
        let at = Then::Later(0.0, h("AT", vec![]));
        lp.call_soon(h("A", vec![Then::Soon(a2), at]));
        lp.call_soon(h("B", vec![]));
        let io: Rc<str> = "io".into();
        let id = lp.ops.submit(io, async { Done("IO") });
        lp.op_futures.insert(id, ());
        run_until_stopped(&mut r);
        r.log.push("stopped".into());
        r.lp.call_later(0.15, h("T3", vec![Then::Stop]));
        run_until_stopped(&mut r);
        assert_eq!(
            r.log.join(" "),
            "|1 A B IO T0 |2 A2 AT |3 A3 |4 T1a T1b stopped |5 T2 |6 T3"
        );
        // Nothing left: the next turn can never come.
        assert!(matches!(run_once(&mut r), Err(Stop::Never)));
    }

    /// A handle scheduled by one of this turn's handles waits for the
    /// next turn, however many there are: a task that keeps rescheduling
    /// itself cannot starve the others.
    #[test]
    fn a_turn_runs_only_the_handles_ready_at_its_start() {
        let mut r = FakeRunner {
            lp: EventLoop::new(Clock::virtual_clock()),
            log: vec![],
            turns: 0,
        };
        fn chain(name: &str, n: usize) -> Fake {
            let then = match n {
                0 => vec![],
                _ => vec![Then::Soon(chain(name, n - 1))],
            };
            h(&format!("{name}{n}"), then)
        }
        r.lp.call_soon(chain("a", 2));
        r.lp.call_soon(chain("b", 1));
        for _ in 0..3 {
            assert!(run_iteration(&mut r).is_ok());
            r.log.push("|".into());
        }
        assert_eq!(r.log.join(" "), "a2 b1 | a1 b0 | a0 |");
    }
}
