//! Builtins about time: the loop clock, sleeping, timeouts and callbacks
//! the loop runs later.

use crate::runtime::asyncio::callbacks::Timeout;
use crate::runtime::asyncio::coro::{coro_value, NativeCoro};
use crate::runtime::asyncio::scopes::{deadline_arg, secs_arg};
use crate::runtime::call::Sig;
use crate::runtime::native::function::{Hot, NativeFn};
use crate::scheduler::event_loop::secs_to_ns;
use crate::{Args, NativeCtx, NativeResult, ScriptError, Value};

pub(super) fn functions() -> Vec<NativeFn> {
    vec![
        NativeFn::builtin(Sig::new("now", &[]), |ctx, _| Ok(Value::Float(ctx.now()))),
        // `await sleep(d)` skips the call: see `Interp::await_sleep_directly`.
        NativeFn::builtin(Sig::new("sleep", &["secs", "result"]).required(1), sleep)
            .coroutine()
            .hot(Hot::Sleep),
        NativeFn::builtin(Sig::new("wait_for", &["awaitable", "secs"]), wait_for).coroutine(),
        NativeFn::builtin(Sig::new("timeout", &["secs"]), timeout),
        NativeFn::builtin(Sig::new("timeout_at", &["deadline"]), |_, mut a| {
            let when = deadline_arg("timeout_at", &a.next("deadline")?)?;
            Ok(Value::Timeout(Timeout::new(when)))
        }),
        NativeFn::builtin(
            Sig::new("call_soon", &["f"]).rest().positional_only(),
            |ctx, a| schedule(ctx, "call_soon", None, a),
        ),
        NativeFn::builtin(
            Sig::new("call_later", &["delay", "f"])
                .rest()
                .positional_only(),
            |ctx, mut a| {
                let delay = secs_arg("call_later", &a.next("delay")?)?;
                let at = ctx.now_ns().saturating_add(secs_to_ns(delay));
                schedule(ctx, "call_later", Some(at), a)
            },
        ),
        NativeFn::builtin(
            Sig::new("call_at", &["when", "f"]).rest().positional_only(),
            |ctx, mut a| {
                let at = secs_to_ns(secs_arg("call_at", &a.next("when")?)?);
                schedule(ctx, "call_at", Some(at), a)
            },
        ),
    ]
}

fn sleep(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let secs = secs_arg("sleep", &a.next("secs")?)?;
    if secs.is_nan() {
        return Err(ScriptError::value_error(
            "sleep() needs a number of seconds, not nan",
        ));
    }
    let sleep = NativeCoro::sleep(secs);
    Ok(match a.next_opt::<Value>("result")? {
        Some(result) => coro_value("sleep", NativeCoro::with_result(sleep, result)),
        None => coro_value("sleep", sleep),
    })
}

fn wait_for(_: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let aw: Value = a.next("awaitable")?;
    let timeout = match a.next::<Value>("secs")? {
        Value::Nil => None,
        v => Some(secs_arg("wait_for", &v)?),
    };
    // With no timeout 3.11 does `return await fut`: a coroutine
    // runs inline in the awaiting task, with no task around it.
    if timeout.is_none() && matches!(aw, Value::Coro(_)) {
        return Ok(aw);
    }
    Ok(coro_value("wait_for", NativeCoro::wait_for(aw, timeout)))
}

fn timeout(ctx: &mut NativeCtx<'_>, mut a: Args) -> NativeResult {
    let when = match a.next::<Value>("secs")? {
        Value::Nil => None,
        v => {
            let secs = secs_arg("timeout", &v)?;
            if secs.is_nan() {
                return Err(ScriptError::value_error(
                    "timeout() needs a number of seconds, not nan",
                ));
            }
            let now = ctx.now_ns();
            Some(now.saturating_add(secs_to_ns(secs)))
        }
    };
    Ok(Value::Timeout(Timeout::new(when)))
}

/// `call_soon(f, args...)` and the others once their time is taken: `at`
/// in nanoseconds on the loop clock, `None` for the ready queue.
fn schedule(ctx: &mut NativeCtx<'_>, name: &str, at: Option<u64>, mut a: Args) -> NativeResult {
    let f: Value = a.next("f")?;
    callback_arg(name, &f)?;
    Ok(match at {
        None => ctx.call_soon(f, a.rest()),
        Some(at) => ctx.call_at(at, f, a.rest()),
    })
}

/// A loop callback must be a plain function: it runs to completion in
/// the loop's turn.
fn callback_arg(f: &str, v: &Value) -> Result<(), ScriptError> {
    match v {
        Value::Func(c) if c.proto.is_async => Err(ScriptError::type_error(format!(
            "{f}() needs a plain `fn`: a callback runs at once, it cannot be awaited"
        ))),
        Value::Func(_) | Value::Native(_) => Ok(()),
        other => Err(ScriptError::type_error(format!(
            "{f}() needs a function, not `{}`",
            other.type_name()
        ))),
    }
}
