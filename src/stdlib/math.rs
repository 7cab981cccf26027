//! `math`: Python's `math` functions and constants, with its results and
//! its errors. CPython's rule for a one-argument function: a nan result
//! from a non-nan argument is a `ValueError("math domain error")`, an
//! infinite result from a finite argument an `OverflowError("math range
//! error")` where the function can overflow (`exp`), a domain error where
//! it cannot (`sin(inf)` is nan: a domain error too).

use crate::{Args, Module, NativeCtx, NativeResult, ScriptError, Value};
use std::f64::consts;

type FloatFn = fn(f64) -> f64;
type FloatTest = fn(f64) -> bool;

pub(crate) fn module() -> Module {
    let mut m = Module::new("math")
        .constant("pi", consts::PI)
        .constant("e", consts::E)
        .constant("tau", consts::TAU)
        .constant("inf", f64::INFINITY)
        .constant("nan", f64::NAN);
    let float_fns: [(&str, FloatFn, bool); 9] = [
        ("sqrt", f64::sqrt, false),
        ("exp", f64::exp, true),
        ("sin", f64::sin, false),
        ("cos", f64::cos, false),
        ("tan", f64::tan, false),
        ("asin", f64::asin, false),
        ("acos", f64::acos, false),
        ("atan", f64::atan, false),
        ("fabs", f64::abs, false),
    ];
    for (name, f, can_overflow) in float_fns {
        m = m.raw(name, float_fn(f, can_overflow));
    }
    let int_fns: [(&str, FloatFn); 3] = [
        ("floor", f64::floor),
        ("ceil", f64::ceil),
        ("trunc", f64::trunc),
    ];
    for (name, f) in int_fns {
        m = m.raw(name, to_int_fn(name, f));
    }
    let logs: [(&str, FloatFn); 2] = [("log2", f64::log2), ("log10", f64::log10)];
    for (name, f) in logs {
        m = m.raw(name, move |_ctx, mut args| {
            let x: f64 = args.next("x")?;
            args.finish()?;
            log_with(x, f).map(Value::Float)
        });
    }
    let tests: [(&str, FloatTest); 3] = [
        ("isnan", f64::is_nan),
        ("isinf", f64::is_infinite),
        ("isfinite", f64::is_finite),
    ];
    for (name, f) in tests {
        m = m.raw(name, move |_ctx, mut args| {
            let x: f64 = args.next("x")?;
            args.finish()?;
            Ok(Value::Bool(f(x)))
        });
    }
    m.raw("log", |_ctx, mut args| {
        let x: f64 = args.next("x")?;
        let base: Option<f64> = args.named("base")?;
        args.finish()?;
        let num = log_with(x, f64::ln)?;
        let Some(base) = base else {
            return Ok(Value::Float(num));
        };
        let den = log_with(base, f64::ln)?;
        if den == 0.0 {
            return Err(ScriptError::new(
                "ZeroDivisionError",
                "float division by zero",
            ));
        }
        Ok(Value::Float(num / den))
    })
    .raw("pow", |_ctx, mut args| {
        let x: f64 = args.next("x")?;
        let y: f64 = args.next("y")?;
        args.finish()?;
        pow(x, y).map(Value::Float)
    })
    .raw("atan2", |_ctx, mut args| {
        let y: f64 = args.next("y")?;
        let x: f64 = args.next("x")?;
        args.finish()?;
        Ok(Value::Float(y.atan2(x)))
    })
    .raw("hypot", |_ctx, args| {
        let coords = rest(args, |v| match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        })?;
        Ok(Value::Float(hypot(&coords)))
    })
    .raw("gcd", |_ctx, args| {
        let ints = rest(args, |v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })?;
        gcd(&ints)
    })
}

fn domain_error() -> ScriptError {
    ScriptError::value_error("math domain error")
}

fn range_error() -> ScriptError {
    ScriptError::new("OverflowError", "math range error")
}

/// A function of one float, with CPython's `math_1` error rule.
fn float_fn(
    f: fn(f64) -> f64,
    can_overflow: bool,
) -> impl Fn(&mut NativeCtx<'_>, Args) -> NativeResult {
    move |_ctx: &mut NativeCtx<'_>, mut args: Args| {
        let x: f64 = args.next("x")?;
        args.finish()?;
        let r = f(x);
        if r.is_nan() && !x.is_nan() {
            return Err(domain_error());
        }
        if r.is_infinite() && x.is_finite() {
            return Err(if can_overflow {
                range_error()
            } else {
                domain_error()
            });
        }
        Ok(Value::Float(r))
    }
}

/// `floor`, `ceil`, `trunc`: an int stays itself, a float is rounded and
/// made an int (nan a `ValueError`, infinities an `OverflowError`).
fn to_int_fn(name: &str, f: fn(f64) -> f64) -> impl Fn(&mut NativeCtx<'_>, Args) -> NativeResult {
    let full = format!("math.{name}");
    move |_ctx: &mut NativeCtx<'_>, mut args: Args| {
        let x: Value = args.next("x")?;
        args.finish()?;
        match x {
            Value::Int(i) => Ok(Value::Int(i)),
            Value::Float(v) => Value::int_from_float(f(v)),
            other => Err(ScriptError::type_error(format!(
                "{full}() argument `x` must be a number, not `{}`",
                other.type_name()
            ))),
        }
    }
}

