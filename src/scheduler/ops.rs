//! Native operations: Rust futures (a host's async function, a file read,
//! a child process) run on the loop's `LocalExecutor`. Each reports its
//! result into a completion queue; the loop turns completions into ready
//! handles, in the order they were observed, before the timers due in the
//! same iteration (CPython's `_run_once`: I/O events, then timers).
//!
//! A long-lived operation (a server's accept loop) may also hand work
//! back to the loop while it runs: through a [`Caller`] it queues a call
//! (`C`, in practice a script function and its arguments, with a Rust
//! closure that gets the result). The loop takes queued calls in the same
//! step as completions ([`NativeOps::take_calls`]) and starts each as a
//! task; the operation waits for the answer on a channel of its own. When
//! the program ends, [`NativeOps::close_calls`] makes every later hand-over
//! fail, so a server stops taking requests before its handlers are
//! cancelled.
//!
//! Generic over the result and call types, so this module knows nothing of
//! the VM.

use async_executor::{LocalExecutor, Task as ExecTask};
use futures_lite::FutureExt;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::time::Instant;

/// What an operation's result is when its future panicked (a bug in a
/// host's function or in tasks). The panic is caught where the operation
/// runs: unwinding through the executor would skip the completion, and
/// the loop would wait forever for an operation that will never end.
pub trait FromPanic {
    fn from_panic(payload: Box<dyn Any + Send>) -> Self;
}

/// Identifies one submitted operation.
pub(crate) type OpId = u64;

pub struct NativeOps<T, C = ()> {
    executor: LocalExecutor<'static>,
    /// Running operations: dropping an executor task drops its future,
    /// which is how cancelling aborts the real work (sockets closed,
    /// process groups killed by their guards).
    inflight: HashMap<OpId, ExecTask<()>>,
    /// What each operation is called in reports (`lookup(42)`).
    names: HashMap<OpId, Rc<str>>,
    /// Operations no task awaits (a server's accept loop), with when each
    /// started on the loop's clock (ns): what `tasks ps` lists beside the
    /// tasks.
    unawaited: BTreeMap<OpId, u64>,
    next_id: OpId,
    done: Rc<RefCell<VecDeque<(OpId, T)>>>,
    signal: (async_channel::Sender<()>, async_channel::Receiver<()>),
    /// Calls handed over by running operations, oldest first.
    calls: Rc<CallQueue<C>>,
}

struct CallQueue<C> {
    queue: RefCell<VecDeque<C>>,
    /// False once the program is ending: hand-overs are refused.
    open: Cell<bool>,
}

/// What an operation keeps to hand calls to the loop (see the module
/// comment). Cloning it is cheap.
pub struct Caller<C> {
    calls: Rc<CallQueue<C>>,
    signal: async_channel::Sender<()>,
}

impl<C> Clone for Caller<C> {
    fn clone(&self) -> Self {
        Caller {
            calls: self.calls.clone(),
            signal: self.signal.clone(),
        }
    }
}

impl<C> Caller<C> {
    /// Queues `call` and wakes the loop; `Err(call)` once calls are closed.
    pub fn call(&self, call: C) -> Result<(), C> {
        if !self.calls.open.get() {
            return Err(call);
        }
        self.calls.queue.borrow_mut().push_back(call);
        let _ = self.signal.try_send(());
        Ok(())
    }
}

impl<T: 'static, C> Default for NativeOps<T, C> {
    fn default() -> Self {
        NativeOps {
            executor: LocalExecutor::new(),
            inflight: HashMap::new(),
            names: HashMap::new(),
            unawaited: BTreeMap::new(),
            next_id: 0,
            done: Rc::default(),
            signal: async_channel::unbounded(),
            calls: Rc::new(CallQueue {
                queue: RefCell::new(VecDeque::new()),
                open: Cell::new(true),
            }),
        }
    }
}

