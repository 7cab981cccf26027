//! Indexing, ranges and iteration: `xs[i]`, `xs[i] = v`, a range's
//! arithmetic, and the iterator a `for` loop walks.

use super::R;
use crate::runtime::error::{index_error, key_error, type_error, ErrorRef};
use crate::runtime::values::value::{Iter, Key, Value};

/// A range's `(start, stop, step)`, if `v` is a range. Ranges answer
/// `len`, `sum`, `in` and indexing arithmetically: `range(10**12)` is
/// never materialised.
pub(crate) fn as_range(v: &Value) -> Option<(i64, i64, i64)> {
    match v {
        Value::Iter(it) => match &*it.borrow() {
            Iter::Range { next, stop, step } => Some((*next, *stop, *step)),
            _ => None,
        },
        _ => None,
    }
}

/// How many ints a range yields, in 128 bits: `range(MIN, MAX)` has
/// 2^64 - 1 of them.
pub(crate) fn range_len((start, stop, step): (i64, i64, i64)) -> i128 {
    let (lo, hi, st) = (i128::from(start), i128::from(stop), i128::from(step));
    if st > 0 && lo < hi {
        (hi - lo - 1) / st + 1
    } else if st < 0 && lo > hi {
        (lo - hi - 1) / -st + 1
    } else {
        0
    }
}

/// The sum of a range's ints (the arithmetic series), `None` past 128
/// bits, which is past 64 bits too.
pub(crate) fn range_sum(r: (i64, i64, i64)) -> Option<i128> {
    let n = range_len(r);
    // n (n - 1) / 2 without overflowing on the way: halve the even factor.
    let pairs = if n % 2 == 0 {
        (n / 2).checked_mul(n - 1)?
    } else {
        n.checked_mul((n - 1) / 2)?
    };
    n.checked_mul(i128::from(r.0))?
        .checked_add(i128::from(r.2).checked_mul(pairs)?)
}

/// Whether `item` is one of a range's ints (an integral float counts, as
/// in Python; anything else is not in it).
pub(super) fn range_contains(r: (i64, i64, i64), item: &Value) -> bool {
    let x = match item {
        Value::Int(x) => i128::from(*x),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e19 => *f as i128,
        _ => return false,
    };
    let (start, stop, step) = (i128::from(r.0), i128::from(r.1), i128::from(r.2));
    let inside = if step > 0 {
        start <= x && x < stop
    } else {
        stop < x && x <= start
    };
    inside && (x - start) % step == 0
}

/// `range(...)[i]`, negative `i` counting from the end.
fn range_index(r: (i64, i64, i64), i: i64) -> R {
    let len = range_len(r);
    let j = if i < 0 {
        i128::from(i) + len
    } else {
        i128::from(i)
    };
    if !(0..len).contains(&j) {
        return Err(index_error(format!(
            "range index {i} is out of range (length {len})"
        )));
    }
    let v = i128::from(r.0) + j * i128::from(r.2);
    Ok(Value::Int(i64::try_from(v).expect("a range's items fit")))
}

/// Resolves a possibly negative index against a length.
pub(crate) fn norm_index(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&j).then_some(j as usize)
}

