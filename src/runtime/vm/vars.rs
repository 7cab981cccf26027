//! Ops on locals, cells, captured variables and globals, and the stack's
//! own shuffles.

use super::{pop, Regs, Step, Stop};
use crate::runtime::exec::{drop_value, Exec};
use crate::runtime::interp::Interp;
use crate::runtime::link::FnProto;
use crate::runtime::values::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

#[inline(always)]
pub(super) fn dup(ex: &mut Exec) {
    let v = ex.stack.last().expect("stack").clone();
    ex.push(v);
}

#[inline(always)]
pub(super) fn dup2(ex: &mut Exec) {
    let n = ex.stack.len();
    let (a, b) = (ex.stack[n - 2].clone(), ex.stack[n - 1].clone());
    ex.push(a);
    ex.push(b);
}

/// Skips a parameter's default when the caller passed it.
#[inline(always)]
pub(super) fn default_arg(ex: &mut Exec, r: &mut Regs, slot: u32, skip: u32) {
    if !matches!(ex.stack[r.base + slot as usize], Value::Uninit) {
        r.jump(skip);
    }
}

#[inline(always)]
pub(super) fn store_local(ex: &mut Exec, at: usize) {
    // An int is moved as an int: copying the whole value, written a
    // moment ago, would stall on its narrower stores (see `Exec::push`).
    // Floats likewise (`s += x * y` in a float loop).
    match ex.stack.last() {
        Some(&Value::Int(n)) => {
            // SAFETY: the top value is an `Int`, which owns nothing.
            unsafe { ex.stack.set_len(ex.stack.len() - 1) };
            set_plain(&mut ex.stack[at], || Value::Int(n));
            return;
        }
        Some(&Value::Float(f)) => {
            // SAFETY: the top value is a `Float`, which owns nothing.
            unsafe { ex.stack.set_len(ex.stack.len() - 1) };
            set_plain(&mut ex.stack[at], || Value::Float(f));
            return;
        }
        _ => {}
    }
    let v = pop(ex);
    drop_value(std::mem::replace(&mut ex.stack[at], v));
}

#[inline(never)]
pub(super) fn new_cell(ex: &mut Exec, at: usize) {
    let fresh = Value::Cell(Rc::new(RefCell::new(Value::Uninit)));
    // A loop's next iteration: the last one's cell may be left in a
    // cycle (`let f = fn() { f() }` in a loop).
    if let Value::Cell(old) = std::mem::replace(&mut ex.stack[at], fresh) {
        crate::runtime::cycles::free_unreachable(vec![old]);
    }
}

#[inline(never)]
pub(super) fn box_local(ex: &mut Exec, at: usize) {
    let slot = &mut ex.stack[at];
    let v = std::mem::replace(slot, Value::Nil);
    *slot = Value::Cell(Rc::new(RefCell::new(v)));
}

#[inline(always)]
pub(super) fn store_cell(ex: &mut Exec, at: usize) {
    let v = pop(ex);
    match &ex.stack[at] {
        Value::Cell(c) => *c.borrow_mut() = v,
        _ => ex.stack[at] = v,
    }
}

#[inline(always)]
pub(super) fn store_upval(ex: &mut Exec, r: &Regs, u: u32) {
    let v = pop(ex);
    *r.closure(ex).upvals[u as usize].borrow_mut() = v;
}

impl Interp {
    #[inline(always)]
    pub(super) fn op_load_cell(&self, ex: &mut Exec, r: &Regs, proto: &FnProto, s: u32) -> Step {
        let v = match &ex.stack[r.base + s as usize] {
            Value::Cell(c) => c.borrow().clone(),
            other => other.clone(),
        };
        if matches!(v, Value::Uninit) {
            return Err(Stop::Fail(
                self.uninit_error(&proto.local_names[s as usize]),
            ));
        }
        ex.push(v);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_load_upval(&self, ex: &mut Exec, r: &Regs, proto: &FnProto, u: u32) -> Step {
        let cell: *const RefCell<Value> = &*r.closure(ex).upvals[u as usize];
        // SAFETY: the running frame's closure holds the cell, and pushing
        // pops no frame; the copy is built in its slot (`push_copy`), not
        // staged in a temporary that would stall on its own narrower stores.
        // Unguarded: nothing writes the cell while the copy is made (no
        // script code runs, the stack is not the cell), so no count of the
        // borrow is kept (`borrow` failed, as this does, only on a cell
        // borrowed mutably, which the evaluator never leaves so).
        let v = unsafe { (*cell).try_borrow_unguarded() }.expect("cell borrowed mutably");
        if matches!(*v, Value::Uninit) {
            return Err(Stop::Fail(
                self.uninit_error(&proto.upval_names[u as usize]),
            ));
        }
        ex.push_copy(v);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_load_global(&self, ex: &mut Exec, g: u32) -> Step {
        let v = &self.globals[g as usize];
        if matches!(v, Value::Uninit) {
            return Err(Stop::Fail(self.name_error(g)));
        }
        ex.push_copy(v);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_store_global(&mut self, ex: &mut Exec, g: u32) {
        if let Some(&Value::Int(n)) = ex.stack.last() {
            // SAFETY: as in `store_local`.
            unsafe { ex.stack.set_len(ex.stack.len() - 1) };
            set_plain(&mut self.globals[g as usize], || Value::Int(n));
            return;
        }
        let v = pop(ex);
        self.globals[g as usize] = v;
    }
}

/// `*slot = make()` for a value that owns nothing (an int or a float),
/// built in the slot after the old value is dropped: an assignment builds
/// it in a temporary first (the drop runs in between), and copying that
/// back stalls on its narrower stores. (A `Value` argument instead of
/// `make` is staged the same way, around the drop call.)
#[inline(always)]
pub(super) fn set_plain(slot: &mut Value, make: impl FnOnce() -> Value) {
    let slot: *mut Value = slot;
    // SAFETY: `slot` is valid; it is dropped at most once and rewritten
    // at once. Dropping a value never touches the stack or the globals.
    unsafe {
        if !matches!(
            *slot,
            Value::Int(_) | Value::Nil | Value::Bool(_) | Value::Float(_)
        ) {
            std::ptr::drop_in_place(slot);
        }
        slot.write(make());
    }
}
