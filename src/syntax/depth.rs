//! How deep the syntax tree may nest. The compiler walks the tree
//! recursively and so does dropping it, so a tree deeper than the stack
//! allows (a million `+ 1`, `()` or `else if` in a row) is refused while
//! it is built, with a syntax error, before it can exist.

use super::ast::Span;
use super::error::SyntaxError;
use std::cell::Cell;

/// The deepest tree accepted (LANGUAGE.md, "Limits"). Each statement
/// inside a block, each operator of a chain (`a + b + c` is two), each
/// call, index or method of a chain (`f()()` is two), each `else if` and
/// each bracket counts as one level.
pub(crate) const MAX_DEPTH: usize = 1000;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Levels entered while building a node; left again when dropped.
pub(crate) struct Guard(usize);

/// Enters `levels` levels for the node at `span`, or fails when that goes
/// past [`MAX_DEPTH`].
pub(crate) fn enter(levels: usize, span: Span) -> Result<Guard, SyntaxError> {
    DEPTH.with(|d| {
        let now = d.get() + levels;
        if now > MAX_DEPTH {
            let start = span.start as usize;
            let mut e = SyntaxError::new(
                "the program nests too deeply",
                Span::new(start, start + 1),
                format!("more than {MAX_DEPTH} levels deep here"),
            );
            e.help = Some(
                "split it into smaller pieces with `let` or functions \
                 (each operator of a chain like `a + b + c` is a level)"
                    .into(),
            );
            return Err(e);
        }
        d.set(now);
        Ok(Guard(levels))
    })
}

impl Drop for Guard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - self.0));
    }
}
