//! Lowering functions and expressions.

use super::code::Op;
use super::*;
use crate::syntax::ast::*;

/// What a comprehension makes from each combination of its clauses.
pub(super) enum Comp<'a> {
    List(&'a Expr),
    Map(&'a Expr, &'a Expr),
}

impl<'a, 'g> Compiler<'a, 'g> {
    // ---------------------------------------------------------- comprehensions

    /// `[item for x in xs if c]` and `{k: v for ...}`, lowered inline as
    /// nested `for` loops (so `await` works in an async function, and each
    /// iteration has its own variables, as a `for` body's) that add to a
    /// list or map kept in a temporary local.
    pub(super) fn comprehension(
        &mut self,
        clauses: &'a [CompClause],
        make: Comp<'a>,
        sp: Span,
    ) -> CResult<()> {
        let acc = self.temp();
        let empty = match make {
            Comp::List(_) => Op::MakeList(0),
            Comp::Map(..) => Op::MakeMap(0),
        };
        self.emit(empty, sp);
        self.emit(Op::StoreLocal(acc), sp);
        self.comp_clauses(clauses, &make, acc)?;
        self.emit(Op::LoadLocal(acc), sp);
        // The temporary lets go of the result (a big list would otherwise
        // live as long as the frame).
        self.emit(Op::Nil, sp);
        self.emit(Op::StoreLocal(acc), sp);
        Ok(())
    }