/// A logarithm: nan stays nan, anything not above zero is outside its
/// domain (`-inf` too), `inf` is `inf`.
fn log_with(x: f64, f: fn(f64) -> f64) -> Result<f64, ScriptError> {
    if x.is_nan() {
        Ok(x)
    } else if x > 0.0 {
        Ok(f(x))
    } else {
        Err(domain_error())
    }
}

/// `math.pow`: the C99 `pow` (which `powf` is), with CPython's errors for
/// finite arguments: a nan result (a negative base, a fractional power)
/// is a domain error, an infinite one a domain error for a zero base and
/// an overflow otherwise.
fn pow(x: f64, y: f64) -> Result<f64, ScriptError> {
    let r = x.powf(y);
    if x.is_finite() && y.is_finite() && !r.is_finite() {
        if r.is_nan() || x == 0.0 {
            return Err(domain_error());
        }
        return Err(range_error());
    }
    Ok(r)
}

/// The remaining positional arguments, each converted by `f`; `want`
/// names the kind for the error.
fn rest<T>(mut args: Args, f: impl Fn(&Value) -> Option<T>) -> Result<Vec<T>, ScriptError> {
    let fname = args.name().to_string();
    let values = args.rest();
    args.finish()?;
    let want = if fname.ends_with("gcd") {
        "an int"
    } else {
        "a number"
    };
    values
        .iter()
        .map(|v| {
            f(v).ok_or_else(|| {
                ScriptError::type_error(format!(
                    "{fname}() arguments must each be {want}, not `{}`",
                    v.type_name()
                ))
            })
        })
        .collect()
}

/// CPython 3.11's `vector_norm`: scaled to below 1 by a power of two,
/// squared exactly (an fma gives each square's low half), summed with
/// compensation, and the square root corrected once; faithfully and
/// almost always correctly rounded, so the digits are CPython's.
fn hypot(coords: &[f64]) -> f64 {
    let abs: Vec<f64> = coords.iter().map(|x| x.abs()).collect();
    let max = abs.iter().copied().fold(0.0, f64::max);
    if max.is_infinite() {
        return max;
    }
    if abs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    vector_norm(abs, max)
}

fn vector_norm(mut v: Vec<f64>, max: f64) -> f64 {
    if max == 0.0 || v.len() <= 1 {
        return max;
    }
    let max_e = frexp_exponent(max);
    if max_e < -1023 {
        // Subnormal: 2^-max_e would overflow; scale into normal range first.
        for x in &mut v {
            *x /= f64::MIN_POSITIVE;
        }
        return f64::MIN_POSITIVE * vector_norm(v, max / f64::MIN_POSITIVE);
    }
    let scale = pow2(-max_e);
    let (mut csum, mut frac1, mut frac2) = (1.0f64, 0.0f64, 0.0f64);
    for x in v {
        let x = x * scale;
        let (hi, lo) = mul_exact(x, x);
        let (s_hi, s_lo) = fast_sum(csum, hi);
        csum = s_hi;
        frac1 += lo;
        frac2 += s_lo;
    }
    let mut h = (csum - 1.0 + (frac1 + frac2)).sqrt();
    let (hi, lo) = mul_exact(-h, h);
    let (s_hi, s_lo) = fast_sum(csum, hi);
    csum = s_hi;
    frac1 += lo;
    frac2 += s_lo;
    let x = csum - 1.0 + (frac1 + frac2);
    h += x / (2.0 * h);
    h / scale
}

/// `frexp(x).1`: the exponent `e` with `x = m * 2^e`, `0.5 <= m < 1`.
fn frexp_exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: normalise by 2^64, then correct.
        return frexp_exponent(x * pow2(64)) - 64;
    }
    biased - 1022
}

/// `2^e` exactly, for `-1074 <= e <= 1023` (`powi` would divide by an
/// overflowed `2^1024` for `e = -1024`).
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// `x * y` as a rounded product and its exact error.
fn mul_exact(x: f64, y: f64) -> (f64, f64) {
    let hi = x * y;
    (hi, x.mul_add(y, -hi))
}

/// `a + b` and its exact error, for `|a| >= |b|`.
fn fast_sum(a: f64, b: f64) -> (f64, f64) {
    let hi = a + b;
    (hi, (a - hi) + b)
}

/// The greatest common divisor of all the ints (`0` for none), never
/// negative; `gcd(i64::MIN)` does not fit and is an `OverflowError`.
fn gcd(ints: &[i64]) -> NativeResult {
    let mut g: u64 = 0;
    for &i in ints {
        let (mut a, mut b) = (g, i.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        g = a;
    }
    i64::try_from(g)
        .map(Value::Int)
        .map_err(|_| ScriptError::overflow())
}
