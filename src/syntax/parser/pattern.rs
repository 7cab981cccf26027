//! Patterns: the names `let` and `for` unpack into, and the left side of
//! an unpacking assignment.

use super::expr::*;
use super::*;

/// A `list_pattern` or a name, as `let` and `for` declare them.
pub(super) fn pattern(p: P) -> Result<Pattern> {
    match p.as_rule() {
        Rule::ident => return Ok(Pattern::Name(ident(p))),
        Rule::star_pattern => {
            let name = ident(p.into_inner().next().unwrap());
            return Ok(Pattern::Star(Box::new(Pattern::Name(name))));
        }
        _ => {}
    }
    let sp = span(&p);
    let items = p
        .into_inner()
        .map(|item| Ok((span(&item), pattern(item)?)))
        .collect::<Result<_>>()?;
    list_pattern(items, sp)
}

/// A list of patterns, each with its span, once it is checked that at
/// most one of them is starred (CPython: "multiple starred expressions in
/// assignment"): which items would the second one take?
pub(super) fn list_pattern(items: Vec<(Span, Pattern)>, sp: Span) -> Result<Pattern> {
    let mut stars = items.iter().filter(|(_, p)| matches!(p, Pattern::Star(_)));
    if let (Some(_), Some((second, _))) = (stars.next(), stars.next()) {
        let mut e = SyntaxError::new(
            "multiple starred names in one pattern",
            *second,
            "a second `*` in this list",
        );
        e.help = Some(
            "a list takes one `*name`, which gets the items the other names leave: \
             `[first, *rest]`"
                .into(),
        );
        return Err(e);
    }
    let items = items.into_iter().map(|(_, p)| p).collect();
    Ok(Pattern::List(exact(items), sp))
}

/// `x`, `k, v` (a pair) or `[k, v]` after `for`.
pub(super) fn for_target(p: P) -> Result<Pattern> {
    let sp = span(&p);
    let mut parts: Vec<P> = p.into_inner().collect();
    if parts.len() == 1 {
        return pattern(parts.pop().unwrap());
    }
    let items = parts.into_iter().map(pattern).collect::<Result<_>>()?;
    Ok(Pattern::List(exact(items), sp))
}

/// `[*xs, 1]` in an expression: Python's spread, which does not exist
/// here (the grammar reads it for `[first, *rest] = xs`).
pub(super) fn star_in_list(sp: Span) -> SyntaxError {
    let mut e = SyntaxError::new("there is no `*` spread in a list", sp, "Python's `*xs`");
    e.help = Some(
        "join lists with `+`: `xs + [1]`; `*name` only collects items when unpacking, \
         as in `let [first, *rest] = xs`"
            .into(),
    );
    e
}

/// The list literal an `expr` pair is, if it is nothing more (`[a, b]`,
/// not `[a, b][0]`): the left side of an unpacking assignment.
pub(super) fn sole_list<'a>(p: &P<'a>) -> Option<P<'a>> {
    let mut inner = p.clone().into_inner();
    match (inner.next(), inner.next()) {
        (Some(list), None) if list.as_rule() == Rule::list_lit => Some(list),
        _ => None,
    }
}

pub(super) fn compound_unpack(op: &P) -> SyntaxError {
    SyntaxError::new(
        format!("`{}` cannot unpack", op.as_str()),
        span(op),
        "only `=` assigns to a list of names",
    )
}

pub(super) fn cannot_unpack_into(sp: Span) -> SyntaxError {
    SyntaxError::new(
        "cannot assign to this expression",
        sp,
        "only a variable, an index, a field or a list of them can be unpacked into",
    )
}

/// The left side of `[a, xs[0], *rest, [b, c]] = value`, a `list_lit`:
/// each item a variable, an index, a field, such a list again, or one
/// `*` with a variable, an index or a field.
pub(super) fn target_list(p: P) -> Result<Pattern> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let mut items = Vec::new();
    for part in p.into_inner() {
        let item_span = span(&part);
        let item = match part.as_rule() {
            Rule::star_item => match target(part.into_inner().next().unwrap())? {
                Pattern::List(..) => {
                    return Err(SyntaxError::new(
                        "cannot assign to this expression",
                        item_span,
                        "a `*` takes a variable, an index or a field",
                    ))
                }
                place => Pattern::Star(Box::new(place)),
            },
            Rule::expr => target(part)?,
            // A comprehension.
            _ => return Err(cannot_unpack_into(sp)),
        };
        items.push((item_span, item));
    }
    if items.is_empty() {
        return Err(cannot_unpack_into(sp));
    }
    list_pattern(items, sp)
}

/// One item of an unpacking assignment's left side (an `expr` pair).
pub(super) fn target(p: P) -> Result<Pattern> {
    if let Some(list) = sole_list(&p) {
        return target_list(list);
    }
    let e = expr(p)?;
    match e.kind {
        ExprKind::Var(name) => Ok(Pattern::Name(name)),
        ExprKind::Index { .. } | ExprKind::Field { .. } => Ok(Pattern::Place(e)),
        _ => Err(cannot_unpack_into(e.span)),
    }
}
