//! Expression statements that do nothing: `x == 1` (meant `x = 1`), `x + 1`
//! (meant `x += 1`), a bare name or literal. Each is a compile error that
//! names what was probably meant, since running it could only hide the
//! mistake.

use super::{err, CompileError};
use crate::syntax::ast::*;

/// Does evaluating `e` have no effect but its value? Calls, `await`,
/// `spawn` and indexing (which may throw on purpose) count as effects.
fn is_pure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Nil
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Var(_) => true,
        ExprKind::FStr(parts) | ExprKind::Command(parts) => parts.iter().all(|p| match p {
            FPart::Text(_) => true,
            FPart::Expr { expr, .. } => is_pure(expr),
        }),
        ExprKind::List(items) => items.iter().all(is_pure),
        ExprKind::Map(pairs) => pairs.iter().all(|(k, v)| is_pure(k) && is_pure(v)),
        ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => is_pure(operand),
        ExprKind::Binary { left, right, .. }
        | ExprKind::And(left, right)
        | ExprKind::Or(left, right) => is_pure(left) && is_pure(right),
        ExprKind::IfExpr { cond, then, els } => is_pure(cond) && is_pure(then) && is_pure(els),
        ExprKind::Fn(_)
        | ExprKind::AsyncBlock(_)
        | ExprKind::Await(_)
        | ExprKind::Spawn(_)
        | ExprKind::Call { .. }
        | ExprKind::Method { .. }
        | ExprKind::Index { .. }
        | ExprKind::ListComp { .. }
        | ExprKind::MapComp { .. }
        | ExprKind::Slice { .. }
        | ExprKind::Field { .. } => false,
    }
}

/// Can evaluating the pure expression `e` throw? Arithmetic (`1 // 0`,
/// `1 + "a"`), ordering (`1 < "a"`), `in` (on a number) and f-string
/// specs can; names, literals and `==` cannot. Inside a `try` with a
/// `catch`, a statement that can throw does something: it may be there to
/// be caught.
fn may_throw(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary { op, left, right } => match op {
            BinOp::Eq | BinOp::Ne => may_throw(left) || may_throw(right),
            _ => true,
        },
        ExprKind::Unary { .. } => true,
        ExprKind::FStr(parts) => parts.iter().any(|p| match p {
            FPart::Text(_) => false,
            FPart::Expr { expr, spec, .. } => spec.is_some() || may_throw(expr),
        }),
        // A value that is no word (nil) is a `TypeError`.
        ExprKind::Command(parts) => parts.iter().any(|p| matches!(p, FPart::Expr { .. })),
        // A map's key may be one no map takes (`{[1]: 2}`).
        ExprKind::Map(pairs) => !pairs.is_empty(),
        ExprKind::List(items) => items.iter().any(may_throw),
        ExprKind::Not(x) => may_throw(x),
        ExprKind::And(l, r) | ExprKind::Or(l, r) => may_throw(l) || may_throw(r),
        ExprKind::IfExpr { cond, then, els } => {
            may_throw(cond) || may_throw(then) || may_throw(els)
        }
        _ => false,
    }
}

/// The compound assignment for an arithmetic operator (`+` → `+=`).
fn compound(op: BinOp) -> Option<&'static str> {
    Some(match op {
        BinOp::Add => "+=",
        BinOp::Sub => "-=",
        BinOp::Mul => "*=",
        BinOp::Div => "/=",
        BinOp::FloorDiv => "//=",
        BinOp::Mod => "%=",
        _ => return None,
    })
}

