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

/// An op with int and float fast paths: the two top values' variants
/// read once, two ints first (`fast`), then two numbers one of them a
/// float (`float`, which gets both as floats, an int converted as Python
/// converts it, and may decline: division by zero), computed in place.
#[inline(always)]
fn number_op(
    ex: &mut Exec,
    fast: impl FnOnce(i64, i64) -> Option<i64>,
    float: impl FnOnce(f64, f64) -> Option<f64>,
    slow: Slow,
) -> Step {
    let n = ex.stack.len();
    if let [.., a, b] = ex.stack.as_mut_slice() {
        let r = match (&*a, &*b) {
            (Value::Int(x), Value::Int(y)) => fast(*x, *y).map(Num::Int),
            (Value::Float(x), Value::Float(y)) => float(*x, *y).map(Num::Float),
            (Value::Float(x), Value::Int(y)) => float(*x, *y as f64).map(Num::Float),
            (Value::Int(x), Value::Float(y)) => float(*x as f64, *y).map(Num::Float),
            _ => None,
        };
        if let Some(r) = r {
            let a: *mut Value = a;
            // SAFETY: both operands are ints or floats, which own nothing:
            // the left one is overwritten without a drop and the right one
            // forgotten by shortening the stack (`n >= 2`: matched above).
            unsafe {
                r.write(a);
                ex.stack.set_len(n - 1);
            }
            return Ok(());
        }
    }
    slow_path(ex, slow)
}

/// A number computed by a fast path: a plain copyable pair, so that the
/// paths that make none drop nothing (an `Option<Value>` not taken cost
/// an out-of-line drop of `None`).
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// Writes the number into `slot` field by field (see `Exec::push`).
    ///
    /// # Safety
    /// `slot` is writable and holds nothing that needs dropping.
    #[inline(always)]
    unsafe fn write(self, slot: *mut Value) {
        // SAFETY: the caller's contract.
        unsafe {
            match self {
                Num::Int(n) => slot.write(Value::Int(n)),
                Num::Float(f) => slot.write(Value::Float(f)),
            }
        }
    }
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
    number_op(ex, |x, y| x.checked_add(y), |x, y| Some(x + y), ops::add)
}

#[inline(always)]
pub(super) fn sub(ex: &mut Exec) -> Step {
    number_op(ex, |x, y| x.checked_sub(y), |x, y| Some(x - y), ops::sub)
}

#[inline(always)]
pub(super) fn mul(ex: &mut Exec) -> Step {
    number_op(ex, |x, y| x.checked_mul(y), |x, y| Some(x * y), ops::mul)
}

