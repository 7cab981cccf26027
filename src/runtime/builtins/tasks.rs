//! Builtins over tasks and awaitables: running several at once, waiting
//! for some of them, shielding one, and the tasks that exist.

use super::list_arg;
use crate::runtime::asyncio::coro::{coro_value, NativeCoro};
use crate::runtime::asyncio::map_concurrent::MapConcurrent;
use crate::runtime::asyncio::retry::{check_policy, Retry, RetryOn, RetryPolicy, DEFAULT_ON};
use crate::runtime::asyncio::scopes::secs_arg;
use crate::runtime::call::{gather_items, Sig};
use crate::runtime::native::function::{Hot, NativeFn};
use crate::runtime::values::ops::make_iter;
use crate::{Args, NativeCtx, NativeResult, ScriptError, Value};

pub(super) fn functions() -> Vec<NativeFn> {
    vec![
        // Without named arguments the evaluator calls `Interp::gather`
        // itself: see `Hot::Gather`.
        NativeFn::builtin(
            Sig::new("gather", &[]).rest().named(&["return_errors"]),
            |ctx, mut a| {
                let return_errors = a.keyword("return_errors").is_some_and(|v| v.truthy());
                ctx.gather(gather_items(a.rest()), return_errors)
            },
        )
        .hot(Hot::Gather),
        NativeFn::builtin(Sig::new("race", &[]).rest(), |_, mut a| {
            let items = gather_items(a.rest());
            if items.is_empty() {
                return Err(ScriptError::value_error(
                    "race() needs at least one awaitable",
                ));
            }
            Ok(coro_value("race", NativeCoro::race(items)))
        })
        .coroutine(),
        NativeFn::builtin(
            Sig::new("map_concurrent", &["f", "items"]).named(&["limit", "return_errors"]),
            map_concurrent,
        )
        .coroutine(),
        NativeFn::builtin(
            Sig::new("retry", &["f"]).named(&["attempts", "backoff", "max_delay", "jitter", "on"]),
            retry,
        )
        .coroutine(),
        NativeFn::builtin(
            Sig::new("wait", &["aws"]).named(&["timeout", "return_when"]),
            wait,
        ),
        NativeFn::builtin(
            Sig::new("as_completed", &["aws"]).named(&["timeout"]),
            as_completed,
        ),
        NativeFn::builtin(Sig::new("shield", &["aw"]), |ctx, mut a| {
            ctx.shield(a.next("aw")?)
        }),
        NativeFn::builtin(Sig::new("current_task", &[]), |ctx, _| {
            Ok(ctx.current_task().unwrap_or(Value::Nil))
        }),
        NativeFn::builtin(Sig::new("all_tasks", &[]), |ctx, _| {
            Ok(Value::list(ctx.tasks()))
        }),
    ]
}

/// `map_concurrent(f, items, limit: n, return_errors: false)`: see
/// `runtime/asyncio/map_concurrent.rs`.
fn map_concurrent(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let f: Value = a.next("f")?;
    let items: Value = a.next("items")?;
    let limit = match a.keyword("limit") {
        None | Some(Value::Nil) => None,
        Some(Value::Int(n)) if n >= 1 => Some(n as usize),
        Some(v) => {
            return Err(ScriptError::value_error(format!(
                "map_concurrent() limit must be an int of at least 1, not {}",
                v.repr()
            )))
        }
    };
    let Some(limit) = limit else {
        return Err(ScriptError::type_error(
            "map_concurrent() needs `limit:`, how many to run at once",
        ));
    };
    let return_errors = a.keyword("return_errors").is_some_and(|v| v.truthy());
    let callable = |v: &Value| matches!(v, Value::Func(_) | Value::Native(_));
    if !callable(&f) {
        let e = ScriptError::type_error(format!(
            "map_concurrent() needs a function to call, not `{}`",
            f.type_name()
        ));
        // Python's `map(f, xs)` order; `xs` first is the usual slip.
        return Err(if callable(&items) {
            e.with_help("the function comes first: `map_concurrent(f, items, limit: n)`")
        } else {
            e
        });
    }
    let items = make_iter(&items)?;
    Ok(coro_value(
        "map_concurrent",
        NativeCoro::Map(Box::new(MapConcurrent::new(f, items, limit, return_errors))),
    ))
}

