//! Arithmetic and comparison ops. Two ints (or two numbers, one a float)
//! on top of the stack are computed in place; anything else pops both
//! operands and goes through `runtime::values::ops`.

use super::{pop, Regs, Step};
use crate::compile::code::{Arith, Cmp};
use crate::runtime::error::ErrorRef;
use crate::runtime::exec::{drop_value, Exec};
use crate::runtime::values::ops;
use crate::runtime::values::value::Value;

type Slow = fn(&Value, &Value) -> Result<Value, ErrorRef>;

/// Two ints on top: computes `fast` in place and says so. Ints need no
/// drop, so the right operand is discarded by shortening the stack.
#[inline(always)]
fn int_fast(ex: &mut Exec, fast: impl FnOnce(i64, i64) -> Option<Value>) -> bool {
    let n = ex.stack.len();
    if let [.., Value::Int(x), Value::Int(y)] = ex.stack.as_mut_slice() {
        if let Some(r) = fast(*x, *y) {
            let slot: *mut Value = &mut ex.stack[n - 2];
            // SAFETY: both operands are `Int`s, which own nothing: the
            // left one is overwritten without a drop and the right one
            // forgotten by shortening the stack. The result is written
            // field by field (see `Exec::push`).
            unsafe {
                match r {
                    Value::Int(v) => slot.write(Value::Int(v)),
                    Value::Bool(b) => slot.write(Value::Bool(b)),
                    other => slot.write(other),
                }
                ex.stack.set_len(n - 1);
            }
            return true;
        }
    }
    false
}

/// Two numbers on top, at least one a float: computed in place, as
/// [`int_fast`] does (floats own nothing either). `fast` gets both as
/// floats (an int converted as Python converts it) and may decline
/// (division by zero), leaving the error to the slow path.
#[inline(always)]
fn float_fast(ex: &mut Exec, fast: impl FnOnce(f64, f64) -> Option<f64>) -> bool {
    let n = ex.stack.len();
    let pair = match ex.stack.as_slice() {
        [.., Value::Float(x), Value::Float(y)] => Some((*x, *y)),
        [.., Value::Float(x), Value::Int(y)] => Some((*x, *y as f64)),
        [.., Value::Int(x), Value::Float(y)] => Some((*x as f64, *y)),
        _ => None,
    };
    if let Some((x, y)) = pair {
        if let Some(r) = fast(x, y) {
            let slot: *mut Value = &mut ex.stack[n - 2];
            // SAFETY: both operands are ints or floats, which own
            // nothing: as in `int_fast`.
            unsafe {
                slot.write(Value::Float(r));
                ex.stack.set_len(n - 1);
            }
            return true;
        }
    }
    false
}

/// The general path: pops both operands, pushes `slow`'s result.
#[inline(always)]
fn slow_path(ex: &mut Exec, slow: Slow) -> Step {
    let b = pop(ex);
    let a = pop(ex);
    let r = slow(&a, &b);
    drop_value(b);
    drop_value(a);
    ex.push(r?);
    Ok(())
}

/// An op with int and float fast paths.
#[inline(always)]
fn number_op(
    ex: &mut Exec,
    fast: impl FnOnce(i64, i64) -> Option<Value>,
    float: impl FnOnce(f64, f64) -> Option<f64>,
    slow: Slow,
) -> Step {
    if int_fast(ex, fast) || float_fast(ex, float) {
        return Ok(());
    }
    slow_path(ex, slow)
}

/// An op with an int fast path only.
#[inline(always)]
fn int_op(ex: &mut Exec, fast: impl FnOnce(i64, i64) -> Option<Value>, slow: Slow) -> Step {
    if int_fast(ex, fast) {
        return Ok(());
    }
    slow_path(ex, slow)
}

#[inline(always)]
pub(super) fn add(ex: &mut Exec) -> Step {
    number_op(
        ex,
        |x, y| x.checked_add(y).map(Value::Int),
        |x, y| Some(x + y),
        ops::add,
    )
}

#[inline(always)]
pub(super) fn sub(ex: &mut Exec) -> Step {
    number_op(
        ex,
        |x, y| x.checked_sub(y).map(Value::Int),
        |x, y| Some(x - y),
        ops::sub,
    )
}

#[inline(always)]
pub(super) fn mul(ex: &mut Exec) -> Step {
    number_op(
        ex,
        |x, y| x.checked_mul(y).map(Value::Int),
        |x, y| Some(x * y),
        ops::mul,
    )
}

#[inline(always)]
pub(super) fn div(ex: &mut Exec) -> Step {
    number_op(
        ex,
        |_, _| None::<Value>,
        |x, y| (y != 0.0).then(|| x / y),
        ops::div,
    )
}

#[inline(always)]
pub(super) fn floor_div(ex: &mut Exec) -> Step {
    int_op(
        ex,
        |x, y| ops::int_floor_div(x, y).map(Value::Int),
        ops::floor_div,
    )
}

