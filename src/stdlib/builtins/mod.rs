//! The builtins of LANGUAGE.md §9 that are not asyncio's (those are the
//! runtime's, `runtime/builtins/`), as native functions split by domain:
//! one file each, every function a [`NativeFn::builtin`] with its
//! parameters ([`Sig`]) next to its body. Adding a builtin is adding it to
//! its file's `functions()`; nothing else names it.
//!
//! The evaluator still recognises a few of them for speed ([`Hot`]); each
//! one says which benchmark justified it.
//!
//! [`Sig`]: crate::runtime::call::Sig
//! [`Hot`]: crate::runtime::native::function::Hot

mod collections;
mod core;
pub(crate) use self::core::float_to_int;
mod text;

use crate::runtime::native::function::NativeFn;
use crate::{ScriptError, Value};

/// Every builtin, to be installed as a top-level native.
pub(crate) fn functions() -> Vec<NativeFn> {
    let mut all = self::core::functions();
    all.extend(text::functions());
    all.extend(collections::functions());
    all
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
