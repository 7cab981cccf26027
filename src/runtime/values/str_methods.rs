//! The string methods a loop calls most, straight from the operand stack:
//! no argument `Vec`, no signature lookup by name, and results built in
//! one allocation. Anything unusual (a named argument, an argument of the
//! wrong type, an empty separator) returns `None`, and the general path in
//! `methods.rs` runs and gives the error it always gave.

use super::value::{Str, Value};
use crate::runtime::methods::known_method;

const UPPER: u32 = known_method("upper");
const LOWER: u32 = known_method("lower");
const STRIP: u32 = known_method("strip");
const SPLIT: u32 = known_method("split");
const JOIN: u32 = known_method("join");
const REPLACE: u32 = known_method("replace");
const STARTS_WITH: u32 = known_method("starts_with");
const ENDS_WITH: u32 = known_method("ends_with");
const CONTAINS: u32 = known_method("contains");
const LEN: u32 = known_method("len");

/// `s.method(args...)` for the hot string methods with positional
/// arguments, or `None` for the general path.
#[inline]
pub(in crate::runtime) fn call(method: u32, s: &Str, args: &[Value]) -> Option<Value> {
    let arg = |i: usize| match args.get(i) {
        Some(Value::Str(a)) => Some(a),
        _ => None,
    };
    Some(match (method, args.len()) {
        (UPPER, 0) => case(s, true),
        (LOWER, 0) => case(s, false),
        (STRIP, 0) => trimmed(s, s.trim()),
        (SPLIT, 0) => Value::list(s.split_whitespace().map(Value::str).collect()),
        (SPLIT, 1) => {
            let sep = arg(0)?;
            if sep.is_empty() {
                return None;
            }
            // A one-byte separator is searched for as a byte (memchr), not
            // with the two-way search a `&str` pattern sets up each time.
            match sep.as_bytes() {
                &[b] if b.is_ascii() => split_byte(s, b),
                _ => Value::list(s.split(&**sep).map(Value::str).collect()),
            }
        }
        (JOIN, 1) => join(s, args.first()?)?,
        (REPLACE, 2) => replace(s, arg(0)?, arg(1)?),
        (STARTS_WITH, 1) => Value::Bool(s.starts_with(&**arg(0)?)),
        (ENDS_WITH, 1) => Value::Bool(s.ends_with(&**arg(0)?)),
        (CONTAINS, 1) => Value::Bool(s.contains(&**arg(0)?)),
        (LEN, 0) => Value::Int(char_count(s) as i64),
        _ => return None,
    })
}

/// The number of code points (ASCII text counts its bytes).
fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `s` cut to `part` (a slice of it): the same string when nothing was cut.
fn trimmed(s: &Str, part: &str) -> Value {
    if part.len() == s.len() {
        Value::Str(s.clone())
    } else {
        Value::str(part)
    }
}

/// `s.split(sep)` for a one-byte (ASCII) separator, found with `memchr`:
/// `str::split` with a `char` pattern set up a `CharSearcher` and cost
/// about twice as many instructions a piece. Cutting at an ASCII byte
/// leaves every piece UTF-8.
fn split_byte(s: &str, sep: u8) -> Value {
    let mut out = Vec::with_capacity(4);
    let mut start = 0;
    for at in memchr::memchr_iter(sep, s.as_bytes()) {
        out.push(Value::str(&s[start..at]));
        start = at + 1;
    }
    out.push(Value::str(&s[start..]));
    Value::list(out)
}

/// `upper()` / `lower()`: ASCII text changes case in place in the new
/// string's one allocation; other text goes through Rust's full Unicode
/// mapping (which can change the length).
fn case(s: &Str, upper: bool) -> Value {
    if !s.is_ascii() {
        return Value::str(&if upper {
            s.to_uppercase()
        } else {
            s.to_lowercase()
        });
    }
    let changes = if upper {
        s.bytes().any(|b| b.is_ascii_lowercase())
    } else {
        s.bytes().any(|b| b.is_ascii_uppercase())
    };
    if !changes {
        return Value::Str(s.clone());
    }
    // SAFETY: ASCII text with the case of its ASCII letters changed is
    // still ASCII.
    Value::Str(unsafe {
        Str::build(s.len(), |buf| {
            buf.copy_from_slice(s.as_bytes());
            if upper {
                buf.make_ascii_uppercase()
            } else {
                buf.make_ascii_lowercase()
            }
        })
    })
}

/// `sep.join(items)` for a list of strings, copied once into the result.
fn join(sep: &Str, items: &Value) -> Option<Value> {
    let Value::List(l) = items else { return None };
    let items = l.borrow();
    let mut len = sep.len().checked_mul(items.len().saturating_sub(1))?;
    for v in items.iter() {
        let Value::Str(x) = v else { return None };
        len = len.checked_add(x.len())?;
    }
    // SAFETY: the bytes are whole strings one after another, which is
    // UTF-8; `len` is exactly their total, so every slice is in bounds.
    Some(Value::Str(unsafe {
        Str::build(len, |buf| {
            let mut at = 0;
            for (i, v) in items.iter().enumerate() {
                let Value::Str(x) = v else { unreachable!() };
                if i > 0 {
                    buf[at..at + sep.len()].copy_from_slice(sep.as_bytes());
                    at += sep.len();
                }
                buf[at..at + x.len()].copy_from_slice(x.as_bytes());
                at += x.len();
            }
        })
    }))
}

/// `s.replace(from, to)`: the same string when `from` does not occur.
fn replace(s: &Str, from: &Str, to: &Str) -> Value {
    if !from.is_empty() && !s.contains(&**from) {
        return Value::Str(s.clone());
    }
    Value::str(&s.replace(&**from, to))
}
