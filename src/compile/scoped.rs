//! Lowering the blocks with an exit: `with scope { }` and `group { }`,
//! and the shape they share with `for await` ([`Compiler::guarded`]): the
//! body runs under an error handler, and every way out — the end,
//! `break`, `continue`, `return`, an error, a cancellation — leaves
//! through the block's exit.

use super::code::Op;
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    /// Leaves a `group { }` normally (or by `break`, `continue`,
    /// `return`): drop its error handler, wait for its tasks, and drop the
    /// wait's result (a statement leaves the stack as it found it).
    pub(super) fn leave_group(&mut self, slot: u32, span: Span) {
        self.emit(Op::PopHandler, span);
        self.emit(
            Op::GroupExit {
                slot,
                failed: false,
            },
            span,
        );
        self.emit(Op::Pop, span);
    }

    /// Leaves a `with` block normally (or by `break`, `continue`,
    /// `return`): drop its error handler, exit the scope object, drop
    /// the exit's result.
    pub(super) fn leave_with(&mut self, slot: u32, span: Span) {
        self.emit(Op::PopHandler, span);
        self.emit(
            Op::WithExit {
                slot,
                failed: false,
            },
            span,
        );
        self.emit(Op::Pop, span);
    }

    /// `with scope { body }`, lowered as `async with` is: evaluate the
    /// scope object once, enter it, run the body under a handler, and exit
    /// on every path (as `finally` does: a normal end, `return`, `break`,
    /// `continue` by [`Self::unwind_to`], an error or a cancellation by
    /// the handler, which gives the error to the exit).
    pub(super) fn with_stmt(
        &mut self,
        scope: &'a Expr,
        body: &'a Block,
        span: Span,
    ) -> CResult<()> {
        self.need_async(
            "`with`",
            span,
            "entering or leaving the block may wait, so it needs an async context",
        )?;
        let slot = self.temp();
        self.expr(scope)?;
        self.emit(Op::StoreLocal(slot), scope.span);
        self.emit(Op::WithEnter(slot), scope.span);
        self.emit(Op::Pop, scope.span);
        self.guarded(
            Unwind::With(slot),
            span,
            |c| c.block(body),
            |c| c.leave_with(slot, span),
            // Throws the error again (or the one the exit replaces it
            // with); the `Pop` balances the stack should the exit return.
            |c| {
                c.emit(Op::WithExit { slot, failed: true }, span);
                c.emit(Op::Pop, span);
            },
        )
    }

    /// Lowers `body` under an error handler with `unwind` on the unwind
    /// stack (so `break`, `continue` and `return` leave by
    /// [`Self::unwind_to`]): `leave` is the normal way out, once the entry
    /// is popped; `failed` the handler's, with the error on the stack.
    /// The shape of `with`, `group` and `for await`.
    pub(super) fn guarded(
        &mut self,
        unwind: Unwind<'a>,
        span: Span,
        body: impl FnOnce(&mut Self) -> CResult<()>,
        leave: impl FnOnce(&mut Self),
        failed: impl FnOnce(&mut Self),
    ) -> CResult<()> {
        let handler = self.emit(Op::PushHandler(0), span);
        self.f().unwind.push(unwind);
        body(self)?;
        self.f().unwind.pop();
        leave(self);
        let to_end = self.emit(Op::Jump(0), span);
        self.patch(handler);
        failed(self);
        self.patch(to_end);
        Ok(())
    }

    /// `what` (`with`, `group`, `for await`) needs an `async fn` around it.
    pub(super) fn need_async(&mut self, what: &str, span: Span, why: &str) -> CResult<()> {
        if self.f().is_async {
            return Ok(());
        }
        Err(err(format!("{what} outside an `async fn`"), span, why))
    }

    pub(super) fn group(
        &mut self,
        name: Option<&Ident>,
        body: &'a Block,
        span: Span,
    ) -> CResult<()> {
        self.need_async(
            "`group`",
            span,
            "a group waits for its tasks, so it needs an async context",
        )?;
        let slot = self.temp();
        self.emit(Op::GroupEnter(slot), span);
        self.guarded(
            Unwind::Group(slot),
            span,
            |c| {
                let saved = c.f().group_slot.replace(slot);
                // `group as g`: the group is a value in a variable of the block's.
                c.f().enter_scope();
                if let Some(b) = name {
                    c.emit(Op::LoadLocal(slot), b.span);
                    let i = c.declare_local(b, true);
                    let at = c.emit(Op::Nop, b.span);
                    c.f().locals[i].sites.push((at, Site::Decl));
                    c.store_var(b, true)?;
                }
                c.block(body)?;
                c.f().leave_scope();
                c.f().group_slot = saved;
                Ok(())
            },
            |c| c.leave_group(slot, span),
            // Rethrows once the tasks end; the `Pop` balances the stack
            // should the wait ever return.
            |c| {
                c.emit(Op::GroupExit { slot, failed: true }, span);
                c.emit(Op::Pop, span);
            },
        )
    }
}
