//! Lowering functions and expressions.

use super::code::{Op, RecordDecl};
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

    // ------------------------------------------------------------ functions

    pub(super) fn function(&mut self, def: &'a FnDef) -> CResult<()> {
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
        self.callable(
            name,
            &def.params,
            def.is_async,
            def.span,
            "parameter",
            |c| {
                c.block(&def.body)?;
                c.emit(Op::Nil, def.span);
                Ok(())
            },
        )
    }

    /// A struct's constructor: a function whose parameters are the fields
    /// and whose body makes the record.
    pub(super) fn struct_ctor(&mut self, def: &'a StructDef) -> CResult<()> {
        let fields: Vec<Rc<str>> = def.fields.iter().map(|f| f.name.name.clone()).collect();
        let mut methods = Vec::new();
        for m in &def.methods {
            methods.push(self.method(def, m)?);
        }
        let ty = Const::Record(Rc::new(RecordDecl {
            name: def.name.name.clone(),
            fields,
            methods,
        }));
        let name = def.name.name.clone();
        let mut proto = self.callable_proto(name, &def.fields, false, def.span, "field", |c| {
            for f in &def.fields {
                c.load_var(&f.name)?;
            }
            let k = c.constant(ty);
            let n = def.fields.len() as u32;
            c.emit(Op::MakeRecord { ty: k, n }, def.span);
            Ok(())
        })?;
        if let Some(p) = Rc::get_mut(&mut proto) {
            p.is_struct = true;
        }
        let f = self.f();
        f.protos.push(proto);
        let idx = (f.protos.len() - 1) as u32;
        self.emit(Op::Closure(idx), def.span);
        Ok(())
    }

    /// A method of a struct: a function whose first parameter is `self`,
    /// made once (it captures nothing: a struct stands at the top level).
    fn method(&mut self, def: &'a StructDef, m: &'a FnDef) -> CResult<(Rc<str>, Rc<FnCode>)> {
        let name = m.name.as_ref().expect("a method has a name");
        if def.fields.iter().any(|f| f.name.name == name.name) {
            return Err(err(
                format!(
                    "`{}` is both a field and a method of `{}`",
                    name.name, def.name.name
                ),
                name.span,
                "a second meaning for this name",
            ));
        }
        if m.params.first().is_none_or(|p| &*p.name.name != "self") {
            let mut e = err(
                format!("method `{}` must take `self` first", name.name),
                name.span,
                "a method of a struct",
            );
            e.help = Some(format!(
                "`r.{0}(...)` passes the record `r` as the first parameter: `fn {0}(self, ...)`",
                name.name
            ));
            return Err(e);
        }
        let full: Rc<str> = Rc::from(format!("{}.{}", def.name.name, name.name).as_str());
        let proto = self.callable_proto(full, &m.params, m.is_async, m.span, "parameter", |c| {
            c.block(&m.body)?;
            c.emit(Op::Nil, m.span);
            Ok(())
        })?;
        if !proto.upvals.is_empty() {
            return Err(err(
                "a method cannot capture local variables",
                name.span,
                "declared inside a function",
            ));
        }
        Ok((name.name.clone(), proto))
    }

    /// A function with these parameters (`what` names them in errors)
    /// whose `body` leaves the value to return on the stack; pushes the
    /// closure.
    fn callable(
        &mut self,
        name: Rc<str>,
        params_ast: &'a [Param],
        is_async: bool,
        span: Span,
        what: &str,
        body: impl FnOnce(&mut Self) -> CResult<()>,
    ) -> CResult<()> {
        let proto = self.callable_proto(name, params_ast, is_async, span, what, body)?;
        let f = self.f();
        f.protos.push(proto);
        let idx = (f.protos.len() - 1) as u32;
        self.emit(Op::Closure(idx), span);
        Ok(())
    }

    fn callable_proto(
        &mut self,
        name: Rc<str>,
        params_ast: &'a [Param],
        is_async: bool,
        span: Span,
        what: &str,
        body: impl FnOnce(&mut Self) -> CResult<()>,
    ) -> CResult<Rc<FnCode>> {
        let mut n_defaults = 0;
        for p in params_ast {
            match &p.default {
                Some(_) => n_defaults += 1,
                None if n_defaults > 0 => {
                    return Err(err(
                        format!("{what} `{}` needs a default value", p.name.name),
                        p.name.span,
                        format!("it follows a {what} that has one"),
                    ))
                }
                None => {}
            }
        }
        self.funcs.push(FnState::new(name, is_async, false));
        let mut params: Vec<Rc<str>> = Vec::new();
        let mut param_locals = Vec::new();
        for p in params_ast {
            if params.contains(&p.name.name) {
                return Err(err(
                    format!("duplicate {what} `{}`", p.name.name),
                    p.name.span,
                    format!("this name is already a {what}"),
                ));
            }
            params.push(p.name.name.clone());
            param_locals.push(self.declare_local(&p.name, true));
        }
        // Defaults are evaluated at each call that leaves them out, in the
        // function's own scope (so they may use earlier parameters).
        for (slot, p) in params_ast.iter().enumerate() {
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
        for (p, i) in params_ast.iter().zip(param_locals) {
            let at = self.emit(Op::Nop, p.name.span);
            self.f().locals[i].sites.push((at, Site::Param));
        }
        body(self)?;
        self.emit(Op::Return, span);
        let state = self.funcs.pop().expect("fn");
        Ok(Rc::new(state.finish(
            &params,
            n_defaults,
            self.source,
            span,
        )?))
    }

    // ------------------------------------------------------------ expressions

    /// `is_main()` with the builtin's name not taken by a variable.
    fn is_main_call(&mut self, callee: &Expr, args: &[Arg]) -> bool {
        match &callee.kind {
            ExprKind::Var(name) if args.is_empty() && &*name.name == "is_main" => {
                self.resolve(name).is_none()
            }
            _ => false,
        }
    }

    /// The global a call names directly, when it is sure to be set by the
    /// time the call runs (inside a function, or after its declaration):
    /// such calls skip pushing the callee.
    fn callable_global(&mut self, callee: &'a Expr) -> Option<u32> {
        let ExprKind::Var(name) = &callee.kind else {
            return None;
        };
        match self.resolve(name) {
            Some(VarRef::Global(g))
                if self.funcs.len() > 1 || self.globals.declared[g as usize] =>
            {
                Some(g)
            }
            _ => None,
        }
    }

    /// The arguments of a call whose callee is on the stack, then the call.
    fn call_args(&mut self, args: &'a [Arg], sp: Span) -> CResult<()> {
        let argc = args.len() as u32;
        match self.args(args)? {
            None => self.emit(Op::Call(argc), sp),
            Some(names) => self.emit(Op::CallNamed { argc, names }, sp),
        };
        Ok(())
    }

    pub(super) fn args(&mut self, args: &'a [Arg]) -> CResult<Option<u32>> {
        let mut names = Vec::new();
        for a in args {
            self.expr(&a.value)?;
            if let Some(n) = &a.name {
                names.push(n.name.clone());
            }
        }
        Ok(if names.is_empty() {
            None
        } else {
            Some(self.constant(Const::Names(names.into())))
        })
    }

    pub(super) fn expr(&mut self, e: &'a Expr) -> CResult<()> {
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
                    let k = self.constant(Const::Int(*n));
                    self.emit(Op::Const(k), sp);
                }
            }
            ExprKind::Float(f) => {
                let k = self.constant(Const::Float(*f));
                self.emit(Op::Const(k), sp);
            }
            ExprKind::Str(s) => {
                let k = self.constant(Const::Str(s.clone()));
                self.emit(Op::Const(k), sp);
            }
            ExprKind::Bytes(b) => {
                let k = self.constant(Const::Bytes(b.clone()));
                self.emit(Op::Const(k), sp);
            }
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
                self.emit(Op::MakeMap(entries.len() as u32), sp);
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
            ExprKind::IfExpr { cond, then, els } => {
                self.expr(cond)?;
                let to_else = self.emit(Op::JumpIfFalse(0), cond.span);
                self.expr(then)?;
                let to_end = self.emit(Op::Jump(0), sp);
                self.patch(to_else);
                self.expr(els)?;
                self.patch(to_end);
            }
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
                if let ExprKind::Command(_) = inner.kind {
                    let mut e = err(
                        "a sh\"…\" command is not a coroutine",
                        inner.span,
                        "a list: the program and its arguments",
                    );
                    e.help = Some("run it: `await process.run(sh\"…\")`".into());
                    return Err(e);
                }
                if let ExprKind::Method {
                    receiver,
                    name,
                    args,
                } = &inner.kind
                {
                    if args.iter().all(|a| a.name.is_none()) {
                        if let Some(global) = self.module_slot(receiver, name)? {
                            self.args(args)?;
                            let argc = args.len() as u32;
                            self.emit(Op::CallAwaitGlobal { global, argc }, sp);
                            return Ok(());
                        }
                    }
                }
                match &inner.kind {
                    ExprKind::Call { callee, args } if args.iter().all(|a| a.name.is_none()) => {
                        if let Some(global) = self.callable_global(callee) {
                            self.args(args)?;
                            let argc = args.len() as u32;
                            self.emit(Op::CallAwaitGlobal { global, argc }, sp);
                            return Ok(());
                        }
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
                if let (ExprKind::Call { callee, args }, None) = (&inner.kind, self.f().group_slot)
                {
                    if args.iter().all(|a| a.name.is_none()) {
                        self.expr(callee)?;
                        self.args(args)?;
                        self.emit(Op::SpawnCall(args.len() as u32), sp);
                        return Ok(());
                    }
                }
                self.expr(inner)?;
                match self.f().group_slot {
                    Some(slot) => self.emit(Op::SpawnInGroup(slot), sp),
                    None => self.emit(Op::Spawn, sp),
                };
            }
            ExprKind::Call { callee, args } if self.is_main_call(callee, args) => {
                // `is_main()`: known here, where the file is compiled as
                // the program or as an import (Python's `__name__`).
                let main = !self.importer.in_import();
                self.emit(if main { Op::True } else { Op::False }, sp);
            }
            ExprKind::Call { callee, args } => {
                // A call of a global function by name skips pushing the callee.
                if args.iter().all(|a| a.name.is_none()) {
                    if let Some(global) = self.callable_global(callee) {
                        self.args(args)?;
                        let argc = args.len() as u32;
                        self.emit(Op::CallGlobal { global, argc }, sp);
                        return Ok(());
                    }
                }
                self.expr(callee)?;
                self.call_args(args, sp)?;
            }
            ExprKind::Method {
                receiver,
                name,
                args,
            } => {
                if let Some(global) = self.module_slot(receiver, name)? {
                    if args.iter().all(|a| a.name.is_none()) {
                        self.args(args)?;
                        let argc = args.len() as u32;
                        self.emit(Op::CallGlobal { global, argc }, sp);
                    } else {
                        self.emit(Op::LoadGlobal(global), receiver.span);
                        self.call_args(args, sp)?;
                    }
                    return Ok(());
                }
                if let Some(f) = self.module_member(receiver, name, "function")? {
                    let k = self.constant(f);
                    self.emit(Op::Const(k), receiver.span);
                    self.call_args(args, sp)?;
                    return Ok(());
                }
                let builtin = self.globals.natives.method_id(&name.name);
                if self.globals.fields.contains(&name.name) {
                    // Some struct or module has this attribute: found by
                    // name when it runs (a builtin method of this name still
                    // answers for other values; its id follows the name).
                    let k = self.constant(Const::Str(name.name.clone()));
                    self.constant(Const::Int(builtin.map_or(-1, i64::from)));
                    self.expr(receiver)?;
                    let argc = args.len() as u32;
                    let names = self.args(args)?.unwrap_or(u32::MAX);
                    self.emit(
                        Op::CallAttr {
                            name: k,
                            argc,
                            names,
                        },
                        sp,
                    );
                    return Ok(());
                }
                let Some(method) = builtin else {
                    let mut e = err(
                        format!("unknown method `{}`", name.name),
                        name.span,
                        "no value has this method",
                    );
                    let attrs = self.globals.fields.iter().map(|f| &**f);
                    let methods = self.globals.natives.methods.iter().map(|m| &**m);
                    let known = methods.chain(attrs);
                    if let Some(habit) = crate::syntax::habits::for_method(&name.name) {
                        e.help = Some(habit);
                    } else if let Some(best) = names::closest(&name.name, known) {
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
            ExprKind::Slice {
                target,
                start,
                stop,
                step,
            } => {
                self.expr(target)?;
                for part in [start, stop, step] {
                    match part {
                        Some(e) => self.expr(e)?,
                        None => {
                            self.emit(Op::Nil, sp);
                        }
                    }
                }
                self.emit(Op::Slice, sp);
            }
            ExprKind::Field { target, name } => {
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
                    let habit =
                        crate::syntax::habits::for_field(&name.name, receiver.unwrap_or("x"));
                    e.help = habit.or(e.help);
                    e
                })?;
                self.expr(target)?;
                self.emit(Op::GetField(k), sp);
            }
        }
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
