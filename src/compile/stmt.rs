//! Lowering statements: control flow, loops, `try`/`catch`/`finally` (with
//! `finally` copied onto every exit path). Blocks with an exit (`with`,
//! `group`) are in `scoped.rs`.

use super::code::Op;
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    // ------------------------------------------------------------ statements

    pub(super) fn stmt(&mut self, s: &'a Stmt) -> CResult<()> {
        let start = self.here();
        self.stmt_kind(s)?;
        let end = self.here();
        let f = self.f();
        f.stmt_ranges.push((start as u32, end as u32));
        f.stmt_spans.push(s.span);
        Ok(())
    }

    fn stmt_kind(&mut self, s: &'a Stmt) -> CResult<()> {
        match &s.kind {
            StmtKind::Let { name, value } => {
                match value {
                    Some(v) => self.let_value(&[name], v)?,
                    None => {
                        self.emit(Op::Nil, s.span);
                    }
                }
                self.store_var(name, true)?;
                self.set_fn_kind(name, None);
            }
            StmtKind::LetUnpack { pattern, value } => {
                let names = pattern.names();
                self.let_value(&names, value)?;
                self.store_pattern(pattern, true)?;
                for name in names {
                    self.set_fn_kind(name, None);
                }
            }
            StmtKind::AssignUnpack { pattern, value } => {
                self.expr(value)?;
                self.store_pattern(pattern, false)?;
            }
            StmtKind::Fn(_) | StmtKind::Struct(_) => {} // hoisted by the enclosing block
            StmtKind::Import {
                path_span, alias, ..
            } => self.import_stmt(*path_span, alias, s.span)?,
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, s.span)?,
            StmtKind::Expr(e) => {
                let undefined = self.undefined.len();
                self.expr(e)?;
                let callable = match &e.kind {
                    ExprKind::Var(name) => self.names_a_function(name),
                    _ => false,
                };
                let caught = self.f().unwind.iter().any(|u| matches!(u, Unwind::Handler));
                let useless = super::effect::useless_statement(e, self.text, callable, caught);
                // An undefined name in it is the mistake to report.
                let useless = useless.filter(|_| self.undefined.len() == undefined);
                if let Some(useless) = useless {
                    return Err(useless);
                }
                if let Some(w) = self.discarded_coroutine(e) {
                    self.dropped_coroutines.push(w.span);
                    self.warnings.push(w);
                }
                self.emit(Op::Pop, s.span);
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond)?;
                let to_else = self.emit(Op::JumpIfFalse(0), cond.span);
                self.block(then)?;
                match otherwise {
                    Some(other) => {
                        let to_end = self.emit(Op::Jump(0), s.span);
                        self.patch(to_else);
                        self.f().enter_scope();
                        self.stmt(other)?;
                        self.f().leave_scope();
                        self.patch(to_end);
                    }
                    None => self.patch(to_else),
                }
            }
            StmtKind::While { cond, body } => {
                let start = self.here();
                self.expr(cond)?;
                let exit = self.emit(Op::JumpIfFalse(0), cond.span);
                self.loop_body(body, start)?;
                self.emit(Op::Jump(start as u32), s.span);
                self.patch(exit);
                self.finish_loop();
            }
            StmtKind::For {
                target,
                iter,
                body,
                awaits: false,
            } => self.for_loop(target, iter, body, s.span)?,
            StmtKind::For {
                target,
                iter,
                body,
                awaits: true,
            } => self.for_await(target, iter, body, s.span)?,
            StmtKind::Try {
                body,
                catches,
                finally,
            } => self.try_stmt(body, catches, finally.as_ref(), s.span)?,
            StmtKind::Return(value) => {
                if self.f().is_main {
                    return Err(err(
                        "`return` outside a function",
                        s.span,
                        "the top level of a script cannot return",
                    ));
                }
                match value {
                    Some(v) => self.expr(v)?,
                    None => {
                        self.emit(Op::Nil, s.span);
                    }
                }
                if !self.f().unwind.is_empty() {
                    let tmp = self.temp();
                    self.emit(Op::StoreLocal(tmp), s.span);
                    self.unwind_to(0, s.span)?;
                    self.emit(Op::LoadLocal(tmp), s.span);
                }
                self.emit(Op::Return, s.span);
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                let word = if is_break { "break" } else { "continue" };
                let Some(depth) = self.f().loops.last().map(|l| l.unwind_depth) else {
                    return Err(err(
                        format!("`{word}` outside a loop"),
                        s.span,
                        "not inside a `while` or `for`",
                    ));
                };
                self.unwind_to(depth, s.span)?;
                if is_break {
                    let at = self.emit(Op::Jump(0), s.span);
                    self.f().loops.last_mut().expect("loop").breaks.push(at);
                } else {
                    let target = self.f().loops.last().expect("loop").continue_target;
                    self.emit(Op::Jump(target as u32), s.span);
                }
            }
            StmtKind::Throw(e) => {
                self.expr(e)?;
                self.emit(Op::Throw, s.span);
            }
            StmtKind::Group { name, body } => self.group(name.as_ref(), body, s.span)?,
            StmtKind::With { scope, body } => self.with_stmt(scope, body, s.span)?,
            StmtKind::Block(b) => self.block(b)?,
        }
        Ok(())
    }

    /// A `let`'s right-hand side, which sees the bindings outside the
    /// names it declares.
    fn let_value(&mut self, names: &[&Ident], value: &'a Expr) -> CResult<()> {
        let mut pending = Vec::with_capacity(names.len());
        for name in names {
            match self.resolve(name) {
                Some(VarRef::Local(i)) => pending.push(PendingLet::Local(i)),
                Some(VarRef::Global(g)) => pending.push(PendingLet::Global(g)),
                _ => {}
            }
        }
        let outer = std::mem::replace(&mut self.f().pending_let, pending);
        let r = self.expr(value);
        self.f().pending_let = outer;
        r
    }

    /// Stores the value on top of the stack into a pattern: a name, an
    /// index or a field (its parts evaluated now, after the value, as
    /// Python does), or a list of patterns, unpacked left to right.
    pub(super) fn store_pattern(&mut self, p: &'a Pattern, declaring: bool) -> CResult<()> {
        match p {
            Pattern::Name(name) => self.store_var(name, declaring),
            Pattern::Place(e) => {
                let tmp = self.temp();
                self.emit(Op::StoreLocal(tmp), e.span);
                match &e.kind {
                    ExprKind::Index { target, index } => {
                        self.expr(target)?;
                        self.expr(index)?;
                        self.emit(Op::LoadLocal(tmp), e.span);
                        self.emit(Op::StoreIndex, e.span);
                    }
                    ExprKind::Field { target, name } => {
                        let k = self.field_name(name)?;
                        self.expr(target)?;
                        self.emit(Op::LoadLocal(tmp), e.span);
                        self.emit(Op::SetField(k), e.span);
                    }
                    _ => unreachable!("a place pattern holds an index or a field"),
                }
                Ok(())
            }
            Pattern::List(items, span) => {
                let n = items.len() as u32;
                let op = match items.iter().position(|p| matches!(p, Pattern::Star(_))) {
                    Some(at) => Op::UnpackStar {
                        before: at as u32,
                        after: n - at as u32 - 1,
                    },
                    None => Op::Unpack(n),
                };
                self.emit(op, *span);
                for item in items {
                    self.store_pattern(item, declaring)?;
                }
                Ok(())
            }
            // `UnpackStar` left the starred items' list where this item is.
            Pattern::Star(inner) => self.store_pattern(inner, declaring),
        }
    }

    pub(super) fn assign(
        &mut self,
        target: &'a Expr,
        op: AssignOp,
        value: &'a Expr,
        span: Span,
    ) -> CResult<()> {
        let bin = match op {
            AssignOp::Set => None,
            AssignOp::Add => Some(Op::Add),
            AssignOp::Sub => Some(Op::Sub),
            AssignOp::Mul => Some(Op::Mul),
            AssignOp::Div => Some(Op::Div),
            AssignOp::FloorDiv => Some(Op::FloorDiv),
            AssignOp::Mod => Some(Op::Mod),
        };
        match &target.kind {
            ExprKind::Var(name) => {
                let Some(b) = bin else {
                    self.expr(value)?;
                    return self.store_var(name, false);
                };
                let load = self.here();
                self.load_var(name)?;
                self.expr(value)?;
                self.emit(b, span);
                let store = self.here();
                self.store_var(name, false)?;
                // Only a local can fuse (its load is a `Nop` until the
                // local's kind is known); a global's would be dropped
                // later, and a program of `x += 1` lines kept millions.
                if self.f().code[load] == Op::Nop {
                    self.f().aug_stores.push((load, store));
                }
                Ok(())
            }
            ExprKind::Index { target: obj, index } => {
                let load = self.f().code.len();
                self.expr(obj)?;
                self.expr(index)?;
                let fusable = bin.is_none()
                    && matches!(obj.kind, ExprKind::Var(_))
                    && matches!(index.kind, ExprKind::Str(_));
                if let Some(b) = bin {
                    self.emit(Op::Dup2, span);
                    self.emit(Op::Index, target.span);
                    self.expr(value)?;
                    self.emit(b, span);
                } else {
                    self.expr(value)?;
                }
                let store = self.emit(Op::StoreIndex, target.span);
                if fusable {
                    self.f().const_stores.push((load, store));
                }
                Ok(())
            }
            ExprKind::Field { target: obj, name } => {
                if let ExprKind::Var(m) = &obj.kind {
                    if self.is_module_alias(m) {
                        let mut e = err(
                            format!("cannot assign to `{}.{}`", m.name, name.name),
                            target.span,
                            "a member of an imported module",
                        );
                        e.help = Some(
                            "a module's names are read-only from outside it: give it a function that sets them"
                                .into(),
                        );
                        return Err(e);
                    }
                }
                let k = self.field_name(name)?;
                self.expr(obj)?;
                if let Some(b) = bin {
                    self.emit(Op::Dup, span);
                    self.emit(Op::GetField(k), target.span);
                    self.expr(value)?;
                    self.emit(b, span);
                } else {
                    self.expr(value)?;
                }
                self.emit(Op::SetField(k), target.span);
                Ok(())
            }
            _ => Err(err(
                "cannot assign to this expression",
                target.span,
                "not a variable or an index",
            )),
        }
    }

    /// Emits what leaving the constructs above `depth` requires: popping
    /// handlers, running `finally` blocks and joining task groups.
    pub(super) fn unwind_to(&mut self, depth: usize, span: Span) -> CResult<()> {
        let mut i = self.f().unwind.len();
        while i > depth {
            i -= 1;
            match self.f().unwind[i] {
                Unwind::Handler => {
                    self.emit(Op::PopHandler, span);
                }
                Unwind::Finally(block) => {
                    self.emit(Op::PopHandler, span);
                    let saved = self.f().unwind.split_off(i);
                    self.block(block)?;
                    self.f().unwind.extend(saved);
                }
                Unwind::Group(slot) => {
                    self.leave_group(slot, span);
                }
                Unwind::With(slot) => {
                    self.leave_with(slot, span);
                }
                Unwind::Stream(slot) => {
                    self.emit(Op::PopHandler, span);
                    self.close_stream(slot, span);
                }
            }
        }
        Ok(())
    }

    pub(super) fn loop_body(&mut self, body: &'a Block, continue_target: usize) -> CResult<()> {
        let depth = self.f().unwind.len();
        self.f().loops.push(LoopCtx {
            unwind_depth: depth,
            breaks: Vec::new(),
            continue_target,
        });
        self.block(body)
    }

    pub(super) fn finish_loop(&mut self) {
        let ctx = self.f().loops.pop().expect("loop");
        for b in ctx.breaks {
            self.patch(b);
        }
    }

    /// The head of a `for` loop and of a comprehension's `for` clause: the
    /// iterator, the step that ends the loop (patched by the caller) and
    /// the loop variables, bound in a scope of their own per iteration.
    /// Returns where the loop jumps back to and the step to patch.
    pub(super) fn for_header(
        &mut self,
        target: &'a Pattern,
        iter: &'a Expr,
    ) -> CResult<(usize, usize)> {
        self.expr(iter)?;
        self.emit(Op::IterStart, iter.span);
        let top = self.here();
        let next = self.emit(Op::IterNext(0), iter.span);
        self.bind_loop_target(target)?;
        Ok((top, next))
    }

    /// Opens the loop body's scope and stores the item on the stack into
    /// the loop's variables (`for` and `for await`), declared afresh.
    pub(super) fn bind_loop_target(&mut self, target: &'a Pattern) -> CResult<()> {
        self.f().enter_scope();
        for n in target.names() {
            let i = self.declare_local(n, true);
            let at = self.emit(Op::Nop, n.span);
            self.f().locals[i].sites.push((at, Site::Decl));
        }
        self.store_pattern(target, true)
    }

    pub(super) fn for_loop(
        &mut self,
        target: &'a Pattern,
        iter: &'a Expr,
        body: &'a Block,
        span: Span,
    ) -> CResult<()> {
        let (top, next) = self.for_header(target, iter)?;
        self.loop_body(body, top)?;
        self.f().leave_scope();
        self.emit(Op::Jump(top as u32), span);
        // Both `break` and exhaustion land here with the iterator on the stack.
        self.patch(next);
        self.finish_loop();
        self.emit(Op::Pop, span);
        Ok(())
    }

    pub(super) fn try_stmt(
        &mut self,
        body: &'a Block,
        catches: &'a [CatchClause],
        finally: Option<&'a Block>,
        span: Span,
    ) -> CResult<()> {
        let fin_handler = match finally {
            Some(f) => {
                let at = self.emit(Op::PushHandler(0), span);
                self.f().unwind.push(Unwind::Finally(f));
                Some(at)
            }
            None => None,
        };
        if catches.is_empty() {
            self.block(body)?;
        } else {
            let handler = self.emit(Op::PushHandler(0), span);
            self.f().unwind.push(Unwind::Handler);
            self.block(body)?;
            self.f().unwind.pop();
            self.emit(Op::PopHandler, span);
            let mut to_done = vec![self.emit(Op::Jump(0), span)];
            self.patch(handler);
            for clause in catches {
                self.emit(Op::Dup, clause.span);
                let kinds = if clause.kinds.is_empty() {
                    u32::MAX
                } else {
                    let kinds = clause.kinds.iter().map(|k| k.name.clone()).collect();
                    self.constant(Const::Names(kinds))
                };
                self.emit(Op::CatchMatch(kinds), clause.span);
                let next = self.emit(Op::JumpIfFalse(0), clause.span);
                self.f().enter_scope();
                check_catch_binding(clause)?;
                match &clause.binding {
                    Some(b) => {
                        let i = self.declare_local(b, true);
                        let at = self.emit(Op::Nop, b.span);
                        self.f().locals[i].sites.push((at, Site::Decl));
                        self.store_var(b, true)?;
                    }
                    None => {
                        self.emit(Op::Pop, clause.span);
                    }
                }
                self.block(&clause.body)?;
                self.f().leave_scope();
                to_done.push(self.emit(Op::Jump(0), clause.span));
                self.patch(next);
            }
            self.emit(Op::Rethrow, span);
            for j in to_done {
                self.patch(j);
            }
        }
        if let (Some(handler), Some(fin)) = (fin_handler, finally) {
            self.f().unwind.pop();
            self.emit(Op::PopHandler, span);
            self.block(fin)?;
            let to_end = self.emit(Op::Jump(0), span);
            self.patch(handler);
            let tmp = self.temp();
            self.emit(Op::StoreLocal(tmp), span);
            self.block(fin)?;
            self.emit(Op::LoadLocal(tmp), span);
            self.emit(Op::Rethrow, span);
            self.patch(to_end);
        }
        Ok(())
    }
}

/// `catch KeyError { }` names a variable, which catches every error: a
/// variable spelled like an error kind was meant as the kind.
fn check_catch_binding(clause: &CatchClause) -> CResult<()> {
    let Some(b) = &clause.binding else {
        return Ok(());
    };
    if !clause.kinds.is_empty() || !names::looks_like_error_kind(&b.name) {
        return Ok(());
    }
    let mut e = err(
        format!("`catch {}` names a variable, not an error kind", b.name),
        b.span,
        "this catches every error, binding it to a variable with this name",
    );
    e.help = Some(format!("did you mean 'catch e: {}'?", b.name));
    Err(e)
}
