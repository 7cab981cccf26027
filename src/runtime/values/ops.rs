//! Operators on values, with Python's rules: `/` gives a float, `//` and `%`
//! floor, ints overflow into an error rather than wrapping.

mod index;
pub(crate) use index::*;

use super::str::Piece;
use super::value::{Key, Str, Value};
use crate::compile::code::Cmp;
use crate::runtime::error::{overflow, type_error, value_error, zero_div, ErrorObj, ErrorRef};
use std::rc::Rc;

type R = Result<Value, ErrorRef>;

fn unsupported(op: &str, a: &Value, b: &Value) -> ErrorRef {
    type_error(format!(
        "unsupported operand types for {op}: `{}` and `{}`",
        a.type_name(),
        b.type_name()
    ))
}

fn floats(a: &Value, b: &Value) -> Option<(f64, f64)> {
    let f = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (Value::Int(_), Value::Int(_)) => None,
        _ => Some((f(a)?, f(b)?)),
    }
}

pub(crate) fn add(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.checked_add(*y).map(Value::Int).ok_or_else(overflow),
        (Value::Str(x), Value::Str(y)) => concat(&[x, y]),
        (Value::Bytes(x), Value::Bytes(y)) => Ok(Value::bytes([&x[..], &y[..]].concat())),
        (Value::List(x), Value::List(y)) => {
            let mut v = x.borrow().to_vec();
            v.extend(y.borrow().iter().cloned());
            Ok(Value::list(v))
        }
        _ => match floats(a, b) {
            Some((x, y)) => Ok(Value::Float(x + y)),
            None => Err(unsupported("+", a, b)),
        },
    }
}

/// Strings joined, or a `MemoryError` when there is no memory for the
/// result.
pub(crate) fn concat(parts: &[&str]) -> R {
    concat_pieces(parts.iter().map(|p| Piece::Text(p)))
}

/// Text and ints (in decimal) joined into one string, or a `MemoryError`
/// when there is no memory for it.
#[inline]
pub(crate) fn concat_pieces<'a>(pieces: impl Iterator<Item = Piece<'a>> + Clone) -> R {
    let len = Piece::total(pieces.clone()).expect("string too long");
    if len >= crate::limits::LARGE {
        crate::limits::room_for(len).map_err(|(after, limit)| {
            crate::runtime::error::ErrorObj::with_help(
                "MemoryError",
                format!("a new string would be over the limit of {limit} (--max-memory)"),
                format!("it takes {len} bytes: the process would hold {after}. A value that grows without end? raise the limit with --max-memory"),
            )
        })?;
    }
    // SAFETY: `len` is the pieces' total.
    unsafe { Str::try_concat_pieces(len, pieces) }
        .map(Value::Str)
        .map_err(|layout| {
            crate::runtime::error::ErrorObj::new(
                "MemoryError",
                format!("cannot allocate a string of {} bytes", layout.size()),
            )
        })
}

pub(crate) fn sub(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.checked_sub(*y).map(Value::Int).ok_or_else(overflow),
        _ => match floats(a, b) {
            Some((x, y)) => Ok(Value::Float(x - y)),
            None => Err(unsupported("-", a, b)),
        },
    }
}

fn repeat<T: Clone>(items: &[T], n: i64) -> Result<Vec<T>, ErrorRef> {
    let n = n.max(0) as usize;
    if items.len().saturating_mul(n) > 100_000_000 {
        return Err(crate::runtime::error::ErrorObj::new(
            "MemoryError",
            "the repeated value would be too large",
        ));
    }
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    Ok(out)
}

