//! The builtin functions of LANGUAGE.md §9. Concurrency builtins build
//! native coroutines and futures; the rest are plain functions.

use super::error::{type_error, value_error, ErrorObj, ErrorRef};
use super::interp::Interp;
use super::native::NativeCoro;
use super::ops;
use super::value::{Iter, Value};
use crate::scheduler::sync;
use crate::scheduler::task::{Coro, CoroStart};
use std::cell::RefCell;
use std::rc::Rc;

macro_rules! builtins {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A builtin function, resolved at compile time.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Builtin { $($variant),* }

        impl Builtin {
            pub fn from_name(name: &str) -> Option<Builtin> {
                match name { $($name => Some(Builtin::$variant),)* _ => None }
            }
            pub fn name(self) -> &'static str {
                match self { $(Builtin::$variant => $name),* }
            }
            pub fn names() -> &'static [&'static str] {
                &[$($name),*]
            }
        }
    };
}

builtins! {
    Print => "print", Len => "len", Str => "str", Int => "int", Float => "float", Bool => "bool",
    Type => "type", Range => "range", Round => "round", Abs => "abs", Min => "min", Max => "max",
    Sum => "sum", Sorted => "sorted", Reversed => "reversed", Enumerate => "enumerate", Zip => "zip",
    Keys => "keys", Values => "values", Items => "items", Contains => "contains", Error => "error",
    Assert => "assert", Now => "now", Sleep => "sleep", Gather => "gather", WaitFor => "wait_for",
    Race => "race", Queue => "queue", Event => "event", Lock => "lock", Semaphore => "semaphore",
    Args => "args", Repr => "repr",
}

type Named = Vec<(Rc<str>, Value)>;
type R = Result<Value, ErrorRef>;

/// Takes a named argument out of `named`, if given.
pub fn take_named(named: &mut Named, name: &str) -> Option<Value> {
    let i = named.iter().position(|(n, _)| &**n == name)?;
    Some(named.remove(i).1)
}

fn no_named(f: &str, named: &Named) -> Result<(), ErrorRef> {
    match named.first() {
        Some((n, _)) => Err(type_error(format!("{f}() has no parameter named `{n}`"))),
        None => Ok(()),
    }
}

pub(super) fn arity(f: &str, args: &[Value], min: usize, max: usize) -> Result<(), ErrorRef> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(type_error(format!(
            "{f}() takes {want} argument{} but {} were given",
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

fn int_arg(f: &str, v: &Value) -> Result<i64, ErrorRef> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        _ => Err(type_error(format!(
            "{f}() needs an int, not `{}`",
            v.type_name()
        ))),
    }
}

pub fn num_arg(f: &str, v: &Value) -> Result<f64, ErrorRef> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(x) => Ok(*x),
        _ => Err(type_error(format!(
            "{f}() needs a number, not `{}`",
            v.type_name()
        ))),
    }
}

fn list_arg(f: &str, v: &Value) -> Result<Vec<Value>, ErrorRef> {
    ops::items_of(v).map_err(|_| {
        type_error(format!(
            "{f}() needs a list (or another iterable), not `{}`",
            v.type_name()
        ))
    })
}

/// The items of `gather(a, b)` or `gather([a, b])`.
pub fn spread(args: Vec<Value>) -> Vec<Value> {
    match args.as_slice() {
        [Value::List(l)] => l.borrow().clone(),
        _ => args,
    }
}

