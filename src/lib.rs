#![deny(unreachable_pub)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]
//! `tasks`: a scripting language for concurrent work whose scheduling
//! matches CPython's asyncio.
//!
//! The pipeline, one module each (crate-private, named here for the
//! reader): `syntax` (source → pest parse → AST with spans), `compile`
//! (names resolved to slots, code lowered to flat instructions), `runtime`
//! (values, the evaluator, builtins, the driver of the event loop),
//! `scheduler` (the loop's machinery), `diagnostics` (every error rendered
//! as a miette report).
//!
//! The public face, what an embedding program and the `tasks` command
//! alike use (the command's own modules live in the binary, `src/cli/`):
//! - [`engine`] and [`host`]: [`Engine`] and [`EngineBuilder`], running
//!   scripts, registering natives ([`Module`], [`NativeCtx`]);
//! - [`Error`]: what a failed run or call returns;
//! - [`limits`], [`permissions`], [`trace`], [`reports`], [`signals`],
//!   [`formatter`].

pub(crate) mod compile;
mod diagnostics;
pub mod engine;
mod error;
pub mod formatter;
pub mod host;
#[cfg(test)]
mod layers;
pub mod limits;
/// `tasks lsp`: the language server.
#[cfg(feature = "cli")]
pub mod lsp;
mod modules;
pub mod permissions;
pub(crate) mod runtime;
pub(crate) mod scheduler;
mod stdlib;
pub(crate) mod syntax;
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
pub use runtime::native::function::{NativeFuture, NativeResult};
pub use runtime::native::module::Module;
pub use runtime::native::signature::Signature;
pub use runtime::stream::NativeStream;
pub use runtime::values::str::Str;
pub use runtime::values::value::{Key, ListItems, MapTable, Value};

/// Reports a front (the `tasks` command, a host's own) shows outside a
/// script's run, in the look of the engine's own: a source that is not
/// UTF-8, a program stopped by a signal.
pub mod reports {
    pub use crate::diagnostics::{not_utf8, stopped_by_signal, Style};
}

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

    /// Whether this process is a child subreaper ([`become_subreaper`]).
    pub fn is_subreaper() -> bool {
        crate::stdlib::process::is_subreaper()
    }

    /// SIGKILLs every descendant of `root` (found through `/proc` on
    /// Linux), and `root` itself if `with_root`; returns how many it
    /// signalled. `root` must be a process whose id cannot be reused
    /// meanwhile: an unreaped child of ours, or this process.
    pub fn kill_tree(root: i32, with_root: bool) -> usize {
        crate::stdlib::process::kill_tree(root, with_root)
    }

    /// Waits, at most `bound`, until every process [`kill_tree`] (or the
    /// end of a program) killed is dead: a SIGKILL lands only when the
    /// kernel next runs the process.
    pub fn wait_for_killed(bound: std::time::Duration) {
        crate::stdlib::process::wait_for_killed(bound)
    }

    /// The children of `pid` (of all its threads), from `/proc`.
    pub fn children(pid: i32) -> Vec<i32> {
        crate::stdlib::process::children(pid)
    }

    /// Collects `pid`'s exit status if it has exited (`waitpid` with
    /// `WNOHANG`); whether it had.
    pub fn reap_if_exited(pid: i32) -> bool {
        crate::stdlib::process::reap_if_exited(pid)
    }
}