pub(crate) fn mul(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.checked_mul(*y).map(Value::Int).ok_or_else(overflow),
        (Value::Str(s), Value::Int(n)) | (Value::Int(n), Value::Str(s)) => {
            let bytes = repeat(s.as_bytes(), *n)?;
            Ok(Value::Str(Str::from(
                String::from_utf8(bytes).unwrap_or_default(),
            )))
        }
        (Value::List(l), Value::Int(n)) | (Value::Int(n), Value::List(l)) => {
            Ok(Value::list(repeat(&l.borrow(), *n)?))
        }
        (Value::Bytes(b), Value::Int(n)) | (Value::Int(n), Value::Bytes(b)) => {
            Ok(Value::bytes(repeat(b, *n)?))
        }
        _ => match floats(a, b) {
            Some((x, y)) => Ok(Value::Float(x * y)),
            None => Err(unsupported("*", a, b)),
        },
    }
}

pub(crate) fn div(a: &Value, b: &Value) -> R {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if *y == 0 {
            return Err(zero_div("division by zero"));
        }
        return Ok(Value::Float(int_true_div(*x, *y)));
    }
    let (x, y) = floats(a, b).ok_or_else(|| unsupported("/", a, b))?;
    if y == 0.0 {
        return Err(zero_div("division by zero"));
    }
    Ok(Value::Float(x / y))
}

/// `x / y` for ints, correctly rounded as CPython's `long_true_divide`:
/// converting each int to a float first would round twice
/// (`9007199254740993 / 3` must be `3002399751580331.0`).
fn int_true_div(x: i64, y: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    let (a, b) = (x.unsigned_abs(), y.unsigned_abs());
    let sign = if (x < 0) != (y < 0) { -1.0 } else { 1.0 };
    if a == 0 || (a <= EXACT && b <= EXACT) {
        // Both convert exactly; IEEE division rounds once (and 0 keeps
        // the quotient's sign: 0 / -5 is -0.0).
        return x as f64 / y as f64;
    }
    // Scale so the integer quotient has 55 or 56 bits: 53 for the
    // mantissa, the rest and the remainder decide the rounding.
    let bits = |v: u64| 64 - v.leading_zeros() as i32;
    let shift = 55 + bits(b) - bits(a);
    let (num, den) = if shift >= 0 {
        (u128::from(a) << shift, u128::from(b))
    } else {
        (u128::from(a), u128::from(b) << -shift)
    };
    let (q, sticky) = (num / den, num % den != 0);
    let extra = 128 - q.leading_zeros() as i32 - 53;
    let mut mant = q >> extra;
    let rest = q & ((1u128 << extra) - 1);
    let half = 1u128 << (extra - 1);
    if rest > half || (rest == half && (sticky || mant & 1 == 1)) {
        mant += 1;
    }
    // mant has at most 54 bits and the scale is a power of two: exact.
    sign * (mant as f64) * 2f64.powi(extra - shift)
}

/// Python's `//` on ints; `None` for a zero divisor or an overflow (the
/// caller reports those).
#[inline]
pub(crate) fn int_floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    Some(if (x % y != 0) && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    })
}

/// Python's `%` on ints (the sign of the divisor); `None` for a zero
/// divisor.
#[inline]
pub(crate) fn int_mod(x: i64, y: i64) -> Option<i64> {
    if y == 0 {
        return None;
    }
    let r = x.checked_rem(y).unwrap_or(0);
    Some(if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    })
}

pub(crate) fn floor_div(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            if *y == 0 {
                return Err(zero_div("integer division by zero"));
            }
            Ok(Value::Int(int_floor_div(*x, *y).ok_or_else(overflow)?))
        }
        _ => {
            let (x, y) = floats(a, b).ok_or_else(|| unsupported("//", a, b))?;
            if y == 0.0 {
                return Err(zero_div("float floor division by zero"));
            }
            Ok(Value::Float(float_div_mod(x, y).0))
        }
    }
}

pub(crate) fn modulo(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            if *y == 0 {
                return Err(zero_div("integer modulo by zero"));
            }
            Ok(Value::Int(int_mod(*x, *y).expect("non-zero divisor")))
        }
        _ => {
            let (x, y) = floats(a, b).ok_or_else(|| unsupported("%", a, b))?;
            if y == 0.0 {
                return Err(zero_div("float modulo by zero"));
            }
            Ok(Value::Float(float_div_mod(x, y).1))
        }
    }
}

