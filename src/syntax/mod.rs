//! Source text to syntax tree. Knows nothing of running programs.

pub(crate) mod ast;
mod brackets;
pub(crate) mod command;
pub(crate) mod depth;
pub(crate) mod error;
pub(crate) mod habits;
pub(crate) mod lex;
pub(crate) mod parser;
mod source_check;

pub(crate) use ast::Span;
pub(crate) use error::SyntaxError;
pub(crate) use parser::parse_program;

/// Below this much stack left, parsing and compiling move to a fresh one.
const RED_ZONE: usize = 4 << 20;
/// The fresh stack's size (mapped lazily: only what is touched is used).
const GROWN: usize = 64 << 20;

/// Runs `f` (a parse or a compile) with room for the deepest program the
/// checks before parsing accept. pest recurses through a dozen rules per
/// level of nesting, and 200 levels need about 1.5 MB; the `tasks`
/// command parses on a big stack, but a host may call `eval` on a thread
/// with less (a Rust thread's default is 2 MB; it overflowed and aborted
/// the host at 1 MB). With less than [`RED_ZONE`] left, `f` runs on a
/// stack of [`GROWN`] bytes instead (the `stacker` crate, as rustc uses
/// it); otherwise this is one comparison.
pub(crate) fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, GROWN, f)
}
