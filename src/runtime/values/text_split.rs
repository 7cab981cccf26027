//! Python's `str.split(sep, maxsplit)`, `lstrip`/`rstrip` (with
//! characters) and `zfill`, with Python's edge cases: a whitespace split
//! drops leading whitespace and keeps the rest of the last part as it is;
//! `zfill` puts the zeros after a sign.

use super::str::Str;
use super::value::Value;
use crate::runtime::error::{type_error, value_error, ErrorRef};
use crate::runtime::methods::str_arg;

type R = Result<Value, ErrorRef>;

pub(crate) fn call(s: &Str, m: &str, args: &[Value]) -> R {
    match m {
        "split" => split(s, args.first(), args.get(1)),
        "lstrip" | "rstrip" => {
            let left = m == "lstrip";
            let out = match args.first() {
                None | Some(Value::Nil) if left => s.trim_start(),
                None | Some(Value::Nil) => s.trim_end(),
                Some(chars) => {
                    let chars = str_arg(m, chars)?;
                    let is = |c: char| chars.contains(c);
                    if left {
                        s.trim_start_matches(is)
                    } else {
                        s.trim_end_matches(is)
                    }
                }
            };
            Ok(Value::str(out))
        }
        _ => zfill(s, &args[0]),
    }
}

/// `s.split(sep, max_split)`: at most `max_split` splits (any number when
/// it is left out, nil or negative).
fn split(s: &str, sep: Option<&Value>, max: Option<&Value>) -> R {
    let max = match max {
        None | Some(Value::Nil) => None,
        Some(Value::Int(n)) => usize::try_from(*n).ok(),
        Some(v) => {
            return Err(type_error(format!(
                "split() max_split must be an int, not `{}`",
                v.type_name()
            )))
        }
    };
    let parts: Vec<Value> = match sep {
        None | Some(Value::Nil) => split_whitespace(s, max),
        Some(sep) => {
            let sep = str_arg("split", sep)?;
            if sep.is_empty() {
                return Err(value_error("split() separator must not be empty"));
            }
            match max {
                Some(n) => s
                    .splitn(n.saturating_add(1), &*sep)
                    .map(Value::str)
                    .collect(),
                None => s.split(&*sep).map(Value::str).collect(),
            }
        }
    };
    Ok(Value::list(parts))
}

fn split_whitespace(s: &str, max: Option<usize>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if max.is_some_and(|n| out.len() >= n) {
            out.push(Value::str(rest));
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push(Value::str(&rest[..end]));
        rest = rest[end..].trim_start();
    }
    out
}

/// `s.zfill(width)`: zeros on the left to `width` characters, after a
/// leading `+` or `-`.
fn zfill(s: &str, width: &Value) -> R {
    let Value::Int(width) = width else {
        return Err(type_error(format!(
            "zfill() needs an int width, not `{}`",
            width.type_name()
        )));
    };
    let len = s.chars().count();
    let width = usize::try_from(*width).unwrap_or(0).min(100_000_000);
    if width <= len {
        return Ok(Value::str(s));
    }
    let (sign, digits) = match s.chars().next() {
        Some(c @ ('+' | '-')) => (Some(c), &s[1..]),
        _ => (None, s),
    };
    let mut out = String::with_capacity(width);
    out.extend(sign);
    out.extend(std::iter::repeat_n('0', width - len));
    out.push_str(digits);
    Ok(Value::str(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: R) -> Vec<String> {
        let Ok(Value::List(l)) = v else {
            panic!("not a list")
        };
        let items = l.borrow();
        items.iter().map(|v| v.to_display()).collect()
    }

    #[test]
    fn whitespace_split_keeps_the_rest_of_the_last_part() {
        let s = Str::new("  a b  c ");
        let got = words(split(&s, None, Some(&Value::Int(1))));
        assert_eq!(got, ["a", "b  c "]);
        let got = words(split(&s, None, None));
        assert_eq!(got, ["a", "b", "c"]);
        let got = words(split(&s, None, Some(&Value::Int(0))));
        assert_eq!(got, ["a b  c "]);
    }

    #[test]
    fn zfill_goes_after_the_sign() {
        let z = |s: &str, w| zfill(s, &Value::Int(w)).unwrap().to_display();
        assert_eq!(z("-42", 5), "-0042");
        assert_eq!(z("+7", 3), "+07");
        assert_eq!(z("abc", 2), "abc");
    }
}
