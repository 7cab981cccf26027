#![deny(unreachable_pub)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]
//! `tasks`: a scripting language for concurrent work whose scheduling
//! matches CPython's asyncio.
//!
//! The pipeline, one module each:
//! - [`syntax`]: source → pest parse → AST with spans;
//! - [`compile`]: names resolved to slots, code lowered to flat instructions;
//! - [`runtime`]: values, the evaluator (tasks suspend by keeping their
//!   frames), builtins, and the driver of the event loop;
//! - [`scheduler`]: the loop's data (ready queue, timers, clocks, futures,
//!   tasks, synchronisation primitives);
//! - [`diagnostics`]: every error rendered as a miette report;
//! - [`engine`]: the public entry point the CLI, the REPL and the golden
//!   runner share;
//! - [`golden`]: the `tasks test` runner;
//! - [`repl`]: the interactive session.

pub(crate) mod compile;
#[doc(hidden)] // the `tasks` command's own, not the embedding API
pub mod diagnostics;
pub mod engine;
mod error;
pub mod formatter;
#[doc(hidden)] // the `tasks` command's own, not the embedding API
#[cfg(feature = "cli")]
pub mod golden;
pub mod host;
#[cfg(test)]
mod layers;
pub mod limits;
/// `tasks lsp`: the language server.
#[cfg(feature = "cli")]
pub mod lsp;
mod modules;
pub mod permissions;
#[cfg(feature = "cli")]
pub mod ps;
#[doc(hidden)] // the `tasks` command's own, not the embedding API
#[cfg(feature = "cli")]
pub mod repl;
pub(crate) mod runtime;
pub(crate) mod scheduler;
mod stdlib;
#[doc(hidden)] // the `tasks` command's own, not the embedding API
#[cfg(feature = "cli")]
pub mod streams;
pub(crate) mod syntax;
#[doc(hidden)] // the `tasks` command's own, not the embedding API
pub mod trace;

pub use engine::{Engine, LoopTick, Options, Session};
pub use error::{Error, ErrorKind, Location, StackFrame};
/// The random generator [`NativeCtx::rng`] hands out (fastrand's).
pub use fastrand;
pub use host::EngineBuilder;
pub use limits::Limits;
pub use permissions::Permissions;
pub use runtime::error::ScriptError;
pub use runtime::interrupt::InterruptHandle;
pub use runtime::native::ctx::{NativeCtx, Operation, ScriptCaller};
pub use runtime::native::function::{
    Args, FromValue, HostAsyncFn, HostFn, IntoNativeResult, IntoValue, NativeObject, WithCtx,
};
pub use runtime::native::module::Module;
pub use runtime::stream::NativeStream;
pub use runtime::values::value::Value;

/// What the `tasks` command needs of the interpreter's signal handling.
pub mod signals {

    /// SIGKILLs the process group of every child a script started that
    /// may still run (they do not get the terminal's Ctrl-C).
    pub fn kill_children() {
        crate::stdlib::process::kill_all();
    }

    /// Waits (at most `limit`) for the file writes in flight to end, so
    /// that leaving the process does not cut one short; returns whether
    /// they all did. Those that did not leave their targets as they were.
    /// Meant for just before the process ends: once a wait has given up,
    /// later whole-file writes fail rather than leave a temporary file.
    pub fn wait_for_writes(limit: std::time::Duration) -> bool {
        crate::stdlib::fs_write::wait_for_writes(Some(limit))
    }

    /// Removes the temporary files and folders scripts made
    /// (`fs.temp_dir()`), for just before the process ends.
    pub fn remove_temp_files() {
        crate::stdlib::fs_temp::remove_all()
    }

    /// Makes this process a child subreaper (Linux), so that whatever a
    /// script (or a test case) starts is handed to us when its parent
    /// exits, rather than to PID 1, and can be killed at the end. False
    /// where that is not possible.
    pub fn become_subreaper() -> bool {
        crate::stdlib::process::become_subreaper()
    }
}
