//! Frees the closure cycles a frame leaves behind when it ends. A local
//! `fn` that calls itself by name (or local functions that call each
//! other) lives in a cell that its own closure captures: cell → closure →
//! cell. Reference counting alone never frees that, so every call of the
//! function that made it would leak it, and whatever it captured (a
//! problem for the REPL and for servers, which live long).
//!
//! When a frame that made cells ends, or a loop iteration replaces a cell,
//! the cells it let go of are checked by trial deletion, as CPython's
//! collector does, on this small group only: the cells, and the closures
//! they hold directly. If every strong reference to them comes from inside
//! the group, nothing outside can reach it, and emptying the cells frees
//! it. Anything else (a closure returned, stored in a list, held by a
//! running task, a cell holding a list) keeps the group as it is: the
//! check only frees what is certainly unreachable.

use super::link::Closure;
use super::values::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

type Cell = Rc<RefCell<Value>>;

/// The cells among `slots` (a frame's locals), before the frame lets go.
pub(crate) fn cells_in(slots: &[Value]) -> Vec<Cell> {
    slots
        .iter()
        .filter_map(|v| match v {
            Value::Cell(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the cells among `slots` could hold a cycle the check frees: a
/// closure held in one of them captures one of them (`fn f() { f() }`).
/// When none does, every cell's references come from outside the group,
/// and letting the slots go frees exactly what [`free_unreachable`] would
/// (a frame that captured an int or a function passed in skips the check
/// and its vectors: 1,400 instructions a call). Many slots: assumed yes,
/// rather than a search that grows with their square.
pub(crate) fn may_cycle(slots: &[Value]) -> bool {
    if slots.len() > 64 {
        return true;
    }
    let in_group = |up: &Cell| {
        slots
            .iter()
            .any(|v| matches!(v, Value::Cell(c) if Rc::ptr_eq(c, up)))
    };
    slots.iter().any(|v| match v {
        Value::Cell(c) => match c.try_borrow() {
            Ok(held) => match &*held {
                Value::Func(f) => f.upvals.iter().any(in_group),
                _ => false,
            },
            Err(_) => true,
        },
        _ => false,
    })
}

/// Empties the cells of `cells` that only the group itself still
/// references. The caller's own references (this vector) are accounted
/// for; call it after the frame has let go of its slots.
pub(crate) fn free_unreachable(mut cells: Vec<Cell>) {
    cells.sort_by_key(|c| Rc::as_ptr(c) as usize);
    cells.dedup_by(|a, b| Rc::ptr_eq(a, b));
    if cells.is_empty() {
        return;
    }
    let dead = unreachable(&cells);
    let emptied: Vec<Value> = cells
        .iter()
        .zip(&dead)
        .filter(|(_, &d)| d)
        .map(|(c, _)| std::mem::replace(&mut *c.borrow_mut(), Value::Nil))
        .collect();
    // Dropped outside every borrow: a closure's drop releases its cells.
    drop(emptied);
}

/// Which of `cells` (sorted, distinct) nothing outside the group reaches.
fn unreachable(cells: &[Cell]) -> Vec<bool> {
    let index = |c: &Cell| {
        cells
            .binary_search_by_key(&(Rc::as_ptr(c) as usize), |x| Rc::as_ptr(x) as usize)
            .ok()
    };
    // The closure each cell holds, if it holds one (a clone: one more
    // strong reference, subtracted below).
    let held: Vec<Option<Rc<Closure>>> = cells
        .iter()
        .map(|c| match &*c.borrow() {
            Value::Func(f) => Some(f.clone()),
            _ => None,
        })
        .collect();
    // References from inside the group: to each cell from the held
    // closures' upvalues, to each held closure from the cells holding it.
    let mut cell_refs = vec![0usize; cells.len()];
    let mut closure_refs = vec![0usize; cells.len()];
    for (i, f) in held.iter().enumerate() {
        let Some(f) = f else { continue };
        let same = |g: &Option<Rc<Closure>>| g.as_ref().is_some_and(|g| Rc::ptr_eq(g, f));
        closure_refs[i] = held.iter().filter(|g| same(g)).count();
        // A closure two cells hold references its cells once.
        if held[..i].iter().any(same) {
            continue;
        }
        for up in f.upvals.iter() {
            if let Some(j) = index(up) {
                cell_refs[j] += 1;
            }
        }
    }
    // Alive: referenced from outside (more strong references than the
    // group's, this function's clones set aside).
    let mut alive: Vec<bool> = (0..cells.len())
        .map(|i| {
            let cell_outside = Rc::strong_count(&cells[i]) - 1 > cell_refs[i];
            let closure_outside = held[i].as_ref().is_some_and(|f| {
                let clones = closure_refs[i];
                Rc::strong_count(f) - clones > closure_refs[i]
            });
            cell_outside || closure_outside
        })
        .collect();
    // What the living reach lives too.
    let mut work: Vec<usize> = (0..cells.len()).filter(|&i| alive[i]).collect();
    while let Some(i) = work.pop() {
        let Some(f) = &held[i] else { continue };
        for up in f.upvals.iter() {
            if let Some(j) = index(up) {
                if !alive[j] {
                    alive[j] = true;
                    work.push(j);
                }
            }
        }
    }
    alive.iter().map(|a| !a).collect()
}
