//! Lowering `sh"grep -c {pattern} {file}"` (LANGUAGE.md, Processes): the
//! list `["sh", "-c", line]`, where `line` is the template's text with each
//! value put in by `process.quote` (one word for `sh`; a list's items one
//! word each). The parser has checked that no value stands where the shell
//! would not read its quotes (`syntax/command.rs`).

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
        for p in parts {
            match p {
                FPart::Text(t) => {
                    let k = self.constant(Const::Str(t.as_str().into()));
                    self.emit(Op::Const(k), sp);
                }
                FPart::Expr { expr, repr, spec } => {
                    let k = self.constant(Const::Native(quote));
                    self.emit(Op::Const(k), expr.span);
                    self.expr(expr)?;
                    if *repr {
                        self.emit(Op::Repr, expr.span);
                    }
                    if let Some(s) = spec {
                        let k = self.constant(Const::Str(s.as_str().into()));
                        self.emit(Op::Format(k), expr.span);
                    }
                    self.emit(Op::Call(1), expr.span);
                }
            }
        }
        self.emit(Op::Concat(parts.len() as u32), sp);
        self.emit(Op::MakeList(3), sp);
        Ok(())
    }
}
