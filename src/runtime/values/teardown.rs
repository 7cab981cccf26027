//! Dropping nested values without overflowing the stack.
//!
//! Rust's drop of a list of lists recurses once per level: a script that
//! nests a million deep (`x = [x]` in a loop) would overflow the stack
//! when the value goes away, and the buffered output would be lost. So the
//! containers a value can nest through (lists, maps, records, closures and
//! the cells they capture) drop their contents through [`drop_contents`]:
//! the first [`RECURSIVE_LEVELS`] levels drop as Rust does (an ordinary
//! value pays a thread-local increment and decrement per container), and
//! past them the contents are taken apart with a work list instead, as a
//! linked list's drop does: a container that is the last owner of a child
//! container moves the child's items onto the list rather than dropping
//! the child in place.

use super::value::Value;
use std::cell::Cell;
use std::rc::Rc;

/// How many containers deep a drop recurses before it switches to the work
/// list: deeper than ordinary data nests, a few tens of KiB of stack.
const RECURSIVE_LEVELS: u32 = 128;

thread_local! {
    /// How many container drops are under way on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// A container's `Drop`: drops `contents` (moved out of the container) by
/// recursion while that is shallow; past [`RECURSIVE_LEVELS`] containers
/// deep, turns them into values with `into_values` and [`dismantle`]s them.
#[inline(always)]
pub(crate) fn drop_contents<T>(contents: T, into_values: impl FnOnce(T) -> Vec<Value>) {
    let depth = DEPTH.get();
    if depth < RECURSIVE_LEVELS {
        DEPTH.set(depth + 1);
        drop(contents);
        DEPTH.set(depth);
    } else {
        dismantle(into_values(contents));
    }
}

/// Drops `values` and everything only they hold, with a work list instead
/// of recursion. Each container popped is the last owner of its items; its
/// items join the work list and the container is dropped empty, which
/// takes constant stack. (A container some other value still holds is
/// only released: that is one decrement.)
pub(crate) fn dismantle(mut work: Vec<Value>) {
    while let Some(v) = work.pop() {
        match v {
            Value::List(l) => {
                if let Some(cell) = Rc::into_inner(l) {
                    work.append(&mut cell.into_inner());
                }
            }
            Value::Map(m) => {
                if let Some(cell) = Rc::into_inner(m) {
                    work.extend(cell.into_inner().into_values());
                }
            }
            Value::Record(r) => {
                if let Some(mut record) = Rc::into_inner(r) {
                    work.extend(std::mem::take(record.values.get_mut()).into_vec());
                }
            }
            Value::Func(f) => {
                if let Some(mut closure) = Rc::into_inner(f) {
                    work.extend(cells(std::mem::take(&mut closure.upvals)));
                }
            }
            Value::Cell(c) => {
                if let Some(cell) = Rc::into_inner(c) {
                    work.push(cell.into_inner());
                }
            }
            other => drop(other),
        }
    }
}

/// A closure's captured cells as values, for [`dismantle`].
pub(crate) fn cells(upvals: Box<[Rc<std::cell::RefCell<Value>>]>) -> Vec<Value> {
    upvals.into_vec().into_iter().map(Value::Cell).collect()
}