#[inline(always)]
pub(super) fn div(ex: &mut Exec) -> Step {
    number_op(ex, |_, _| None, |x, y| (y != 0.0).then(|| x / y), ops::div)
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
pub(super) fn int_arith(arith: Arith, x: i64, k: i64) -> Option<i64> {
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
pub(super) fn arith_locals(ex: &mut Exec, r: &Regs, arith: Arith, a: u32, b: u32) -> Step {
    let (a, b) = (r.base + a as usize, r.base + b as usize);
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

/// `x <arith> y` of two numbers: two ints, or (`+ - *`) two numbers one
/// of them a float, the int converted as Python converts it (as the
/// unfused ops compute them); `None` where the general path decides (an
/// overflow, a division by zero, a float's `//` or `%`, not numbers).
#[inline(always)]
fn num_arith(arith: Arith, x: &Value, y: &Value) -> Option<Num> {
    match (x, y) {
        (Value::Int(x), Value::Int(y)) => int_arith(arith, *x, *y).map(Num::Int),
        (Value::Float(x), Value::Float(y)) => float_arith(arith, *x, *y).map(Num::Float),
        (Value::Float(x), Value::Int(y)) => float_arith(arith, *x, *y as f64).map(Num::Float),
        (Value::Int(x), Value::Float(y)) => float_arith(arith, *x as f64, *y).map(Num::Float),
        _ => None,
    }
}

/// `local <arith>= top` (`s += x * v[j]`): two numbers are computed where
/// the local lies (its number owns nothing, so it is overwritten) and the
/// top forgotten; anything else as the unfused `LoadLocal`, arithmetic
/// and `StoreLocal` did it (the same operands in the same order, the same
/// errors).
#[inline(always)]
pub(super) fn aug_local(ex: &mut Exec, arith: Arith, at: usize) -> Step {
    let n = ex.stack.len();
    // The local lies below the value on top.
    if at + 1 < n {
        let p = ex.stack.as_mut_ptr();
        // SAFETY: `at < n - 1`: two distinct values in the stack. A result
        // means both were numbers, which own nothing: the local is
        // overwritten without a drop, the top forgotten.
        unsafe {
            if let Some(r) = num_arith(arith, &*p.add(at), &*p.add(n - 1)) {
                r.write(p.add(at));
                ex.stack.set_len(n - 1);
                return Ok(());
            }
        }
    }
    aug_local_slow(ex, arith, at)
}

/// [`aug_local`] of anything else: the general path of the unfused ops.
#[inline(never)]
fn aug_local_slow(ex: &mut Exec, arith: Arith, at: usize) -> Step {
    let b = pop(ex);
    let r = arith_slow2(arith, &ex.stack[at], &b);
    drop_value(b);
    let old = std::mem::replace(&mut ex.stack[at], r?);
    drop_value(old);
    Ok(())
}

/// `local <arith>= k` (`count += 1`), in place as [`aug_local`] does.
#[inline(always)]
pub(super) fn aug_local_int(ex: &mut Exec, arith: Arith, at: usize, k: i32) -> Step {
    let slot: *mut Value = &mut ex.stack[at];
    // SAFETY: `slot` is a local in the stack; a result means it held a
    // number, which owns nothing, so it is overwritten without a drop.
    unsafe {
        if let Some(r) = num_arith(arith, &*slot, &Value::Int(k as i64)) {
            r.write(slot);
            return Ok(());
        }
    }
    aug_local_int_slow(ex, arith, at, k)
}

/// [`aug_local_int`] of anything else: the unfused ops' general path.
#[inline(never)]
fn aug_local_int_slow(ex: &mut Exec, arith: Arith, at: usize, k: i32) -> Step {
    let r = arith_slow(arith, &ex.stack[at], k)?;
    let old = std::mem::replace(&mut ex.stack[at], r);
    drop_value(old);
    Ok(())
}

/// `top <arith> local` (`... + i`): two numbers computed in place of the
/// top; anything else as `LoadLocal` and the arithmetic did it.
#[inline(always)]
pub(super) fn arith_local(ex: &mut Exec, arith: Arith, at: usize) -> Step {
    let n = ex.stack.len();
    // The local lies below the value on top.
    if at + 1 < n {
        let p = ex.stack.as_mut_ptr();
        // SAFETY: `at < n - 1`: two distinct values in the stack. A result
        // means both were numbers: the top owns nothing and is overwritten.
        unsafe {
            if let Some(r) = num_arith(arith, &*p.add(n - 1), &*p.add(at)) {
                r.write(p.add(n - 1));
                return Ok(());
            }
        }
    }
    arith_local_slow(ex, arith, at)
}

/// [`arith_local`] of anything else: the unfused ops' general path.
#[inline(never)]
fn arith_local_slow(ex: &mut Exec, arith: Arith, at: usize) -> Step {
    let a = pop(ex);
    let r = arith_slow2(arith, &a, &ex.stack[at]);
    drop_value(a);
    ex.push(r?);
    Ok(())
}

/// `<top> <arith> a[b]` (`x * v[j]`), the arithmetic op after it: a list's
/// item by an int in range and the top, numbers both, computed in place of
/// the top and the arithmetic skipped; anything else pushes `a[b]` as
/// `IndexLocals` does (or raises its error) and the arithmetic runs.
#[inline(always)]
pub(super) fn arith_index_locals(
    ex: &mut Exec,
    r: &mut Regs,
    arith: Arith,
    a: usize,
    b: usize,
) -> Step {
    let n = ex.stack.len();
    // The locals lie below the value on top.
    if a.max(b) + 1 < n {
        let p = ex.stack.as_mut_ptr();
        // SAFETY: `a`, `b` and `n - 1` are in the stack, and the top is
        // neither local. The list stays in its slot while its items are
        // borrowed; a result means the top was a number, which owns
        // nothing and is overwritten without a drop.
        unsafe {
            if let (Value::List(l), Value::Int(i)) = (&*p.add(a), &*p.add(b)) {
                let items = l.borrow();
                let j = if *i < 0 { *i + items.len() as i64 } else { *i };
                if (0..items.len() as i64).contains(&j) {
                    let top = p.add(n - 1);
                    if let Some(v) = num_arith(arith, &*top, &items[j as usize]) {
                        drop(items);
                        v.write(top);
                        r.skip();
                        return Ok(());
                    }
                }
            }
        }
    }
    super::data::index_locals(ex, a, b)
}

/// `k / <top>` with `k` a number literal (`1.0 / x`): two numbers, one of
/// them a float, divided in place of the top as `Div` divides them;
/// anything else (two ints, a zero, not a number) as `Const(k); Div` did.
#[inline(always)]
pub(super) fn const_div(ex: &mut Exec, k: &Value) -> Step {
    if let [.., top] = ex.stack.as_mut_slice() {
        let pair = match (k, &*top) {
            (Value::Float(x), Value::Float(y)) => Some((*x, *y)),
            (Value::Float(x), Value::Int(y)) => Some((*x, *y as f64)),
            (Value::Int(x), Value::Float(y)) => Some((*x as f64, *y)),
            _ => None,
        };
        if let Some((x, y)) = pair.filter(|&(_, y)| y != 0.0) {
            let top: *mut Value = top;
            // SAFETY: the top is a number, which owns nothing: it is
            // overwritten without a drop.
            unsafe { top.write(Value::Float(x / y)) };
            return Ok(());
        }
    }
    const_div_slow(ex, k)
}

/// [`const_div`] of anything else: `Div`'s general path.
#[inline(never)]
fn const_div_slow(ex: &mut Exec, k: &Value) -> Step {
    let b = pop(ex);
    let r = ops::div(k, &b);
    drop_value(b);
    ex.push(r?);
    Ok(())
}