impl<T: 'static, C> NativeOps<T, C> {
    /// A handle through which an operation hands calls to the loop.
    pub fn caller(&self) -> Caller<C> {
        Caller {
            calls: self.calls.clone(),
            signal: self.signal.0.clone(),
        }
    }

    /// Calls handed over since the last take, oldest first.
    pub fn take_calls(&mut self) -> VecDeque<C> {
        std::mem::take(&mut *self.calls.queue.borrow_mut())
    }

    /// From now on every hand-over fails (the program is ending); calls
    /// already queued are dropped.
    pub fn close_calls(&mut self) {
        self.calls.open.set(false);
        self.calls.queue.borrow_mut().clear();
    }

    /// Hand-overs work again (the next program on the same loop).
    pub fn open_calls(&mut self) {
        self.calls.open.set(true);
    }

    /// Starts `fut` on the executor; its output arrives through
    /// [`NativeOps::take_completions`] unless it is aborted first.
    pub fn submit(&mut self, name: Rc<str>, fut: impl Future<Output = T> + 'static) -> OpId
    where
        T: FromPanic,
    {
        self.next_id += 1;
        let id = self.next_id;
        let done = self.done.clone();
        let signal = self.signal.0.clone();
        let task = self.executor.spawn(async move {
            // The operation's state is dropped with it, so a panic leaves
            // nothing half-changed that anyone reads afterwards.
            let out = match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(out) => out,
                Err(payload) => T::from_panic(payload),
            };
            done.borrow_mut().push_back((id, out));
            let _ = signal.try_send(());
        });
        self.inflight.insert(id, task);
        self.names.insert(id, name);
        id
    }

    /// Drops the operation's future (it stops at its current `.await`).
    /// False if it had already completed or was never submitted.
    pub fn abort(&mut self, id: OpId) -> bool {
        self.names.remove(&id);
        self.unawaited.remove(&id);
        let found = self.inflight.remove(&id).is_some();
        // Dropping an executor task only marks it cancelled; the executor
        // drops its future the next time it runs. Run it now, so the work
        // stops (a socket closes, a child is killed) before we go on.
        while self.executor.try_tick() {}
        found
    }

    /// Drops every operation still running (the end of a program).
    pub fn abort_all(&mut self) {
        self.inflight.clear();
        // The executor allocates its state at first use; ticking one that
        // never ran anything would allocate it only to find nothing, and
        // that aligned allocation at the end of a program that freed many
        // tasks makes glibc consolidate every free chunk (9% of W1).
        if self.next_id > 0 {
            while self.executor.try_tick() {}
        }
        self.names.clear();
        self.unawaited.clear();
        self.done.borrow_mut().clear();
        self.calls.queue.borrow_mut().clear();
    }

    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// Marks a running operation as one no task awaits, started at
    /// `since_ns` on the loop's clock.
    pub fn mark_unawaited(&mut self, id: OpId, since_ns: u64) {
        if self.inflight.contains_key(&id) {
            self.unawaited.insert(id, since_ns);
        }
    }

    /// The running operations no task awaits, oldest first: name and start.
    pub fn unawaited(&self) -> Vec<(Rc<str>, u64)> {
        self.unawaited
            .iter()
            .filter_map(|(id, &since)| Some((self.names.get(id)?.clone(), since)))
            .collect()
    }

    pub fn name(&self, id: OpId) -> Option<Rc<str>> {
        self.names.get(&id).cloned()
    }

    /// Runs whatever executor work is ready, without blocking. Free when
    /// nothing is in flight (every executor task is an operation), which
    /// is the common case on the loop's hot path.
    #[inline]
    pub fn poll(&self) {
        if !self.inflight.is_empty() {
            while self.executor.try_tick() {}
        }
    }

    /// Completions observed since the last call, in the order they happened.
    /// Operations aborted after completing are left out.
    pub fn take_completions(&mut self, out: &mut Vec<(OpId, T)>) {
        if self.inflight.is_empty() && self.done.borrow().is_empty() {
            return;
        }
        self.poll();
        let mut done = self.done.borrow_mut();
        while let Some((id, v)) = done.pop_front() {
            if self.inflight.remove(&id).is_some() {
                self.names.remove(&id);
                self.unawaited.remove(&id);
                out.push((id, v));
            }
        }
        while self.signal.1.try_recv().is_ok() {}
    }

    /// Something for the loop to do: a completion or a handed-over call.
    pub fn has_completions(&self) -> bool {
        !self.done.borrow().is_empty() || !self.calls.queue.borrow().is_empty()
    }

    /// Blocks the thread until an operation completes or `until` passes
    /// (`None`: no deadline), running the executor meanwhile. An idle
    /// loop uses no CPU: it sleeps in the reactor (async-io's `block_on`).
    pub fn wait(&self, until: Option<Instant>) {
        self.wait_or(until, std::future::pending::<()>());
    }

    /// As [`NativeOps::wait`], also returning when `other` completes (the
    /// REPL's input channel).
    pub fn wait_or(&self, until: Option<Instant>, other: impl Future<Output = ()>) {
        if self.has_completions() {
            return;
        }
        async_io::block_on(self.wait_or_async(until, other));
    }

    /// As [`NativeOps::wait_or`], as a future: for a loop a host's
    /// executor drives (`Engine::eval_async`), which goes on running its
    /// other futures meanwhile.
    pub async fn wait_or_async(&self, until: Option<Instant>, other: impl Future<Output = ()>) {
        if self.has_completions() {
            return;
        }
        let completion = async {
            let _ = self.signal.1.recv().await;
        };
        let timer = async {
            match until {
                Some(at) => {
                    async_io::Timer::at(at).await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        let either = futures_lite::future::or(completion, futures_lite::future::or(timer, other));
        self.executor.run(either).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::time::Duration;

    // A panicked operation of these tests completes with the type's MAX.
    macro_rules! max_on_panic {
        ($($t:ty),*) => {$(
            impl FromPanic for $t {
                fn from_panic(_: Box<dyn Any + Send>) -> Self {
                    <$t>::MAX
                }
            }
        )*};
    }
    max_on_panic!(u8, u32);

    impl FromPanic for () {
        fn from_panic(_: Box<dyn Any + Send>) -> Self {}
    }

    #[test]
    fn a_panicking_operation_completes_with_what_its_panic_becomes() {
        let mut ops: NativeOps<u32> = NativeOps::default();
        let id = ops.submit("boom".into(), async {
            async_io::Timer::after(Duration::from_millis(5)).await;
            panic!("a bug");
        });
        let other = ops.submit("fine".into(), async { 3 });
        ops.wait(None);
        let mut out = Vec::new();
        while out.len() < 2 {
            ops.wait(None);
            ops.take_completions(&mut out);
        }
        assert_eq!(out, vec![(other, 3), (id, u32::MAX)]);
        assert_eq!(ops.in_flight(), 0);
    }

    #[test]
    fn completions_come_back_in_the_order_they_happened() {
        let mut ops: NativeOps<u32> = NativeOps::default();
        let (tx_a, rx_a) = async_channel::bounded::<u32>(1);
        let (tx_b, rx_b) = async_channel::bounded::<u32>(1);
        let a = ops.submit("a".into(), async move { rx_a.recv().await.unwrap() });
        let b = ops.submit("b".into(), async move { rx_b.recv().await.unwrap() });
        ops.poll();
        tx_b.try_send(2).unwrap();
        tx_a.try_send(1).unwrap();
        let mut out = Vec::new();
        ops.take_completions(&mut out);
        // b's sender fired first, but the executor runs tasks in the order
        // their wakers fired: b, then a.
        assert_eq!(out, vec![(b, 2), (a, 1)]);
        assert_eq!(ops.in_flight(), 0);
    }

    #[test]
    fn abort_drops_the_future() {
        struct Flag(Rc<Cell<bool>>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let dropped = Rc::new(Cell::new(false));
        let mut ops: NativeOps<()> = NativeOps::default();
        let flag = Flag(dropped.clone());
        let id = ops.submit("slow".into(), async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        });
        ops.poll();
        assert!(!dropped.get());
        assert!(ops.abort(id));
        assert!(dropped.get());
        assert!(!ops.abort(id));
    }

    #[test]
    fn an_operation_hands_calls_to_the_loop_until_they_are_closed() {
        let mut ops: NativeOps<(), &'static str> = NativeOps::default();
        let caller = ops.caller();
        let (tx, rx) = async_channel::bounded::<()>(1);
        ops.submit("server".into(), async move {
            caller.call("first").unwrap();
            let _ = rx.recv().await;
            assert_eq!(caller.call("late"), Err("late"));
        });
        ops.poll();
        assert!(ops.has_completions());
        assert_eq!(ops.take_calls(), ["first"]);
        assert!(!ops.has_completions());
        ops.close_calls();
        tx.try_send(()).unwrap();
        let mut out = Vec::new();
        ops.take_completions(&mut out);
        assert_eq!(out.len(), 1, "the operation saw the refusal and ended");
        assert!(ops.take_calls().is_empty());
    }

    #[test]
    fn wait_returns_at_the_deadline_or_on_completion() {
        let mut ops: NativeOps<u8> = NativeOps::default();
        let start = Instant::now();
        ops.wait(Some(start + Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
        ops.submit("t".into(), async {
            async_io::Timer::after(Duration::from_millis(10)).await;
            7
        });
        ops.wait(None);
        let mut out = Vec::new();
        ops.take_completions(&mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1, 7);
    }
}
