//! The names a script declares, where, and where each can be seen: what
//! hover, go to definition and completion need of the script itself.

use crate::syntax::ast::{Block, Expr, ExprKind, FnDef, Param, Program, Stmt, StmtKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Variable,
    Function,
    Parameter,
    Record,
    Module,
}

#[derive(Clone, Debug)]
pub(super) struct Symbol {
    pub name: String,
    pub kind: Kind,
    /// The declaring name's bytes.
    pub start: usize,
    pub end: usize,
    /// The bytes where the name can be used (its block, or the file).
    pub scope: (usize, usize),
    /// `async fn fetch(url, tries = 3)`, `struct Job { name, timeout }`.
    pub detail: String,
    /// A variable's type when its `let` makes it plain (`"str"`, `"queue"`,
    /// or a record's name); a method's record; an import's path.
    pub ty: Option<String>,
    /// A record's fields: each name and where it is declared.
    pub fields: Vec<(String, usize, usize)>,
}

/// Every declaration in `program` (whose text is `len` bytes long).
pub(super) fn collect(program: &Program, len: usize) -> Vec<Symbol> {
    let mut out = Vec::new();
    for stmt in &program.stmts {
        stmt_symbols(stmt, (0, len), &mut out);
    }
    out
}

fn span_of(b: &Block) -> (usize, usize) {
    (b.span.start as usize, b.span.end as usize)
}

fn add(
    out: &mut Vec<Symbol>,
    name: &crate::syntax::ast::Ident,
    kind: Kind,
    scope: (usize, usize),
    detail: String,
) {
    out.push(Symbol {
        name: name.name.to_string(),
        kind,
        start: name.span.start as usize,
        end: name.span.end as usize,
        scope,
        detail,
        ty: None,
        fields: Vec::new(),
    });
}

/// The type a `let`'s value plainly has: a literal's, a spawn's, or what
/// a builtin constructor makes; a call of any other name gives that name
/// (a record's constructor; `Document` checks it is one).
fn type_of(value: &Expr) -> Option<String> {
    let ty = match &value.kind {
        ExprKind::Str(_) | ExprKind::FStr(_) => "str",
        ExprKind::Bytes(_) => "bytes",
        ExprKind::List(_) | ExprKind::ListComp { .. } | ExprKind::Command(_) => "list",
        ExprKind::Map(_) | ExprKind::MapComp { .. } => "map",
        ExprKind::Spawn(_) => "task",
        ExprKind::Call { callee, .. } => match &callee.kind {
            ExprKind::Var(f) => match &*f.name {
                "queue" | "event" | "lock" | "semaphore" | "condition" | "barrier" | "future"
                | "timeout" | "error" => return Some(f.name.to_string()),
                "call_later" => "handle",
                "create_task" => "task",
                "str" | "repr" => "str",
                "list" | "sorted" | "reversed" | "enumerate" | "zip" | "keys" | "values"
                | "items" => "list",
                name => return Some(name.to_string()),
            },
            _ => return None,
        },
        _ => return None,
    };
    Some(ty.to_string())
}

fn params_text(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| {
            if p.default.is_some() {
                format!("{} = …", p.name.name)
            } else {
                p.name.name.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn function(f: &FnDef, scope: (usize, usize), out: &mut Vec<Symbol>) {
    if let Some(name) = &f.name {
        let prefix = if f.is_async { "async fn" } else { "fn" };
        let detail = format!("{prefix} {}({})", name.name, params_text(&f.params));
        add(out, name, Kind::Function, scope, detail);
    }
    let body = span_of(&f.body);
    for p in &f.params {
        add(
            out,
            &p.name,
            Kind::Parameter,
            body,
            format!("parameter {}", p.name.name),
        );
    }
    block(&f.body, out);
}

fn block(b: &Block, out: &mut Vec<Symbol>) {
    let scope = span_of(b);
    for s in &b.stmts {
        stmt_symbols(s, scope, out);
    }
}

fn stmt_symbols(stmt: &Stmt, scope: (usize, usize), out: &mut Vec<Symbol>) {
    match &stmt.kind {
        StmtKind::Let { name, value } => {
            add(
                out,
                name,
                Kind::Variable,
                scope,
                format!("let {}", name.name),
            );
            if let Some(last) = out.last_mut() {
                last.ty = value.as_ref().and_then(type_of);
            }
        }
        StmtKind::LetUnpack { pattern, .. } => {
            for n in pattern.names() {
                add(out, n, Kind::Variable, scope, format!("let {}", n.name));
            }
        }
        StmtKind::Fn(f) => function(f, scope, out),
        StmtKind::Struct(s) => {
            let fields = params_text(&s.fields);
            add(
                out,
                &s.name,
                Kind::Record,
                scope,
                format!("struct {} {{ {fields} }}", s.name.name),
            );
            if let Some(record) = out.last_mut() {
                record.fields = s
                    .fields
                    .iter()
                    .map(|f| {
                        let (start, end) = (f.name.span.start as usize, f.name.span.end as usize);
                        (f.name.name.to_string(), start, end)
                    })
                    .collect();
            }
            for m in &s.methods {
                let at = out.len();
                function(m, scope, out);
                if let Some(method) = out.get_mut(at) {
                    method.ty = Some(s.name.name.to_string());
                }
            }
        }
        StmtKind::Import { path, alias, .. } => {
            add(
                out,
                alias,
                Kind::Module,
                scope,
                format!("import \"{path}\" as {}", alias.name),
            );
            if let Some(module) = out.last_mut() {
                module.ty = Some(path.to_string());
            }
        }
        StmtKind::If {
            then, otherwise, ..
        } => {
            block(then, out);
            if let Some(o) = otherwise {
                stmt_symbols(o, scope, out);
            }
        }
        StmtKind::While { body, .. }
        | StmtKind::Group { body, .. }
        | StmtKind::With { body, .. }
        | StmtKind::Block(body) => block(body, out),
        StmtKind::For { target, body, .. } => {
            for n in target.names() {
                add(
                    out,
                    n,
                    Kind::Variable,
                    span_of(body),
                    format!("for {}", n.name),
                );
            }
            block(body, out);
        }
        StmtKind::Try {
            body,
            catches,
            finally,
        } => {
            block(body, out);
            for c in catches {
                if let Some(b) = &c.binding {
                    add(
                        out,
                        b,
                        Kind::Variable,
                        span_of(&c.body),
                        format!("catch {}", b.name),
                    );
                }
                block(&c.body, out);
            }
            if let Some(f) = finally {
                block(f, out);
            }
        }
        _ => {}
    }
}

/// The declaration `name` at `offset` refers to: the nearest one before it
/// whose scope holds it, else a function or record declared later in a
/// scope that holds it (functions can be called before their `fn`).
pub(super) fn resolve<'a>(symbols: &'a [Symbol], name: &str, offset: usize) -> Option<&'a Symbol> {
    let visible = |s: &&Symbol| s.name == name && s.scope.0 <= offset && offset <= s.scope.1;
    let before = symbols
        .iter()
        .filter(visible)
        .filter(|s| s.start <= offset)
        .max_by_key(|s| (s.scope.0, s.start));
    before.or_else(|| {
        symbols
            .iter()
            .filter(visible)
            .find(|s| matches!(s.kind, Kind::Function | Kind::Record))
    })
}

/// The comment lines right above byte `start` (`# ...`), as one text.
pub(super) fn leading_comment(text: &str, start: usize) -> Option<String> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut lines: Vec<&str> = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    lines.reverse();
    (!lines.is_empty()).then(|| lines.join("\n"))
}
