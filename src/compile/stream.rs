//! Lowering `for await x in stream { body }` (LANGUAGE.md, Streams).
//!
//! The stream is kept in a local; each turn asks it for its next item and
//! awaits it (`StreamNext`, `Await`: a native stream hands a ready item
//! over without a coroutine or a wait), and `nil` ends the loop. The body
//! runs under a handler, as a `with` block's does, so that every way out
//! — the end, `break`, `return`, an error, a cancellation — closes the
//! stream (`StreamClose`, awaited when the stream's `close` is async).

use super::code::{Const, Op};
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    pub(super) fn for_await(
        &mut self,
        target: &'a Pattern,
        iter: &'a Expr,
        body: &'a Block,
        span: Span,
    ) -> CResult<()> {
        self.need_async(
            "`for await`",
            span,
            "each item is awaited, so the loop needs an async context",
        )?;
        let slot = self.temp();
        self.expr(iter)?;
        self.emit(Op::StreamStart(slot), iter.span);
        self.guarded(
            Unwind::Stream(slot),
            span,
            |c| {
                let next = c.method_const("next");
                let top = c.here();
                c.emit(Op::StreamNext { slot, name: next }, iter.span);
                c.emit(Op::Await, iter.span);
                let end = c.emit(Op::JumpIfNil(0), iter.span);
                c.bind_loop_target(target)?;
                c.loop_body(body, top)?;
                c.f().leave_scope();
                c.emit(Op::Jump(top as u32), span);
                // The end of the stream and `break` meet here, the stack
                // as it was before the loop.
                c.patch(end);
                c.finish_loop();
                Ok(())
            },
            |c| {
                c.emit(Op::PopHandler, span);
                c.close_stream(slot, span);
            },
            |c| {
                let error = c.temp();
                c.emit(Op::StoreLocal(error), span);
                c.close_stream(slot, span);
                c.emit(Op::LoadLocal(error), span);
                c.emit(Op::Rethrow, span);
            },
        )
    }

    /// Closes the stream in `slot` and drops what closing returned.
    pub(super) fn close_stream(&mut self, slot: u32, span: Span) {
        let close = self.method_const("close");
        self.emit(Op::StreamClose { slot, name: close }, span);
        self.emit(Op::AwaitMaybe, span);
        self.emit(Op::Pop, span);
    }

    /// A method's name and builtin id as two consts, as `CallAttr` reads them.
    fn method_const(&mut self, name: &str) -> u32 {
        let builtin = self.globals.natives.method_id(name);
        let k = self.constant(Const::Str(name.into()));
        self.constant(Const::Int(builtin.map_or(-1, i64::from)));
        k
    }
}
