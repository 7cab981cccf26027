//! Expressions: operators by precedence level, postfix calls, indexes
//! and methods, and the primaries.

use super::*;
use super::{literal::*, pattern::*, stmt::*};

pub(super) fn expr(p: P) -> Result<Expr> {
    debug_assert!(matches!(p.as_rule(), Rule::expr | Rule::fexpr));
    sequence(p.into_inner())
}

/// An operand followed by the operator tails that apply to it, innermost
/// level first (the grammar keeps each precedence level flat: `a * b + c`
/// is `a`, `* b`, `+ c`).
pub(super) fn sequence<'a>(mut parts: impl Iterator<Item = P<'a>>) -> Result<Expr> {
    let mut e = operand(parts.next().expect("an operand"))?;
    for tail in parts {
        e = apply_tail(e, tail)?;
    }
    Ok(e)
}

/// The head of a sequence: a prefix operator and its operand, or a primary.
pub(super) fn operand(p: P) -> Result<Expr> {
    let sp = span(&p);
    let rule = p.as_rule();
    if !matches!(rule, Rule::not_expr | Rule::unary | Rule::prefix) {
        return primary(p);
    }
    let _depth = depth::enter(1, sp)?;
    let mut inner = p.into_inner();
    let op = inner.next().expect("a prefix operator").as_rule();
    let operand = Box::new(sequence(inner)?);
    let kind = match op {
        Rule::kw_not => ExprKind::Not(operand),
        Rule::kw_await => ExprKind::Await(operand),
        Rule::kw_spawn => ExprKind::Spawn(operand),
        // Fold `-<literal>` so that i64::MIN is writable and constants stay constants.
        _ => match operand.kind {
            ExprKind::Int(n) => ExprKind::Int(n.wrapping_neg()),
            ExprKind::Float(f) => ExprKind::Float(-f),
            _ => ExprKind::Unary { operand },
        },
    };
    Ok(Expr { kind, span: sp })
}

pub(super) fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_or | Rule::kw_and | Rule::cmp_op | Rule::add_op | Rule::mul_op | Rule::pow_op
    )
}

/// Applies one tail to `left`: calls, indexes and methods, or a run of
/// binary operators of one level (left-associative).
pub(super) fn apply_tail(mut left: Expr, tail: P) -> Result<Expr> {
    let rule = tail.as_rule();
    if rule == Rule::postfix_ops {
        return postfix(left, tail);
    }
    if rule == Rule::pow_tail {
        return pow_tail(left, tail);
    }
    let ops = tail
        .clone()
        .into_inner()
        .filter(|p| is_operator(p.as_rule()));
    let _depth = depth::enter(ops.count(), span(&tail))?;
    let mut children = tail.into_inner().peekable();
    while let Some(op) = children.next() {
        let operand = std::iter::from_fn(|| children.next_if(|p| !is_operator(p.as_rule())));
        let right = sequence(operand)?;
        let span = Span {
            start: left.span.start,
            end: right.span.end,
        };
        let kind = match rule {
            Rule::or_tail => ExprKind::Or(Box::new(left), Box::new(right)),
            Rule::and_tail => ExprKind::And(Box::new(left), Box::new(right)),
            _ => ExprKind::Binary {
                op: binop(op.as_str()),
                left: Box::new(left),
                right: Box::new(right),
            },
        };
        left = Expr { kind, span };
    }
    Ok(left)
}

