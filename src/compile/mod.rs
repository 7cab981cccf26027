//! Lowering: the syntax tree becomes flat code with every name resolved to a
//! slot (local, captured cell, upvalue or global). Mistakes that need no
//! running — undefined names, `await` in a plain `fn`, `break` outside a
//! loop — are reported here, before the first statement runs.

pub mod code;
pub mod names;
mod peephole;

use crate::runtime::value::Value;
use crate::syntax::ast::*;
use code::{FnProto, Op, UpvalSource};
use names::Globals;
use std::rc::Rc;

/// A mistake found before running.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

type CResult<T> = Result<T, CompileError>;

fn err(message: impl Into<String>, span: Span, label: impl Into<String>) -> CompileError {
    CompileError {
        message: message.into(),
        span,
        label: label.into(),
        help: None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Site {
    Decl,
    Param,
    Load,
    Store,
}

struct Local {
    name: Rc<str>,
    slot: u32,
    captured: bool,
    declared: bool,
    sites: Vec<(usize, Site)>,
}

enum Unwind<'a> {
    Handler,
    Finally(&'a Block),
    Group(u32),
}

struct LoopCtx {
    unwind_depth: usize,
    breaks: Vec<usize>,
    continue_target: usize,
}

struct FnState<'a> {
    name: Rc<str>,
    code: Vec<Op>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    protos: Vec<Rc<FnProto>>,
    locals: Vec<Local>,
    scopes: Vec<Vec<usize>>,
    upvals: Vec<(Rc<str>, UpvalSource)>,
    loops: Vec<LoopCtx>,
    unwind: Vec<Unwind<'a>>,
    is_async: bool,
    is_main: bool,
    n_slots: u32,
    group_slot: Option<u32>,
}

enum VarRef {
    Local(usize),
    Upval(u32),
    Global(u32),
}

/// Compiles a program against `globals` (which the REPL keeps between inputs).
/// With `echo`, a final expression statement becomes the main body's result.
pub fn compile_program(
    program: &Program,
    globals: &mut Globals,
    source: u32,
    echo: bool,
) -> Result<Rc<FnProto>, CompileError> {
    let mut c = Compiler {
        funcs: Vec::new(),
        globals,
        source,
    };
    c.funcs.push(FnState::new(Rc::from("main"), true, true));
    let stmts = &program.stmts;
    c.predeclare(stmts)?;
    c.hoist_fns(stmts)?;
    let last_expr = if echo {
        stmts
            .iter()
            .rposition(|s| matches!(s.kind, StmtKind::Expr(_)))
    } else {
        None
    };
    let last_expr = last_expr.filter(|i| *i + 1 == stmts.len());
    for (i, s) in stmts.iter().enumerate() {
        if Some(i) == last_expr {
            if let StmtKind::Expr(e) = &s.kind {
                c.expr(e)?;
                c.emit(Op::Return, s.span);
            }
        } else {
            c.stmt(s)?;
        }
    }
    let end = Span::new(0, 0);
    c.emit(Op::Nil, end);
    c.emit(Op::Return, end);
    let f = c.funcs.pop().expect("main");
    Ok(Rc::new(f.finish(&[], 0, source, end)))
}

struct Compiler<'a, 'g> {
    funcs: Vec<FnState<'a>>,
    globals: &'g mut Globals,
    source: u32,
}

impl<'a> FnState<'a> {
    fn new(name: Rc<str>, is_async: bool, is_main: bool) -> Self {
        FnState {
            name,
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            protos: Vec::new(),
            locals: Vec::new(),
            scopes: vec![Vec::new()],
            upvals: Vec::new(),
            loops: Vec::new(),
            unwind: Vec::new(),
            is_async,
            is_main,
            n_slots: 0,
            group_slot: None,
        }
    }

    /// Rewrites every access to a captured local into a cell access.
    fn finish(mut self, params: &[Rc<str>], n_defaults: usize, source: u32, span: Span) -> FnProto {
        for local in &self.locals {
            for &(at, site) in &local.sites {
                self.code[at] = match (site, local.captured) {
                    (Site::Decl, true) => Op::NewCell(local.slot),
                    (Site::Param, true) => Op::BoxLocal(local.slot),
                    (Site::Decl | Site::Param, false) => Op::Nop,
                    (Site::Load, true) => Op::LoadCell(local.slot),
                    (Site::Load, false) => Op::LoadLocal(local.slot),
                    (Site::Store, true) => Op::StoreCell(local.slot),
                    (Site::Store, false) => Op::StoreLocal(local.slot),
                };
            }
        }
        let mut local_names: Vec<Rc<str>> = vec![Rc::from(""); self.n_slots as usize];
        for local in &self.locals {
            local_names[local.slot as usize] = local.name.clone();
        }
        let (code, spans) = peephole::optimize(self.code, self.spans);
        FnProto {
            local_names,
            upval_names: self.upvals.iter().map(|(n, _)| n.clone()).collect(),
            name: self.name,
            params: params.to_vec(),
            n_defaults,
            n_locals: self.n_slots as usize,
            code,
            spans,
            consts: self.consts,
            protos: self.protos,
            upvals: self.upvals.into_iter().map(|(_, u)| u).collect(),
            is_async: self.is_async,
            source,
            span,
        }
    }
}

impl<'a, 'g> Compiler<'a, 'g> {
    fn f(&mut self) -> &mut FnState<'a> {
        self.funcs.last_mut().expect("function")
    }

    fn emit(&mut self, op: Op, span: Span) -> usize {
        let f = self.f();
        f.code.push(op);
        f.spans.push(span);
        f.code.len() - 1
    }

    fn here(&mut self) -> usize {
        self.f().code.len()
    }

    fn patch(&mut self, at: usize) {
        let target = self.here() as u32;
        let f = self.f();
        f.code[at] = match f.code[at] {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfFalseOrPop(_) => Op::JumpIfFalseOrPop(target),
            Op::JumpIfTrueOrPop(_) => Op::JumpIfTrueOrPop(target),
            Op::PushHandler(_) => Op::PushHandler(target),
            Op::IterNext(_) => Op::IterNext(target),
            Op::DefaultArg { slot, .. } => Op::DefaultArg { slot, skip: target },
            other => other,
        };
    }

    fn constant(&mut self, v: Value) -> u32 {
        let f = self.f();
        f.consts.push(v);
        (f.consts.len() - 1) as u32
    }

    fn temp(&mut self) -> u32 {
        let f = self.f();
        f.n_slots += 1;
        f.n_slots - 1
    }

    /// Top-level code of the main program (not inside a nested block) declares globals.
    fn at_global_scope(&self) -> bool {
        self.funcs.len() == 1 && self.funcs[0].scopes.len() == 1
    }

    // ------------------------------------------------------------ declarations

    fn declare_local(&mut self, name: &Ident, declared: bool) -> usize {
        let f = self.f();
        let scope = f.scopes.last().expect("scope");
        if let Some(&i) = scope.iter().find(|&&i| f.locals[i].name == name.name) {
            return i;
        }
        let slot = f.n_slots;
        f.n_slots += 1;
        f.locals.push(Local {
            name: name.name.clone(),
            slot,
            captured: false,
            declared,
            sites: Vec::new(),
        });
        let i = f.locals.len() - 1;
        f.scopes.last_mut().expect("scope").push(i);
        i
    }

    /// Declares the `let` and `fn` names of a block before its code runs, so
    /// functions are hoisted and closures can refer to later variables.
    fn predeclare(&mut self, stmts: &'a [Stmt]) -> CResult<()> {
        let global = self.at_global_scope();
        for s in stmts {
            let (name, is_fn) = match &s.kind {
                StmtKind::Let { name, .. } => (name, false),
                StmtKind::Fn(def) => (def.name.as_ref().expect("declared fn has a name"), true),
                _ => continue,
            };
            if global {
                let g = self.globals.declare(&name.name);
                if is_fn {
                    self.globals.declared[g as usize] = true;
                }
            } else {
                let i = self.declare_local(name, is_fn);
                let at = self.emit(Op::Nop, name.span);
                self.f().locals[i].sites.push((at, Site::Decl));
            }
        }
        Ok(())
    }

    fn hoist_fns(&mut self, stmts: &'a [Stmt]) -> CResult<()> {
        for s in stmts {
            if let StmtKind::Fn(def) = &s.kind {
                self.function(def)?;
                let name = def.name.as_ref().expect("name");
                self.store_var(name, true)?;
            }
        }
        Ok(())
    }

    fn block(&mut self, b: &'a Block) -> CResult<()> {
        self.f().scopes.push(Vec::new());
        self.predeclare(&b.stmts)?;
        self.hoist_fns(&b.stmts)?;
        for s in &b.stmts {
            self.stmt(s)?;
        }
        self.f().scopes.pop();
        Ok(())
    }

    // ------------------------------------------------------------ name lookup

    fn find_local(f: &FnState, name: &str) -> Option<usize> {
        f.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .copied()
            .find(|&i| &*f.locals[i].name == name)
    }

    fn find_upval(&mut self, depth: usize, name: &str) -> Option<u32> {
        if depth == 0 {
            return None;
        }
        if let Some(i) = self.funcs[depth]
            .upvals
            .iter()
            .position(|(n, _)| &**n == name)
        {
            return Some(i as u32);
        }
        let parent = depth - 1;
        let source = if let Some(li) = Self::find_local(&self.funcs[parent], name) {
            self.funcs[parent].locals[li].captured = true;
            UpvalSource {
                from_local: true,
                index: self.funcs[parent].locals[li].slot,
            }
        } else {
            let idx = self.find_upval(parent, name)?;
            UpvalSource {
                from_local: false,
                index: idx,
            }
        };
        let f = &mut self.funcs[depth];
        f.upvals.push((Rc::from(name), source));
        Some((f.upvals.len() - 1) as u32)
    }

    fn resolve(&mut self, name: &Ident) -> Option<VarRef> {
        let depth = self.funcs.len() - 1;
        if let Some(i) = Self::find_local(&self.funcs[depth], &name.name) {
            return Some(VarRef::Local(i));
        }
        if let Some(u) = self.find_upval(depth, &name.name) {
            return Some(VarRef::Upval(u));
        }
        self.globals.lookup(&name.name).map(VarRef::Global)
    }

    fn undefined(&mut self, name: &Ident) -> CompileError {
        let mut candidates: Vec<String> =
            self.globals.names.iter().map(|n| n.to_string()).collect();
        for f in &self.funcs {
            for s in &f.scopes {
                candidates.extend(s.iter().map(|&i| f.locals[i].name.to_string()));
            }
            candidates.extend(f.upvals.iter().map(|(n, _)| n.to_string()));
        }
        candidates.extend(
            crate::runtime::builtins::Builtin::names()
                .iter()
                .map(|s| s.to_string()),
        );
        let mut e = err(
            format!("undefined variable `{}`", name.name),
            name.span,
            "not defined in this scope",
        );
        if let Some(best) = names::closest(&name.name, candidates.iter().map(|s| s.as_str())) {
            e.help = Some(format!("did you mean `{best}`?"));
        }
        e
    }

    fn used_before_let(name: &Ident) -> CompileError {
        let mut e = err(
            format!("`{}` is used before its `let`", name.name),
            name.span,
            "used here before it is declared",
        );
        e.help = Some("move the `let` above this line".into());
        e
    }

    fn load_var(&mut self, name: &Ident) -> CResult<()> {
        match self.resolve(name) {
            Some(VarRef::Local(i)) => {
                if !self.f().locals[i].declared {
                    return Err(Self::used_before_let(name));
                }
                let at = self.emit(Op::Nop, name.span);
                self.f().locals[i].sites.push((at, Site::Load));
            }
            Some(VarRef::Upval(u)) => {
                self.emit(Op::LoadUpval(u), name.span);
            }
            Some(VarRef::Global(g)) => {
                if self.funcs.len() == 1 && !self.globals.declared[g as usize] {
                    return Err(Self::used_before_let(name));
                }
                self.emit(Op::LoadGlobal(g), name.span);
            }
            None => match names::builtin(&name.name) {
                Some(b) => {
                    let k = self.constant(Value::Builtin(b));
                    self.emit(Op::Const(k), name.span);
                }
                None => return Err(self.undefined(name)),
            },
        }
        Ok(())
    }

    /// Stores the top of the stack. `declaring` is true for `let` and `fn`.
    fn store_var(&mut self, name: &Ident, declaring: bool) -> CResult<()> {
        match self.resolve(name) {
            Some(VarRef::Local(i)) => {
                if declaring {
                    self.f().locals[i].declared = true;
                } else if !self.f().locals[i].declared {
                    return Err(Self::used_before_let(name));
                }
                let at = self.emit(Op::Nop, name.span);
                self.f().locals[i].sites.push((at, Site::Store));
            }
            Some(VarRef::Upval(u)) => {
                self.emit(Op::StoreUpval(u), name.span);
            }
            Some(VarRef::Global(g)) => {
                if declaring {
                    self.globals.declared[g as usize] = true;
                } else if self.funcs.len() == 1 && !self.globals.declared[g as usize] {
                    return Err(Self::used_before_let(name));
                }
                self.emit(Op::StoreGlobal(g), name.span);
            }
            None => {
                let mut e = err(
                    format!("assignment to undeclared variable `{}`", name.name),
                    name.span,
                    "no `let` declares this name",
                );
                e.help = Some(format!("declare it first: `let {} = ...`", name.name));
                return Err(e);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ statements

    fn stmt(&mut self, s: &'a Stmt) -> CResult<()> {
        match &s.kind {
            StmtKind::Let { name, value } => {
                match value {
                    Some(v) => self.expr(v)?,
                    None => {
                        self.emit(Op::Nil, s.span);
                    }
                }
                self.store_var(name, true)?;
            }
            StmtKind::Fn(_) => {} // hoisted by the enclosing block
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value, s.span)?,
            StmtKind::Expr(e) => {
                self.expr(e)?;
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
                        self.f().scopes.push(Vec::new());
                        self.stmt(other)?;
                        self.f().scopes.pop();
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
                first,
                second,
                iter,
                body,
            } => self.for_loop(first, second.as_ref(), iter, body, s.span)?,
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
            StmtKind::Group(body) => self.group(body, s.span)?,
            StmtKind::Block(b) => self.block(b)?,
        }
        Ok(())
    }

    fn assign(
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
                if let Some(b) = bin {
                    self.load_var(name)?;
                    self.expr(value)?;
                    self.emit(b, span);
                } else {
                    self.expr(value)?;
                }
                self.store_var(name, false)
            }
            ExprKind::Index { target: obj, index } => {
                self.expr(obj)?;
                self.expr(index)?;
                if let Some(b) = bin {
                    self.emit(Op::Dup2, span);
                    self.emit(Op::Index, target.span);
                    self.expr(value)?;
                    self.emit(b, span);
                } else {
                    self.expr(value)?;
                }
                self.emit(Op::StoreIndex, target.span);
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
    fn unwind_to(&mut self, depth: usize, span: Span) -> CResult<()> {
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
                    self.emit(Op::PopHandler, span);
                    self.emit(
                        Op::GroupExit {
                            slot,
                            failed: false,
                        },
                        span,
                    );
                }
            }
        }
        Ok(())
    }

    fn loop_body(&mut self, body: &'a Block, continue_target: usize) -> CResult<()> {
        let depth = self.f().unwind.len();
        self.f().loops.push(LoopCtx {
            unwind_depth: depth,
            breaks: Vec::new(),
            continue_target,
        });
        self.block(body)
    }

    fn finish_loop(&mut self) {
        let ctx = self.f().loops.pop().expect("loop");
        for b in ctx.breaks {
            self.patch(b);
        }
    }

    fn for_loop(
        &mut self,
        first: &'a Ident,
        second: Option<&'a Ident>,
        iter: &'a Expr,
        body: &'a Block,
        span: Span,
    ) -> CResult<()> {
        self.expr(iter)?;
        self.emit(Op::IterStart, iter.span);
        let top = self.here();
        let next = self.emit(Op::IterNext(0), iter.span);
        self.f().scopes.push(Vec::new());
        let names: Vec<&Ident> = std::iter::once(first).chain(second).collect();
        for n in &names {
            let i = self.declare_local(n, true);
            let at = self.emit(Op::Nop, n.span);
            self.f().locals[i].sites.push((at, Site::Decl));
        }
        if let Some(second) = second {
            self.emit(Op::Unpack2, iter.span);
            self.store_var(second, true)?;
        }
        self.store_var(first, true)?;
        self.loop_body(body, top)?;
        self.f().scopes.pop();
        self.emit(Op::Jump(top as u32), span);
        // Both `break` and exhaustion land here with the iterator on the stack.
        self.patch(next);
        self.finish_loop();
        self.emit(Op::Pop, span);
        Ok(())
    }

    fn try_stmt(
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
                    let list = clause
                        .kinds
                        .iter()
                        .map(|k| Value::Str(k.name.clone()))
                        .collect();
                    self.constant(Value::list(list))
                };
                self.emit(Op::CatchMatch(kinds), clause.span);
                let next = self.emit(Op::JumpIfFalse(0), clause.span);
                self.f().scopes.push(Vec::new());
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
                self.f().scopes.pop();
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

    fn group(&mut self, body: &'a Block, span: Span) -> CResult<()> {
        if !self.f().is_async {
            return Err(err(
                "`group` outside an `async fn`",
                span,
                "a group waits for its tasks, so it needs an async context",
            ));
        }
        let slot = self.temp();
        self.emit(Op::GroupEnter(slot), span);
        let handler = self.emit(Op::PushHandler(0), span);
        self.f().unwind.push(Unwind::Group(slot));
        let saved = self.f().group_slot.replace(slot);
        self.block(body)?;
        self.f().group_slot = saved;
        self.f().unwind.pop();
        self.emit(Op::PopHandler, span);
        self.emit(
            Op::GroupExit {
                slot,
                failed: false,
            },
            span,
        );
        let to_end = self.emit(Op::Jump(0), span);
        self.patch(handler);
        self.emit(Op::GroupExit { slot, failed: true }, span);
        self.patch(to_end);
        Ok(())
    }

    // ------------------------------------------------------------ functions

    fn function(&mut self, def: &'a FnDef) -> CResult<()> {
        let mut n_defaults = 0;
        for p in &def.params {
            match &p.default {
                Some(_) => n_defaults += 1,
                None if n_defaults > 0 => {
                    return Err(err(
                        format!("parameter `{}` needs a default value", p.name.name),
                        p.name.span,
                        "it follows a parameter that has one",
                    ))
                }
                None => {}
            }
        }
        let name: Rc<str> = match &def.name {
            Some(n) => n.name.clone(),
            None if def.params.is_empty()
                && def.is_async
                && def.body.span.start > def.span.start =>
            {
                Rc::from("<async block>")
            }
            None => Rc::from("<fn>"),
        };
        self.funcs.push(FnState::new(name, def.is_async, false));
        let mut params: Vec<Rc<str>> = Vec::new();
        let mut param_locals = Vec::new();
        for p in &def.params {
            if params.contains(&p.name.name) {
                return Err(err(
                    format!("duplicate parameter `{}`", p.name.name),
                    p.name.span,
                    "this name is already a parameter",
                ));
            }
            params.push(p.name.name.clone());
            param_locals.push(self.declare_local(&p.name, true));
        }
        // Defaults are evaluated at each call that leaves them out, in the
        // function's own scope (so they may use earlier parameters).
        for (slot, p) in def.params.iter().enumerate() {
            if let Some(d) = &p.default {
                let skip = self.emit(
                    Op::DefaultArg {
                        slot: slot as u32,
                        skip: 0,
                    },
                    d.span,
                );
                self.expr(d)?;
                self.store_var(&p.name, true)?;
                self.patch(skip);
            }
        }
        for (p, i) in def.params.iter().zip(param_locals) {
            let at = self.emit(Op::Nop, p.name.span);
            self.f().locals[i].sites.push((at, Site::Param));
        }
        self.block(&def.body)?;
        self.emit(Op::Nil, def.span);
        self.emit(Op::Return, def.span);
        let state = self.funcs.pop().expect("fn");
        let proto = Rc::new(state.finish(&params, n_defaults, self.source, def.span));
        let f = self.f();
        f.protos.push(proto);
        let idx = (f.protos.len() - 1) as u32;
        self.emit(Op::Closure(idx), def.span);
        Ok(())
    }

    // ------------------------------------------------------------ expressions

    fn args(&mut self, args: &'a [Arg]) -> CResult<Option<u32>> {
        let mut names = Vec::new();
        for a in args {
            self.expr(&a.value)?;
            if let Some(n) = &a.name {
                names.push(Value::Str(n.name.clone()));
            }
        }
        Ok(if names.is_empty() {
            None
        } else {
            Some(self.constant(Value::list(names)))
        })
    }

    fn expr(&mut self, e: &'a Expr) -> CResult<()> {
        let sp = e.span;
        match &e.kind {
            ExprKind::Nil => {
                self.emit(Op::Nil, sp);
            }
            ExprKind::Bool(true) => {
                self.emit(Op::True, sp);
            }
            ExprKind::Bool(false) => {
                self.emit(Op::False, sp);
            }
            ExprKind::Int(n) => {
                if let Ok(small) = i32::try_from(*n) {
                    self.emit(Op::Int(small), sp);
                } else {
                    let k = self.constant(Value::Int(*n));
                    self.emit(Op::Const(k), sp);
                }
            }
            ExprKind::Float(f) => {
                let k = self.constant(Value::Float(*f));
                self.emit(Op::Const(k), sp);
            }
            ExprKind::Str(s) => {
                let k = self.constant(Value::Str(s.clone()));
                self.emit(Op::Const(k), sp);
            }
            ExprKind::FStr(parts) => {
                for p in parts {
                    match p {
                        FPart::Text(t) => {
                            let k = self.constant(Value::str(t));
                            self.emit(Op::Const(k), sp);
                        }
                        FPart::Expr { expr, spec } => {
                            self.expr(expr)?;
                            let k = match spec {
                                Some(s) => self.constant(Value::str(s)),
                                None => u32::MAX,
                            };
                            self.emit(Op::Format(k), expr.span);
                        }
                    }
                }
                self.emit(Op::Concat(parts.len() as u32), sp);
            }
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
                self.emit(Op::MakeMap(entries.len() as u32), sp);
            }
            ExprKind::Fn(def) => self.function(def)?,
            ExprKind::AsyncBlock(def) => {
                self.function(def)?;
                self.emit(Op::Call(0), sp);
            }
            ExprKind::Unary { operand, .. } => {
                self.expr(operand)?;
                self.emit(Op::Neg, sp);
            }
            ExprKind::Not(operand) => {
                self.expr(operand)?;
                self.emit(Op::Not, sp);
            }
            ExprKind::Binary { op, left, right } => {
                self.expr(left)?;
                self.expr(right)?;
                let op = match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => Op::Div,
                    BinOp::FloorDiv => Op::FloorDiv,
                    BinOp::Mod => Op::Mod,
                    BinOp::Eq => Op::Eq,
                    BinOp::Ne => Op::Ne,
                    BinOp::Lt => Op::Lt,
                    BinOp::Le => Op::Le,
                    BinOp::Gt => Op::Gt,
                    BinOp::Ge => Op::Ge,
                    BinOp::In => Op::In,
                };
                self.emit(op, sp);
            }
            ExprKind::And(l, r) | ExprKind::Or(l, r) => {
                self.expr(l)?;
                let jump = if matches!(e.kind, ExprKind::And(..)) {
                    Op::JumpIfFalseOrPop(0)
                } else {
                    Op::JumpIfTrueOrPop(0)
                };
                let at = self.emit(jump, sp);
                self.expr(r)?;
                self.patch(at);
            }
            ExprKind::Await(inner) => {
                if !self.f().is_async {
                    let mut e = err(
                        "`await` outside an `async fn`",
                        sp,
                        "this function is not async",
                    );
                    e.help = Some("declare the enclosing function with `async fn`".into());
                    return Err(e);
                }
                match &inner.kind {
                    ExprKind::Call { callee, args } if args.iter().all(|a| a.name.is_none()) => {
                        self.expr(callee)?;
                        self.args(args)?;
                        self.emit(Op::CallAwait(args.len() as u32), sp);
                    }
                    _ => {
                        self.expr(inner)?;
                        self.emit(Op::Await, sp);
                    }
                }
            }
            ExprKind::Spawn(inner) => {
                self.expr(inner)?;
                match self.f().group_slot {
                    Some(slot) => self.emit(Op::SpawnInGroup(slot), sp),
                    None => self.emit(Op::Spawn, sp),
                };
            }
            ExprKind::Call { callee, args } => {
                // A call of a global function by name skips pushing the callee.
                if let (ExprKind::Var(name), true) =
                    (&callee.kind, args.iter().all(|a| a.name.is_none()))
                {
                    if let Some(VarRef::Global(g)) = self.resolve(name) {
                        if self.funcs.len() > 1 || self.globals.declared[g as usize] {
                            self.args(args)?;
                            self.emit(
                                Op::CallGlobal {
                                    global: g,
                                    argc: args.len() as u32,
                                },
                                sp,
                            );
                            return Ok(());
                        }
                    }
                }
                self.expr(callee)?;
                match self.args(args)? {
                    None => self.emit(Op::Call(args.len() as u32), sp),
                    Some(names) => self.emit(
                        Op::CallNamed {
                            argc: args.len() as u32,
                            names,
                        },
                        sp,
                    ),
                };
            }
            ExprKind::Method {
                receiver,
                name,
                args,
            } => {
                let Some(method) = names::method_id(&name.name) else {
                    let mut e = err(
                        format!("unknown method `{}`", name.name),
                        name.span,
                        "no value has this method",
                    );
                    if let Some(best) = names::closest(&name.name, names::METHODS.iter().copied()) {
                        e.help = Some(format!("did you mean `{best}`?"));
                    }
                    return Err(e);
                };
                self.expr(receiver)?;
                match self.args(args)? {
                    None => self.emit(
                        Op::Method {
                            method,
                            argc: args.len() as u32,
                        },
                        sp,
                    ),
                    Some(names) => self.emit(
                        Op::MethodNamed {
                            method,
                            argc: args.len() as u32,
                            names,
                        },
                        sp,
                    ),
                };
            }
            ExprKind::Index { target, index } => {
                self.expr(target)?;
                self.expr(index)?;
                self.emit(Op::Index, sp);
            }
        }
        Ok(())
    }
}