/// CPython's `_float_div_mod`: `(x // y, x % y)` for a non-zero `y`.
/// `(x / y).floor()` is wrong at the edges (`inf // 1` is nan,
/// `-5.0 // inf` is -1.0, `-0.0 % 5.0` is 0.0), so follow CPython step
/// by step: the remainder from `fmod` (Rust's `%`), the quotient from it.
pub(crate) fn float_div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        // The remainder takes the sign of the divisor.
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let q = if div != 0.0 {
        // Snap to the nearest integral value (x - m is only nearly a
        // multiple of y in floating point).
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (q, m)
}

/// `x ** y` for ints when the answer is an int that fits: the fast path
/// (a negative exponent gives a float, an overflow an error: the slow path).
#[inline]
pub(crate) fn int_pow_fast(x: i64, y: i64) -> Option<Value> {
    let y = u32::try_from(y).ok()?;
    x.checked_pow(y).map(Value::Int)
}

/// Python's `**`: int ** non-negative int stays exact (an `OverflowError`
/// past 64 bits, where Python would grow the int); anything else is a
/// float, as CPython's `float_pow` gives it.
pub(crate) fn pow(a: &Value, b: &Value) -> R {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) if *y >= 0 => int_pow(*x, *y),
        (Value::Int(x), Value::Int(y)) => float_pow(*x as f64, *y as f64),
        _ => {
            let (x, y) = floats(a, b).ok_or_else(|| unsupported("**", a, b))?;
            float_pow(x, y)
        }
    }
}

fn int_pow(x: i64, y: i64) -> R {
    match u32::try_from(y) {
        Ok(e) => x.checked_pow(e).map(Value::Int).ok_or_else(overflow),
        // Only 0, 1 and -1 stay in 64 bits with such an exponent.
        Err(_) => match x {
            0 | 1 => Ok(Value::Int(x)),
            -1 => Ok(Value::Int(if y % 2 == 0 { 1 } else { -1 })),
            _ => Err(overflow()),
        },
    }
}

/// `x ** y` on floats with CPython's errors where C's `pow` would give
/// an infinity or (for a negative base and a fractional exponent, where
/// Python answers with a complex number) a NaN.
fn float_pow(x: f64, y: f64) -> R {
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(zero_div("0.0 cannot be raised to a negative power"));
    }
    if x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0 {
        return Err(value_error(
            "a negative number cannot be raised to a fractional power (Python gives a complex number)",
        ));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(ErrorObj::new(
            "OverflowError",
            "numerical result out of range",
        ));
    }
    Ok(Value::Float(r))
}

pub(crate) fn neg(a: &Value) -> R {
    match a {
        Value::Int(x) => x.checked_neg().map(Value::Int).ok_or_else(overflow),
        Value::Float(f) => Ok(Value::Float(-f)),
        _ => Err(type_error(format!(
            "bad operand type for unary -: `{}`",
            a.type_name()
        ))),
    }
}

/// Ordering for `< <= > >=`, `sorted`, `min` and `max`.
/// Whether `a <cmp> b` holds: the general path of the fused
/// compare-and-jump instructions.
///
/// Numbers compare exactly (an int with a float too) and any order with
/// a NaN is false, as in Python (`nan <= 1` is false, not "equal"); two
/// lists are decided by their first differing items under the same
/// operator, as Python's list comparison does.
pub(crate) fn cmp_holds(cmp: Cmp, a: &Value, b: &Value) -> Result<bool, ErrorRef> {
    cmp_holds_at(cmp, a, b, 0)
}

