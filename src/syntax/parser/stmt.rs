//! Statements: each kind built from its pair, and the `;` rule between
//! simple statements on one line.

use super::*;
use super::{expr::*, literal::*, pattern::*};

/// The last simple statement (all but the ones that end in a block) not
/// yet ended by `;`: the next statement must start on another line.
#[derive(Clone)]
pub(super) struct Simple<'a> {
    rule: Rule,
    /// Its source text, without trailing whitespace.
    text: &'a str,
    pub(super) span: Span,
}

/// Adds the statement `p` to `out`. `gap` is the source between the open
/// simple statement, if any, and `p`: without a line break in it, `print
/// "hello"` is a mistake, not two statements.
pub(super) fn push_stmt<'a>(
    p: P<'a>,
    gap: &str,
    open: &mut Option<Simple<'a>>,
    out: &mut Vec<Stmt>,
) -> Result<()> {
    if p.as_rule() == Rule::semi {
        *open = None;
        return Ok(());
    }
    if let Some(prev) = open.take() {
        if !gap.contains('\n') {
            return Err(missing_semicolon(&prev, &p));
        }
    }
    if is_simple(p.as_rule()) {
        *open = Some(Simple {
            rule: same_rule(p.as_rule()),
            text: p.as_str().trim_end(),
            span: span(&p),
        });
    }
    out.extend(stmt(p)?);
    Ok(())
}

/// The rule of the exact grammar that reads what `rule` reads: the fast
/// mode's expression statement is `expr_stmt`'s twin (tasks.pest, `fstmt`).
pub(super) fn same_rule(rule: Rule) -> Rule {
    match rule {
        Rule::fexpr_stmt => Rule::expr_stmt,
        Rule::fexpr => Rule::expr,
        r => r,
    }
}

pub(super) fn is_simple(rule: Rule) -> bool {
    matches!(
        same_rule(rule),
        Rule::let_stmt
            | Rule::expr_stmt
            | Rule::return_stmt
            | Rule::break_stmt
            | Rule::continue_stmt
            | Rule::throw_stmt
    )
}

/// `prev next` on one line: names the call that was probably meant when
/// `prev` is a bare name (`print "hello"` for `print("hello")`).
pub(super) fn missing_semicolon(prev: &Simple, next: &P) -> SyntaxError {
    let at = span(next);
    let mut e = SyntaxError::new(
        "two statements on one line need a `;` between them",
        at,
        "a second statement starts here",
    );
    let name = prev.text;
    let is_word = name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if prev.rule == Rule::expr_stmt && is_word {
        let line_end = next.as_span().get_input()[next.as_span().start()..]
            .find('\n')
            .map_or(next.as_span().get_input().len(), |i| {
                next.as_span().start() + i
            });
        let rest = &next.as_span().get_input()[next.as_span().start()..line_end];
        if let Some(h) = habits::bare_word(name, prev.span, rest) {
            return h;
        }
    }
    let bare_name =
        prev.rule == Rule::expr_stmt && is_word && same_rule(next.as_rule()) == Rule::expr_stmt;
    e.help = Some(if bare_name {
        let args = next.as_str().trim_end();
        format!("to call `{name}`, put its arguments in parentheses: `{name}({args})`")
    } else {
        "end the first statement with `;`, or start the second on a new line".into()
    });
    e
}

/// A block: its statements are read here, one at a time (the grammar
/// skipped them).
pub(super) fn block(p: P) -> Result<Block> {
    let sp = span(&p);
    let text = p.as_span().get_input();
    let start = p.as_span().start() + 1;
    if p.as_span().end() - start <= WHOLE_BLOCK {
        if let Some(stmts) = whole_block(text, base(), start, p.as_span().end())? {
            return Ok(Block { stmts, span: sp });
        }
    }
    let (stmts, end) = items(text, base(), start, Rule::body_stmt)?;
    if end != p.as_span().end() {
        // The grammar's skip and the statements disagree on where the block
        // ends: a bug, reported rather than a program read wrongly.
        return Err(SyntaxError::new(
            "this block could not be read (a bug in tasks: please report it)",
            Span::new(sp.start as usize, sp.start as usize + 1),
            "this block",
        ));
    }
    Ok(Block { stmts, span: sp })
}

