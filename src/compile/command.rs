//! Lowering templates: f-strings, and `sh"grep -c {pattern} {file}"`
//! commands (LANGUAGE.md, Processes): the list `["sh", "-c", line]`, where
//! `line` is the template's text with each value put in by `process.quote`
//! (one word for `sh`; a list's items one word each). The parser has
//! checked that no value stands where the shell would not read its quotes
//! (`syntax/command.rs`).

use super::code::{Const, Op};
use super::*;

impl<'a, 'g> Compiler<'a, 'g> {
    pub(super) fn command(&mut self, parts: &'a [FPart], sp: Span) -> CResult<()> {
        let quote = self
            .globals
            .natives
            .modules
            .get("process")
            .and_then(|m| m.get("quote"))
            .copied();
        let Some(quote) = quote else {
            return Err(err(
                "a sh\"…\" command needs the `process` module",
                sp,
                "this engine has no `process` module",
            ));
        };
        for word in ["sh", "-c"] {
            let k = self.constant(Const::Str(word.into()));
            self.emit(Op::Const(k), sp);
        }
        self.template(parts, sp, Some(quote))?;
        self.emit(Op::MakeList(3), sp);
        Ok(())
    }

    /// An f-string's parts, then their `Concat`. With `quote` (a `sh"…"`
    /// command's `process.quote`), each value is passed to that native
    /// instead of being formatted: it makes a list several words.
    pub(super) fn template(
        &mut self,
        parts: &'a [FPart],
        sp: Span,
        quote: Option<u32>,
    ) -> CResult<()> {
        for p in parts {
            match p {
                FPart::Text(t) => {
                    let k = self.constant(Const::Str(t.as_str().into()));
                    self.emit(Op::Const(k), sp);
                }
                FPart::Expr { expr, repr, spec } => {
                    if let Some(q) = quote {
                        let k = self.constant(Const::Native(q));
                        self.emit(Op::Const(k), expr.span);
                    }
                    self.expr(expr)?;
                    if *repr {
                        self.emit(Op::Repr, expr.span);
                    }
                    let spec = spec
                        .as_ref()
                        .map(|s| self.constant(Const::Str(s.as_str().into())));
                    // A command passes a value with no spec as it is.
                    match (spec, quote) {
                        (None, Some(_)) => {}
                        (k, _) => {
                            self.emit(Op::Format(k.unwrap_or(u32::MAX)), expr.span);
                        }
                    }
                    if quote.is_some() {
                        self.emit(Op::Call(1), expr.span);
                    }
                }
            }
        }
        self.emit(Op::Concat(parts.len() as u32), sp);
        Ok(())
    }
}
