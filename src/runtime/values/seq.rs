//! Slicing lists, strings and ranges as Python does (`xs[a:b:step]`, with
//! clamping and negative indices), unpacking a value into a pattern's
//! names (`let [a, b] = pair`), and a comprehension's appends.

use super::ops::{as_range, items_of, range_len, store_index};
use super::value::{Iter, Value};
use crate::runtime::error::{overflow, type_error, value_error, ErrorRef};
use crate::runtime::exec::Exec;
use std::cell::RefCell;
use std::rc::Rc;

// The instructions' bodies live here, out of line, so that the dispatch
// loop stays as small as it was for code that does not use them.

fn pop(ex: &mut Exec) -> Value {
    ex.stack.pop().expect("stack underflow")
}

/// `Op::Slice`: target, start, stop and step on the stack → the slice.
#[inline(never)]
pub(crate) fn slice_op(ex: &mut Exec) -> Result<(), ErrorRef> {
    let step = pop(ex);
    let stop = pop(ex);
    let start = pop(ex);
    let target = pop(ex);
    let r = slice(&target, &start, &stop, &step)?;
    ex.push(r);
    Ok(())
}

/// `Op::Unpack(n)`: the value on top → its `n` items, the first on top.
#[inline(never)]
pub(crate) fn unpack_op(ex: &mut Exec, n: usize) -> Result<(), ErrorRef> {
    let v = pop(ex);
    // A list of the right length (`for k, v in items(m)`) is unpacked in
    // place; anything else is collected first.
    if let Value::List(l) = &v {
        let l = l.borrow();
        if l.len() == n {
            for x in l.iter().rev() {
                ex.push(x.clone());
            }
            return Ok(());
        }
    }
    for x in unpack(&v, n)?.into_iter().rev() {
        ex.push(x);
    }
    Ok(())
}

/// `Op::UnpackStar`: the value on top → its first `before` items, a new
/// list of the items between, and its last `after` items, the first on
/// top. The list is new even when it takes every item (`[*copy] = xs`).
#[inline(never)]
pub(crate) fn unpack_star_op(ex: &mut Exec, before: usize, after: usize) -> Result<(), ErrorRef> {
    let v = pop(ex);
    let mut items = unpack_star(&v, before + after)?;
    let tail = items.split_off(items.len() - after);
    let middle = items.split_off(before);
    for x in tail.into_iter().rev() {
        ex.push(x);
    }
    ex.push(Value::list(middle));
    for x in items.into_iter().rev() {
        ex.push(x);
    }
    Ok(())
}

/// `Op::ListAppend`: appends the value on top to the comprehension's list
/// in stack slot `at` (made by `MakeList(0)` before its loops).
#[inline(never)]
pub(crate) fn list_append_op(ex: &mut Exec, at: usize) -> Result<(), ErrorRef> {
    let v = pop(ex);
    if let Value::List(l) = &ex.stack[at] {
        let mut items = l.borrow_mut();
        super::growth::list_room(&mut items, 1)?;
        items.push(v);
    }
    Ok(())
}

/// `Op::MapInsert`: sets the key and value on top in the comprehension's
/// map in stack slot `at`.
#[inline(never)]
pub(crate) fn map_insert_op(ex: &mut Exec, at: usize) -> Result<(), ErrorRef> {
    let v = pop(ex);
    let k = pop(ex);
    let map = ex.stack[at].clone();
    store_index(&map, &k, v)
}

/// The `n` items of `v` for `let [a, b] = v`, with Python's errors: a
/// `ValueError` for a wrong count, a `TypeError` for a value that is not
/// iterable.
pub(crate) fn unpack(v: &Value, n: usize) -> Result<Vec<Value>, ErrorRef> {
    let items = iterable_items(v)?;
    match items.len() {
        got if got == n => Ok(items),
        got if got > n => Err(value_error(format!(
            "too many values to unpack (expected {n})"
        ))),
        got => Err(value_error(format!(
            "not enough values to unpack (expected {n}, got {got})"
        ))),
    }
}

/// The items of `v` for a pattern with a `*name` and `n` other names:
/// at least `n` of them, else a `ValueError` in CPython's words.
fn unpack_star(v: &Value, n: usize) -> Result<Vec<Value>, ErrorRef> {
    let items = iterable_items(v)?;
    if items.len() < n {
        return Err(value_error(format!(
            "not enough values to unpack (expected at least {n}, got {})",
            items.len()
        )));
    }
    Ok(items)
}