/// A statement from its pair: the short kinds here, the others each in a
/// function of its own below.
pub(super) fn stmt(p: P) -> Result<Option<Stmt>> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let kind = match p.as_rule() {
        Rule::semi => return Ok(None),
        Rule::let_stmt => let_stmt(p, sp)?,
        Rule::fn_decl | Rule::async_fn_decl => fn_decl(p, sp)?,
        Rule::struct_decl => struct_decl(p, sp)?,
        Rule::import_stmt => import_stmt(p)?,
        Rule::if_stmt => if_stmt(p, sp)?,
        Rule::while_stmt => {
            let mut inner = p.into_inner().skip(1);
            let cond = expr(inner.next().unwrap())?;
            StmtKind::While {
                cond,
                body: block(inner.next().unwrap())?,
            }
        }
        Rule::for_stmt => for_stmt(p)?,
        Rule::try_stmt => try_stmt(p)?,
        Rule::return_stmt => StmtKind::Return(p.into_inner().nth(1).map(expr).transpose()?),
        Rule::break_stmt => StmtKind::Break,
        Rule::continue_stmt => StmtKind::Continue,
        Rule::throw_stmt => StmtKind::Throw(expr(p.into_inner().nth(1).unwrap())?),
        Rule::group_stmt => group_stmt(p)?,
        Rule::with_stmt => {
            let mut inner = p.into_inner().skip(1);
            StmtKind::With {
                scope: expr(inner.next().unwrap())?,
                body: block(inner.next().unwrap())?,
            }
        }
        Rule::block => StmtKind::Block(block(p)?),
        Rule::expr_stmt | Rule::fexpr_stmt => expr_stmt(p)?,
        r => unreachable!("statement rule {r:?}"),
    };
    Ok(Some(Stmt { kind, span: sp }))
}

/// `let name = value`, or `let [a, b] = value` (which needs the value).
fn let_stmt(p: P, sp: Span) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    inner.next(); // kw
    let target = inner.next().unwrap();
    let value = inner.next().map(expr).transpose()?;
    Ok(if target.as_rule() == Rule::ident {
        StmtKind::Let {
            name: ident(target),
            value,
        }
    } else {
        let pattern = pattern(target)?;
        let Some(value) = value else {
            let mut e = SyntaxError::new(
                "unpacking needs a value",
                sp,
                "nothing to unpack into these names",
            );
            e.help = Some("write `let [a, b] = pair`".into());
            return Err(e);
        };
        StmtKind::LetUnpack { pattern, value }
    })
}

/// `fn name(params) { body }`, or `async fn`.
fn fn_decl(p: P, sp: Span) -> Result<StmtKind> {
    let is_async = p.as_rule() == Rule::async_fn_decl;
    let mut parts = p
        .into_inner()
        .filter(|p| !matches!(p.as_rule(), Rule::kw_fn | Rule::kw_async));
    let name = ident(parts.next().unwrap());
    let params = params(parts.next().unwrap())?;
    let body = block(parts.next().unwrap())?;
    Ok(StmtKind::Fn(Rc::new(FnDef {
        name: Some(name),
        params,
        body,
        is_async,
        span: sp,
    })))
}

/// `struct Name { fields, methods }`.
fn struct_decl(p: P, sp: Span) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    inner.next(); // kw
    let name = ident(inner.next().unwrap());
    let mut fields = Vec::new();
    let mut methods = Vec::new();
    for part in inner {
        match part.as_rule() {
            Rule::param => fields.push(param(part)?),
            Rule::semi => {}
            _ => {
                if let Some(Stmt {
                    kind: StmtKind::Fn(def),
                    ..
                }) = stmt(part)?
                {
                    methods.push(def);
                }
            }
        }
    }
    Ok(StmtKind::Struct(Rc::new(StructDef {
        name,
        fields,
        methods,
        span: sp,
    })))
}

/// `import "path" as name`.
fn import_stmt(p: P) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    inner.next(); // kw
    let path = inner.next().unwrap();
    let path_span = span(&path);
    let text = string_body(path)?;
    inner.next(); // as
    Ok(StmtKind::Import {
        path: Rc::from(text.as_str()),
        path_span,
        alias: ident(inner.next().unwrap()),
    })
}

/// `if c { } else if c { } else { }`.
fn if_stmt(p: P, sp: Span) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    inner.next();
    let cond = expr(inner.next().unwrap())?;
    let then = block(inner.next().unwrap())?;
    let mut else_ifs = Vec::new();
    let mut otherwise = None;
    for part in inner {
        match part.as_rule() {
            Rule::else_if => else_ifs.push(part),
            Rule::block => {
                let b = block(part)?;
                let span = b.span;
                otherwise = Some(Box::new(Stmt {
                    kind: StmtKind::Block(b),
                    span,
                }));
            }
            _ => {}
        }
    }
    // Each `else if` is an `if` nested in the `else` of the one before.
    let _depth = depth::enter(else_ifs.len(), sp)?;
    let mut links = Vec::with_capacity(else_ifs.len());
    for e in else_ifs {
        let mut parts = e.into_inner().skip(1);
        let start = span(&parts.next().unwrap()).start as usize;
        let cond = expr(parts.next().unwrap())?;
        links.push((start, cond, block(parts.next().unwrap())?));
    }
    for (start, cond, then) in links.into_iter().rev() {
        otherwise = Some(Box::new(Stmt {
            kind: StmtKind::If {
                cond,
                then,
                otherwise,
            },
            span: Span::new(start, sp.end as usize),
        }));
    }
    Ok(StmtKind::If {
        cond,
        then,
        otherwise,
    })
}

