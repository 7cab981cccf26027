//! The timer heap: handles keyed by (deadline, sequence number), so timers
//! due at the same instant fire in the order they were set.

use super::future::Future;
use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;

/// Shared with whoever may cancel the timer: true once cancelled or fired.
pub type TimerId = Rc<Cell<bool>>;

pub enum TimerAction {
    /// `sleep`: resolve the future unless it was cancelled meanwhile.
    SetResult(Rc<Future>),
    /// `wait_for`: release the waiter future when the time is up.
    Release(Rc<Future>),
    /// `call_later`, `call_at` and a `timeout()`'s expiry.
    Call(Rc<super::callbacks::LoopCallback>),
}

struct Entry {
    when: u64,
    seq: u64,
    action: TimerAction,
    cancelled: Rc<Cell<bool>>,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.when, self.seq) == (o.when, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.when, o.seq).cmp(&(self.when, self.seq))
    }
}

#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Entry>,
    seq: u64,
    live: usize,
}

impl Timers {
    /// Adds a timer due at `when` (nanoseconds on the loop's clock).
    pub fn add(&mut self, when: u64, action: TimerAction) -> TimerId {
        self.seq += 1;
        let flag = Rc::new(Cell::new(false));
        self.heap.push(Entry {
            when,
            seq: self.seq,
            action,
            cancelled: flag.clone(),
        });
        self.live += 1;
        flag
    }

    pub fn cancel(&mut self, id: &TimerId) {
        if !id.get() {
            id.set(true);
            self.live -= 1;
        }
    }

    fn drop_cancelled_head(&mut self) {
        while self.heap.peek().is_some_and(|e| e.cancelled.get()) {
            self.heap.pop();
        }
        // Many cancelled timers buried in the heap: rebuild it (as asyncio does).
        if self.heap.len() > 64 && self.live * 2 < self.heap.len() {
            let entries = std::mem::take(&mut self.heap).into_vec();
            self.heap = entries.into_iter().filter(|e| !e.cancelled.get()).collect();
        }
    }

    /// The earliest deadline of a live timer.
    pub fn next_deadline(&mut self) -> Option<u64> {
        self.drop_cancelled_head();
        self.heap.peek().map(|e| e.when)
    }

    /// Removes and returns the live timers due at or before `now`, in order.
    pub fn pop_due(&mut self, now: u64, out: &mut Vec<TimerAction>) {
        loop {
            self.drop_cancelled_head();
            match self.heap.peek() {
                Some(e) if e.when <= now => {
                    let e = self.heap.pop().expect("peeked");
                    e.cancelled.set(true);
                    self.live -= 1;
                    out.push(e.action);
                }
                _ => break,
            }
        }
    }
}
