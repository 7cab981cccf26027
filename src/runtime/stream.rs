//! `for await` at run time: what a stream is, and the native side of the
//! protocol (LANGUAGE.md, Streams).
//!
//! A stream is either a native object whose `NativeObject::stream`
//! gives a [`NativeStream`] (stdin's lines, a child's, a file's, a
//! socket's), or a value with a `next` method — a record whose `async fn
//! next(self)` returns the next item, `nil` at the end — and optionally a
//! `close` method, called whenever the loop ends. A native stream hands
//! over an item it already holds without a coroutine, a task switch or a
//! trip through the loop: reading a buffered line costs what a call does.

use super::error::{type_error, ErrorRef, ScriptError};
use super::native::ctx::NativeCtx;
use super::native::function::OpFuture;
use super::values::value::Value;

/// The native side of `for await`: a stream of values that ends with nil.
pub trait NativeStream {
    /// The next item if it can be had without waiting (`Value::Nil` at the
    /// end); `None` when it must be waited for, with [`NativeStream::wait`].
    fn ready(&self, ctx: &mut NativeCtx<'_>) -> Option<Result<Value, ScriptError>>;
    /// A future of the next item, nil at the end. Dropping it (a cancel)
    /// must lose nothing: what it read belongs to the stream.
    fn wait(&self, ctx: &mut NativeCtx<'_>) -> Result<OpFuture, ScriptError>;
    /// The loop is done with the stream (ended, left early, failed or was
    /// cancelled). The default does nothing.
    fn close(&self, _ctx: &mut NativeCtx<'_>) {}
    /// The one method every native stream answers, `next()`, for its
    /// object's [`NativeObject::method`](crate::NativeObject::method) to
    /// hand `name` and `args` to: a coroutine of the next item (nil at the
    /// end), for a script that reads one item at a time; `None` for any
    /// other name. `shown` names the call in `:tasks` and is made only
    /// when it is called.
    fn next_method(
        &self,
        ctx: &mut NativeCtx<'_>,
        name: &str,
        args: super::native::function::Args,
        shown: impl FnOnce() -> String,
    ) -> Option<Result<Value, ScriptError>>
    where
        Self: Sized,
    {
        next_method(ctx, self, name, args, shown)
    }
}

/// The stream a value holds, if it is a native one.
pub(crate) fn native(v: &Value) -> Option<&dyn NativeStream> {
    match v {
        Value::Object(o) => o.inner.stream(),
        _ => None,
    }
}

/// Does `v` have a method (or a field holding a function) called `name`?
pub(crate) fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Record(r) => r.ty.method(name).is_some() || r.ty.index_of(name).is_some(),
        Value::Module(m) => m.members.contains_key(name),
        _ => false,
    }
}

/// Is `v` something `for await` reads? Anything else is a `TypeError`
/// that says what a stream is.
pub(crate) fn check(v: &Value) -> Result<(), ErrorRef> {
    if native(v).is_some() || has_method(v, "next") {
        return Ok(());
    }
    let help = match v {
        Value::List(_) | Value::Map(_) | Value::Str(_) | Value::Iter(_) => {
            "a list, a map, a string or a range is read with a plain `for`"
        }
        _ => {
            "`for await` reads a stream: `stdin.lines()`, a file's or a process's `lines()`, or a value whose `async fn next()` returns each item and nil at the end"
        }
    };
    Err(super::error::ErrorObj::with_help(
        "TypeError",
        format!("`{}` is not a stream", v.type_name()),
        help,
    ))
}

/// The error of a plain `for` over a stream.
pub(crate) fn not_iterable(v: &Value) -> ErrorRef {
    if native(v).is_some() || has_method(v, "next") {
        return super::error::ErrorObj::with_help(
            "TypeError",
            format!("`{}` is a stream, read with `for await`", v.type_name()),
            "write `for await x in ...`: each item is awaited",
        );
    }
    type_error(format!("`{}` is not iterable", v.type_name()))
}

/// `stream.next()` called as a method on a native stream: a coroutine of
/// its next item, for a script that reads one item at a time.
pub(crate) fn next_coroutine(
    ctx: &mut NativeCtx<'_>,
    stream: &dyn NativeStream,
    shown: &str,
) -> Result<Value, ScriptError> {
    let fut: OpFuture = match stream.ready(ctx) {
        Some(r) => Box::pin(std::future::ready(r)),
        None => stream.wait(ctx)?,
    };
    Ok(ctx.coroutine(shown, fut))
}

/// The one method every native stream answers, `next()` (see
/// [`next_coroutine`]): a `NativeObject::method` of a stream is this call.
/// `shown` names the call in `:tasks`; it is made only when called.
pub(crate) fn next_method(
    ctx: &mut NativeCtx<'_>,
    stream: &dyn NativeStream,
    name: &str,
    args: super::native::function::Args,
    shown: impl FnOnce() -> String,
) -> Option<super::native::function::NativeResult> {
    (name == "next").then(|| {
        args.finish()
            .and_then(|()| next_coroutine(ctx, stream, &shown()))
    })
}
