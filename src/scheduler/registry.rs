//! The pending tasks, in creation order. Task ids are sequential and tasks
//! mostly end in the order they began, so a deque indexed by id (with
//! holes for ended tasks, trimmed from the front) beats a tree map. A
//! long-lived early task keeps one word per later id alive, which is cheap.

use std::collections::VecDeque;
use std::rc::Rc;

/// Pending tasks of type `T` (the runtime's `Task`), by sequential id.
pub struct TaskRegistry<T> {
    /// The id of `slots[0]`.
    first: u64,
    slots: VecDeque<Option<Rc<T>>>,
    live: usize,
}

impl<T> Default for TaskRegistry<T> {
    fn default() -> Self {
        TaskRegistry {
            first: 0,
            slots: VecDeque::new(),
            live: 0,
        }
    }
}

impl<T> TaskRegistry<T> {
    pub fn insert(&mut self, id: u64, task: Rc<T>) {
        if self.slots.is_empty() {
            self.first = id;
        }
        let at = (id - self.first) as usize;
        if at >= self.slots.len() {
            self.slots.resize(at + 1, None);
        }
        self.slots[at] = Some(task);
        self.live += 1;
    }

    pub fn remove(&mut self, id: u64) {
        let Some(at) = id.checked_sub(self.first) else {
            return;
        };
        if let Some(slot) = self.slots.get_mut(at as usize) {
            if slot.take().is_some() {
                self.live -= 1;
            }
        }
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.first += 1;
        }
    }

    /// How many tasks are pending.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Pending tasks in creation order.
    pub fn values(&self) -> impl Iterator<Item = &Rc<T>> {
        self.slots.iter().flatten()
    }
}
