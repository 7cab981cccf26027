//! The builtins that are the language, not its standard library: the
//! value model's (`core.rs`: `len`, `str`, `int`, `round`, `divmod`,
//! `type`, ...; `collections.rs`: `range`, `sorted`, `items`, `zip`, ...;
//! `bytes()`), and asyncio's: the clock, `sleep`, timeouts and loop callbacks (`time.rs`), the
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
//! against CPython's asyncio. The value model's are bound to their
//! documented signatures (`Sig`), three have one-argument fast paths in
//! the evaluator (`len`, `str`, `int`), and `range`, `sorted` and the map
//! views are the evaluator's own iterator, sort and views: making those
//! public to register them as a host would fix the evaluator's insides as
//! API. A host gets them all as the scripts do, and writes its own
//! concurrency on [`NativeCtx`](crate::NativeCtx)'s (`spawn`, `gather`,
//! `wait`, `shield`, `call_soon`, ...). The standard library's builtins
//! that need nothing private (`ord`, `chr`) are registered as a host
//! registers its own (`stdlib/builtins/`).
//!
//! [`Hot`]: crate::runtime::native::function::Hot

mod collections;
mod core;
mod sync;
mod tasks;
mod time;

use crate::compile::names::Natives;
use crate::runtime::link::NativeTable;
use crate::{ScriptError, Value};

/// Puts the builtins among the engine's natives: the value model's, then
/// asyncio's.
pub(crate) fn install(names: &mut Natives, natives: &mut NativeTable) {
    for f in self::core::functions()
        .into_iter()
        .chain(collections::functions())
        .chain([self::core::bytes()])
        .chain(time::functions())
        .chain(sync::functions())
        .chain(tasks::functions())
    {
        natives.add_function(names, f.name.clone(), f);
    }
}

/// An int argument (a bool counts as 0 or 1), in the builtins' words.
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