    fn comp_clauses(
        &mut self,
        clauses: &'a [CompClause],
        make: &Comp<'a>,
        acc: u32,
    ) -> CResult<()> {
        let Some((first, rest)) = clauses.split_first() else {
            match make {
                Comp::List(item) => {
                    self.expr(item)?;
                    self.emit(Op::ListAppend(acc), item.span);
                }
                Comp::Map(key, value) => {
                    self.expr(key)?;
                    self.expr(value)?;
                    self.emit(Op::MapInsert(acc), key.span);
                }
            }
            return Ok(());
        };
        match first {
            CompClause::If(cond) => {
                self.expr(cond)?;
                let skip = self.emit(Op::JumpIfFalse(0), cond.span);
                self.comp_clauses(rest, make, acc)?;
                self.patch(skip);
            }
            CompClause::For { target, iter } => {
                let (top, next) = self.for_header(target, iter)?;
                self.comp_clauses(rest, make, acc)?;
                self.f().leave_scope();
                self.emit(Op::Jump(top as u32), iter.span);
                self.patch(next);
                self.emit(Op::Pop, iter.span);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ expressions

    /// One line per family: literals and containers here, operators and
    /// reads below, calls in `call.rs`, functions in `function.rs`.
    pub(super) fn expr(&mut self, e: &'a Expr) -> CResult<()> {
        let sp = e.span;
        if self.literal(&e.kind, sp) {
            return Ok(());
        }
        match &e.kind {
            ExprKind::FStr(parts) => self.template(parts, sp, None)?,
            ExprKind::Command(parts) => self.command(parts, sp)?,
            ExprKind::Var(name) => self.load_var(name)?,
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i)?;
                }
                self.emit(Op::MakeList(items.len() as u32), sp);
            }
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    self.expr(k)?;
                    self.expr(v)?;
                }
                let n = entries.len() as u32;
                let make = if distinct_str_keys(entries) {
                    Op::MakeMapStrs(n)
                } else {
                    Op::MakeMap(n)
                };
                self.emit(make, sp);
            }
            ExprKind::ListComp { item, clauses } => {
                self.comprehension(clauses, Comp::List(item), sp)?
            }
            ExprKind::MapComp {
                key,
                value,
                clauses,
            } => self.comprehension(clauses, Comp::Map(key, value), sp)?,
            ExprKind::Fn(def) => self.function(def)?,
            ExprKind::AsyncBlock(def) => {
                self.function(def)?;
                self.emit(Op::Call(0), sp);
            }
            ExprKind::IfExpr { cond, then, els } => self.if_expr(cond, then, els, sp)?,
            ExprKind::Unary { operand, .. } => self.unary(operand, Op::Neg, sp)?,
            ExprKind::Not(operand) => self.unary(operand, Op::Not, sp)?,
            ExprKind::Binary { op, left, right } => self.binary(op, left, right, sp)?,
            ExprKind::And(l, r) => self.short_circuit(l, r, Op::JumpIfFalseOrPop(0), sp)?,
            ExprKind::Or(l, r) => self.short_circuit(l, r, Op::JumpIfTrueOrPop(0), sp)?,
            ExprKind::Await(inner) => self.await_expr(inner, sp)?,
            ExprKind::Spawn(inner) => self.spawn(inner, sp)?,
            ExprKind::Call { callee, args } if self.is_main_call(callee, args) => self.is_main(sp),
            ExprKind::Call { callee, args } => self.call(callee, args, sp)?,
            ExprKind::Method {
                receiver,
                name,
                args,
            } => self.method_call(receiver, name, args, sp)?,
            ExprKind::Index { target, index } => {
                self.expr(target)?;
                self.expr(index)?;
                self.emit(Op::Index, sp);
            }
            ExprKind::Slice {
                target,
                start,
                stop,
                step,
            } => self.slice(target, [start, stop, step], sp)?,
            ExprKind::Field { target, name } => self.field(target, name, sp)?,
            ExprKind::Nil
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bytes(_) => unreachable!("a literal, lowered above"),
        }
        Ok(())
    }

    /// The const of a number literal; `None` for any other expression.
    fn number_literal(&mut self, kind: &ExprKind) -> Option<u32> {
        match kind {
            ExprKind::Int(n) => Some(self.constant(Const::Int(*n))),
            ExprKind::Float(f) => Some(self.constant(Const::Float(*f))),
            _ => None,
        }
    }

    /// A literal's one instruction; false for any other expression.
    fn literal(&mut self, kind: &ExprKind, sp: Span) -> bool {
        let op = match kind {
            ExprKind::Nil => Op::Nil,
            ExprKind::Bool(true) => Op::True,
            ExprKind::Bool(false) => Op::False,
            ExprKind::Int(n) => match i32::try_from(*n) {
                Ok(small) => Op::Int(small),
                Err(_) => Op::Const(self.constant(Const::Int(*n))),
            },
            ExprKind::Float(f) => Op::Const(self.constant(Const::Float(*f))),
            ExprKind::Str(s) => Op::Const(self.constant(Const::Str(s.clone()))),
            ExprKind::Bytes(b) => Op::Const(self.constant(Const::Bytes(b.clone()))),
            _ => return false,
        };
        self.emit(op, sp);
        true
    }

    // ------------------------------------------------------------ operators

    /// `a if cond else b`.
    fn if_expr(&mut self, cond: &'a Expr, then: &'a Expr, els: &'a Expr, sp: Span) -> CResult<()> {
        self.expr(cond)?;
        let to_else = self.emit(Op::JumpIfFalse(0), cond.span);
        self.expr(then)?;
        let to_end = self.emit(Op::Jump(0), sp);
        self.patch(to_else);
        self.expr(els)?;
        self.patch(to_end);
        Ok(())
    }

    fn unary(&mut self, operand: &'a Expr, op: Op, sp: Span) -> CResult<()> {
        self.expr(operand)?;
        self.emit(op, sp);
        Ok(())
    }

    fn binary(&mut self, op: &BinOp, left: &'a Expr, right: &'a Expr, sp: Span) -> CResult<()> {
        // `1.0 / x`: a literal is pushed by no instruction of its own (it
        // can neither fail nor be told apart when it is read).
        if let (BinOp::Div, Some(k)) = (op, self.number_literal(&left.kind)) {
            self.expr(right)?;
            self.emit(Op::ConstDiv(k), sp);
            return Ok(());
        }
        self.expr(left)?;
        self.expr(right)?;
        let op = match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            BinOp::Div => Op::Div,
            BinOp::FloorDiv => Op::FloorDiv,
            BinOp::Mod => Op::Mod,
            BinOp::Pow => Op::Pow,
            BinOp::Eq => Op::Eq,
            BinOp::Ne => Op::Ne,
            BinOp::Lt => Op::Lt,
            BinOp::Le => Op::Le,
            BinOp::Gt => Op::Gt,
            BinOp::Ge => Op::Ge,
            BinOp::In => Op::In,
            BinOp::NotIn => {
                self.emit(Op::In, sp);
                Op::Not
            }
        };
        self.emit(op, sp);
        Ok(())
    }

    /// `l and r`, `l or r`: `jump` keeps `l` and skips `r` when it decides.
    fn short_circuit(&mut self, l: &'a Expr, r: &'a Expr, jump: Op, sp: Span) -> CResult<()> {
        self.expr(l)?;
        let at = self.emit(jump, sp);
        self.expr(r)?;
        self.patch(at);
        Ok(())
    }

    // ---------------------------------------------------------------- reads

    /// `x[start:stop:step]`, a part left out passed as `nil`.
    fn slice(
        &mut self,
        target: &'a Expr,
        parts: [&'a Option<Box<Expr>>; 3],
        sp: Span,
    ) -> CResult<()> {
        self.expr(target)?;
        for part in parts {
            match part {
                Some(e) => self.expr(e)?,
                None => {
                    self.emit(Op::Nil, sp);
                }
            }
        }
        self.emit(Op::Slice, sp);
        Ok(())
    }

    /// `x.name`: a module's global or member, else a record's field.
    fn field(&mut self, target: &'a Expr, name: &'a Ident, sp: Span) -> CResult<()> {
        if let Some(slot) = self.module_slot(target, name)? {
            self.emit(Op::LoadGlobal(slot), sp);
            return Ok(());
        }
        if let Some(f) = self.module_member(target, name, "member")? {
            let k = self.constant(f);
            self.emit(Op::Const(k), sp);
            return Ok(());
        }
        let k = self.field_name(name).map_err(|mut e| {
            let receiver = self
                .text
                .get(target.span.start as usize..target.span.end as usize);
            let habit = crate::syntax::habits::for_field(&name.name, receiver.unwrap_or("x"));
            e.help = habit.or(e.help);
            e
        })?;
        self.expr(target)?;
        self.emit(Op::GetField(k), sp);
        Ok(())
    }

    /// The const holding a field's name, once the name is known to be some
    /// struct's field (a typo is caught before running).
    pub(super) fn field_name(&mut self, name: &Ident) -> CResult<u32> {
        if !self.globals.fields.contains(&name.name) {
            let mut e = err(
                format!("no struct has a field `{}`", name.name),
                name.span,
                "unknown field",
            );
            let fields = self.globals.fields.iter().map(|f| &**f);
            let is_method = self.globals.natives.method_id(&name.name).is_some();
            e.help = Some(match names::closest(&name.name, fields) {
                Some(best) => format!("did you mean `{best}`?"),
                // `r.stdout` for the method `r.stdout()` (a process result).
                None if is_method => format!(
                    "`{0}` is a method, not a field: call it, `.{0}()`; a map's entries are read by key: `m[\"{0}\"]`",
                    name.name
                ),
                None => format!(
                    "`.{0}` reads a field of a record (see `struct`); a map's entries are read by key: `m[\"{0}\"]`",
                    name.name
                ),
            });
            return Err(e);
        }
        Ok(self.constant(Const::Str(name.name.clone())))
    }
}

/// Whether a map literal's keys are all string literals, no two alike
/// (`{"id": i, "name": n}`): the map is then built without checking or
/// comparing its keys (`Op::MakeMapStrs`).
fn distinct_str_keys(entries: &[(Expr, Expr)]) -> bool {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .all(|(k, _)| matches!(&k.kind, ExprKind::Str(s) if seen.insert(s.clone())))
}