/// `left ** a ** -b ...`: the grammar reads the chain as a run (`**`,
/// minus signs, an operand, ...) so that pest does not recurse on it;
/// `**` is right-associative, so the run is folded from its end. Each
/// `**` and each minus is a level of depth, entered left to right as
/// when the chain nested in the grammar (the same error at the same
/// place when it is too deep).
pub(super) fn pow_tail(left: Expr, tail: P) -> Result<Expr> {
    let mut guards = Vec::new();
    // Each right operand: its minus signs (their spans) and itself.
    let mut operands: Vec<(Vec<Span>, Expr)> = Vec::new();
    let mut negs = Vec::new();
    let mut children = tail.into_inner().peekable();
    while let Some(p) = children.next() {
        match p.as_rule() {
            Rule::pow_op => guards.push(depth::enter(1, span(&p))?),
            Rule::neg => {
                guards.push(depth::enter(1, span(&p))?);
                negs.push(span(&p));
            }
            _ => {
                let rest = std::iter::from_fn(|| {
                    children.next_if(|p| !matches!(p.as_rule(), Rule::pow_op | Rule::neg))
                });
                let operand = sequence(std::iter::once(p).chain(rest))?;
                operands.push((std::mem::take(&mut negs), operand));
            }
        }
    }
    let mut right: Option<Expr> = None;
    while let Some((negs, operand)) = operands.pop() {
        let mut e = match right.take() {
            None => operand,
            Some(r) => binary(BinOp::Pow, operand, r),
        };
        for at in negs.into_iter().rev() {
            let end = e.span.end as usize;
            e = negate(e, Span::new(at.start as usize, end));
        }
        right = Some(e);
    }
    let right = right.expect("an operand after `**`");
    Ok(binary(BinOp::Pow, left, right))
}

pub(super) fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = Span {
        start: left.span.start,
        end: right.span.end,
    };
    let kind = ExprKind::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    };
    Expr { kind, span }
}

/// `-operand`, a literal folded as `operand` does it.
pub(super) fn negate(operand: Expr, span: Span) -> Expr {
    let kind = match operand.kind {
        ExprKind::Int(n) => ExprKind::Int(n.wrapping_neg()),
        ExprKind::Float(f) => ExprKind::Float(-f),
        _ => ExprKind::Unary {
            operand: Box::new(operand),
        },
    };
    Expr { kind, span }
}

pub(super) fn binop(s: &str) -> BinOp {
    match s {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "//" => BinOp::FloorDiv,
        "%" => BinOp::Mod,
        "**" => BinOp::Pow,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        // `not in`, with any whitespace between the two words.
        s if s.starts_with("not") => BinOp::NotIn,
        _ => BinOp::In,
    }
}

/// Calls, indexes and method calls applied to `e`, left to right.
pub(super) fn postfix(mut e: Expr, ops: P) -> Result<Expr> {
    let start = e.span.start as usize;
    let inner = ops.into_inner();
    let _depth = depth::enter(inner.len(), e.span)?;
    for op in inner {
        let end = span(&op).end as usize;
        let sp = Span::new(start, end);
        e = match op.as_rule() {
            Rule::call_args => Expr {
                kind: ExprKind::Call {
                    callee: Box::new(e),
                    args: args(op)?,
                },
                span: sp,
            },
            Rule::index => index(e, op, sp)?,
            Rule::field => {
                let mut m = op.into_inner();
                let name = ident(m.next().unwrap());
                match m.next() {
                    Some(call) => method(e, name, call, sp)?,
                    None => Expr {
                        kind: ExprKind::Field {
                            target: Box::new(e),
                            name,
                        },
                        span: sp,
                    },
                }
            }
            r => unreachable!("postfix {r:?}"),
        };
    }
    Ok(e)
}

/// `receiver.name(args)`.
pub(super) fn method(e: Expr, name: Ident, call: P, sp: Span) -> Result<Expr> {
    if matches!(&e.kind, ExprKind::Var(v) if &*v.name == "asyncio") {
        let inner = call.as_str().trim_end();
        let inner = &inner[1..inner.len() - 1];
        if let Some(h) = habits::asyncio_call(&name.name, sp, inner) {
            return Err(h);
        }
    }
    Ok(Expr {
        kind: ExprKind::Method {
            receiver: Box::new(e),
            name,
            args: args(call)?,
        },
        span: sp,
    })
}