/// `for target in iter { }`, or `for await`.
fn for_stmt(p: P) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    inner.next();
    let awaits = inner.peek().is_some_and(|p| p.as_rule() == Rule::kw_await);
    if awaits {
        inner.next();
    }
    let target = for_target(inner.next().unwrap())?;
    inner.next(); // `in`
    let iter = expr(inner.next().unwrap())?;
    Ok(StmtKind::For {
        target,
        iter,
        body: block(inner.next().unwrap())?,
        awaits,
    })
}

/// `try { } catch e: Kind { } finally { }` (a `catch` or a `finally` at least).
fn try_stmt(p: P) -> Result<StmtKind> {
    let sp_input = p.as_span().get_input();
    let mut inner = p.into_inner();
    inner.next();
    let body = block(inner.next().unwrap())?;
    let mut catches = Vec::new();
    let mut finally = None;
    for part in inner {
        match part.as_rule() {
            Rule::catch_clause => catches.push(catch_clause(part)?),
            Rule::finally_clause => finally = Some(block(part.into_inner().nth(1).unwrap())?),
            _ => unreachable!(),
        }
    }
    if catches.is_empty() && finally.is_none() {
        let after = &sp_input[body.span.end as usize - base()..];
        let at = body.span.end as usize + (after.len() - after.trim_start().len());
        if after.trim_start().starts_with("except") {
            return Err(habits::bare_word("except", Span::new(at, at + 6), "").unwrap());
        }
        return Err(SyntaxError::new(
            "a `try` needs a `catch` or a `finally`",
            Span::new(body.span.end as usize, body.span.end as usize),
            "expected `catch` or `finally` here",
        ));
    }
    Ok(StmtKind::Try {
        body,
        catches,
        finally,
    })
}

/// `group { }` or `group as g { }`.
fn group_stmt(p: P) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    let mut name = None;
    let mut next = inner.next().unwrap();
    if next.as_rule() == Rule::kw_as {
        name = Some(ident(inner.next().unwrap()));
        next = inner.next().unwrap();
    }
    Ok(StmtKind::Group {
        name,
        body: block(next)?,
    })
}

/// An expression, or an assignment to one. One rule for both, so that a
/// statement is parsed once: trying an assignment first and re-parsing on
/// failure doubled the work at every level of nested callbacks.
fn expr_stmt(p: P) -> Result<StmtKind> {
    let mut inner = p.into_inner();
    let first = inner.next().unwrap();
    if let (Some(list), Some(op)) = (sole_list(&first), inner.peek()) {
        // `[a, *rest] = xs`: read as a pattern, where `*` is allowed.
        if op.as_str() != "=" {
            return Err(compound_unpack(&op));
        }
        inner.next(); // `=`
        return Ok(StmtKind::AssignUnpack {
            pattern: target_list(list)?,
            value: expr(inner.next().unwrap())?,
        });
    }
    let target = expr(first)?;
    let Some(op) = inner.next() else {
        return Ok(StmtKind::Expr(target));
    };
    if let ExprKind::Slice { .. } = target.kind {
        let mut e = SyntaxError::new(
            "a slice cannot be assigned",
            target.span,
            "a slice makes a new list",
        );
        e.help = Some(
            "assign items by index (`xs[i] = v`), or build the new list: \
             `xs = xs[:i] + new + xs[j:]`"
                .into(),
        );
        return Err(e);
    }
    if !matches!(
        target.kind,
        ExprKind::Var(_) | ExprKind::Index { .. } | ExprKind::Field { .. }
    ) {
        return Err(SyntaxError::new(
            "cannot assign to this expression",
            target.span,
            "only a variable, an index like `xs[0]` or a field like `job.name` can be assigned",
        ));
    }
    let op = match op.as_str() {
        "=" => AssignOp::Set,
        "+=" => AssignOp::Add,
        "-=" => AssignOp::Sub,
        "*=" => AssignOp::Mul,
        "/=" => AssignOp::Div,
        "//=" => AssignOp::FloorDiv,
        _ => AssignOp::Mod,
    };
    Ok(StmtKind::Assign {
        target,
        op,
        value: expr(inner.next().unwrap())?,
    })
}

pub(super) fn catch_clause(p: P) -> Result<CatchClause> {
    let sp = span(&p);
    let mut binding = None;
    let mut kinds = Vec::new();
    let mut body = None;
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::ident => binding = Some(ident(part)),
            Rule::catch_kinds => kinds = part.into_inner().map(ident).collect(),
            Rule::block => body = Some(block(part)?),
            _ => {}
        }
    }
    Ok(CatchClause {
        binding,
        kinds,
        body: body.expect("catch body"),
        span: sp,
    })
}

pub(super) fn params(p: P) -> Result<Vec<Param>> {
    p.into_inner().map(param).collect::<Result<_>>().map(exact)
}

pub(super) fn param(p: P) -> Result<Param> {
    let mut inner = p.into_inner();
    let name = ident(inner.next().unwrap());
    let default = inner.next().map(expr).transpose()?;
    Ok(Param { name, default })
}
