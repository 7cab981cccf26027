//! `import "./util.tasks" as util`: loading the imported files before the
//! importing one compiles, running each file's body at its first import,
//! and resolving `util.name` to the member's global slot before running.

use super::code::Op;
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
    /// Loads every top-level import, in order (the order their bodies run),
    /// before any function compiles, so functions can use their members.
    pub(super) fn load_imports(&mut self, stmts: &'a [Stmt]) -> CResult<()> {
        let mut aliases: Vec<&Ident> = Vec::new();
        for s in stmts {
            let StmtKind::Import {
                path,
                path_span,
                alias,
            } = &s.kind
            else {
                continue;
            };
            if let Some(first) = aliases.iter().find(|a| a.name == alias.name) {
                let mut e = err(
                    format!("`{}` is imported twice", alias.name),
                    alias.span,
                    "a second import with this name",
                );
                e.help = Some(format!(
                    "the first is on line {}: give this one another name",
                    line_of(self.text, first.span)
                ));
                return Err(e);
            }
            aliases.push(alias);
            let imported = self
                .importer
                .import(self.globals, self.source, path, *path_span)?;
            let g = self.globals.declare(&alias.name);
            for name in imported.module.members.keys() {
                self.globals.fields.insert(name.clone());
            }
            self.globals.modules.insert(g, imported.module.clone());
            self.imports.insert(path_span.start, imported);
        }
        Ok(())
    }

    /// The import statement: the file's body runs here the first time it
    /// is imported (inside the importing task, as Python runs a module at
    /// its first `import`), then the alias is bound to the module.
    pub(super) fn import_stmt(
        &mut self,
        path_span: Span,
        alias: &Ident,
        span: Span,
    ) -> CResult<()> {
        let Some(imported) = self.imports.get(&path_span.start) else {
            let mut e = err(
                "`import` stands at the top level of a file",
                span,
                "inside a block",
            );
            e.help = Some("move the import to the top level".into());
            return Err(e);
        };
        let module = Const::Module(imported.module.clone());
        if let Some(body) = imported.body.clone() {
            let f = self.f();
            f.protos.push(body);
            let idx = (f.protos.len() - 1) as u32;
            self.emit(Op::Closure(idx), span);
            self.emit(Op::CallAwait(0), span);
            self.emit(Op::Pop, span);
        }
        let k = self.constant(module);
        self.emit(Op::Const(k), span);
        let g = self.globals.declare(&alias.name);
        self.globals.declared[g as usize] = true;
        self.emit(Op::StoreGlobal(g), alias.span);
        Ok(())
    }

    /// `util.name` where `util` is an import this code sees (not shadowed
    /// by a local): the member's global slot, or a "did you mean" error.
    pub(super) fn module_slot(&mut self, receiver: &Expr, member: &Ident) -> CResult<Option<u32>> {
        let ExprKind::Var(m) = &receiver.kind else {
            return Ok(None);
        };
        let Some(VarRef::Global(g)) = self.resolve(m) else {
            return Ok(None);
        };
        let Some(module) = self.globals.modules.get(&g).cloned() else {
            return Ok(None);
        };
        if self.funcs.len() == 1 && !self.globals.declared[g as usize] {
            return Err(Self::used_before_let(m));
        }
        if let Some(&slot) = module.members.get(&member.name) {
            return Ok(Some(slot));
        }
        let mut e = err(
            format!("module `{}` has no member `{}`", m.name, member.name),
            member.span,
            format!("not defined at the top level of {}", module.name),
        );
        if let Some(best) = names::closest(&member.name, module.members.keys().map(|k| &**k)) {
            e.help = Some(format!("did you mean `{}.{best}`?", m.name));
        }
        Err(e)
    }

    /// Is `name` bound by an import (so it must not be assigned)?
    pub(super) fn is_module_alias(&mut self, name: &Ident) -> bool {
        let found = self.resolve(name);
        self.names_module(&found)
    }

    /// Whether a resolved name is an imported module's (`store_var`
    /// resolves once and asks this and its own question of the answer).
    pub(super) fn names_module(&self, found: &Option<VarRef>) -> bool {
        matches!(found, Some(VarRef::Global(g)) if self.globals.modules.contains_key(g))
    }
}

fn line_of(text: &str, span: Span) -> usize {
    text[..(span.start as usize).min(text.len())]
        .matches('\n')
        .count()
        + 1
}