/// `target[i]`, or a slice `target[start:stop:step]` with any part left out.
pub(super) fn index(target: Expr, op: P, sp: Span) -> Result<Expr> {
    let mut parts = op.into_inner().peekable();
    let start = parts
        .next_if(|p| p.as_rule() == Rule::expr)
        .map(expr)
        .transpose()?;
    let Some(tail) = parts.next() else {
        let index = Box::new(start.expect("an index"));
        return Ok(Expr {
            kind: ExprKind::Index {
                target: Box::new(target),
                index,
            },
            span: sp,
        });
    };
    let (mut stop, mut step) = (None, None);
    for part in tail.into_inner() {
        let rule = part.as_rule();
        let value = part
            .into_inner()
            .next()
            .map(expr)
            .transpose()?
            .map(Box::new);
        match rule {
            Rule::slice_stop => stop = value,
            _ => step = value,
        }
    }
    Ok(Expr {
        kind: ExprKind::Slice {
            target: Box::new(target),
            start: start.map(Box::new),
            stop,
            step,
        },
        span: sp,
    })
}

/// `if c { a } else { b }` as a value. An `else if` chain is read as a
/// run (`if`, condition, value, then `else if`, condition, value, ...,
/// the last `else`'s value) and folded from its end: each `else if` is
/// an `if` expression nested in the `else` before it, from its `if` to
/// the end, and a level of depth, entered left to right.
pub(super) fn if_expr(p: P) -> Result<Expr> {
    let end = span(&p).end as usize;
    let mut guards = Vec::new();
    let mut branches = Vec::new();
    let mut parts = p.into_inner().peekable();
    while let Some(kw_if) = parts.next_if(|p| p.as_rule() == Rule::kw_if) {
        let sp = Span::new(span(&kw_if).start as usize, end);
        guards.push(depth::enter(1, sp)?);
        let cond = expr(parts.next().unwrap())?;
        let then = expr(parts.next().unwrap())?;
        branches.push((sp, cond, then));
        parts.next_if(|p| p.as_rule() == Rule::kw_else);
    }
    let mut els = expr(parts.next().expect("the last `else`'s value"))?;
    while let Some((span, cond, then)) = branches.pop() {
        let kind = ExprKind::IfExpr {
            cond: Box::new(cond),
            then: Box::new(then),
            els: Box::new(els),
        };
        els = Expr { kind, span };
    }
    Ok(els)
}

pub(super) fn args(p: P) -> Result<Vec<Arg>> {
    let mut out: Vec<Arg> = Vec::new();
    for a in p.into_inner() {
        let inner = a.into_inner().next().unwrap();
        if inner.as_rule() == Rule::named_arg {
            let mut n = inner.into_inner();
            let name = ident(n.next().unwrap());
            if out
                .iter()
                .any(|a| a.name.as_ref().is_some_and(|x| x.name == name.name))
            {
                return Err(SyntaxError::new(
                    format!("argument `{}` is given twice", name.name),
                    name.span,
                    "repeated here",
                ));
            }
            out.push(Arg {
                name: Some(name),
                value: expr(n.next().unwrap())?,
            });
        } else {
            let value = expr(inner)?;
            if out.iter().any(|a| a.name.is_some()) {
                return Err(SyntaxError::new(
                    "a positional argument cannot follow a named one",
                    value.span,
                    "move this before the named arguments",
                ));
            }
            out.push(Arg { name: None, value });
        }
    }
    Ok(exact(out))
}