pub fn call(it: &mut Interp, b: Builtin, mut args: Vec<Value>, mut named: Named) -> R {
    let name = b.name();
    match b {
        Builtin::Print => {
            let sep = take_named(&mut named, "sep")
                .map(|v| v.to_display())
                .unwrap_or_else(|| " ".into());
            let end = take_named(&mut named, "end")
                .map(|v| v.to_display())
                .unwrap_or_else(|| "\n".into());
            no_named(name, &named)?;
            let mut line = String::new();
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    line.push_str(&sep);
                }
                line.push_str(&a.to_display());
            }
            line.push_str(&end);
            it.write_out(&line);
            return Ok(Value::Nil);
        }
        Builtin::Error => {
            let kind = take_named(&mut named, "kind");
            no_named(name, &named)?;
            arity(name, &args, 1, 1)?;
            let kind = match kind {
                Some(Value::Str(k)) => k.to_string(),
                Some(other) => {
                    return Err(type_error(format!(
                        "error() kind must be a str, not `{}`",
                        other.type_name()
                    )))
                }
                None => "Error".into(),
            };
            return Ok(Value::Error(ErrorObj::new(&kind, args[0].to_display())));
        }
        Builtin::Sorted => {
            let reverse = take_named(&mut named, "reverse").is_some_and(|v| v.truthy());
            let key = take_named(&mut named, "key").filter(|k| !matches!(k, Value::Nil));
            no_named(name, &named)?;
            arity(name, &args, 1, 1)?;
            let items = list_arg(name, &args[0])?;
            return Ok(Value::list(sort_values(it, items, key.as_ref(), reverse)?));
        }
        Builtin::Gather => {
            let return_errors = take_named(&mut named, "return_errors").is_some_and(|v| v.truthy());
            no_named(name, &named)?;
            return it.gather(spread(args), return_errors);
        }
        Builtin::Queue => {
            if let Some(m) = take_named(&mut named, "maxsize") {
                args.insert(0, m);
            }
            no_named(name, &named)?;
            arity(name, &args, 0, 1)?;
            let max = args
                .first()
                .map(|v| int_arg(name, v))
                .transpose()?
                .unwrap_or(0);
            return Ok(Value::Queue(sync::Queue::new(max.max(0) as usize)));
        }
        Builtin::Round => {
            if let Some(d) = take_named(&mut named, "digits") {
                args.push(d);
            }
        }
        _ => {}
    }
    no_named(name, &named)?;
    match b {
        Builtin::Len => {
            arity(name, &args, 1, 1)?;
            let n = match &args[0] {
                Value::Str(s) => s.chars().count(),
                Value::List(l) => l.borrow().len(),
                Value::Map(m) => m.borrow().len(),
                Value::Queue(q) => q.size(),
                v @ Value::Iter(_) => ops::items_of(v)?.len(),
                v => return Err(type_error(format!("`{}` has no length", v.type_name()))),
            };
            Ok(Value::Int(n as i64))
        }
        Builtin::Str => {
            arity(name, &args, 0, 1)?;
            Ok(Value::Str(crate::runtime::str::Str::from(
                args.first().map(|v| v.to_display()).unwrap_or_default(),
            )))
        }
        Builtin::Repr => {
            arity(name, &args, 1, 1)?;
            Ok(Value::Str(args[0].repr().into()))
        }
        Builtin::Int => {
            arity(name, &args, 1, 1)?;
            match &args[0] {
                Value::Int(i) => Ok(Value::Int(*i)),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                Value::Float(f) => {
                    if f.is_finite() && f.abs() < 9.2e18 {
                        Ok(Value::Int(f.trunc() as i64))
                    } else {
                        Err(ErrorObj::new(
                            "OverflowError",
                            format!("cannot convert {} to int", super::value::format_float(*f)),
                        ))
                    }
                }
                Value::Str(s) => {
                    let t: String = s.trim().chars().filter(|c| *c != '_').collect();
                    t.parse::<i64>()
                        .map(Value::Int)
                        .map_err(|_| value_error(format!("invalid int: {}", args[0].repr())))
                }
                v => Err(type_error(format!(
                    "int() cannot convert `{}`",
                    v.type_name()
                ))),
            }
        }
        Builtin::Float => {
            arity(name, &args, 1, 1)?;
            match &args[0] {
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
                        .ok_or_else(|| value_error(format!("invalid float: {}", args[0].repr())))
                }
                v => Err(type_error(format!(
                    "float() cannot convert `{}`",
                    v.type_name()
                ))),
            }
        }
        Builtin::Bool => {
            arity(name, &args, 1, 1)?;
            Ok(Value::Bool(args[0].truthy()))
        }
        Builtin::Type => {
            arity(name, &args, 1, 1)?;
            Ok(Value::str(args[0].type_name()))
        }
        Builtin::Range => {
            arity(name, &args, 1, 3)?;
            let n: Vec<i64> = args
                .iter()
                .map(|a| int_arg(name, a))
                .collect::<Result<_, _>>()?;
            let (start, stop, step) = match n.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => unreachable!(),
            };
            if step == 0 {
                return Err(value_error("range() step must not be zero"));
            }
            Ok(Value::Iter(Rc::new(RefCell::new(Iter::Range {
                next: start,
                stop,
                step,
            }))))
        }
        Builtin::Round => {
            arity(name, &args, 1, 2)?;
            let digits = args.get(1).map(|d| int_arg(name, d)).transpose()?;
            match (&args[0], digits) {
                (Value::Int(i), Some(d)) if d < 0 => {
                    let scale = 10i64.checked_pow((-d) as u32).unwrap_or(i64::MAX);
                    let q = i.div_euclid(scale);
                    let r = i.rem_euclid(scale);
                    let up = r * 2 > scale || (r * 2 == scale && q % 2 != 0);
                    Ok(Value::Int((q + i64::from(up)).saturating_mul(scale)))
                }
                (Value::Int(i), _) => Ok(Value::Int(*i)),
                (Value::Float(f), None) => {
                    let r = f.round_ties_even();
                    if r.is_finite() && r.abs() < 9.2e18 {
                        Ok(Value::Int(r as i64))
                    } else {
                        Err(ErrorObj::new(
                            "OverflowError",
                            "cannot round this float to an int",
                        ))
                    }
                }
                (Value::Float(f), Some(d)) if d >= 0 => {
                    let d = d.min(17) as usize;
                    let s = format!("{:.*}", d, f);
                    Ok(Value::Float(s.parse().unwrap_or(*f)))
                }
                (Value::Float(f), Some(d)) => {
                    // Negative digits round to tens, hundreds, ... (half to even).
                    let scale = 10f64.powi((-d).min(308) as i32);
                    Ok(Value::Float((f / scale).round_ties_even() * scale))
                }
                (v, _) => Err(type_error(format!(
                    "round() needs a number, not `{}`",
                    v.type_name()
                ))),
            }
        }
        Builtin::Abs => {
            arity(name, &args, 1, 1)?;
            match &args[0] {
                Value::Int(i) => i
                    .checked_abs()
                    .map(Value::Int)
                    .ok_or_else(super::error::overflow),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                v => Err(type_error(format!(
                    "abs() needs a number, not `{}`",
                    v.type_name()
                ))),
            }
        }
        Builtin::Min | Builtin::Max => {
            arity(name, &args, 1, usize::MAX)?;
            let items = if args.len() == 1 {
                list_arg(name, &args[0])?
            } else {
                args
            };
            let mut best: Option<Value> = None;
            for v in items {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let ord = ops::compare(&v, &b, "<")?;
                        let better = if matches!(name, "min") {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        };
                        if better {
                            v
                        } else {
                            b
                        }
                    }
                });
            }
            best.ok_or_else(|| value_error(format!("{name}() of an empty list")))
        }
        Builtin::Sum => {
            arity(name, &args, 1, 2)?;
            let mut total = args.get(1).cloned().unwrap_or(Value::Int(0));
            for v in list_arg(name, &args[0])? {
                total = ops::add(&total, &v)?;
            }
            Ok(total)
        }
        Builtin::Reversed => {
            arity(name, &args, 1, 1)?;
            let mut items = list_arg(name, &args[0])?;
            items.reverse();
            Ok(Value::list(items))
        }
        Builtin::Enumerate => {
            arity(name, &args, 1, 2)?;
            let start = args
                .get(1)
                .map(|s| int_arg(name, s))
                .transpose()?
                .unwrap_or(0);
            let items = list_arg(name, &args[0])?;
            Ok(Value::list(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| Value::list(vec![Value::Int(start + i as i64), v]))
                    .collect(),
            ))
        }
        Builtin::Zip => {
            let lists: Vec<Vec<Value>> = args
                .iter()
                .map(|a| list_arg(name, a))
                .collect::<Result<_, _>>()?;
            let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
            Ok(Value::list(
                (0..n)
                    .map(|i| Value::list(lists.iter().map(|l| l[i].clone()).collect()))
                    .collect(),
            ))
        }
        Builtin::Keys | Builtin::Values | Builtin::Items => {
            arity(name, &args, 1, 1)?;
            super::methods::map_view(name, &args[0])
        }
        Builtin::Contains => {
            arity(name, &args, 2, 2)?;
            Ok(Value::Bool(ops::contains(&args[0], &args[1])?))
        }
        Builtin::Assert => {
            arity(name, &args, 1, 2)?;
            if args[0].truthy() {
                Ok(Value::Nil)
            } else {
                let msg = args
                    .get(1)
                    .map(|m| m.to_display())
                    .unwrap_or_else(|| "assertion failed".into());
                Err(ErrorObj::new("AssertionError", msg))
            }
        }
        Builtin::Now => {
            arity(name, &args, 0, 0)?;
            Ok(Value::Float(it.now()))
        }
        Builtin::Sleep => {
            arity(name, &args, 1, 1)?;
            let secs = num_arg(name, &args[0])?;
            if secs.is_nan() {
                return Err(value_error("sleep() needs a number of seconds, not nan"));
            }
            Ok(native_coro(it, "sleep", NativeCoro::sleep(secs)))
        }
        Builtin::WaitFor => {
            arity(name, &args, 2, 2)?;
            let timeout = match &args[1] {
                Value::Nil => None,
                v => Some(num_arg(name, v)?),
            };
            let aw = args.swap_remove(0);
            // With no timeout 3.11 does `return await fut`: a coroutine
            // runs inline in the awaiting task, with no task around it.
            if timeout.is_none() && matches!(aw, Value::Coro(_)) {
                return Ok(aw);
            }
            Ok(native_coro(
                it,
                "wait_for",
                NativeCoro::wait_for(aw, timeout),
            ))
        }
        Builtin::Race => {
            let items = spread(args);
            if items.is_empty() {
                return Err(value_error("race() needs at least one awaitable"));
            }
            Ok(native_coro(it, "race", NativeCoro::race(items)))
        }
        Builtin::Event => {
            arity(name, &args, 0, 0)?;
            Ok(Value::Event(sync::Event::new()))
        }
        Builtin::Lock => {
            arity(name, &args, 0, 0)?;
            Ok(Value::Lock(sync::Lock::new()))
        }
        Builtin::Semaphore => {
            arity(name, &args, 0, 1)?;
            let n = args
                .first()
                .map(|v| int_arg(name, v))
                .transpose()?
                .unwrap_or(1);
            if n < 0 {
                return Err(value_error("semaphore() initial value must be >= 0"));
            }
            Ok(Value::Semaphore(sync::Semaphore::new(n)))
        }
        Builtin::Args => {
            arity(name, &args, 0, 0)?;
            Ok(Value::list(
                it.args.iter().map(|a| Value::Str(a.into())).collect(),
            ))
        }
        Builtin::Print | Builtin::Error | Builtin::Sorted | Builtin::Gather | Builtin::Queue => {
            unreachable!()
        }
    }
}

