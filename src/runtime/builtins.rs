//! The builtin functions of LANGUAGE.md §9. Concurrency builtins build
//! native coroutines and futures; the rest are plain functions.

use super::call::{bind, Sig};
use super::error::{type_error, value_error, ErrorObj, ErrorRef};
use super::interp::Interp;
use super::native::NativeCoro;
use super::ops;
use super::value::{Iter, Value};
use crate::runtime::callbacks;
use crate::runtime::future::{FutKind, Future};
use crate::runtime::sync_state as sync;
use crate::runtime::task::{Coro, CoroStart};
use crate::scheduler::event_loop::secs_to_ns;
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
    Args => "args", Repr => "repr", BoundedSemaphore => "bounded_semaphore",
    PriorityQueue => "priority_queue", LifoQueue => "lifo_queue", Future => "future",
    CurrentTask => "current_task", AllTasks => "all_tasks", Timeout => "timeout",
    TimeoutAt => "timeout_at", CallSoon => "call_soon", CallLater => "call_later",
    CallAt => "call_at", Shield => "shield", Wait => "wait", Condition => "condition",
    Barrier => "barrier",
}

type Named = Vec<(Rc<str>, Value)>;
type R = Result<Value, ErrorRef>;

/// Takes a named argument out of `named`, if given.
pub fn take_named(named: &mut Named, name: &str) -> Option<Value> {
    let i = named.iter().position(|(n, _)| &**n == name)?;
    Some(named.remove(i).1)
}

