//! Top-level functions over collections: `any`, `all`, `map`, `filter`.
//! Like the other builtins that make sequences (`zip`, `enumerate`), they
//! return lists, not Python's lazy iterators. A callback is a plain `fn`
//! called as `sorted(key:)` calls one.

use crate::runtime::error::{type_error, ErrorRef};
use crate::runtime::native_fn::{Args, Ctx, NativeFn};
use crate::runtime::ops::items_of;
use crate::runtime::value::Value;

pub(crate) fn functions() -> Vec<NativeFn> {
    vec![
        NativeFn::sync("any", |_ctx, mut args| {
            let items = items(&mut args, "any")?;
            args.finish()?;
            Ok(Value::Bool(items.iter().any(Value::truthy)))
        }),
        NativeFn::sync("all", |_ctx, mut args| {
            let items = items(&mut args, "all")?;
            args.finish()?;
            Ok(Value::Bool(items.iter().all(Value::truthy)))
        }),
        NativeFn::sync("map", map),
        NativeFn::sync("filter", filter),
    ]
}

/// The items of the next argument (a list, a string's characters, a
/// range, a map's keys).
fn items(args: &mut Args, fname: &str) -> Result<Vec<Value>, ErrorRef> {
    let v: Value = args.next("items")?;
    items_of(&v).map_err(|_| {
        type_error(format!(
            "{fname}() needs a list (or another iterable), not `{}`",
            v.type_name()
        ))
    })
}

fn callable(f: &Value, fname: &str) -> Result<(), ErrorRef> {
    if matches!(f, Value::Func(_) | Value::Native(_) | Value::Builtin(_)) {
        return Ok(());
    }
    Err(type_error(format!(
        "{fname}() needs a function first, not `{}`",
        f.type_name()
    )))
}

/// `map(f, xs)`: `[f(x) for x in xs]`; with more lists, `f` takes one item
/// of each, and the result is as long as the shortest (as Python's).
fn map(ctx: &mut Ctx<'_>, mut args: Args) -> Result<Value, ErrorRef> {
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
        out.push(ctx.interp.call_sync(&f, call_args)?);
    }
    Ok(Value::list(out))
}

/// `filter(f, xs)`: the items for which `f(x)` is truthy; `filter(nil, xs)`
/// keeps the truthy items themselves.
fn filter(ctx: &mut Ctx<'_>, mut args: Args) -> Result<Value, ErrorRef> {
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
            f => ctx.interp.call_sync(f, vec![x.clone()])?.truthy(),
        };
        if keep {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}