pub(super) fn primary(p: P) -> Result<Expr> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let kind = match p.as_rule() {
        Rule::int => {
            let text = digits_of(p.as_str());
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => i64::from_str_radix(hex, 16),
                None => text.parse::<i64>(),
            };
            match parsed {
                Ok(n) => ExprKind::Int(n),
                // Only `-9223372036854775808` legitimately lands here; the negation folds it.
                Err(_) if text == "9223372036854775808" => ExprKind::Int(i64::MIN),
                Err(_) => {
                    return Err(SyntaxError::new(
                        "integer literal is too large",
                        sp,
                        "ints are 64-bit: at most 9223372036854775807",
                    ))
                }
            }
        }
        Rule::float => {
            let text = digits_of(p.as_str());
            ExprKind::Float(text.parse().unwrap_or(f64::INFINITY))
        }
        Rule::string => ExprKind::Str(intern(&string_body(p)?)),
        Rule::fstring => ExprKind::FStr(fstring(p)?),
        Rule::shstring => {
            let parts = fstring(p)?;
            crate::syntax::command::check(&parts)?;
            ExprKind::Command(parts)
        }
        Rule::bytes_lit => ExprKind::Bytes(bytes_body(p)?.into()),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_nil => ExprKind::Nil,
        Rule::list_lit => {
            let mut items = Vec::new();
            for part in p.into_inner() {
                if part.as_rule() == Rule::comp_clauses {
                    let item = Box::new(items.pop().expect("a comprehension's item"));
                    let clauses = comp_clauses(part)?;
                    return Ok(Expr {
                        kind: ExprKind::ListComp { item, clauses },
                        span: sp,
                    });
                }
                if part.as_rule() == Rule::star_item {
                    return Err(star_in_list(span(&part)));
                }
                items.push(expr(part)?);
            }
            ExprKind::List(exact(items))
        }
        Rule::map_lit => {
            let mut entries = Vec::new();
            for e in p.into_inner() {
                if e.as_rule() == Rule::comp_clauses {
                    let (key, value) = entries.pop().expect("a comprehension's entry");
                    return Ok(Expr {
                        kind: ExprKind::MapComp {
                            key: Box::new(key),
                            value: Box::new(value),
                            clauses: comp_clauses(e)?,
                        },
                        span: sp,
                    });
                }
                let mut kv = e.into_inner();
                let k = expr(kv.next().unwrap())?;
                let v = expr(kv.next().unwrap())?;
                entries.push((k, v));
            }
            ExprKind::Map(exact(entries))
        }
        Rule::fn_expr | Rule::async_fn_expr => {
            let is_async = p.as_rule() == Rule::async_fn_expr;
            let mut parts = p
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::kw_fn | Rule::kw_async));
            let params = params(parts.next().unwrap())?;
            let body = block(parts.next().unwrap())?;
            ExprKind::Fn(Rc::new(FnDef {
                name: None,
                params,
                body,
                is_async,
                span: sp,
            }))
        }
        Rule::async_block => {
            let body = block(p.into_inner().nth(1).unwrap())?;
            ExprKind::AsyncBlock(Rc::new(FnDef {
                name: None,
                params: Vec::new(),
                body,
                is_async: true,
                span: sp,
            }))
        }
        Rule::paren => return expr(p.into_inner().next().unwrap()),
        Rule::if_expr => return if_expr(p),
        Rule::ident => ExprKind::Var(ident(p)),
        r => unreachable!("primary {r:?}"),
    };
    Ok(Expr { kind, span: sp })
}

/// A number's text without its `_` separators (copied only when it has some).
fn digits_of(text: &str) -> std::borrow::Cow<'_, str> {
    match text.contains('_') {
        true => text.replace('_', "").into(),
        false => text.into(),
    }
}

/// `for x in xs if c ...` after a comprehension's item.
pub(super) fn comp_clauses(p: P) -> Result<Vec<CompClause>> {
    let mut out = Vec::new();
    for clause in p.into_inner() {
        let rule = clause.as_rule();
        let mut parts = clause.into_inner().skip(1); // the keyword
        out.push(if rule == Rule::comp_for {
            let target = for_target(parts.next().unwrap())?;
            parts.next(); // `in`
            CompClause::For {
                target,
                iter: expr(parts.next().unwrap())?,
            }
        } else {
            CompClause::If(expr(parts.next().unwrap())?)
        });
    }
    Ok(exact(out))
}
