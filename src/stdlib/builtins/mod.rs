//! The builtins of LANGUAGE.md §9 that are not asyncio's (those are the
//! runtime's, `runtime/builtins/`), as native functions split by domain:
//! one file each, every function with its parameters next to its body.
//! `text.rs`'s are registered as a host registers its own, with a public
//! [`Signature`](crate::Signature) (`Engine::register_with`); `core.rs`'s
//! and `collections.rs`'s are still a [`NativeFn::builtin`] with the
//! runtime's `Sig` (some with a one-argument fast path, `range`, `sorted`
//! and the map views on the evaluator's own helpers), until those have a
//! public form. Adding a builtin is adding it to its file's `functions()`;
//! nothing else names it.

mod collections;
mod core;
pub(crate) use self::core::float_to_int;
mod text;

use crate::runtime::native::function::NativeFn;
use crate::{ScriptError, Value};

/// Every builtin, to be installed as a top-level native.
pub(crate) fn functions() -> Vec<NativeFn> {
    let mut all = self::core::functions();
    all.extend(collections::functions());
    all
}

/// The builtins registered as a host would (`Engine::register_with`).
pub(crate) fn bound() -> Vec<(crate::Signature, super::RawFn)> {
    text::functions()
}

/// An int argument (a bool counts as 0 or 1), in the builtins' words.
pub(crate) fn int_arg(f: &str, v: &Value) -> Result<i64, ScriptError> {
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
pub(crate) fn list_arg(f: &str, v: &Value) -> Result<Vec<Value>, ScriptError> {
    v.items().map_err(|_| {
        ScriptError::type_error(format!(
            "{f}() needs a list (or another iterable), not `{}`",
            v.type_name()
        ))
    })
}
