//! Lowering functions: `fn` expressions and declarations, the bodies of
//! async blocks, struct constructors and their methods, with their parameters
//! and defaults.

use super::code::{Op, RecordDecl};
use super::*;
use crate::syntax::ast::*;

impl<'a, 'g> Compiler<'a, 'g> {
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
}