/// Python's sort: stable, comparing with `<` (by `key(x)` when a key is
/// given); `reverse` sorts descending and still keeps equal items in their
/// original order, as Python's `reverse=True` does. Shared by `sorted` and
/// `list.sort`.
pub fn sort_values(
    it: &mut Interp,
    items: Vec<Value>,
    key: Option<&Value>,
    reverse: bool,
) -> Result<Vec<Value>, ErrorRef> {
    let mut keyed: Vec<(Value, Value)> = match key {
        Some(k) => items
            .into_iter()
            .map(|v| Ok((it.call_sync(k, vec![v.clone()])?, v)))
            .collect::<Result<_, ErrorRef>>()?,
        None => items.into_iter().map(|v| (v.clone(), v)).collect(),
    };
    let mut failure = None;
    keyed.sort_by(|a, b| {
        let (x, y) = if reverse { (&b.0, &a.0) } else { (&a.0, &b.0) };
        ops::compare(x, y, "<").unwrap_or_else(|e| {
            failure.get_or_insert(e);
            std::cmp::Ordering::Equal
        })
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(keyed.into_iter().map(|(_, v)| v).collect()),
    }
}

/// Wraps a native coroutine as a value, remembering where it was made.
pub fn native_coro(it: &Interp, name: &'static str, n: NativeCoro) -> Value {
    let _ = it;
    Value::Coro(Coro::new(CoroStart::Native(n), name, None))
}
