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
        (STRIP, 0) => strip(s),
        (SPLIT, 0) => split_whitespace(s),
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

/// `s.strip()`: ASCII whitespace is cut byte by byte (`str::trim`
/// decodes and classifies every character as Unicode: 130 instructions
/// for a short field); a non-ASCII character where the cut stops may be
/// Unicode whitespace (U+00A0, U+3000...), and that text goes to `trim`.
fn strip(s: &Str) -> Value {
    let b = s.as_bytes();
    let start = b.iter().position(|c| !is_space(*c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !is_space(*c))
        .map_or(start, |i| i + 1);
    if start < end && (!b[start].is_ascii() || !b[end - 1].is_ascii()) {
        return trimmed(s, s.trim());
    }
    trimmed(s, &s[start..end])
}

/// The ASCII characters `char::is_whitespace` accepts: space and
/// \t \n \x0b \x0c \r (`u8::is_ascii_whitespace` leaves out \x0b).
#[inline(always)]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// `s` cut to `part` (a slice of it): the same string when nothing was cut.
fn trimmed(s: &Str, part: &str) -> Value {
    if part.len() == s.len() {
        Value::Str(s.clone())
    } else {
        Value::str(part)
    }
}

/// `s.split()`: ASCII text is cut at its whitespace bytes one byte at a
/// time (`SplitWhitespace` decodes and classifies every character as
/// Unicode: 157 instructions a word); other text takes Rust's split.
fn split_whitespace(s: &str) -> Value {
    if !s.is_ascii() {
        return Value::list(s.split_whitespace().map(Value::str).collect());
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !is_space(b[i]) {
            i += 1;
        }
        out.push(Value::str(&s[start..i]));
    }
    Value::list(out)
}

/// `s.split(sep)` for a one-byte (ASCII) separator, found with `memchr`:
/// `str::split` with a `char` pattern set up a `CharSearcher` and cost
/// about twice as many instructions a piece. Cutting at an ASCII byte
/// leaves every piece UTF-8.
/// Short text (a line of a few fields) is scanned byte by byte: each
/// `memchr` call costs about 80 instructions to set up, more than the scan.
fn split_byte(s: &str, sep: u8) -> Value {
    let mut out = Vec::with_capacity(4);
    let mut start = 0;
    if s.len() <= 64 {
        for (at, b) in s.bytes().enumerate() {
            if b == sep {
                out.push(Value::str(&s[start..at]));
                start = at + 1;
            }
        }
    } else {
        for at in memchr::memchr_iter(sep, s.as_bytes()) {
            out.push(Value::str(&s[start..at]));
            start = at + 1;
        }
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
        Str::build(s.len(), |out| {
            if upper {
                out.push_map(s.as_bytes(), |b| b.to_ascii_uppercase())
            } else {
                out.push_map(s.as_bytes(), |b| b.to_ascii_lowercase())
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
    // UTF-8; `len` is exactly their total.
    Some(Value::Str(unsafe {
        Str::build(len, |out| {
            for (i, v) in items.iter().enumerate() {
                let Value::Str(x) = v else { unreachable!() };
                if i > 0 {
                    out.push(sep.as_bytes());
                }
                out.push(x.as_bytes());
            }
        })
    }))
}

/// `s.replace(from, to)`: the same string when `from` does not occur;
/// otherwise the pieces are copied once, straight into the new string
/// (through `str::replace`'s `String` they were copied and allocated
/// twice). The matches are found with `memchr` (one byte) or `memmem`,
/// twice over: counting first is cheaper for short text than keeping a
/// vector of the places (`str`'s two-way searcher cost 230 instructions
/// to set up and run on a short field).
fn replace(s: &Str, from: &Str, to: &Str) -> Value {
    if from.is_empty() {
        return Value::str(&s.replace(&**from, to));
    }
    match from.as_bytes() {
        &[b] if s.len() <= 64 => replace_byte(s, b, to),
        &[b] => replace_at(s, from, to, || memchr::memchr_iter(b, s.as_bytes())),
        f => {
            let finder = memchr::memmem::Finder::new(f);
            replace_at(s, from, to, || finder.find_iter(s.as_bytes()))
        }
    }
}

/// [`replace`] of one (ASCII) byte in short text, byte by byte: setting
/// up `memchr` four times cost more than the scan.
fn replace_byte(s: &Str, b: u8, to: &Str) -> Value {
    let count = s.bytes().filter(|&c| c == b).count();
    if count == 0 {
        return Value::Str(s.clone());
    }
    let Some(len) = to
        .len()
        .checked_mul(count)
        .and_then(|n| n.checked_add(s.len() - count))
    else {
        return Value::str(&s.replace(char::from(b), to));
    };
    // SAFETY: `s` with each ASCII byte `b` (a whole character) swapped for
    // `to` is UTF-8; `len` is exactly its length.
    Value::Str(unsafe {
        Str::build(len, |out| {
            for (i, run) in s.as_bytes().split(|&c| c == b).enumerate() {
                if i > 0 {
                    out.push(to.as_bytes());
                }
                out.push(run);
            }
        })
    })
}

/// [`replace`] with the matches of `from` in `s` given by `hits` (each
/// call a new pass; matches do not overlap, as `str::replace`'s).
fn replace_at<I: Iterator<Item = usize>>(
    s: &Str,
    from: &Str,
    to: &Str,
    hits: impl Fn() -> I,
) -> Value {
    let count = hits().count();
    if count == 0 {
        return Value::Str(s.clone());
    }
    let Some(len) = (to.len() as u128 * count as u128 + s.len() as u128)
        .checked_sub(from.len() as u128 * count as u128)
        .and_then(|n| usize::try_from(n).ok())
    else {
        return Value::str(&s.replace(&**from, to));
    };
    // SAFETY: the bytes are `s` with each match of `from` (a whole UTF-8
    // string, so found at a char boundary) swapped for `to`, which is
    // UTF-8; `len` is exactly their total.
    Value::Str(unsafe {
        Str::build(len, |out| {
            let mut from_at = 0;
            for hit in hits() {
                out.push(&s.as_bytes()[from_at..hit]);
                out.push(to.as_bytes());
                from_at = hit + from.len();
            }
            out.push(&s.as_bytes()[from_at..]);
        })
    })
}
