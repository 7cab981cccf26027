//! Declarations and name lookup: locals (and the cells of captured ones),
//! upvalues, globals and builtins, with the "used before its `let`" and
//! "undefined variable" errors.

use super::code::{Op, UpvalSource};
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    // ------------------------------------------------------------ declarations

    pub(super) fn declare_local(&mut self, name: &Ident, declared: bool) -> usize {
        let f = self.f();
        let depth = f.scopes.len();
        let innermost = f.visible.get(&name.name).and_then(|v| v.last());
        if let Some(&i) = innermost.filter(|&&i| f.locals[i].depth == depth) {
            return i;
        }
        let slot = f.n_slots;
        f.n_slots += 1;
        f.locals.push(Local {
            name: name.name.clone(),
            slot,
            captured: false,
            declared,
            fn_async: None,
            sites: Vec::new(),
            depth,
        });
        let i = f.locals.len() - 1;
        f.scopes.last_mut().expect("scope").push(i);
        f.visible.entry(name.name.clone()).or_default().push(i);
        i
    }

    /// Declares the `let` and `fn` names of a block before its code runs, so
    /// functions are hoisted and closures can refer to later variables.
    pub(super) fn predeclare(&mut self, stmts: &'a [Stmt]) -> CResult<()> {
        let global = self.at_global_scope();
        for s in stmts {
            let (names, is_fn) = match &s.kind {
                StmtKind::Let { name, .. } => (vec![name], false),
                StmtKind::LetUnpack { pattern, .. } => (pattern.names(), false),
                StmtKind::Fn(def) => (
                    vec![def.name.as_ref().expect("declared fn has a name")],
                    true,
                ),
                StmtKind::Struct(def) if global => {
                    for f in &def.fields {
                        self.globals.fields.insert(f.name.name.clone());
                    }
                    for m in &def.methods {
                        let name = m.name.as_ref().expect("a method has a name");
                        self.globals.fields.insert(name.name.clone());
                    }
                    (vec![&def.name], true)
                }
                StmtKind::Struct(def) => {
                    let mut e = err(
                        "a `struct` is declared at the top level of a file",
                        def.name.span,
                        "inside a block",
                    );
                    e.help = Some("move this declaration to the top level".into());
                    return Err(e);
                }
                _ => continue,
            };
            for name in names {
                self.predeclare_one(name, is_fn, global);
            }
        }
        Ok(())
    }

    fn predeclare_one(&mut self, name: &Ident, is_fn: bool, global: bool) {
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

    pub(super) fn hoist_fns(&mut self, stmts: &'a [Stmt]) -> CResult<()> {
        for s in stmts {
            if let StmtKind::Fn(def) = &s.kind {
                self.function(def)?;
                let name = def.name.as_ref().expect("name");
                self.store_var(name, true)?;
                self.set_fn_kind(name, Some(def.is_async));
            }
            if let StmtKind::Struct(def) = &s.kind {
                self.struct_ctor(def)?;
                self.store_var(&def.name, true)?;
                self.set_fn_kind(&def.name, Some(false));
            }
        }
        Ok(())
    }

    /// Records that `name` holds a function of this kind (`Some(is_async)`),
    /// or, after a `let`, that nothing is known about it.
    pub(super) fn set_fn_kind(&mut self, name: &Ident, kind: Option<bool>) {
        match self.resolve(name) {
            Some(VarRef::Local(i)) => self.f().locals[i].fn_async = kind,
            Some(VarRef::Global(g)) => match kind {
                Some(k) => {
                    self.globals.fn_async.insert(g, k);
                }
                None => {
                    self.globals.fn_async.remove(&g);
                }
            },
            Some(VarRef::Upval(_)) | None => {}
        }
    }

    /// `Some(is_async)` when `name` is known to hold a function declared
    /// with `fn` (its own, or a builtin's: `None` for those).
    pub(super) fn fn_kind(&mut self, name: &Ident) -> Option<bool> {
        match self.resolve(name) {
            Some(VarRef::Local(i)) => self.f().locals[i].fn_async,
            Some(VarRef::Global(g)) => self.globals.fn_async.get(&g).copied(),
            Some(VarRef::Upval(_)) | None => None,
        }
    }

    /// Does `name` name a function (a script `fn`, a builtin, a native)?
    pub(super) fn names_a_function(&mut self, name: &Ident) -> bool {
        if self.resolve(name).is_none() {
            return self.globals.natives.functions.contains_key(&name.name);
        }
        self.fn_kind(name).is_some()
    }

    pub(super) fn block(&mut self, b: &'a Block) -> CResult<()> {
        self.f().enter_scope();
        self.predeclare(&b.stmts)?;
        self.hoist_fns(&b.stmts)?;
        for s in &b.stmts {
            self.stmt(s)?;
        }
        self.f().leave_scope();
        Ok(())
    }

    // ------------------------------------------------------------ name lookup

    pub(super) fn find_local(f: &FnState, name: &str) -> Option<usize> {
        Self::find_local_except(f, name, None)
    }

    fn find_local_except(f: &FnState, name: &str, skip: Option<usize>) -> Option<usize> {
        f.visible
            .get(name)?
            .iter()
            .rev()
            .copied()
            .find(|&i| Some(i) != skip)
    }

    /// The binding a read of `name` sees: as [`Self::resolve`], except that
    /// in the right-hand side of `let name = ...` the binding being declared
    /// is skipped, so the read sees the one outside (an outer local, an
    /// upvalue, a global, or a builtin). A closure made there still
    /// captures the new binding (so `let f = fn() { f() }` recurses).
    pub(super) fn resolve_load(&mut self, name: &Ident) -> Option<VarRef> {
        let depth = self.funcs.len() - 1;
        let found = self.resolve(name);
        let pending = &self.funcs[depth].pending_let;
        match found {
            Some(VarRef::Local(i))
                if pending.contains(&PendingLet::Local(i))
                    && !self.funcs[depth].locals[i].declared =>
            {
                if let Some(j) = Self::find_local_except(&self.funcs[depth], &name.name, Some(i)) {
                    return Some(VarRef::Local(j));
                }
                if let Some(u) = self.find_upval(depth, &name.name) {
                    return Some(VarRef::Upval(u));
                }
                let g = self.globals.lookup(&name.name)?;
                Some(VarRef::Global(g))
            }
            Some(VarRef::Global(g))
                if pending.contains(&PendingLet::Global(g))
                    && depth == 0
                    && !self.globals.declared[g as usize] =>
            {
                None
            }
            found => found,
        }
    }

    pub(super) fn find_upval(&mut self, depth: usize, name: &str) -> Option<u32> {
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

    pub(super) fn resolve(&mut self, name: &Ident) -> Option<VarRef> {
        let depth = self.funcs.len() - 1;
        if let Some(i) = Self::find_local(&self.funcs[depth], &name.name) {
            return Some(VarRef::Local(i));
        }
        if let Some(u) = self.find_upval(depth, &name.name) {
            return Some(VarRef::Upval(u));
        }
        self.globals.lookup(&name.name).map(VarRef::Global)
    }

    pub(super) fn undefined(&mut self, name: &Ident) -> CompileError {
        let mut candidates: Vec<String> = self
            .globals
            .names_in_scope()
            .map(|n| n.to_string())
            .collect();
        for f in &self.funcs {
            for s in &f.scopes {
                candidates.extend(s.iter().map(|&i| f.locals[i].name.to_string()));
            }
            candidates.extend(f.upvals.iter().map(|(n, _)| n.to_string()));
        }
        let natives = &self.globals.natives;
        let builtins: Vec<&str> = (natives.functions.keys().map(|s| &**s))
            .chain(natives.modules.keys().map(|s| &**s))
            .collect();
        let mut e = err(
            format!("undefined variable `{}`", name.name),
            name.span,
            "not defined in this scope",
        );
        let before = self
            .text
            .get(..name.span.start as usize)
            .unwrap_or_default();
        if let Some(habit) = crate::syntax::habits::for_name(&name.name) {
            e.help = Some(habit);
        } else if let Some(habit) = crate::syntax::habits::after_floor_division(before, &name.name)
        {
            e.help = Some(habit);
        } else if let Some(best) = closest_preferring_own(&name.name, &candidates, &builtins) {
            e.help = Some(format!("did you mean `{best}`?"));
        }
        e
    }

    pub(super) fn used_before_let(name: &Ident) -> CompileError {
        let mut e = err(
            format!("`{}` is used before its `let`", name.name),
            name.span,
            "used here before it is declared",
        );
        e.help = Some("move the `let` above this line".into());
        e
    }

    /// The constant of the builtin function `name`, if there is one (for
    /// a name no variable takes).
    pub(super) fn builtin_const(&mut self, name: &Ident) -> Option<u32> {
        let f = self.globals.natives.functions.get(&name.name).copied()?;
        Some(self.constant(Const::Native(f.id)))
    }

    pub(super) fn load_var(&mut self, name: &Ident) -> CResult<()> {
        match self.resolve_load(name) {
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
            None => {
                if let Some(k) = self.builtin_const(name) {
                    self.emit(Op::Const(k), name.span);
                } else if self.globals.natives.modules.contains_key(&name.name) {
                    let mut e = err(
                        format!("module `{}` is not a value", name.name),
                        name.span,
                        "a module name",
                    );
                    e.help = Some(format!(
                        "call one of its functions: `{}.name(...)`",
                        name.name
                    ));
                    return Err(e);
                } else {
                    // Noted, and compiling goes on to find the others.
                    let e = self.undefined(name);
                    self.undefined.push(e);
                    self.emit(Op::Nil, name.span);
                }
            }
        }
        Ok(())
    }

    /// Stores the top of the stack. `declaring` is true for `let` and `fn`.
    pub(super) fn store_var(&mut self, name: &Ident, declaring: bool) -> CResult<()> {
        // One lookup for both questions.
        let found = self.resolve(name);
        if self.names_module(&found) {
            let mut e = err(
                format!("`{}` names an imported module", name.name),
                name.span,
                "cannot be assigned or declared again",
            );
            e.help = Some("use another name for this variable".into());
            return Err(e);
        }
        match found {
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
}

impl Compiler<'_, '_> {
    /// `module.member` when `module` names a native module the script does
    /// not shadow: the member (a function or a constant), or a "did you
    /// mean" error calling it a `what`.
    pub(super) fn module_member(
        &mut self,
        receiver: &Expr,
        member: &Ident,
        what: &str,
    ) -> CResult<Option<Const>> {
        let ExprKind::Var(m) = &receiver.kind else {
            return Ok(None);
        };
        if self.resolve(m).is_some() {
            return Ok(None);
        }
        let Some(members) = self.globals.natives.modules.get(&m.name) else {
            return match python_names::foreign(&m.name, &member.name) {
                Some(help) => Err(foreign_module(m, help)),
                None => Ok(None),
            };
        };
        if let Some(&id) = members.get(&member.name) {
            return Ok(Some(Const::Native(id)));
        }
        let mut e = err(
            format!("module `{}` has no {what} `{}`", m.name, member.name),
            member.span,
            "not in this module",
        );
        if let Some(help) = python_names::member(&m.name, &member.name) {
            e.help = Some(help.into());
        } else if let Some(best) = names::closest(&member.name, members.keys().map(|k| &**k)) {
            e.help = Some(format!("did you mean `{}.{best}`?", m.name));
        }
        Err(e)
    }
}

/// `os.getcwd()` and the like: a Python module the script did not define.
fn foreign_module(module: &Ident, help: &str) -> CompileError {
    let mut e = err(
        format!("there is no `{}` module", module.name),
        module.span,
        "Python's module",
    );
    e.help = Some(help.into());
    e
}

/// The name closest to `name`: the script's own names win a tie with the
/// builtins and modules (`totl` is `total`'s slip, not `toml`'s).
fn closest_preferring_own(name: &str, own: &[String], builtins: &[&str]) -> Option<String> {
    let own = names::closest(name, own.iter().map(|s| s.as_str()));
    let builtin = names::closest(name, builtins.iter().copied());
    match (own, builtin) {
        (Some(o), Some(b)) if strsim::osa_distance(name, &b) < strsim::osa_distance(name, &o) => {
            Some(b)
        }
        (Some(o), _) => Some(o),
        (None, b) => b,
    }
}