/// The error for an expression statement `e` that does nothing, if it is
/// one. `text` is the source (for the suggested rewrite); `callable` says
/// whether `e` is the bare name of a function (then a call was probably
/// meant); `caught` whether an error it throws would be caught (the
/// statement is in the body of a `try` with a `catch`).
pub(super) fn useless_statement(
    e: &Expr,
    text: &str,
    callable: bool,
    caught: bool,
) -> Option<CompileError> {
    if !is_pure(e) || (caught && may_throw(e)) {
        return None;
    }
    let src = |s: Span| text.get(s.start as usize..s.end as usize).unwrap_or("…");
    let (message, label, help) = match &e.kind {
        ExprKind::Var(name) if callable => (
            "this names a function without calling it".to_string(),
            "the function is not called".to_string(),
            format!("did you mean `{}()`?", name.name),
        ),
        ExprKind::Var(name) => (
            "a name on its own does nothing".to_string(),
            "its value is not used".to_string(),
            format!("did you mean `print({})`?", name.name),
        ),
        ExprKind::Binary { op, left, right } => {
            let (l, r) = (src(left.span), src(right.span));
            let assignable = matches!(left.kind, ExprKind::Var(_));
            match op {
                BinOp::Eq if assignable => (
                    "this comparison does nothing".to_string(),
                    "its result is not used".to_string(),
                    format!("did you mean `{l} = {r}`?"),
                ),
                op if assignable && compound(*op).is_some() => (
                    "this arithmetic does nothing".to_string(),
                    "its result is not used".to_string(),
                    format!("did you mean `{l} {} {r}`?", compound(*op).unwrap_or("=")),
                ),
                op if compound(*op).is_some() => (
                    "this arithmetic does nothing".to_string(),
                    "its result is not used".to_string(),
                    format!("did you mean `let result = {}`?", src(e.span)),
                ),
                _ => (
                    "this comparison does nothing".to_string(),
                    "its result is not used".to_string(),
                    format!(
                        "did you mean `if {0} {{ ... }}` or `assert({0})`?",
                        src(e.span)
                    ),
                ),
            }
        }
        ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(_) => (
            "this condition does nothing".to_string(),
            "its result is not used".to_string(),
            format!(
                "did you mean `if {0} {{ ... }}` or `assert({0})`?",
                src(e.span)
            ),
        ),
        ExprKind::Command(_) => (
            "a sh\"…\" command on its own does nothing".to_string(),
            "it is not run".to_string(),
            format!("did you mean `await process.run({})`?", src(e.span)),
        ),
        ExprKind::Unary { .. } => (
            "this arithmetic does nothing".to_string(),
            "its result is not used".to_string(),
            format!("did you mean `let result = {}`?", src(e.span)),
        ),
        _ => (
            "a value on its own does nothing".to_string(),
            "this value is not used".to_string(),
            format!("did you mean `print({})`?", src(e.span)),
        ),
    };
    let mut error = err(message, e.span, label);
    error.help = Some(help);
    Some(error)
}

impl<'a> super::Compiler<'a, '_> {
    /// A warning for an expression statement whose value can only be a
    /// coroutine (a call of a known `async fn`, `sleep`, `q.put`,
    /// `l.acquire`, an `async { }` block): dropping it means it never runs,
    /// so an `await` (or a `spawn`) was probably forgotten.
    pub(super) fn discarded_coroutine(&mut self, e: &Expr) -> Option<CompileError> {
        let what = match &e.kind {
            ExprKind::AsyncBlock(_) => "this `async` block".to_string(),
            ExprKind::Call { callee, .. } => {
                let ExprKind::Var(name) = &callee.kind else {
                    return None;
                };
                if !self.makes_coroutine(name) {
                    return None;
                }
                format!("`{}(...)`", name.name)
            }
            ExprKind::Method { name, args, .. } => {
                // Only queues have `put`, only locks and semaphores
                // `acquire`, only events `wait`; `get()` without arguments is
                // a queue's (a map's `get` needs a key).
                let coroutine_method = match &*name.name {
                    "put" | "acquire" | "wait" => true,
                    "get" => args.is_empty(),
                    _ => false,
                };
                if !coroutine_method {
                    return None;
                }
                format!("`.{}(...)`", name.name)
            }
            _ => return None,
        };
        let code = self.text.get(e.span.start as usize..e.span.end as usize)?;
        let short = code.len() <= 40 && !code.contains('\n');
        let what = if short { format!("`{code}`") } else { what };
        let mut w = err(
            format!("{what} makes a coroutine that is never awaited"),
            e.span,
            "this coroutine is dropped without running",
        );
        w.help = Some(format!(
            "add `await` to wait for it (`await {code}`), or `spawn` to run it as a task"
        ));
        Some(w)
    }

    /// Is `name` an `async fn` declared with `fn`, or a builtin that only
    /// makes coroutines (`sleep`, `wait_for`, `race`), not shadowed?
    fn makes_coroutine(&mut self, name: &Ident) -> bool {
        if self.resolve(name).is_some() {
            return self.fn_kind(name) == Some(true);
        }
        self.globals
            .natives
            .functions
            .get(&name.name)
            .is_some_and(|f| f.makes_coroutine)
    }
}
