//! Builtins over collections: ranges, reductions, sorting, views, and
//! `any`, `all`, `map`, `filter`. Like the other builtins that make
//! sequences (`zip`, `enumerate`), `map` and `filter` return lists, not
//! Python's lazy iterators. A callback is a plain `fn` called as
//! `sorted(key:)` calls one.

use super::{int_arg, list_arg};
use crate::runtime::call::Sig;
use crate::runtime::native::function::NativeFn;
use crate::runtime::values::ops;
use crate::runtime::values::seq::sort_values;
use crate::runtime::values::value::Iter;
use crate::{Args, NativeCtx, NativeResult, ScriptError, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(super) fn functions() -> Vec<NativeFn> {
    vec![
        NativeFn::builtin(
            Sig::new("range", &["start", "stop", "step"])
                .required(1)
                .positional_only(),
            |_, mut a| range(a.rest()),
        )
        .unary(range_to),
        NativeFn::builtin(
            Sig::new("min", &[]).required(1).rest().named(&["key"]),
            |ctx, a| extreme(ctx, "min", a, std::cmp::Ordering::is_lt),
        ),
        NativeFn::builtin(
            Sig::new("max", &[]).required(1).rest().named(&["key"]),
            |ctx, a| extreme(ctx, "max", a, std::cmp::Ordering::is_gt),
        ),
        NativeFn::builtin(Sig::new("sum", &["items", "start"]).required(1), sum),
        NativeFn::builtin(
            Sig::new("sorted", &["items"]).named(&["key", "reverse"]),
            sorted,
        ),
        NativeFn::builtin(Sig::new("reversed", &["items"]), |_, mut a| {
            let mut items = list_arg("reversed", &a.next("items")?)?;
            items.reverse();
            Ok(Value::list(items))
        }),
        NativeFn::builtin(
            Sig::new("enumerate", &["items", "start"]).required(1),
            enumerate,
        ),
        NativeFn::builtin(Sig::new("zip", &[]).rest(), |_, mut a| zip(a.rest())),
        view("keys"),
        view("values"),
        view("items"),
        NativeFn::builtin(Sig::new("contains", &["container", "x"]), |_, mut a| {
            let container: Value = a.next("container")?;
            let x: Value = a.next("x")?;
            Ok(Value::Bool(ops::contains(&container, &x)?))
        }),
        NativeFn::builtin(Sig::new("any", &["items"]), |_ctx, mut args| {
            let items = items(&mut args, "any")?;
            args.finish()?;
            Ok(Value::Bool(items.iter().any(Value::truthy)))
        }),
        NativeFn::builtin(Sig::new("all", &["items"]), |_ctx, mut args| {
            let items = items(&mut args, "all")?;
            args.finish()?;
            Ok(Value::Bool(items.iter().all(Value::truthy)))
        }),
        NativeFn::builtin(Sig::new("map", &["f", "items"]).rest(), map),
        NativeFn::builtin(Sig::new("filter", &["f", "items"]), filter),
    ]
}

/// `range(stop)`, run by the evaluator on its argument where it lies (a
/// loop's `range(n)` is called once per loop): what [`range`] makes of
/// one argument, with the same error.
fn range_to(stop: &Value) -> NativeResult {
    let stop = int_arg("range", stop)?;
    Ok(Value::Iter(Rc::new(RefCell::new(Iter::Range {
        next: 0,
        stop,
        step: 1,
    }))))
}

fn range(args: Vec<Value>) -> NativeResult {
    let n: Vec<i64> = args
        .iter()
        .map(|a| int_arg("range", a))
        .collect::<Result<_, _>>()?;
    let (start, stop, step) = match n.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => unreachable!("bound to 1 to 3 arguments"),
    };
    if step == 0 {
        return Err(ScriptError::value_error("range() step must not be zero"));
    }
    Ok(Value::Iter(Rc::new(RefCell::new(Iter::Range {
        next: start,
        stop,
        step,
    }))))
}

/// `min` and `max` of one iterable or of several arguments: the first
/// item that no later one is `better` than, compared by `key(item)` when a
/// key is given (each item's key computed once, in order, as Python does).
fn extreme(
    ctx: &mut NativeCtx<'_>,
    name: &str,
    mut a: Args,
    better: fn(std::cmp::Ordering) -> bool,
) -> NativeResult {
    let key = a.keyword("key").filter(|k| !matches!(k, Value::Nil));
    let args = a.rest();
    let items = if args.len() == 1 {
        list_arg(name, &args[0])?
    } else {
        args
    };
    let mut best: Option<(Value, Value)> = None;
    for v in items {
        let k = match &key {
            Some(f) => ctx.call(f, vec![v.clone()])?,
            None => v.clone(),
        };
        let replace = match &best {
            None => true,
            Some((_, best_key)) => better(ops::compare(&k, best_key, "<")?),
        };
        if replace {
            best = Some((v, k));
        }
    }
    best.map(|(v, _)| v)
        .ok_or_else(|| ScriptError::value_error(format!("{name}() of an empty list")))
}

