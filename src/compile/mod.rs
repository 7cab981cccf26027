//! Lowering: the syntax tree becomes flat code with every name resolved to a
//! slot (local, captured cell, upvalue or global). Mistakes that need no
//! running — undefined names, `await` in a plain `fn`, `break` outside a
//! loop — are reported here, before the first statement runs.

mod call;
pub(crate) mod code;
mod command;
mod depth;
mod effect;
mod expr;
mod function;
mod import;
pub(crate) mod names;
mod peephole;
mod python_names;
mod scope;
mod scoped;
mod stmt;
mod stream;
mod uncalled_main;

use crate::syntax::ast::*;
use code::{Const, FnCode, ModuleDecl, Op, UpvalSource};
use names::Globals;
use std::rc::Rc;

/// A mistake found before running.
#[derive(Debug, Clone)]
pub(crate) struct CompileError {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// Set when the mistake is in an imported file: the error to report
    /// instead, in that file (this one only says where the import is).
    pub elsewhere: Option<Box<Elsewhere>>,
    /// More mistakes in the same file, reported after this one: every
    /// undefined name is found in one pass, as a compiler reports them.
    pub also: Vec<CompileError>,
}

/// A mistake inside an imported file.
#[derive(Debug, Clone)]
pub(crate) enum Elsewhere {
    Syntax {
        source: u32,
        error: crate::syntax::SyntaxError,
    },
    Compile {
        source: u32,
        error: CompileError,
    },
}

/// Loads the files a program imports. The engine implements it: it owns
/// the sources (for diagnostics) and the cache that loads each file once.
pub(crate) trait Importer {
    /// The module `path` names, imported by source `from` at `span`;
    /// the first time a file is imported its body comes too, compiled into
    /// a namespace of its own in `globals`, to run at this import.
    fn import(
        &mut self,
        globals: &mut Globals,
        from: u32,
        path: &str,
        span: Span,
    ) -> CResult<Imported>;

    /// Whether the code being compiled is an imported file's, not the
    /// program's (what `is_main()` answers).
    fn in_import(&self) -> bool {
        false
    }
}

/// What an `import` statement binds, and the body to run there the first time.
pub(crate) struct Imported {
    pub module: Rc<ModuleDecl>,
    pub body: Option<Rc<FnCode>>,
}

type CResult<T> = Result<T, CompileError>;