pub(crate) fn index(target: &Value, i: &Value) -> R {
    match (target, i) {
        (Value::List(l), Value::Int(n)) => {
            let l = l.borrow();
            norm_index(*n, l.len())
                .map(|j| l[j].clone())
                .ok_or_else(|| {
                    index_error(format!(
                        "list index {n} is out of range (length {})",
                        l.len()
                    ))
                })
        }
        (Value::Str(s), Value::Int(n)) => {
            let len = s.chars().count();
            norm_index(*n, len)
                .and_then(|j| s.chars().nth(j))
                .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
                .ok_or_else(|| {
                    index_error(format!("string index {n} is out of range (length {len})"))
                })
        }
        (Value::Bytes(b), Value::Int(n)) => crate::runtime::values::bytes::index(b, *n),
        (Value::Map(m), k) => {
            let key = Key::from_value(k).ok_or_else(|| {
                type_error(format!(
                    "a map key must be str, int, bool or bytes, not `{}`",
                    k.type_name()
                ))
            })?;
            m.borrow()
                .get(&key)
                .cloned()
                .ok_or_else(|| key_error(format!("key {} is not in the map", k.repr())))
        }
        (Value::Iter(_), Value::Int(n)) if as_range(target).is_some() => {
            range_index(as_range(target).expect("a range"), *n)
        }
        (Value::Iter(_), other) if as_range(target).is_some() => Err(type_error(format!(
            "range indices must be int, not `{}`",
            other.type_name()
        ))),
        (Value::List(_) | Value::Str(_) | Value::Bytes(_), other) => Err(type_error(format!(
            "{} indices must be int, not `{}`",
            target.type_name(),
            other.type_name()
        ))),
        _ => Err(type_error(format!(
            "`{}` cannot be indexed",
            target.type_name()
        ))),
    }
}

pub(crate) fn store_index(target: &Value, i: &Value, v: Value) -> Result<(), ErrorRef> {
    match (target, i) {
        (Value::List(l), Value::Int(n)) => {
            let mut l = l.borrow_mut();
            let len = l.len();
            let j = norm_index(*n, len).ok_or_else(|| {
                index_error(format!("list index {n} is out of range (length {len})"))
            })?;
            l[j] = v;
            Ok(())
        }
        (Value::Map(m), k) => {
            let key = Key::from_value(k).ok_or_else(|| {
                type_error(format!(
                    "a map key must be str, int, bool or bytes, not `{}`",
                    k.type_name()
                ))
            })?;
            crate::runtime::values::growth::map_insert(&mut m.borrow_mut(), key, v)?;
            Ok(())
        }
        (Value::List(_), other) => Err(type_error(format!(
            "list indices must be int, not `{}`",
            other.type_name()
        ))),
        _ => Err(type_error(format!(
            "`{}` does not support item assignment",
            target.type_name()
        ))),
    }
}

/// Lists, strings (characters), map keys and ranges can be iterated.
pub(crate) fn make_iter(v: &Value) -> Result<Iter, ErrorRef> {
    Ok(match v {
        Value::Iter(it) => {
            // A range value: copy its state so each loop starts fresh.
            match &*it.borrow() {
                Iter::Range { next, stop, step } => Iter::Range {
                    next: *next,
                    stop: *stop,
                    step: *step,
                },
                Iter::Items { items, pos } => Iter::Items {
                    items: items.clone(),
                    pos: *pos,
                },
                Iter::List { list, pos } => Iter::List {
                    list: list.clone(),
                    pos: *pos,
                },
                // A generator: each loop goes on where the last one left.
                Iter::AsCompleted(p) => Iter::AsCompleted(p.clone()),
            }
        }
        Value::List(l) => Iter::List {
            list: l.clone(),
            pos: 0,
        },
        _ => crate::runtime::call::iter_of(items_of(v)?),
    })
}

/// The items a `for` loop over `v` visits.
pub(crate) fn items_of(v: &Value) -> Result<Vec<Value>, ErrorRef> {
    Ok(match v {
        Value::List(l) => l.borrow().to_vec(),
        Value::Str(s) => s
            .chars()
            .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
            .collect(),
        Value::Map(m) => m.borrow().keys().map(|k| k.to_value()).collect(),
        Value::Bytes(b) => b.iter().map(|&c| Value::Int(i64::from(c))).collect(),
        Value::Iter(it) => {
            let mut copy = make_iter(&Value::Iter(it.clone()))?;
            let mut out = Vec::new();
            while let Some(x) = copy.next_item() {
                out.push(x);
            }
            out
        }
        _ => return Err(crate::runtime::stream::not_iterable(v)),
    })
}