/// Each builtin's parameters, as the builtins table of LANGUAGE.md gives
/// them: any of them may be named (`round(x, digits: 2)`) except
/// `range`'s; `sep:`, `key:` and the like only by name.
fn sig(b: Builtin) -> Sig {
    use Builtin::*;
    let name = b.name();
    match b {
        Print => Sig::new(name, &[]).rest().named(&["sep", "end"]),
        Len | Repr | Int | Float | Bool | Type | Abs => Sig::new(name, &["x"]),
        Str => Sig::new(name, &["x"]).required(0),
        Range => Sig::new(name, &["start", "stop", "step"])
            .required(1)
            .positional_only(),
        Round => Sig::new(name, &["x", "digits"]).required(1),
        Min | Max => Sig::new(name, &[]).required(1).rest().named(&["key"]),
        Sum => Sig::new(name, &["items", "start"]).required(1),
        Sorted => Sig::new(name, &["items"]).named(&["key", "reverse"]),
        Reversed => Sig::new(name, &["items"]),
        Enumerate => Sig::new(name, &["items", "start"]).required(1),
        Zip | Race => Sig::new(name, &[]).rest(),
        Keys | Values | Items => Sig::new(name, &["m"]),
        Contains => Sig::new(name, &["container", "x"]),
        Error => Sig::new(name, &["message"]).named(&["kind"]),
        Assert => Sig::new(name, &["cond", "message"]).required(1),
        Now | Event | Lock | Args | Future | CurrentTask | AllTasks => Sig::new(name, &[]),
        Sleep => Sig::new(name, &["secs", "result"]).required(1),
        Gather => Sig::new(name, &[]).rest().named(&["return_errors"]),
        WaitFor => Sig::new(name, &["awaitable", "secs"]),
        Queue | PriorityQueue | LifoQueue => Sig::new(name, &["maxsize"]).required(0),
        Semaphore | BoundedSemaphore => Sig::new(name, &["n"]).required(0),
        Timeout => Sig::new(name, &["secs"]),
        Shield => Sig::new(name, &["aw"]),
        Condition => Sig::new(name, &["lock"]).required(0),
        Barrier => Sig::new(name, &["parties"]),
        Wait => Sig::new(name, &["aws"]).named(&["timeout", "return_when"]),
        TimeoutAt => Sig::new(name, &["deadline"]),
        CallSoon => Sig::new(name, &["f"]).rest().positional_only(),
        CallLater => Sig::new(name, &["delay", "f"]).rest().positional_only(),
        CallAt => Sig::new(name, &["when", "f"]).rest().positional_only(),
    }
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

/// A delay or a deadline in seconds (`sleep`, timeouts, `call_later`,
/// `call_at`): a number, `inf` for never; a finite time that the clock's
/// nanoseconds cannot hold (past about 292 years) is an `OverflowError`
/// rather than a silent wake-up at the clock's end.
pub fn secs_arg(f: &str, v: &Value) -> Result<f64, ErrorRef> {
    let secs = num_arg(f, v)?;
    if secs.is_finite() && secs >= MAX_SECS {
        return Err(ErrorObj::with_help(
            "OverflowError",
            format!(
                "{f}(): {} seconds is too far ahead for the clock (at most about 292 years)",
                super::value::format_float(secs)
            ),
            "to wait for ever, use `inf`",
        ));
    }
    Ok(secs)
}

/// 2**63 nanoseconds: the clock's end, in seconds.
pub const MAX_SECS: f64 = 9_223_372_036.0;

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

pub fn call(it: &mut Interp, b: Builtin, args: Vec<Value>, named: Named) -> R {
    let (mut args, mut named) = bind(&sig(b), args, named)?;
    let name = b.name();
    match b {
        Builtin::Print => {
            let sep = take_named(&mut named, "sep")
                .map(|v| v.to_display())
                .unwrap_or_else(|| " ".into());
            let end = take_named(&mut named, "end")
                .map(|v| v.to_display())
                .unwrap_or_else(|| "\n".into());
            let mut line = String::new();
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    line.push_str(&sep);
                }
                line.push_str(&a.try_display()?);
            }
            line.push_str(&end);
            it.write_out(&line);
            return Ok(Value::Nil);
        }
        Builtin::Error => {
            let kind = take_named(&mut named, "kind");
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
            let items = list_arg(name, &args[0])?;
            return Ok(Value::list(sort_values(it, items, key.as_ref(), reverse)?));
        }
        Builtin::Gather => {
            let return_errors = take_named(&mut named, "return_errors").is_some_and(|v| v.truthy());
            return it.gather(spread(args), return_errors);
        }
        Builtin::Queue | Builtin::PriorityQueue | Builtin::LifoQueue => {
            let max = args
                .first()
                .map(|v| int_arg(name, v))
                .transpose()?
                .unwrap_or(0);
            let kind = match b {
                Builtin::PriorityQueue => sync::QueueKind::Priority,
                Builtin::LifoQueue => sync::QueueKind::Lifo,
                _ => sync::QueueKind::Fifo,
            };
            return Ok(Value::Queue(sync::Queue::new(max.max(0) as usize, kind)));
        }
        _ => {}
    }
    match b {
        Builtin::Len => {
            let n = match &args[0] {
                Value::Str(s) => s.chars().count(),
                Value::List(l) => l.borrow().len(),
                Value::Map(m) => m.borrow().len(),
                Value::Queue(q) => q.size(),
                v @ Value::Iter(_) => match ops::as_range(v) {
                    Some(r) => return range_len_value(r),
                    None => ops::items_of(v)?.len(),
                },
                v => return Err(type_error(format!("`{}` has no length", v.type_name()))),
            };
            Ok(Value::Int(n as i64))
        }
        Builtin::Str => Ok(Value::Str(crate::runtime::str::Str::from(
            match args.first() {
                Some(v) => v.try_display()?,
                None => String::new(),
            },
        ))),
        Builtin::Repr => Ok(Value::Str(args[0].try_repr()?.into())),
        Builtin::Int => match &args[0] {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            Value::Float(f) => float_to_int(f.trunc()),
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
        },
        Builtin::Float => match &args[0] {
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
        },
        Builtin::Bool => Ok(Value::Bool(args[0].truthy())),
        Builtin::Type => Ok(Value::str(args[0].type_name())),
        Builtin::Range => {
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
            let digits = args.get(1).map(|d| int_arg(name, d)).transpose()?;
            match (&args[0], digits) {
                (Value::Int(i), Some(d)) if d < 0 => round_int(*i, d),
                (Value::Int(i), _) => Ok(Value::Int(*i)),
                (Value::Float(f), None) => float_to_int(f.round_ties_even()),
                (Value::Float(f), Some(d)) => round_float(*f, d),
                (v, _) => Err(type_error(format!(
                    "round() needs a number, not `{}`",
                    v.type_name()
                ))),
            }
        }
        Builtin::Abs => match &args[0] {
            Value::Int(i) => i
                .checked_abs()
                .map(Value::Int)
                .ok_or_else(super::error::overflow),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            v => Err(type_error(format!(
                "abs() needs a number, not `{}`",
                v.type_name()
            ))),
        },
        Builtin::Min | Builtin::Max => {
            let key = take_named(&mut named, "key").filter(|k| !matches!(k, Value::Nil));
            let items = if args.len() == 1 {
                list_arg(name, &args[0])?
            } else {
                args
            };
            extreme(it, name, items, key.as_ref())
        }
        Builtin::Sum => {
            let mut total = args.get(1).cloned().unwrap_or(Value::Int(0));
            if let (Some(r), Value::Int(start)) = (ops::as_range(&args[0]), &total) {
                let sum = ops::range_sum(r).and_then(|s| s.checked_add(i128::from(*start)));
                let sum = sum.and_then(|s| i64::try_from(s).ok());
                return sum.map(Value::Int).ok_or_else(super::error::overflow);
            }
            for v in list_arg(name, &args[0])? {
                total = ops::add(&total, &v)?;
            }
            Ok(total)
        }
        Builtin::Reversed => {
            let mut items = list_arg(name, &args[0])?;
            items.reverse();
            Ok(Value::list(items))
        }
        Builtin::Enumerate => {
            let start = args
                .get(1)
                .map(|s| int_arg(name, s))
                .transpose()?
                .unwrap_or(0);
            let items = list_arg(name, &args[0])?;
            let mut out = Vec::with_capacity(items.len());
            let mut n = Some(start);
            for v in items {
                // The index after the last one may not fit; only a used one must.
                let i = n.ok_or_else(super::error::overflow)?;
                out.push(Value::list(vec![Value::Int(i), v]));
                n = i.checked_add(1);
            }
            Ok(Value::list(out))
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
            super::methods::map_view(name, &args[0])
        }
        Builtin::Contains => Ok(Value::Bool(ops::contains(&args[0], &args[1])?)),
        Builtin::Assert => {
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
        Builtin::Now => Ok(Value::Float(it.now())),
        Builtin::Sleep => {
            let secs = secs_arg(name, &args[0])?;
            if secs.is_nan() {
                return Err(value_error("sleep() needs a number of seconds, not nan"));
            }
            let sleep = NativeCoro::sleep(secs);
            Ok(match args.get(1) {
                Some(result) => {
                    native_coro(it, "sleep", NativeCoro::with_result(sleep, result.clone()))
                }
                None => native_coro(it, "sleep", sleep),
            })
        }
        Builtin::WaitFor => {
            let timeout = match &args[1] {
                Value::Nil => None,
                v => Some(secs_arg(name, v)?),
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
        Builtin::Event => Ok(Value::Event(sync::Event::new())),
        Builtin::Lock => Ok(Value::Lock(sync::Lock::new())),
        Builtin::Semaphore | Builtin::BoundedSemaphore => {
            let n = args
                .first()
                .map(|v| int_arg(name, v))
                .transpose()?
                .unwrap_or(1);
            if n < 0 {
                return Err(value_error(format!("{name}() initial value must be >= 0")));
            }
            Ok(Value::Semaphore(sync::Semaphore::new(
                n,
                b == Builtin::BoundedSemaphore,
            )))
        }
        Builtin::Timeout => {
            let when = match &args[0] {
                Value::Nil => None,
                v => {
                    let secs = secs_arg(name, v)?;
                    if secs.is_nan() {
                        return Err(value_error("timeout() needs a number of seconds, not nan"));
                    }
                    let now = it.lp.clock.now_ns();
                    Some(now.saturating_add(secs_to_ns(secs)))
                }
            };
            Ok(Value::Timeout(callbacks::Timeout::new(when)))
        }
        Builtin::TimeoutAt => Ok(Value::Timeout(callbacks::Timeout::new(
            super::scopes::deadline_arg(name, &args[0])?,
        ))),
        Builtin::CallSoon | Builtin::CallLater | Builtin::CallAt => {
            let at = match b {
                Builtin::CallSoon => None,
                Builtin::CallLater => {
                    let delay = secs_arg(name, &args.remove(0))?;
                    Some(it.lp.clock.now_ns().saturating_add(secs_to_ns(delay)))
                }
                _ => Some(secs_to_ns(secs_arg(name, &args.remove(0))?)),
            };
            let f = args.remove(0);
            callback_arg(name, &f)?;
            Ok(it.schedule_callback(at, f, args))
        }
        Builtin::Shield => it.shield(args.swap_remove(0)),
        Builtin::Condition => match args.first() {
            None | Some(Value::Nil) => {
                Ok(Value::Condition(sync::Condition::new(sync::Lock::new())))
            }
            Some(Value::Lock(l)) => Ok(Value::Condition(sync::Condition::new(l.clone()))),
            Some(other) => Err(type_error(format!(
                "condition() needs a lock, not `{}`",
                other.type_name()
            ))),
        },
        Builtin::Barrier => {
            let n = int_arg(name, &args[0])?;
            if n < 1 {
                return Err(value_error("barrier() parties must be > 0"));
            }
            Ok(Value::Barrier(sync::Barrier::new(n)))
        }
        Builtin::Wait => {
            let timeout = match take_named(&mut named, "timeout") {
                None | Some(Value::Nil) => None,
                Some(v) => Some(secs_arg(name, &v)?),
            };
            let when =
                super::waits::ReturnWhen::parse(take_named(&mut named, "return_when").as_ref())?;
            let fs = it.wait_members(list_arg(name, &args[0])?)?;
            Ok(native_coro(
                it,
                "wait",
                NativeCoro::Wait(Box::new(super::waits::Wait::new(fs, timeout, when))),
            ))
        }
        Builtin::Future => Ok(Value::Future(Future::new(FutKind::Plain))),
        Builtin::CurrentTask => Ok(it.current.clone().map_or(Value::Nil, Value::Task)),
        Builtin::AllTasks => {
            let tasks = it.lp.tasks.values().filter(|t| !t.is_done());
            Ok(Value::list(tasks.cloned().map(Value::Task).collect()))
        }
        Builtin::Args => Ok(Value::list(
            it.args.iter().map(|a| Value::Str(a.into())).collect(),
        )),
        Builtin::Print
        | Builtin::Error
        | Builtin::Sorted
        | Builtin::Gather
        | Builtin::Queue
        | Builtin::PriorityQueue
        | Builtin::LifoQueue => {
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

/// `min` and `max`: the first smallest (largest) item, compared by
/// `key(item)` when a key is given (each item's key computed once, in
/// order, as Python does).
fn extreme(it: &mut Interp, name: &str, items: Vec<Value>, key: Option<&Value>) -> R {
    let mut best: Option<(Value, Value)> = None;
    for v in items {
        let k = match key {
            Some(f) => it.call_sync(f, vec![v.clone()])?,
            None => v.clone(),
        };
        let better = match &best {
            None => true,
            Some((_, best_key)) => {
                let ord = ops::compare(&k, best_key, "<")?;
                if name == "min" {
                    ord.is_lt()
                } else {
                    ord.is_gt()
                }
            }
        };
        if better {
            best = Some((v, k));
        }
    }
    best.map(|(v, _)| v)
        .ok_or_else(|| value_error(format!("{name}() of an empty list")))
}

/// `len(range(...))`, an `OverflowError` past 64 bits as in Python.
fn range_len_value(r: (i64, i64, i64)) -> R {
    i64::try_from(ops::range_len(r))
        .map(Value::Int)
        .map_err(|_| {
            ErrorObj::new(
                "OverflowError",
                "the range's length does not fit in 64 bits",
            )
        })
}

/// An integral float as an int: nan is a `ValueError` and anything
/// outside 64 bits an `OverflowError`, as CPython's `int()` says.
pub(crate) fn float_to_int(f: f64) -> R {
    // -2^63 is exact as a float; 2^63 is the first value past the range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return Err(value_error("cannot convert float NaN to integer"));
    }
    if (-LIMIT..LIMIT).contains(&f) {
        return Ok(Value::Int(f as i64));
    }
    let what = if f.is_infinite() {
        "float infinity".to_string()
    } else {
        super::value::format_float(f)
    };
    Err(ErrorObj::new(
        "OverflowError",
        format!("cannot convert {what} to a 64-bit integer"),
    ))
}

/// `round(i, d)` for an int and `d < 0`: to a multiple of `10^-d`, half
/// to even, computed in 128 bits so that the scale itself cannot overflow.
fn round_int(i: i64, d: i64) -> R {
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
        .map_err(|_| super::error::overflow())
}

/// `round(f, d)`: CPython's `double_round`, the float correctly rounded
/// (half to even on its exact value) to `d` decimal places.
fn round_float(f: f64, d: i64) -> R {
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
        return Err(ErrorObj::new(
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

/// A loop callback must be a plain function: it runs to completion in
/// the loop's turn.
fn callback_arg(f: &str, v: &Value) -> Result<(), ErrorRef> {
    match v {
        Value::Func(c) if c.proto.is_async => Err(type_error(format!(
            "{f}() needs a plain `fn`: a callback runs at once, it cannot be awaited"
        ))),
        Value::Func(_) | Value::Builtin(_) | Value::Native(_) => Ok(()),
        other => Err(type_error(format!(
            "{f}() needs a function, not `{}`",
            other.type_name()
        ))),
    }
}

/// Wraps a native coroutine as a value, remembering where it was made.
pub fn native_coro(it: &Interp, name: &'static str, n: NativeCoro) -> Value {
    let _ = it;
    Value::Coro(Coro::new(CoroStart::Native(n), name, None))
}
