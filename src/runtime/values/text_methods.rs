//! The string methods that follow Python's `str`: `count`, the `is_*`
//! tests, `title`, `splitlines`, padding (`pad_start`/`pad_end`/`center`,
//! Python's `rjust`/`ljust`/`center`) and `partition`. Lengths and
//! widths count code points.

use super::value::{Str, Value};
use crate::runtime::error::{type_error, value_error, ErrorRef};
use crate::runtime::methods::str_arg;

type R = Result<Value, ErrorRef>;

pub(crate) fn call(s: &Str, m: &str, args: &[Value]) -> R {
    Ok(match m {
        "count" => Value::Int(count(s, &str_arg(m, &args[0])?)),
        "is_digit" => Value::Bool(all_chars(s, char::is_numeric)),
        "is_alpha" => Value::Bool(all_chars(s, char::is_alphabetic)),
        "is_space" => Value::Bool(all_chars(s, char::is_whitespace)),
        "is_upper" => Value::Bool(cased(s, char::is_lowercase)),
        "is_lower" => Value::Bool(cased(s, char::is_uppercase)),
        "title" => Value::str(&title(s)),
        "splitlines" => Value::list(splitlines(s).into_iter().map(Value::str).collect()),
        "pad_start" | "pad_end" | "center" => {
            let width = match &args[0] {
                Value::Int(w) => *w,
                v => {
                    return Err(type_error(format!(
                        "{m}() needs an int width, not `{}`",
                        v.type_name()
                    )))
                }
            };
            let fill = match args.get(1) {
                None => ' ',
                Some(v) => fill_char(m, v)?,
            };
            Value::str(&pad(s, m, width, fill))
        }
        "partition" => {
            let sep = str_arg(m, &args[0])?;
            if sep.is_empty() {
                return Err(value_error("partition() separator must not be empty"));
            }
            let parts = match s.split_once(&*sep) {
                Some((before, after)) => [before, &*sep, after],
                None => [&**s, "", ""],
            };
            Value::list(parts.into_iter().map(Value::str).collect())
        }
        _ => unreachable!("not a text method: {m}"),
    })
}

/// Non-overlapping occurrences; the empty string occurs between every two
/// characters and at both ends (Python's `"ab".count("")` is 3).
fn count(s: &str, sub: &str) -> i64 {
    if sub.is_empty() {
        return s.chars().count() as i64 + 1;
    }
    s.matches(sub).count() as i64
}

/// True when `s` is not empty and every character passes.
fn all_chars(s: &str, test: fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(test)
}

/// Python's `isupper`/`islower`: at least one cased character, and none
/// of the other case (`wrong`).
fn cased(s: &str, wrong: fn(char) -> bool) -> bool {
    let any_cased = s.chars().any(|c| c.is_uppercase() || c.is_lowercase());
    any_cased && !s.chars().any(wrong)
}

/// Python's `title`: a cased character after an uncased one (or at the
/// start) is upper-cased, any other lower-cased (`"they're"` →
/// `"They'Re"`).
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_cased = false;
    for c in s.chars() {
        if after_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        after_cased = c.is_uppercase() || c.is_lowercase();
    }
    out
}

/// Python's `splitlines`: lines end at `\n`, `\r\n`, `\r`, `\v`, `\f`,
/// `\x1c`-`\x1e`, `\x85`, U+2028 and U+2029; the ends are dropped, and so is
/// an empty last line.
fn splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        lines.push(&s[start..i]);
        start = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            chars.next();
            start += 1;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// The fill argument: exactly one character, as Python requires.
fn fill_char(m: &str, v: &Value) -> Result<char, ErrorRef> {
    let s = str_arg(m, v)?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(type_error(format!(
            "{m}() fill must be exactly one character, not {}",
            v.repr()
        ))),
    }
}

/// `s` padded with `fill` to `width` code points: on the left for
/// `pad_start` (Python's `rjust`), the right for `pad_end` (`ljust`), both
/// for `center`, where an odd extra goes where CPython puts it.
fn pad(s: &str, m: &str, width: i64, fill: char) -> String {
    let len = s.chars().count() as i64;
    let total = (width - len).max(0);
    let left = match m {
        "pad_start" => total,
        "pad_end" => 0,
        // CPython: `left = marg / 2 + (marg & width & 1)`.
        _ => total / 2 + (total & width & 1),
    };
    let fills = |n: i64| std::iter::repeat_n(fill, n as usize);
    fills(left)
        .chain(s.chars())
        .chain(fills(total - left))
        .collect()
}