#[inline(always)]
pub(super) fn modulo(ex: &mut Exec) -> Step {
    int_op(ex, |x, y| ops::int_mod(x, y).map(Value::Int), ops::modulo)
}

#[inline(always)]
pub(super) fn pow(ex: &mut Exec) -> Step {
    int_op(ex, ops::int_pow_fast, ops::pow)
}

#[inline(always)]
pub(super) fn lt(ex: &mut Exec) -> Step {
    int_op(ex, |x, y| Some(Value::Bool(x < y)), ops::lt)
}

#[inline(always)]
pub(super) fn le(ex: &mut Exec) -> Step {
    int_op(ex, |x, y| Some(Value::Bool(x <= y)), ops::le)
}

#[inline(always)]
pub(super) fn gt(ex: &mut Exec) -> Step {
    int_op(ex, |x, y| Some(Value::Bool(x > y)), ops::gt)
}

#[inline(always)]
pub(super) fn ge(ex: &mut Exec) -> Step {
    int_op(ex, |x, y| Some(Value::Bool(x >= y)), ops::ge)
}

/// `==`, or `!=` when `negate`.
#[inline(always)]
pub(super) fn eq(ex: &mut Exec, negate: bool) -> Step {
    if int_fast(ex, |x, y| Some(Value::Bool((x == y) != negate))) {
        return Ok(());
    }
    let b = pop(ex);
    let a = pop(ex);
    let r = crate::runtime::values::value::values_equal(&a, &b)?;
    ex.stack.push(Value::Bool(r != negate));
    Ok(())
}

#[inline(always)]
pub(super) fn contains(ex: &mut Exec) -> Step {
    // A str key in a map (`"k" in m`), looked up where both lie.
    if let [.., Value::Str(k), Value::Map(m)] = ex.stack.as_slice() {
        let hit = m.borrow().index_of_str(k).is_some();
        let n = ex.stack.len();
        ex.stack.truncate(n - 2);
        ex.push(Value::Bool(hit));
        return Ok(());
    }
    let b = pop(ex);
    let a = pop(ex);
    let r = ops::contains(&b, &a)?;
    ex.push(Value::Bool(r));
    Ok(())
}

#[inline(always)]
pub(super) fn neg(ex: &mut Exec) -> Step {
    let a = pop(ex);
    let r = ops::neg(&a)?;
    ex.push(r);
    Ok(())
}

#[inline(always)]
pub(super) fn not(ex: &mut Exec) {
    let a = pop(ex);
    ex.push(Value::Bool(!a.truthy()));
}

/// Compare the top two and jump to `t` when the comparison fails.
#[inline(always)]
pub(super) fn cmp_jump(ex: &mut Exec, r: &mut Regs, cmp: Cmp, t: u32) -> Step {
    let n = ex.stack.len();
    let holds = if let [.., Value::Int(x), Value::Int(y)] = ex.stack.as_slice() {
        let holds = cmp.holds(x.cmp(y));
        // SAFETY: both values are `Int`s, which own nothing.
        unsafe { ex.stack.set_len(n - 2) };
        holds
    } else {
        let b = pop(ex);
        let a = pop(ex);
        ops::cmp_holds(cmp, &a, &b)?
    };
    if !holds {
        r.jump(t);
    }
    Ok(())
}

/// `<top> <cmp> k` as a bool: an int on top is compared in place (it owns
/// nothing, so the bool overwrites it); anything else as `Int; <cmp>` did.
#[inline(always)]
pub(super) fn cmp_int(ex: &mut Exec, cmp: Cmp, k: i32) -> Step {
    let n = ex.stack.len();
    let top: *mut Value = &mut ex.stack[n - 1];
    // SAFETY: `top` is the stack's last value; an int owns nothing, so it
    // is overwritten without a drop.
    unsafe {
        if let Value::Int(x) = *top {
            top.write(Value::Bool(cmp.holds(x.cmp(&(k as i64)))));
            return Ok(());
        }
    }
    cmp_int_slow(ex, cmp, k)
}

/// [`cmp_int`] of anything but an int: `cmp_holds` as `Eq`, `Lt`, ... and
/// `CmpJump` compare (equality by `values_equal`, order by number or
/// sequence), with the same errors.
#[inline(never)]
fn cmp_int_slow(ex: &mut Exec, cmp: Cmp, k: i32) -> Step {
    let a = pop(ex);
    let r = ops::cmp_holds(cmp, &a, &Value::Int(k as i64));
    drop_value(a);
    ex.push(Value::Bool(r?));
    Ok(())
}