fn cmp_holds_at(cmp: Cmp, a: &Value, b: &Value, depth: usize) -> Result<bool, ErrorRef> {
    match cmp {
        Cmp::Eq => return super::value::values_equal(a, b),
        Cmp::Ne => return super::value::values_equal(a, b).map(|e| !e),
        _ => {}
    }
    if let Some(order) = num_cmp(a, b) {
        return Ok(order.is_some_and(|o| cmp.holds(o)));
    }
    if let (Value::List(x), Value::List(y)) = (a, b) {
        if Rc::ptr_eq(x, y) {
            // Python compares items by identity first: a list is equal to
            // itself item by item, even with a NaN in it.
            return Ok(cmp.holds(std::cmp::Ordering::Equal));
        }
        if depth >= super::value::MAX_NESTING {
            return Err(super::value::nesting_error("comparison"));
        }
        let (x, y) = (x.borrow(), y.borrow());
        for (p, q) in x.iter().zip(y.iter()) {
            if !super::value::eq_depth(p, q, depth + 1)? {
                return cmp_holds_at(cmp, p, q, depth + 1);
            }
        }
        return Ok(cmp.holds(x.len().cmp(&y.len())));
    }
    Ok(cmp.holds(compare(a, b, cmp.symbol())?))
}

/// The order of two numbers (`Some(None)` when a NaN makes them
/// unordered); `None` when either is not a number.
fn num_cmp(a: &Value, b: &Value) -> Option<Option<std::cmp::Ordering>> {
    use super::value::int_float_cmp;
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => int_float_cmp(*x, *y),
        (Value::Float(x), Value::Int(y)) => int_float_cmp(*y, *x).map(std::cmp::Ordering::reverse),
        _ => return None,
    })
}

pub(crate) fn compare(a: &Value, b: &Value, op: &str) -> Result<std::cmp::Ordering, ErrorRef> {
    compare_at(a, b, op, 0)
}

fn compare_at(
    a: &Value,
    b: &Value,
    op: &str,
    depth: usize,
) -> Result<std::cmp::Ordering, ErrorRef> {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (Value::Bytes(x), Value::Bytes(y)) => Ok(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        (Value::List(x), Value::List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(Ordering::Equal);
            }
            if depth >= super::value::MAX_NESTING {
                return Err(super::value::nesting_error("comparison"));
            }
            let (x, y) = (x.borrow(), y.borrow());
            for (p, q) in x.iter().zip(y.iter()) {
                if !super::value::eq_depth(p, q, depth + 1)? {
                    return compare_at(p, q, op, depth + 1);
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        _ => match num_cmp(a, b) {
            // Sorting, min and max need an order: a NaN sorts as "equal".
            Some(order) => Ok(order.unwrap_or(Ordering::Equal)),
            None => Err(type_error(format!(
                "`{op}` is not supported between `{}` and `{}`",
                a.type_name(),
                b.type_name()
            ))),
        },
    }
}

pub(crate) fn lt(a: &Value, b: &Value) -> R {
    cmp_holds(Cmp::Lt, a, b).map(Value::Bool)
}
pub(crate) fn le(a: &Value, b: &Value) -> R {
    cmp_holds(Cmp::Le, a, b).map(Value::Bool)
}
pub(crate) fn gt(a: &Value, b: &Value) -> R {
    cmp_holds(Cmp::Gt, a, b).map(Value::Bool)
}
pub(crate) fn ge(a: &Value, b: &Value) -> R {
    cmp_holds(Cmp::Ge, a, b).map(Value::Bool)
}

/// `item in container`.
pub(crate) fn contains(container: &Value, item: &Value) -> Result<bool, ErrorRef> {
    match container {
        Value::List(l) => {
            for v in l.borrow().iter() {
                if super::value::values_equal(v, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Str(s) => match item {
            Value::Str(sub) => Ok(s.contains(&**sub)),
            _ => Err(type_error(format!(
                "`in <str>` needs a str on the left, not `{}`",
                item.type_name()
            ))),
        },
        Value::Map(m) => Ok(Key::from_value(item).is_some_and(|k| m.borrow().contains_key(&k))),
        Value::Bytes(b) => super::bytes::contains(b, item),
        _ if as_range(container).is_some() => {
            Ok(range_contains(as_range(container).expect("a range"), item))
        }
        _ => Err(type_error(format!(
            "`in` needs a list, str, bytes, map or range on the right, not `{}`",
            container.type_name()
        ))),
    }
}
