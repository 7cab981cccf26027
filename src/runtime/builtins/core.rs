//! The core builtins: output, conversions, types, errors and numbers.

use super::int_arg;
use crate::runtime::call::Sig;
use crate::runtime::native::function::NativeFn;
use crate::runtime::values::ops;
use crate::runtime::values::value::Iter;
use crate::{Args, NativeCtx, NativeResult, ScriptError, Value};

pub(super) fn functions() -> Vec<NativeFn> {
    vec![
        NativeFn::builtin(
            Sig::new("print", &[]).rest().named(&["sep", "end"]),
            |ctx, mut a| {
                let sep = a.keyword("sep");
                let end = a.keyword("end");
                let line = print_line(a.rest(), sep, end)?;
                ctx.print(&line);
                Ok(Value::Nil)
            },
        ),
        NativeFn::builtin(Sig::new("len", &["x"]), |_, mut a| len(&a.next("x")?)).unary(len),
        NativeFn::builtin(Sig::new("str", &["x"]).required(0), |_, mut a| match a
            .next_opt::<Value>("x")?
        {
            Some(v) => str_of(&v),
            None => Ok(Value::str("")),
        })
        .unary(str_of),
        NativeFn::builtin(Sig::new("repr", &["x"]), |_, mut a| {
            Ok(Value::Str(a.next::<Value>("x")?.try_repr()?.into()))
        }),
        NativeFn::builtin(Sig::new("int", &["x", "base"]).required(1), |_, mut a| {
            let x: Value = a.next("x")?;
            match a.next_opt::<Value>("base")? {
                None | Some(Value::Nil) => int(&x),
                Some(base) => int_base(&x, &base),
            }
        })
        .unary(int),
        NativeFn::builtin(Sig::new("divmod", &["a", "b"]), |_, mut a| {
            let (x, y): (Value, Value) = (a.next("a")?, a.next("b")?);
            let q = crate::runtime::values::ops::floor_div(&x, &y)?;
            let r = crate::runtime::values::ops::modulo(&x, &y)?;
            Ok(Value::list(vec![q, r]))
        }),
        NativeFn::builtin(Sig::new("float", &["x"]), |_, mut a| float(&a.next("x")?)),
        NativeFn::builtin(Sig::new("bool", &["x"]), |_, mut a| {
            Ok(Value::Bool(a.next::<Value>("x")?.truthy()))
        }),
        NativeFn::builtin(Sig::new("type", &["x"]), |_, mut a| {
            Ok(Value::str(a.next::<Value>("x")?.type_name()))
        }),
        // Called by name, `is_main()` is answered by the compiler (see
        // `compile/expr.rs`); this is what a call through a variable meets.
        NativeFn::builtin(Sig::new("is_main", &[]), |_, _| {
            Err(ScriptError::type_error(
                "is_main() is answered where it is written: call it by its name",
            ))
        }),
        NativeFn::builtin(
            Sig::new("error", &["message"]).named(&["kind", "data"]),
            error,
        ),
        NativeFn::builtin(Sig::new("assert", &["cond", "message"]).required(1), assert),
        NativeFn::builtin(Sig::new("args", &[]), |ctx, _| {
            let args = ctx.args();
            Ok(Value::list(args.map(Value::str).collect()))
        }),
        NativeFn::builtin(Sig::new("abs", &["x"]), |_, mut a| abs(&a.next("x")?)),
        NativeFn::builtin(Sig::new("round", &["x", "digits"]).required(1), round),
    ]
}

/// What `print` writes: the arguments' text joined by `sep`, then `end`.
fn print_line(
    args: Vec<Value>,
    sep: Option<Value>,
    end: Option<Value>,
) -> Result<String, ScriptError> {
    let sep = sep.map(|v| v.to_display()).unwrap_or_else(|| " ".into());
    let end = end.map(|v| v.to_display()).unwrap_or_else(|| "\n".into());
    let mut line = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            line.push_str(&sep);
        }
        line.push_str(&a.try_display()?);
    }
    line.push_str(&end);
    Ok(line)
}

