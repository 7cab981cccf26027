//! The syntax tree. Every node carries the byte span it came from, so every
//! later stage (resolver, runtime errors) can point back at the source.

use std::rc::Rc;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Ident {
    pub name: Rc<str>,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct Param {
    pub name: Ident,
    pub default: Option<Expr>,
}

/// A function literal or declaration: `fn f(a, b = 1) { ... }`.
#[derive(Debug)]
pub(crate) struct FnDef {
    pub name: Option<Ident>,
    pub params: Vec<Param>,
    pub body: Block,
    pub is_async: bool,
    pub span: Span,
}

/// `struct Job { name, cmd, timeout = 30 }`: a record type. Fields are
/// declared like parameters (defaults after the fields without one), then
/// methods.
#[derive(Debug)]
pub(crate) struct StructDef {
    pub name: Ident,
    pub fields: Vec<Param>,
    /// `fn m(self, ...)` declared in the body: `r.m(...)` passes `r` as `self`.
    pub methods: Vec<Rc<FnDef>>,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct CatchClause {
    pub binding: Option<Ident>,
    /// Empty means "every error except cancellation".
    pub kinds: Vec<Ident>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
}

/// What a value is unpacked into: `let [a, b] = ...`, `for [k, v] in`,
/// `[xs[0], b] = ...`.
#[derive(Debug)]
pub(crate) enum Pattern {
    Name(Ident),
    /// `xs[i]` or `p.x`, in an assignment only.
    Place(Expr),
    /// `[p, q, ...]`: a value with exactly that many items, or at least
    /// as many as the others when one of them is a `Star`.
    List(Vec<Pattern>, Span),
    /// `*rest` in a list (at most one per list, the parser sees to it):
    /// the items the others leave, always stored as a new list.
    Star(Box<Pattern>),
}

impl Pattern {
    /// The names the pattern binds, left to right.
    pub(crate) fn names(&self) -> Vec<&Ident> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }
    fn collect_names<'a>(&'a self, out: &mut Vec<&'a Ident>) {
        match self {
            Pattern::Name(n) => out.push(n),
            Pattern::Place(_) => {}
            Pattern::List(items, _) => items.iter().for_each(|p| p.collect_names(out)),
            Pattern::Star(p) => p.collect_names(out),
        }
    }
}

#[derive(Debug)]
pub(crate) enum StmtKind {
    Let {
        name: Ident,
        value: Option<Expr>,
    },
    /// `let [a, b] = value`.
    LetUnpack {
        pattern: Pattern,
        value: Expr,
    },
    /// `[a, b] = value` (the value is evaluated first, so `[a, b] = [b, a]`
    /// swaps).
    AssignUnpack {
        pattern: Pattern,
        value: Expr,
    },
    Fn(Rc<FnDef>),
    Struct(Rc<StructDef>),
    /// `import "./util.tasks" as util` (top level only).
    Import {
        path: Rc<str>,
        path_span: Span,
        alias: Ident,
    },
    Assign {
        target: Expr,
        op: AssignOp,
        value: Expr,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then: Block,
        otherwise: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Block,
    },
    /// `for x in`, `for k, v in` (a two-name pattern) or `for [k, v] in`.
    For {
        target: Pattern,
        iter: Expr,
        body: Block,
        /// `for await x in stream`: each item is awaited from the stream.
        awaits: bool,
    },
    Try {
        body: Block,
        catches: Vec<CatchClause>,
        finally: Option<Block>,
    },
    Return(Option<Expr>),
    Break,
    Continue,
    Throw(Expr),
    /// `group { }`, `group as g { }`.
    Group {
        name: Option<Ident>,
        body: Block,
    },
    /// `with scope { body }`: asyncio's `async with`.
    With {
        scope: Expr,
        body: Block,
    },
    Block(Block),
}

#[derive(Debug)]
pub(crate) struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

#[derive(Debug)]
pub(crate) enum FPart {
    Text(String),
    /// `{expr!r:spec}`: `repr` is set by the `!r` conversion.
    Expr {
        expr: Expr,
        repr: bool,
        spec: Option<String>,
    },
}

#[derive(Debug)]
pub(crate) struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// A clause of a comprehension, applied left to right as nested `for`
/// loops and `if` tests.
#[derive(Debug)]
pub(crate) enum CompClause {
    For { target: Pattern, iter: Expr },
    If(Expr),
}

#[derive(Debug)]
pub(crate) enum ExprKind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    /// `b"..."`.
    Bytes(Rc<[u8]>),
    FStr(Vec<FPart>),
    /// `sh"grep {pattern} {file}"`: the command `["sh", "-c", line]`,
    /// each value in the line quoted as one word.
    Command(Vec<FPart>),
    Var(Ident),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    /// `[item for x in xs if c]`.
    ListComp {
        item: Box<Expr>,
        clauses: Vec<CompClause>,
    },
    /// `{key: value for x in xs if c}`.
    MapComp {
        key: Box<Expr>,
        value: Box<Expr>,
        clauses: Vec<CompClause>,
    },
    Fn(Rc<FnDef>),
    AsyncBlock(Rc<FnDef>),
    /// `if cond { then } else { els }` used as a value.
    IfExpr {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
    /// `-operand`.
    Unary {
        operand: Box<Expr>,
    },
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Await(Box<Expr>),
    Spawn(Box<Expr>),
    Call {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    Method {
        receiver: Box<Expr>,
        name: Ident,
        args: Vec<Arg>,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `target[start:stop:step]`, each part optional.
    Slice {
        target: Box<Expr>,
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// `target.name` without a call: a record's field or a module's member.
    Field {
        target: Box<Expr>,
        name: Ident,
    },
}

#[derive(Debug)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct Program {
    pub stmts: Vec<Stmt>,
}
