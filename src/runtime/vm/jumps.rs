//! Conditional jumps (the backward `Jump` is a check point: see
//! `Interp::op_jump` in `calls.rs`).

use super::{pop, Regs};
use crate::runtime::exec::Exec;
use crate::runtime::values::value::Value;

#[inline(always)]
pub(super) fn if_false(ex: &mut Exec, r: &mut Regs, t: u32) {
    if !pop(ex).truthy() {
        r.jump(t);
    }
}

#[inline(always)]
pub(super) fn if_false_or_pop(ex: &mut Exec, r: &mut Regs, t: u32) {
    if ex.stack.last().expect("stack").truthy() {
        ex.stack.pop();
    } else {
        r.jump(t);
    }
}

#[inline(always)]
pub(super) fn if_true_or_pop(ex: &mut Exec, r: &mut Regs, t: u32) {
    if ex.stack.last().expect("stack").truthy() {
        r.jump(t);
    } else {
        ex.stack.pop();
    }
}

#[inline(always)]
pub(super) fn if_nil(ex: &mut Exec, r: &mut Regs, t: u32) {
    if matches!(ex.stack.last(), Some(Value::Nil)) {
        ex.stack.pop();
        r.jump(t);
    }
}