fn len(v: &Value) -> NativeResult {
    let n = match v {
        // ASCII text counts its bytes (counting code points took 90
        // instructions for a short field).
        Value::Str(s) if s.is_ascii() => s.len(),
        Value::Str(s) => s.chars().count(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.borrow().len(),
        Value::Map(m) => m.borrow().len(),
        Value::Queue(q) => q.size(),
        v @ Value::Iter(it) => match ops::as_range(v) {
            Some(r) => return range_len_value(r),
            // A generator has no length in Python either (and counting
            // would make its coroutines).
            None if matches!(&*it.borrow(), Iter::AsCompleted(_)) => {
                return Err(ScriptError::type_error("`iterator` has no length"))
            }
            None => v.items()?.len(),
        },
        v => {
            return Err(ScriptError::type_error(format!(
                "`{}` has no length",
                v.type_name()
            )))
        }
    };
    Ok(Value::Int(n as i64))
}

/// `len(range(...))`, an `OverflowError` past 64 bits as in Python.
fn range_len_value(r: (i64, i64, i64)) -> NativeResult {
    i64::try_from(ops::range_len(r))
        .map(Value::Int)
        .map_err(|_| {
            ScriptError::new(
                "OverflowError",
                "the range's length does not fit in 64 bits",
            )
        })
}

/// `str(v)`: a string is itself, an int its digits, anything else what
/// `print` shows.
fn str_of(v: &Value) -> NativeResult {
    use crate::Str;
    Ok(Value::Str(match v {
        Value::Str(s) => s.clone(),
        Value::Int(n) => Str::from_int(*n),
        _ => Str::from(v.try_display()?),
    }))
}

fn int(v: &Value) -> NativeResult {
    match v {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(f) => Value::int_from_float(f.trunc()),
        Value::Str(s) => {
            if let Some(n) = plain_int(s.as_bytes()) {
                return Ok(Value::Int(n));
            }
            // Parsed where it lies; only text with `_` is copied without
            // them first (the copy was 60 % of `int(field)`'s cost).
            let t = s.trim();
            let n = if t.contains('_') {
                t.chars().filter(|c| *c != '_').collect::<String>().parse()
            } else {
                t.parse::<i64>()
            };
            n.map(Value::Int)
                .map_err(|_| ScriptError::value_error(format!("invalid int: {}", v.repr())))
        }
        v => Err(ScriptError::type_error(format!(
            "int() cannot convert `{}`",
            v.type_name()
        ))),
    }
}

/// The int that `text` spells with only a sign and at most 18 decimal
/// digits (which cannot overflow), the usual field: read digit by digit,
/// without `trim`'s Unicode tables and `str::parse`'s general loop (about
/// 150 instructions for a short field). `None` for anything else, which
/// the general path reads (or refuses).
#[inline]
fn plain_int(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n = 0i64;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + i64::from(d);
    }
    Some(if negative { -n } else { n })
}

