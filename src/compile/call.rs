//! Lowering calls: of functions (a global by name skips pushing the
//! callee), of methods (a module's member, a record's attribute, a
//! builtin method by id), `await` of a call (one fused instruction) and
//! `spawn`.

use super::code::Op;
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    /// `is_main()` with the builtin's name not taken by a variable.
    pub(super) fn is_main_call(&mut self, callee: &Expr, args: &[Arg]) -> bool {
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
    /// `is_main()`: known here, where the file is compiled as the program
    /// or as an import (Python's `__name__`).
    pub(super) fn is_main(&mut self, sp: Span) {
        let main = !self.importer.in_import();
        self.emit(if main { Op::True } else { Op::False }, sp);
    }

    /// The constant of the builtin function a call names, when no variable
    /// takes the name (what `load_var` would load).
    fn builtin_callee(&mut self, callee: &'a Expr) -> Option<u32> {
        let ExprKind::Var(name) = &callee.kind else {
            return None;
        };
        if self.resolve_load(name).is_some() {
            return None;
        }
        self.builtin_const(name)
    }

    /// `f(args)`.
    pub(super) fn call(&mut self, callee: &'a Expr, args: &'a [Arg], sp: Span) -> CResult<()> {
        // `len(x)`, `str(n)`, `int(s)`: a builtin of one argument is called
        // without pushing it.
        if let [arg] = args {
            if arg.name.is_none() {
                if let Some(k) = self.builtin_callee(callee) {
                    self.expr(&arg.value)?;
                    self.emit(Op::CallNative1(k), sp);
                    return Ok(());
                }
            }
        }
        // A call of a global function by name skips pushing the callee.
        if args.iter().all(|a| a.name.is_none()) {
            if let Some(global) = self.callable_global(callee) {
                self.args(args)?;
                let argc = args.len() as u32;
                self.emit(Op::CallGlobal { global, argc }, sp);
                return Ok(());
            }
        }
        let load = self.f().code.len();
        self.expr(callee)?;
        self.call_args(args, sp)?;
        // Only a local's load (a `Nop` until its kind is known) can fuse.
        if matches!(callee.kind, ExprKind::Var(_)) && self.f().code[load] == Op::Nop {
            let call = self.f().code.len() - 1;
            self.f().local_calls.push((load, call));
        }
        Ok(())
    }

    /// `x.name(args)`: a module's function, a record's attribute (found by
    /// name when it runs) or a builtin method (by id).
    pub(super) fn method_call(
        &mut self,
        receiver: &'a Expr,
        name: &'a Ident,
        args: &'a [Arg],
        sp: Span,
    ) -> CResult<()> {
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
            return self.call_args(args, sp);
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
            return Err(self.unknown_method(name));
        };
        let load = self.f().code.len();
        self.expr(receiver)?;
        match self.args(args)? {
            None => {
                let call = self.emit(
                    Op::Method {
                        method,
                        argc: args.len() as u32,
                    },
                    sp,
                );
                if args.len() == 1
                    && matches!(receiver.kind, ExprKind::Var(_))
                    && self.f().code[load] == Op::Nop
                {
                    self.f().local_methods.push((load, call));
                }
                call
            }
            Some(names) => self.emit(
                Op::MethodNamed {
                    method,
                    argc: args.len() as u32,
                    names,
                },
                sp,
            ),
        };
        Ok(())
    }

    /// No value has a method of this name: a Python habit or "did you mean".
    fn unknown_method(&self, name: &Ident) -> CompileError {
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
        e
    }

    /// `await x`; `await f(args)` and `await m.f(args)` in one instruction
    /// when the callee is a global.
    pub(super) fn await_expr(&mut self, inner: &'a Expr, sp: Span) -> CResult<()> {
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
        Ok(())
    }

    /// `spawn x`; `spawn f(args)` outside a group in one instruction.
    pub(super) fn spawn(&mut self, inner: &'a Expr, sp: Span) -> CResult<()> {
        if let (ExprKind::Call { callee, args }, None) = (&inner.kind, self.f().group_slot) {
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
        Ok(())
    }
}
