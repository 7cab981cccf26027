//! The builtins that are the language's asyncio, not its standard library:
//! the clock, `sleep`, timeouts and loop callbacks (`time.rs`), the
//! synchronisation primitives (`sync.rs`: queues, events, locks,
//! semaphores, conditions, barriers, futures) and the functions over
//! tasks and awaitables (`tasks.rs`: `gather`, `race`, `wait`,
//! `as_completed`, `map_concurrent`, `retry`, `shield`, ...).
//!
//! They live beside the runtime they are part of: each is built on
//! asyncio's objects (`runtime/asyncio/`: the loop's timers, the task
//! that parks, a coroutine written as a state machine), two are
//! short-cut by the evaluator (`sleep` and `gather`, [`Hot`]), and what
//! they do is what LANGUAGE.md's concurrency is, matched step for step
//! against CPython's asyncio. A host gets them as the scripts do, and
//! writes its own concurrency on [`NativeCtx`](crate::NativeCtx)'s
//! (`spawn`, `gather`, `wait`, `shield`, `call_soon`, ...). The other
//! builtins (`len`, `str`, `sorted`, `bytes`, ...) are the standard
//! library's (`stdlib/builtins/`).
//!
//! [`Hot`]: crate::runtime::native::function::Hot

mod sync;
mod tasks;
mod time;

use crate::compile::names::Natives;
use crate::runtime::link::NativeTable;
use crate::{ScriptError, Value};

/// Puts the asyncio builtins among the engine's natives.
pub(crate) fn install(names: &mut Natives, natives: &mut NativeTable) {
    for f in time::functions()
        .into_iter()
        .chain(sync::functions())
        .chain(tasks::functions())
    {
        natives.add_function(names, f.name.clone(), f);
    }
}

/// An int argument (a bool counts as 0 or 1), in the builtins' words
/// (the standard library's builtins word theirs the same way).
fn int_arg(f: &str, v: &Value) -> Result<i64, ScriptError> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        _ => Err(ScriptError::type_error(format!(
            "{f}() needs an int, not `{}`",
            v.type_name()
        ))),
    }
}

/// The items of a list (or another iterable) argument.
fn list_arg(f: &str, v: &Value) -> Result<Vec<Value>, ScriptError> {
    v.items().map_err(|_| {
        ScriptError::type_error(format!(
            "{f}() needs a list (or another iterable), not `{}`",
            v.type_name()
        ))
    })
}