fn err(message: impl Into<String>, span: Span, label: impl Into<String>) -> CompileError {
    CompileError {
        message: message.into(),
        span,
        label: label.into(),
        help: None,
        elsewhere: None,
        also: Vec::new(),
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
    /// Declared by `fn` (`Some(is_async)`) and by nothing else: what a
    /// call of it produces is known.
    fn_async: Option<bool>,
    sites: Vec<(usize, Site)>,
    /// How many scopes were open when it was declared (its scope's depth).
    depth: usize,
}

enum Unwind<'a> {
    Handler,
    Finally(&'a Block),
    Group(u32),
    /// A `with` block whose scope object is in this local.
    With(u32),
    /// A `for await` loop whose stream is in this local.
    Stream(u32),
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
    consts: Vec<Const>,
    protos: Vec<Rc<FnCode>>,
    locals: Vec<Local>,
    scopes: Vec<Vec<usize>>,
    /// Name → the locals of that name in the open scopes, innermost last:
    /// a lookup is one hash, not a walk over every local in view (which
    /// made a function with thousands of `let`s compile in quadratic time).
    visible: foldhash::HashMap<Rc<str>, Vec<usize>>,
    upvals: Vec<(Rc<str>, UpvalSource)>,
    loops: Vec<LoopCtx>,
    unwind: Vec<Unwind<'a>>,
    is_async: bool,
    is_main: bool,
    n_slots: u32,
    group_slot: Option<u32>,
    /// Each compiled statement's code range, for the stack balance check,
    /// and its span (apart: the check reads the ranges as they are). u32,
    /// as jump targets are: a file of a million statements keeps a million.
    stmt_ranges: Vec<(u32, u32)>,
    stmt_spans: Vec<Span>,
    /// The bindings a `let` declares while its right-hand side compiles:
    /// `let x = x + 1` reads the `x` outside this `let` (as Rust does).
    pending_let: Vec<PendingLet>,
    /// `name["key"] = value` statements: where the load of `name` and
    /// the `StoreIndex` are, for the peephole pass to fuse when `name`
    /// is a plain local (`Op::StoreIndexLocalConst`).
    const_stores: Vec<(usize, usize)>,
    /// `name <op>= value` statements: where the load of `name` and its
    /// store are, for the peephole pass to fuse when `name` is a plain
    /// local (`Op::AugLocal`).
    aug_stores: Vec<(usize, usize)>,
    /// `name.method(v)` calls: where the load of `name` and the `Method`
    /// are, for the peephole pass to fuse when `name` is a plain local
    /// and the result is dropped (`Op::MethodPopLocal`).
    local_methods: Vec<(usize, usize)>,
    /// `name(args)` calls: where the load of `name` and the `Call` are,
    /// for the peephole pass to fuse when `name` is a plain local
    /// (`Op::CallLocal`).
    local_calls: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PendingLet {
    Local(usize),
    Global(u32),
}

enum VarRef {
    Local(usize),
    Upval(u32),
    Global(u32),
}

/// A compiled program: its main function, and warnings about code that
/// runs but is probably wrong (a coroutine dropped without `await`).
pub(crate) struct Compiled {
    pub main: Rc<FnCode>,
    pub warnings: Vec<CompileError>,
    /// Where the warnings say a coroutine is dropped: the run does not
    /// warn a second time when one of these is never awaited.
    pub dropped_coroutines: Vec<Span>,
}

/// Compiles a program against `globals` (which the REPL keeps between inputs).
/// With `echo`, a final expression statement becomes the main body's result.
/// It recurses on nesting as the parser does: on a small stack it runs on
/// a grown one ([`crate::syntax::with_stack`]).
pub(crate) fn compile_program(
    program: &Program,
    text: &str,
    globals: &mut Globals,
    importer: &mut dyn Importer,
    source: u32,
    echo: bool,
) -> Result<Compiled, CompileError> {
    let mut c = Compiler {
        funcs: Vec::new(),
        globals,
        importer,
        imports: std::collections::HashMap::new(),
        source,
        text,
        warnings: Vec::new(),
        dropped_coroutines: Vec::new(),
        undefined: Vec::new(),
    };
    let compiled = crate::syntax::with_stack(|| c.program(program, source, echo));
    // Undefined names were noted and compiling went on: report them all,
    // in source order, with the mistake that stopped it (if one did).
    let mut errors = std::mem::take(&mut c.undefined);
    if errors.is_empty() {
        return compiled;
    }
    // `cont += 1` reads `cont` first: its store's error says the same.
    let stopped = compiled.err();
    errors.extend(stopped.filter(|e| errors.iter().all(|u| u.span.start != e.span.start)));
    errors.sort_by_key(|e| e.span.start);
    let mut first = errors.remove(0);
    first.also = errors;
    Err(first)
}

impl<'a> Compiler<'a, '_> {
    fn program(&mut self, program: &'a Program, source: u32, echo: bool) -> CResult<Compiled> {
        let c = self;
        c.funcs.push(FnState::new(Rc::from("main"), true, true));
        let stmts = &program.stmts;
        // Room for a few ops a statement (`x += 1` is four): a file of a
        // million statements grows its code without copying it again and
        // again, every old copy still resident at the peak.
        let f = c.f();
        f.code.reserve(stmts.len() * 4);
        f.spans.reserve(stmts.len() * 4);
        c.predeclare(stmts)?;
        c.load_imports(stmts)?;
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
        if !echo && !c.importer.in_import() {
            c.warnings.extend(uncalled_main::warning(stmts, c.text));
        }
        let end = Span::new(0, 0);
        c.emit(Op::Nil, end);
        c.emit(Op::Return, end);
        let f = c.funcs.pop().expect("main");
        let main = Rc::new(f.finish(&[], 0, source, end)?);
        Ok(Compiled {
            main,
            warnings: std::mem::take(&mut c.warnings),
            dropped_coroutines: std::mem::take(&mut c.dropped_coroutines),
        })
    }
}

struct Compiler<'a, 'g> {
    funcs: Vec<FnState<'a>>,
    globals: &'g mut Globals,
    importer: &'g mut dyn Importer,
    /// The top-level imports, loaded before anything compiles (so functions
    /// can use their members), by the import path's start offset.
    imports: std::collections::HashMap<u32, Imported>,
    source: u32,
    /// The source text, for diagnostics that quote it.
    text: &'a str,
    warnings: Vec<CompileError>,
    dropped_coroutines: Vec<Span>,
    /// Undefined names seen so far (each compiled as `nil`, so compiling
    /// goes on to find the others).
    undefined: Vec<CompileError>,
}

impl<'a> FnState<'a> {
    /// Opens a block's scope.
    fn enter_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Closes the innermost scope: its names are no longer in view.
    fn leave_scope(&mut self) {
        for i in self.scopes.pop().unwrap_or_default() {
            if let Some(shadowed) = self.visible.get_mut(&self.locals[i].name) {
                shadowed.pop();
            }
        }
    }

    fn new(name: Rc<str>, is_async: bool, is_main: bool) -> Self {
        FnState {
            name,
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            protos: Vec::new(),
            locals: Vec::new(),
            scopes: vec![Vec::new()],
            visible: Default::default(),
            upvals: Vec::new(),
            loops: Vec::new(),
            unwind: Vec::new(),
            is_async,
            is_main,
            n_slots: 0,
            group_slot: None,
            stmt_ranges: Vec::new(),
            stmt_spans: Vec::new(),
            pending_let: Vec::new(),
            const_stores: Vec::new(),
            aug_stores: Vec::new(),
            local_methods: Vec::new(),
            local_calls: Vec::new(),
        }
    }

    /// Rewrites every access to a captured local into a cell access, checks
    /// the stack balance, and optimizes.
    fn finish(
        mut self,
        params: &[Rc<str>],
        n_defaults: usize,
        source: u32,
        span: Span,
    ) -> CResult<FnCode> {
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
        self.check_balance(span)?;
        let (code, spans) = peephole::optimize(
            self.code,
            self.spans,
            &self.const_stores,
            &self.aug_stores,
            &self.local_methods,
            &self.local_calls,
        );
        Ok(FnCode {
            local_names,
            upval_names: self.upvals.iter().map(|(n, _)| n.clone()).collect(),
            name: self.name,
            params: params.to_vec(),
            n_defaults,
            n_locals: self.n_slots as usize,
            max_stack: depth::max_depth(&code),
            code,
            spans,
            consts: self.consts,
            protos: self.protos,
            upvals: self.upvals.into_iter().map(|(_, u)| u).collect(),
            is_async: self.is_async,
            is_struct: false,
            source,
            span,
        })
    }

    /// Every statement must leave the operand stack as it found it: a value
    /// left behind is read later as something else (a loop's iterator, a
    /// call's argument). A failure here is a bug in the compiler, reported
    /// at the statement instead of crashing or misbehaving at run time.
    fn check_balance(&self, fn_span: Span) -> CResult<()> {
        depth::check_balance(&self.code, &self.stmt_ranges).map_err(|bad| {
            let at = bad.map_or(fn_span, |i| self.stmt_spans[i]);
            CompileError {
                message: "internal error: the compiled code leaves the operand stack unbalanced"
                    .into(),
                span: at,
                label: "in this statement".into(),
                help: Some("this is a bug in tasks; please report it with this program".into()),
                elsewhere: None,
                also: Vec::new(),
            }
        })
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
            Op::JumpIfNil(_) => Op::JumpIfNil(target),
            Op::DefaultArg { slot, .. } => Op::DefaultArg { slot, skip: target },
            other => other,
        };
    }

    fn constant(&mut self, v: Const) -> u32 {
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
}