/// The items of a value a pattern unpacks; a `TypeError` for one that
/// cannot be walked.
fn iterable_items(v: &Value) -> Result<Vec<Value>, ErrorRef> {
    if !matches!(
        v,
        Value::List(_) | Value::Str(_) | Value::Bytes(_) | Value::Map(_) | Value::Iter(_)
    ) {
        return Err(type_error(format!(
            "cannot unpack non-iterable `{}`",
            v.type_name()
        )));
    }
    items_of(v)
}

/// A slice's bounds made concrete for a length, as CPython's
/// `PySlice_Unpack` and `PySlice_AdjustIndices` make them: `start` is the
/// first position taken, then `count` positions `step` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    start: i128,
    /// Where the slice stops (not taken), as CPython adjusts it: what a
    /// sliced range keeps as its stop.
    stop: i128,
    step: i128,
    count: usize,
}

/// A bound as an int, nil meaning "left out".
fn bound(v: &Value) -> Result<Option<i128>, ErrorRef> {
    match v {
        Value::Nil => Ok(None),
        Value::Int(i) => Ok(Some(i128::from(*i))),
        other => Err(type_error(format!(
            "slice indices must be int or nil, not `{}`",
            other.type_name()
        ))),
    }
}

/// Checks the parts (step first, as CPython does) and resolves them against
/// `len`. i128 keeps `-i64::MIN` and `len + i` exact.
fn bounds(len: usize, start: &Value, stop: &Value, step: &Value) -> Result<Bounds, ErrorRef> {
    let step = bound(step)?.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i128;
    // Where a bound outside the sequence lands: before the first item is -1
    // going backwards and 0 going forwards; past the end is len - 1 or len.
    let (low, high) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |b: Option<i128>, default: i128| match b {
        None => default,
        Some(i) if i < 0 => (i + len).max(low),
        Some(i) => i.min(high),
    };
    let (start_default, stop_default) = if step < 0 { (high, low) } else { (low, high) };
    let start = clamp(bound(start)?, start_default);
    let stop = clamp(bound(stop)?, stop_default);
    let count = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && stop < start {
        (start - stop - 1) / -step + 1
    } else {
        0
    };
    Ok(Bounds {
        start,
        stop,
        step,
        count: count as usize,
    })
}

/// The positions a slice takes, in order.
fn positions(b: Bounds) -> impl Iterator<Item = usize> {
    (0..b.count).map(move |k| (b.start + k as i128 * b.step) as usize)
}

/// `target[start:stop:step]` for a list (a new list) or a string (by code
/// point, as indexing is).
pub(crate) fn slice(
    target: &Value,
    start: &Value,
    stop: &Value,
    step: &Value,
) -> Result<Value, ErrorRef> {
    match target {
        Value::List(l) => {
            let l = l.borrow();
            let b = bounds(l.len(), start, stop, step)?;
            if b.step == 1 {
                let from = b.start as usize;
                return Ok(Value::list(l[from..from + b.count].to_vec()));
            }
            Ok(Value::list(positions(b).map(|i| l[i].clone()).collect()))
        }
        Value::Str(s) => {
            if s.is_ascii() {
                let bytes = s.as_bytes();
                let b = bounds(bytes.len(), start, stop, step)?;
                let out: Vec<u8> = positions(b).map(|i| bytes[i]).collect();
                let out = String::from_utf8(out).expect("ASCII stays ASCII");
                return Ok(Value::str(&out));
            }
            let chars: Vec<char> = s.chars().collect();
            let b = bounds(chars.len(), start, stop, step)?;
            let out: String = positions(b).map(|i| chars[i]).collect();
            Ok(Value::str(&out))
        }
        Value::Bytes(bytes) => {
            let b = bounds(bytes.len(), start, stop, step)?;
            Ok(Value::bytes(positions(b).map(|i| bytes[i]).collect()))
        }
        other => match as_range(other) {
            Some(r) => slice_range(r, start, stop, step),
            None => Err(type_error(format!(
                "`{}` cannot be sliced (only lists, strings, bytes and ranges can)",
                other.type_name()
            ))),
        },
    }
}