/// `int(s, base)`: Python's, with a `0x`/`0o`/`0b` prefix allowed when it
/// matches the base (base 0: the prefix decides) and `_` between digits.
fn int_base(v: &Value, base: &Value) -> NativeResult {
    let Value::Int(base) = *base else {
        return Err(ScriptError::type_error(format!(
            "int() base must be an int, not `{}`",
            base.type_name()
        )));
    };
    if base != 0 && !(2..=36).contains(&base) {
        return Err(ScriptError::value_error(
            "int() base must be 0 or between 2 and 36",
        ));
    }
    let Value::Str(s) = v else {
        return Err(ScriptError::type_error(format!(
            "int() with a base needs a str, not `{}`",
            v.type_name()
        )));
    };
    let bad = || ScriptError::value_error(format!("invalid int in base {base}: {}", v.repr()));
    let t = s.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    let prefixed = match lower.as_deref() {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let (base, digits) = match prefixed {
        Some(p) if base == 0 || base == p => (p, &t[2..]),
        _ if base == 0 => (10, t),
        _ => (base, t),
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| prefixed.is_some())
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(bad());
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.starts_with(['+', '-']) {
        return Err(bad());
    }
    let n = i128::from_str_radix(&clean, base as u32).map_err(|_| bad())?;
    i64::try_from(if negative { -n } else { n })
        .map(Value::Int)
        .map_err(|_| ScriptError::overflow())
}

fn float(v: &Value) -> NativeResult {
    match v {
        Value::Int(i) => Ok(Value::Float(*i as f64)),
        Value::Float(f) => Ok(Value::Float(*f)),
        Value::Bool(b) => Ok(Value::Float(*b as i64 as f64)),
        Value::Str(s) => {
            let t = s.trim();
            let parsed = match t.to_ascii_lowercase().as_str() {
                "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                "nan" => Some(f64::NAN),
                _ => t.parse::<f64>().ok(),
            };
            parsed
                .map(Value::Float)
                .ok_or_else(|| ScriptError::value_error(format!("invalid float: {}", v.repr())))
        }
        v => Err(ScriptError::type_error(format!(
            "float() cannot convert `{}`",
            v.type_name()
        ))),
    }
}

fn error(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let message: Value = a.next("message")?;
    let kind = match a.keyword("kind") {
        Some(Value::Str(k)) => k.to_string(),
        Some(other) => {
            return Err(ScriptError::type_error(format!(
                "error() kind must be a str, not `{}`",
                other.type_name()
            )))
        }
        None => "Error".into(),
    };
    let e = ScriptError::new(&kind, message.to_display());
    Ok(Value::Error(match a.keyword("data") {
        None | Some(Value::Nil) => e,
        Some(data) => e.with_data(data),
    }))
}

fn assert(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    if a.next::<Value>("cond")?.truthy() {
        return Ok(Value::Nil);
    }
    let msg = a
        .next_opt::<Value>("message")?
        .map(|m| m.to_display())
        .unwrap_or_else(|| "assertion failed".into());
    Err(ScriptError::new("AssertionError", msg))
}

fn abs(v: &Value) -> NativeResult {
    match v {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(ScriptError::overflow),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => Err(ScriptError::type_error(format!(
            "abs() needs a number, not `{}`",
            v.type_name()
        ))),
    }
}

fn round(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let x: Value = a.next("x")?;
    let digits = match a.next_opt::<Value>("digits")? {
        Some(d) => Some(int_arg("round", &d)?),
        None => None,
    };
    match (&x, digits) {
        (Value::Int(i), Some(d)) if d < 0 => round_int(*i, d),
        (Value::Int(i), _) => Ok(Value::Int(*i)),
        (Value::Float(f), None) => Value::int_from_float(f.round_ties_even()),
        (Value::Float(f), Some(d)) => round_float(*f, d),
        (v, _) => Err(ScriptError::type_error(format!(
            "round() needs a number, not `{}`",
            v.type_name()
        ))),
    }
}
/// `round(i, d)` for an int and `d < 0`: to a multiple of `10^-d`, half
/// to even, computed in 128 bits so that the scale itself cannot overflow.
fn round_int(i: i64, d: i64) -> NativeResult {
    let places = d.unsigned_abs();
    if places > 19 {
        // Half of 10^20 is beyond any i64: everything rounds to 0.
        return Ok(Value::Int(0));
    }
    let scale = 10i128.pow(places as u32);
    let (q, r) = (
        i128::from(i).div_euclid(scale),
        i128::from(i).rem_euclid(scale),
    );
    let up = r > scale - r || (r == scale - r && q % 2 != 0);
    let rounded = (q + i128::from(up)) * scale;
    i64::try_from(rounded)
        .map(Value::Int)
        .map_err(|_| ScriptError::overflow())
}

/// `round(f, d)`: CPython's `double_round`, the float correctly rounded
/// (half to even on its exact value) to `d` decimal places.
fn round_float(f: f64, d: i64) -> NativeResult {
    // Past these every finite float rounds to itself, or to zero
    // (CPython's NDIGITS_MAX and NDIGITS_MIN).
    if !f.is_finite() || d > 323 {
        return Ok(Value::Float(f));
    }
    if d < -308 {
        return Ok(Value::Float(0.0 * f));
    }
    let text = if d >= 0 {
        // The standard library's fixed notation is correctly rounded.
        format!("{f:.*}", d as usize)
    } else {
        round_digits_left(f, d.unsigned_abs() as usize)
    };
    let r: f64 = text.parse().expect("decimal digits");
    if r.is_infinite() {
        return Err(ScriptError::new(
            "OverflowError",
            "rounded value too large to represent",
        ));
    }
    Ok(Value::Float(r))
}

/// The decimal text of `f` rounded to a multiple of `10^places`, half to
/// even on the exact value (rounding to an int first would round twice).
fn round_digits_left(f: f64, places: usize) -> String {
    let int = format!("{:.0}", f.abs().trunc());
    let exact_int = f.fract() == 0.0;
    let width = int.len().max(places + 1);
    let digits = format!("{int:0>width$}");
    let (head, tail) = digits.split_at(width - places);
    let half = format!("5{}", "0".repeat(places - 1));
    let up = match tail.cmp(half.as_str()) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal if !exact_int => true,
        std::cmp::Ordering::Equal => head.bytes().last().is_some_and(|b| (b - b'0') % 2 == 1),
    };
    let mut head: Vec<u8> = head.bytes().collect();
    if up {
        let mut k = head.len();
        loop {
            if k == 0 {
                head.insert(0, b'1');
                break;
            }
            k -= 1;
            if head[k] == b'9' {
                head[k] = b'0';
            } else {
                head[k] += 1;
                break;
            }
        }
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    format!(
        "{sign}{}e{places}",
        String::from_utf8(head).expect("digits")
    )
}

/// `bytes()`, `bytes(n)`, `bytes(items)`, `bytes(s, encoding, errors)`.
pub(super) fn bytes() -> NativeFn {
    NativeFn::builtin(
        Sig::new("bytes", &["x", "encoding", "errors"]).required(0),
        |_ctx, mut args| {
            let x: Option<Value> = args.next_opt("x")?;
            let encoding: Option<Value> = args.next_opt("encoding")?;
            let errors: Option<Value> = args.next_opt("errors")?;
            crate::runtime::values::bytes::construct(x.as_ref(), encoding.as_ref(), errors.as_ref())
        },
    )
}