/// `local <cmp> k`, jumping to `target` when it fails.
#[inline(always)]
pub(super) fn cmp_local_int_jump(
    ex: &mut Exec,
    r: &mut Regs,
    cmp: Cmp,
    slot: u32,
    k: i32,
    target: u32,
) -> Step {
    let a = &ex.stack[r.base + slot as usize];
    let holds = match a {
        Value::Int(x) => cmp.holds((*x).cmp(&(k as i64))),
        _ => ops::cmp_holds(cmp, a, &Value::Int(k as i64))?,
    };
    if !holds {
        r.jump(target);
    }
    Ok(())
}

/// `x <arith> y` of two floats where it is one instruction (`+ - *`);
/// `None` sends `//` and `%` to the general path (Python's signs, zero).
#[inline(always)]
fn float_arith(arith: Arith, x: f64, y: f64) -> Option<f64> {
    match arith {
        Arith::Add => Some(x + y),
        Arith::Sub => Some(x - y),
        Arith::Mul => Some(x * y),
        Arith::FloorDiv | Arith::Mod => None,
    }
}

/// `x <arith> k` of two ints, `None` where the general path decides (an
/// overflow, a division by zero).
#[inline(always)]
fn int_arith(arith: Arith, x: i64, k: i64) -> Option<i64> {
    match arith {
        Arith::Add => x.checked_add(k),
        Arith::Sub => x.checked_sub(k),
        Arith::Mul => x.checked_mul(k),
        Arith::FloorDiv => ops::int_floor_div(x, k),
        Arith::Mod => ops::int_mod(x, k),
    }
}

/// `a <arith> k` for anything else: the unfused ops' general path.
#[inline(never)]
fn arith_slow(arith: Arith, a: &Value, k: i32) -> Result<Value, ErrorRef> {
    arith_slow2(arith, a, &Value::Int(k as i64))
}

/// `a <arith> b` of two locals, pushed: two ints, or two numbers one of
/// them a float with `+ - *`, computed from where they lie (as the unfused
/// ops do); anything else through the unfused ops' general path.
#[inline(always)]
pub(super) fn arith_locals(ex: &mut Exec, arith: Arith, a: usize, b: usize) -> Step {
    let (x, y) = (&ex.stack[a], &ex.stack[b]);
    let floats = match (x, y) {
        (Value::Int(x), Value::Int(y)) => {
            if let Some(r) = int_arith(arith, *x, *y) {
                ex.push_int(r);
                return Ok(());
            }
            None
        }
        (Value::Float(x), Value::Float(y)) => Some((*x, *y)),
        (Value::Float(x), Value::Int(y)) => Some((*x, *y as f64)),
        (Value::Int(x), Value::Float(y)) => Some((*x as f64, *y)),
        _ => None,
    };
    if let Some(r) = floats.and_then(|(x, y)| float_arith(arith, x, y)) {
        ex.push(Value::Float(r));
        return Ok(());
    }
    let r = arith_slow2(arith, &ex.stack[a], &ex.stack[b])?;
    ex.push(r);
    Ok(())
}

/// `a <arith> b` for anything else: the unfused ops' general path.
#[inline(never)]
fn arith_slow2(arith: Arith, a: &Value, b: &Value) -> Result<Value, ErrorRef> {
    match arith {
        Arith::Add => ops::add(a, b),
        Arith::Sub => ops::sub(a, b),
        Arith::Mul => ops::mul(a, b),
        Arith::FloorDiv => ops::floor_div(a, b),
        Arith::Mod => ops::modulo(a, b),
    }
}

/// `local <arith> k`, pushed.
#[inline(always)]
pub(super) fn arith_local_int(ex: &mut Exec, r: &Regs, arith: Arith, slot: u32, k: i32) -> Step {
    let a = &ex.stack[r.base + slot as usize];
    if let Value::Int(x) = a {
        if let Some(r) = int_arith(arith, *x, k as i64) {
            ex.push_int(r);
            return Ok(());
        }
    }
    let r = arith_slow(arith, a, k)?;
    ex.push(r);
    Ok(())
}

/// `top <arith> k`, replacing the top. An int is computed in place, and
/// so is a float with `+ - *` (as the unfused ops do: `k` converted as
/// Python converts it).
#[inline(always)]
pub(super) fn arith_int(ex: &mut Exec, arith: Arith, k: i32) -> Step {
    let n = ex.stack.len();
    let top: *mut Value = &mut ex.stack[n - 1];
    // SAFETY: `top` is the stack's last value; an int or float owns
    // nothing, so it is overwritten without a drop (field by field: see
    // `Exec::push`).
    unsafe {
        match *top {
            Value::Int(x) => {
                if let Some(r) = int_arith(arith, x, k as i64) {
                    top.write(Value::Int(r));
                    return Ok(());
                }
            }
            Value::Float(x) => {
                if let Some(r) = float_arith(arith, x, k as f64) {
                    top.write(Value::Float(r));
                    return Ok(());
                }
            }
            _ => {}
        }
    }
    let a = pop(ex);
    let r = arith_slow(arith, &a, k)?;
    ex.push(r);
    Ok(())
}
