//! The timer heap: handles keyed by (deadline, sequence number), so timers
//! due at the same instant fire in the order they were set.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;

/// Shared with whoever may cancel the timer: true once cancelled or fired.
pub(crate) type TimerId = Rc<Cell<bool>>;

struct Entry<A> {
    when: u64,
    seq: u64,
    action: A,
    cancelled: Rc<Cell<bool>>,
}

impl<A> PartialEq for Entry<A> {
    fn eq(&self, o: &Self) -> bool {
        (self.when, self.seq) == (o.when, o.seq)
    }
}
impl<A> Eq for Entry<A> {}
impl<A> PartialOrd for Entry<A> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<A> Ord for Entry<A> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.when, o.seq).cmp(&(self.when, self.seq))
    }
}

/// Timers whose action is an `A` (the runtime's `TimerAction`).
pub struct Timers<A> {
    heap: BinaryHeap<Entry<A>>,
    seq: u64,
    live: usize,
}

impl<A> Default for Timers<A> {
    fn default() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            seq: 0,
            live: 0,
        }
    }
}

impl<A> Timers<A> {
    /// Adds a timer due at `when` (nanoseconds on the loop's clock).
    pub fn add(&mut self, when: u64, action: A) -> TimerId {
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

    /// When a live timer is due (a scan: for reports, not the loop).
    pub fn deadline_of(&self, id: &TimerId) -> Option<u64> {
        let e = self.heap.iter().find(|e| Rc::ptr_eq(&e.cancelled, id))?;
        (!e.cancelled.get()).then_some(e.when)
    }

    pub fn cancel(&mut self, id: &TimerId) {
        if !id.get() {
            id.set(true);
            self.live -= 1;
        }
    }

    #[inline]
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

    /// The earliest deadline of a live timer that can fire (not one set
    /// for [`NEVER`](super::event_loop::NEVER)).
    pub fn next_deadline(&mut self) -> Option<u64> {
        self.drop_cancelled_head();
        self.heap
            .peek()
            .map(|e| e.when)
            .filter(|w| *w != super::event_loop::NEVER)
    }

    /// Removes and returns the live timers due at or before `now`, in order.
    pub fn pop_due(&mut self, now: u64, out: &mut Vec<A>) {
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