/// A range's slice is a range, as in CPython: `range(10)[::-1]` is
/// `range(9, -1, -1)`. Bounds past 64 bits are an `OverflowError`.
fn slice_range(
    range: (i64, i64, i64),
    start: &Value,
    stop: &Value,
    by: &Value,
) -> Result<Value, ErrorRef> {
    let (first, _, step) = range;
    // At most 2**64 - 1 items, which a 64-bit usize holds.
    let len = usize::try_from(range_len(range)).map_err(|_| overflow())?;
    let b = bounds(len, start, stop, by)?;
    let at = |i: i128| i64::try_from(i128::from(first) + i * i128::from(step));
    let (Ok(next), Ok(stop), Ok(step)) = (
        at(b.start),
        at(b.stop),
        i64::try_from(i128::from(step) * b.step),
    ) else {
        return Err(overflow());
    };
    Ok(Value::Iter(Rc::new(RefCell::new(Iter::Range {
        next,
        stop,
        step,
    }))))
}

/// Python's sort: stable, comparing with `<` (by `key(x)` when a key is
/// given); `reverse` sorts descending and still keeps equal items in their
/// original order, as Python's `reverse=True` does. Shared by `sorted` and
/// `list.sort`.
pub(crate) fn sort_values(
    ctx: &mut crate::runtime::native::ctx::NativeCtx<'_>,
    items: Vec<Value>,
    key: Option<&Value>,
    reverse: bool,
) -> Result<Vec<Value>, ErrorRef> {
    let mut keyed: Vec<(Value, Value)> = match key {
        Some(k) => items
            .into_iter()
            .map(|v| Ok((ctx.call(k, vec![v.clone()])?, v)))
            .collect::<Result<_, ErrorRef>>()?,
        None => items.into_iter().map(|v| (v.clone(), v)).collect(),
    };
    let mut failure = None;
    keyed.sort_by(|a, b| {
        let (x, y) = if reverse { (&b.0, &a.0) } else { (&a.0, &b.0) };
        super::ops::compare(x, y, "<").unwrap_or_else(|e| {
            failure.get_or_insert(e);
            std::cmp::Ordering::Equal
        })
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(keyed.into_iter().map(|(_, v)| v).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(len: usize, a: Option<i64>, z: Option<i64>, s: Option<i64>) -> Vec<usize> {
        let v = |x: Option<i64>| x.map_or(Value::Nil, Value::Int);
        positions(bounds(len, &v(a), &v(z), &v(s)).unwrap()).collect()
    }

    #[test]
    fn clamps_and_counts_as_python_does() {
        assert_eq!(b(5, None, None, Some(-1)), vec![4, 3, 2, 1, 0]);
        assert_eq!(b(5, Some(-100), Some(100), None), vec![0, 1, 2, 3, 4]);
        assert_eq!(b(5, Some(100), Some(-100), Some(-2)), vec![4, 2, 0]);
        assert_eq!(b(5, Some(3), Some(1), None), Vec::<usize>::new());
        assert_eq!(b(0, None, None, Some(-1)), Vec::<usize>::new());
        assert_eq!(
            b(5, Some(i64::MIN), Some(i64::MAX), Some(i64::MIN)),
            Vec::<usize>::new()
        );
        assert_eq!(b(5, Some(i64::MAX), None, Some(i64::MIN)), vec![4]);
    }

    #[test]
    fn a_range_slices_to_a_range_or_overflows() {
        let v = |x: Option<i64>| x.map_or(Value::Nil, Value::Int);
        let r = slice_range((0, 10, 1), &v(None), &v(None), &v(Some(-3))).unwrap();
        assert_eq!(as_range(&r), Some((9, -1, -3)));
        let half = i64::MAX / 2;
        let far = slice_range((0, i64::MAX, half), &v(None), &v(None), &v(Some(4)));
        assert_eq!(&*far.unwrap_err().kind, "OverflowError");
    }

    #[test]
    fn bad_parts_are_errors() {
        let zero = bounds(3, &Value::Nil, &Value::Nil, &Value::Int(0));
        assert_eq!(&*zero.unwrap_err().kind, "ValueError");
        let text = bounds(3, &Value::str("a"), &Value::Nil, &Value::Nil);
        assert_eq!(&*text.unwrap_err().kind, "TypeError");
    }
}