fn sum(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let items: Value = a.next("items")?;
    let mut total = a.next_opt::<Value>("start")?.unwrap_or(Value::Int(0));
    if let (Some(r), Value::Int(start)) = (ops::as_range(&items), &total) {
        let sum = ops::range_sum(r).and_then(|s| s.checked_add(i128::from(*start)));
        let sum = sum.and_then(|s| i64::try_from(s).ok());
        return sum.map(Value::Int).ok_or_else(ScriptError::overflow);
    }
    for v in list_arg("sum", &items)? {
        total = ops::add(&total, &v)?;
    }
    Ok(total)
}

fn sorted(ctx: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let items: Value = a.next("items")?;
    let reverse = a.keyword("reverse").is_some_and(|v| v.truthy());
    let key = a.keyword("key").filter(|k| !matches!(k, Value::Nil));
    let items = list_arg("sorted", &items)?;
    Ok(Value::list(sort_values(ctx, items, key.as_ref(), reverse)?))
}

fn enumerate(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let items: Value = a.next("items")?;
    let start = match a.next_opt::<Value>("start")? {
        Some(s) => int_arg("enumerate", &s)?,
        None => 0,
    };
    let items = list_arg("enumerate", &items)?;
    let mut out = Vec::with_capacity(items.len());
    let mut n = Some(start);
    for v in items {
        // The index after the last one may not fit; only a used one must.
        let i = n.ok_or_else(ScriptError::overflow)?;
        out.push(Value::list(vec![Value::Int(i), v]));
        n = i.checked_add(1);
    }
    Ok(Value::list(out))
}

fn zip(args: Vec<Value>) -> NativeResult {
    let lists: Vec<Vec<Value>> = args
        .iter()
        .map(|a| list_arg("zip", a))
        .collect::<Result<_, _>>()?;
    let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
    Ok(Value::list(
        (0..n)
            .map(|i| Value::list(lists.iter().map(|l| l[i].clone()).collect()))
            .collect(),
    ))
}

/// The items of the next argument (a list, a string's characters, a
/// range, a map's keys).
fn items(args: &mut Args, fname: &str) -> Result<Vec<Value>, ScriptError> {
    let v: Value = args.next("items")?;
    v.items().map_err(|_| {
        ScriptError::type_error(format!(
            "{fname}() needs a list (or another iterable), not `{}`",
            v.type_name()
        ))
    })
}

fn callable(f: &Value, fname: &str) -> Result<(), ScriptError> {
    if matches!(f, Value::Func(_) | Value::Native(_)) {
        return Ok(());
    }
    Err(ScriptError::type_error(format!(
        "{fname}() needs a function first, not `{}`",
        f.type_name()
    )))
}

/// `map(f, xs)`: `[f(x) for x in xs]`; with more lists, `f` takes one item
/// of each, and the result is as long as the shortest (as Python's).
fn map(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<Value, ScriptError> {
    let f: Value = args.next("f")?;
    callable(&f, "map")?;
    let mut lists = vec![items(&mut args, "map")?];
    while args.positional.len() > 0 {
        lists.push(items(&mut args, "map")?);
    }
    args.finish()?;
    let n = lists.iter().map(Vec::len).min().unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let call_args = lists.iter().map(|l| l[i].clone()).collect();
        out.push(ctx.call(&f, call_args)?);
    }
    Ok(Value::list(out))
}

/// `filter(f, xs)`: the items for which `f(x)` is truthy; `filter(nil, xs)`
/// keeps the truthy items themselves.
fn filter(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<Value, ScriptError> {
    let f: Value = args.next("f")?;
    if !matches!(f, Value::Nil) {
        callable(&f, "filter")?;
    }
    let items = items(&mut args, "filter")?;
    args.finish()?;
    let mut out = Vec::new();
    for x in items {
        let keep = match &f {
            Value::Nil => x.truthy(),
            f => ctx.call(f, vec![x.clone()])?.truthy(),
        };
        if keep {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

/// `keys(m)`, `values(m)`, `items(m)`: as the map methods.
fn view(name: &'static str) -> NativeFn {
    NativeFn::builtin(Sig::new(name, &["m"]), move |_, mut a| {
        crate::runtime::methods::map_view(name, &a.next("m")?)
    })
}