/// `retry(f, attempts: 3, backoff: 0.5, max_delay: 30, jitter: 0, on:
/// [...])`: see `runtime/asyncio/retry.rs`.
fn retry(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let f: Value = a.next("f")?;
    if !matches!(f, Value::Func(_) | Value::Native(_)) {
        return Err(ScriptError::type_error(format!(
            "retry() needs a function to call, not `{}` (pass the function, not its call)",
            f.type_name()
        )));
    }
    let num = |v: Option<Value>, default: f64, name: &str| match v {
        None | Some(Value::Nil) => Ok(default),
        Some(v) => secs_arg(&format!("retry() {name}"), &v),
    };
    let attempts = match a.keyword("attempts") {
        None | Some(Value::Nil) => 3,
        Some(Value::Int(n)) => u32::try_from(n.clamp(0, 1_000_000)).unwrap_or(0),
        Some(v) => {
            return Err(ScriptError::type_error(format!(
                "retry() attempts must be an int, not `{}`",
                v.type_name()
            )))
        }
    };
    let backoff = num(a.keyword("backoff"), 0.5, "backoff")?;
    let max_delay = num(a.keyword("max_delay"), 30.0, "max_delay")?;
    let jitter = match a.keyword("jitter") {
        None | Some(Value::Nil) | Some(Value::Bool(false)) => 0.0,
        Some(Value::Bool(true)) => 1.0,
        Some(v) => num(Some(v), 0.0, "jitter")?,
    };
    let on = match a.keyword("on") {
        None | Some(Value::Nil) => {
            RetryOn::Kinds(DEFAULT_ON.iter().map(|s| s.to_string()).collect())
        }
        Some(Value::Str(s)) => RetryOn::Kinds(vec![s.to_string()]),
        Some(Value::List(kinds)) => {
            let mut names = Vec::new();
            for k in kinds.borrow().iter() {
                match k {
                    Value::Str(s) => names.push(s.to_string()),
                    other => {
                        return Err(ScriptError::type_error(format!(
                            "retry() on: lists error kinds as strings, not `{}`",
                            other.type_name()
                        )))
                    }
                }
            }
            RetryOn::Kinds(names)
        }
        Some(f @ (Value::Func(_) | Value::Native(_))) => RetryOn::Check(f),
        Some(v) => {
            return Err(ScriptError::type_error(format!(
                "retry() on: is a list of error kinds or a function of the error, not `{}`",
                v.type_name()
            )))
        }
    };
    let policy = RetryPolicy {
        attempts,
        backoff,
        max_delay,
        jitter,
        on,
    };
    check_policy(&policy)?;
    Ok(coro_value(
        "retry",
        NativeCoro::Retry(Box::new(Retry::new(f, policy))),
    ))
}

/// `as_completed(aws, timeout: nil)`: see `runtime/asyncio/as_completed.rs`.
fn as_completed(ctx: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let aws: Value = a.next("aws")?;
    let timeout = match a.keyword("timeout") {
        None | Some(Value::Nil) => None,
        Some(v) => Some(secs_arg("as_completed", &v)?),
    };
    if !matches!(aws, Value::List(_)) {
        return Err(ScriptError::type_error(format!(
            "as_completed() needs a list of awaitables, not `{}`",
            aws.type_name()
        )));
    }
    ctx.as_completed(list_arg("as_completed", &aws)?, timeout)
}

fn wait(ctx: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let aws: Value = a.next("aws")?;
    let timeout = match a.keyword("timeout") {
        None | Some(Value::Nil) => None,
        Some(v) => Some(secs_arg("wait", &v)?),
    };
    let when = match a.keyword("return_when") {
        None => None,
        Some(Value::Str(s)) => Some(s),
        Some(other) => {
            return Err(ScriptError::value_error(format!(
                "Invalid return_when value: {}",
                other.repr()
            )))
        }
    };
    let when = when.as_deref().unwrap_or("ALL_COMPLETED");
    ctx.wait(list_arg("wait", &aws)?, timeout, when)
}
