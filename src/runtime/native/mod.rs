//! Rust called from scripts, the standard library's and a host's alike:
//! the functions (`NativeFn`, their arguments and conversions, closures
//! as script functions, objects with methods), the one context each
//! receives (`NativeCtx`), the modules they are registered in
//! (`Module`, with its end-of-program hooks), and the script calls a native operation hands
//! back to the loop.

pub(crate) mod ctx;
pub(crate) mod function;
pub(crate) mod module;
pub(crate) mod script_call;
pub(crate) mod signature;
