//! Syntax errors in words a user understands: pest's rule names never leak.

use super::ast::Span;
use super::brackets::{closer_of, scan_brackets, unclosed, Open};
use super::habits;
use super::lex::{self, Scanner, Unclosed};
use super::parser::Rule;
use pest::error::{ErrorVariant, InputLocation};

#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// A second place worth pointing at, such as the bracket left open.
    pub related: Option<(Span, String)>,
    /// True when more input could complete the program (the REPL keeps reading).
    pub incomplete: bool,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        SyntaxError {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            related: None,
            incomplete: false,
        }
    }
}

fn describe(rule: &Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        expr | not_expr | unary | prefix | int | float | string | fstring | shstring
        | bytes_lit | list_lit | map_lit | fn_expr | async_fn_expr | async_block | paren
        | kw_true | kw_false | kw_nil | kw_await | kw_spawn | kw_not | neg | arg => "an expression",
        ident => "a name",
        block | map_entry => "`{`",
        params | call_args => "`(`",
        assign_op => "`=`",
        slice_tail | slice_step => "`:`",
        comp_clauses | comp_for => "`for`",
        comp_if => "`if`",
        list_pattern | star_pattern | for_target => "a name",
        kw_in => "`in`",
        catch_clause | kw_catch => "`catch`",
        finally_clause | kw_finally => "`finally`",
        EOI => "the end of the file",
        let_stmt | fn_decl | async_fn_decl | if_stmt | while_stmt | for_stmt | try_stmt
        | return_stmt | break_stmt | continue_stmt | throw_stmt | group_stmt | expr_stmt | semi => {
            "a statement"
        }
        _ => return None,
    })
}

fn token_at(src: &str, pos: usize) -> String {
    let rest = &src[pos..];
    let Some(c) = rest.chars().next() else {
        return "the end of the file".into();
    };
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        format!("`{word}`")
    } else if c == '\n' {
        "the end of the line".into()
    } else {
        format!("`{c}`")
    }
}

/// Is `pos` right after `for k,` (a pair of names, where Python's `for
/// k, *v in` puts a star)? Returns the name.
fn after_for_pair(src: &str, pos: usize) -> Option<&str> {
    let line_start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    let before = src[line_start..pos].trim();
    let name = before.strip_prefix("for ")?.strip_suffix(',')?.trim();
    let is_name = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    is_name.then_some(name)
}

/// Converts a pest failure into a user-facing error: the first of the
/// stages below that recognises the mistake words it, else the words
/// pest's expected rules translate into.
pub(crate) fn from_pest(src: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if let Some(err) = lexical_mistake(src, pos) {
        return err;
    }
    // The bracket open where pest failed.
    let enclosing = scan_brackets(&src[..pos]).0.pop();
    let innermost = enclosing.as_ref().map(|o| o.ch);
    if let Some(h) = habits::at_failure(src, pos, innermost) {
        return h;
    }
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let end = (pos + src[pos..].chars().next().map_or(0, |c| c.len_utf8())).min(src.len());
    let f = Failure {
        src,
        pos,
        found: token_at(src, pos),
        here: Span::new(pos, end.max(pos)),
        at_end: only_comments_from(src, pos),
        enclosing,
        innermost,
        positives,
    };
    bad_escape(&f)
        .or_else(|| in_params_at(&f))
        .or_else(|| keyword_without_opener(&f))
        .or_else(|| pattern_mistake(&f))
        .or_else(|| after_value(&f))
        .or_else(|| star_or_struct(&f))
        .unwrap_or_else(|| expected(&f))
}

/// Where pest failed, and what is around it.
struct Failure<'a> {
    src: &'a str,
    pos: usize,
    /// The token there, in words (`` `x` ``, "the end of the line").
    found: String,
    /// Its first character.
    here: Span,
    /// Only comments and whitespace follow.
    at_end: bool,
    /// The bracket open there.
    enclosing: Option<Open>,
    innermost: Option<char>,
    /// The rules pest tried there.
    positives: Vec<Rule>,
}

/// An unterminated string or f-string interpolation, a closing bracket of
/// the wrong kind, or a bracket left open at the end of the file.
fn lexical_mistake(src: &str, pos: usize) -> Option<SyntaxError> {
    match lex::unclosed(src) {
        Some(Unclosed::Str(at)) => {
            let mut err = SyntaxError::new(
                "unterminated string",
                Span::new(at, at + 1),
                "this string is never closed",
            );
            err.help = Some("close it with `\"`".into());
            err.incomplete = true;
            return Some(err);
        }
        Some(Unclosed::Interpolation(at)) => {
            let mut err = SyntaxError::new(
                "unclosed `{` in an f-string",
                Span::new(at, at + 1),
                "this `{` is never closed",
            );
            err.help = Some("close it with `}` before the f-string's closing `\"`".into());
            return Some(err);
        }
        _ => {}
    }
    let (open, mismatch) = scan_brackets(src);
    if let Some((at, ch)) = mismatch {
        let here = Span::new(at, at + 1);
        let Some(o) = open.last() else {
            return Some(SyntaxError::new(
                format!("unexpected `{ch}`"),
                here,
                "this bracket closes nothing",
            ));
        };
        // A closer of the wrong kind: the bracket still open is most
        // likely the one left unclosed (`run("x", [y]` then `})`).
        let closer = closer_of(o.ch);
        let mut err = SyntaxError::new(
            format!("expected `{closer}`, found `{ch}`"),
            here,
            format!("the `{}` must be closed before this", o.ch),
        );
        err.related = Some((
            Span::new(o.at, o.at + 1),
            format!("this `{}` is still open", o.ch),
        ));
        err.help = Some(format!("add a `{closer}` to close it"));
        return Some(err);
    }
    let at_end = only_comments_from(src, pos);
    if let (Some(o), true) = (open.last(), at_end) {
        return Some(unclosed(o));
    }
    None
}

/// `"\q"`: an escape the language does not have.
fn bad_escape(f: &Failure) -> Option<SyntaxError> {
    let (src, pos, positives) = (f.src, f.pos, &f.positives);
    if src[pos..].starts_with('\\') {
        let esc: String = src[pos..].chars().take(2).collect();
        let mut err = SyntaxError::new(
            format!("unknown escape `{esc}`"),
            Span::new(pos, pos + esc.len()),
            "not an escape sequence",
        );
        err.help = Some(if positives.contains(&Rule::bytes_escape) {
            "the escapes of a bytes literal are \\xNN (two hex digits) \\n \\t \\r \\0 \\\\ and \\\"".into()
        } else {
            "the escapes are \\n \\t \\r \\0 \\\\ \\\" \\{ \\} and \\u{1F600}".into()
        });
        return Some(err);
    }
    None
}

/// `fn f(a b)`: the mistake inside a parameter list.
fn in_params_at(f: &Failure) -> Option<SyntaxError> {
    if f.found == "`(`" && f.positives.contains(&Rule::params) {
        return in_params(f.src, f.pos);
    }
    None
}

/// `else`, `catch` or `finally` without its `if` or `try` (or inside its
/// block, whose `}` is missing).
fn keyword_without_opener(f: &Failure) -> Option<SyntaxError> {
    let (src, found, here, positives) = (f.src, &f.found, f.here, &f.positives);
    for (kw, opener) in [("catch", "try"), ("finally", "try"), ("else", "if")] {
        if *found != format!("`{kw}`") {
            continue;
        }
        // Inside the block of an `if` or `try` still open: most likely its
        // `}` is missing (`if c {`, a line, then `else {`).
        if let Some(o) = f
            .enclosing
            .as_ref()
            .filter(|o| o.ch == '{' && heads(src, o.at, opener))
        {
            let mut err = SyntaxError::new(
                format!("expected `}}` before `{kw}`"),
                here,
                format!("`{kw}` inside a block"),
            );
            err.related = Some((Span::new(o.at, o.at + 1), "this block is still open".into()));
            err.help = Some(format!("close the block before `{kw}` with `}}`"));
            return Some(err);
        }
        if positives
            .iter()
            .any(|r| matches!(r, Rule::expr_stmt | Rule::EOI | Rule::let_stmt | Rule::semi))
        {
            return Some(SyntaxError::new(
                format!("`{kw}` without `{opener}`"),
                here,
                format!("no `{opener}` block comes right before this"),
            ));
        }
    }
    None
}

/// A mistake after a name in a pattern (`for [k, v in`).
fn pattern_mistake(f: &Failure) -> Option<SyntaxError> {
    let (src, pos, positives, innermost) = (f.src, f.pos, &f.positives, f.innermost);
    // In a pattern pest names the rule it last tried, at the last name read
    // (`for [k, v in`): the mistake is what follows that name.
    let name_wanted = !positives.is_empty()
        && positives.iter().all(|r| {
            matches!(
                r,
                Rule::ident | Rule::list_pattern | Rule::star_pattern | Rule::for_target
            )
        });
    // At a `*rest` pest names the rules it tried at the `*`.
    let name_at = match src[pos..].strip_prefix('*') {
        Some(rest) if name_wanted => src.len() - rest.trim_start().len(),
        _ => pos,
    };
    let word_len = src[name_at..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(src.len() - name_at);
    // The grammar's keywords (`ident` refuses them).
    const KEYWORDS: [&str; 23] = [
        "let", "fn", "async", "await", "spawn", "return", "if", "else", "while", "for", "in",
        "break", "continue", "try", "catch", "finally", "throw", "true", "false", "nil", "and",
        "or", "not",
    ];
    let word = &src[name_at..name_at + word_len];
    if name_wanted
        && innermost == Some('[')
        && word_len > 0
        && !word.starts_with(|c: char| c.is_ascii_digit())
        && !KEYWORDS.contains(&word)
    {
        let after = name_at + word_len;
        let next = after + (src[after..].len() - src[after..].trim_start().len());
        let end = (next + src[next..].chars().next().map_or(0, char::len_utf8)).min(src.len());
        return Some(SyntaxError::new(
            format!(
                "expected `,` or `]` in the pattern, found {}",
                token_at(src, next)
            ),
            Span::new(next, end),
            "a pattern is names in brackets: `[a, b]`",
        ));
    }
    None
}

/// A value where an operator, a `,` or a `{` was wanted.
fn after_value(f: &Failure) -> Option<SyntaxError> {
    let (found, here, positives, innermost, at_end) =
        (&f.found, f.here, &f.positives, f.innermost, f.at_end);
    let after_value = positives.iter().any(|r| {
        matches!(
            r,
            Rule::call_args
                | Rule::index
                | Rule::field
                | Rule::cmp_op
                | Rule::add_op
                | Rule::mul_op
                | Rule::assign_op
        )
    });
    // A block is wanted right after a value only in a header (`if x {`); at
    // a statement boundary a block is merely one of the statements that may
    // start there.
    if after_value && positives.contains(&Rule::block) && !positives.contains(&Rule::semi) {
        let mut err = SyntaxError::new(
            format!("expected `{{`, found {found}"),
            here,
            "expected `{` here",
        );
        err.help = Some("the body of `if`, `while`, `for` and `fn` goes in braces".into());
        err.incomplete = at_end;
        return Some(err);
    }
    if after_value {
        if ["`<`", "`>`", "`=`", "`!`"].contains(&found.as_str())
            && !positives.contains(&Rule::cmp_op)
        {
            let mut err = SyntaxError::new(
                "comparisons cannot be chained",
                here,
                "a second comparison here",
            );
            err.help = Some("combine them with `and`: `a < b and b < c`".into());
            return Some(err);
        }
        let wanted = match innermost {
            Some('[') => "`,` or `]`",
            Some('(') => "`,` or `)`",
            _ => "an operator or the end of the statement",
        };
        let mut err = SyntaxError::new(
            format!("expected {wanted}, found {found}"),
            here,
            format!("expected {wanted}"),
        );
        err.incomplete = at_end;
        if innermost.is_none() && found == "`{`" {
            err.help =
                Some("a block needs a statement before it, such as `if`, `while` or `for`".into());
        }
        return Some(err);
    }
    None
}

/// Python's `*` unpacking (`for k, *v`, `f(*xs)`), and a field list of a
/// `struct` without its `,`.
fn star_or_struct(f: &Failure) -> Option<SyntaxError> {
    let (src, pos, found, here, positives) = (f.src, f.pos, &f.found, f.here, &f.positives);
    let prev = src[..pos].trim_end().chars().last();
    if let (true, Some(name)) = (found.starts_with("`*"), after_for_pair(src, pos)) {
        // Python's `for k, *v in rows`: `for k, v` is a pair, no more.
        let mut err = SyntaxError::new(
            "a starred name needs a list pattern",
            here,
            "`for k, v` takes exactly two names",
        );
        let rest = habits::word_at(src, pos + 1);
        let rest = if rest.is_empty() { "rest" } else { rest };
        err.help = Some(format!("write `for [{name}, *{rest}] in ...`"));
        return Some(err);
    }
    if found.starts_with("`*") && matches!(prev, Some('(' | ',' | '[')) {
        // Python's `f(*xs)`, `f(**kw)`, `[*xs]`.
        let mut err = SyntaxError::new(
            format!("expected an expression, found {found}"),
            here,
            "expected an expression",
        );
        err.help = Some(
            "there is no `*` unpacking: pass the list itself (`gather(tasks)` takes a list)".into(),
        );
        return Some(err);
    }
    // Inside `struct Name { ... }`, after a field: only methods were tried
    // as rules (the `,`, `=` and `}` are plain text to pest).
    let in_struct = !positives.is_empty()
        && positives
            .iter()
            .all(|r| matches!(r, Rule::kw_fn | Rule::kw_async | Rule::semi));
    if in_struct {
        return Some(SyntaxError::new(
            format!("expected `,`, `=`, a method or `}}`, found {found}"),
            here,
            "expected `,` between fields",
        ));
    }
    None
}

/// "expected X, found Y", from the rules pest tried.
fn expected(f: &Failure) -> SyntaxError {
    let (found, here, positives, at_end) = (&f.found, f.here, &f.positives, f.at_end);
    let mut words: Vec<&str> = positives.iter().filter_map(describe).collect();
    words.sort_by_key(|w| match *w {
        "an expression" => 0,
        "a name" => 1,
        "`{`" => 2,
        "`(`" => 3,
        "`=`" => 4,
        _ => 5,
    });
    words.dedup();
    if words.contains(&"an expression") {
        words.retain(|w| *w != "a statement" && *w != "a name" && *w != "the end of the file");
    }
    let wanted = match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        _ => format!(
            "{} or {}",
            words[..words.len() - 1].join(", "),
            words[words.len() - 1]
        ),
    };
    let mut err = SyntaxError::new(
        format!("expected {wanted}, found {found}"),
        here,
        format!("expected {wanted}"),
    );
    err.incomplete = at_end;
    if found == "`=`" && wanted.contains("expression") {
        err.help = Some("to compare values use `==`".into());
    }
    err
}

/// `fn f(a b)`: pest names the parameter list, at its `(` (`pos`). The
/// mistake is the first thing after a name that is not `,`, `=` or `)`.
fn in_params(src: &str, pos: usize) -> Option<SyntaxError> {
    let skip_space = |i: usize| i + (src[i..].len() - src[i..].trim_start().len());
    let mut i = pos + 1;
    loop {
        i = skip_space(i);
        let name = habits::word_at(src, i).len();
        if name == 0 {
            return None;
        }
        i = skip_space(i + name);
        match src[i..].chars().next() {
            Some(',') => i += 1,
            Some(')' | '=') => return None,
            Some(next) => {
                return Some(SyntaxError::new(
                    format!(
                        "expected `,` or `)` after a parameter, found {}",
                        token_at(src, i)
                    ),
                    Span::new(i, i + next.len_utf8()),
                    "expected `,` or `)`",
                ));
            }
            None => return Some(unclosed(&Open { ch: '(', at: pos })),
        }
    }
}

/// Whether the line of the `{` at `at` is the head of an `opener` block
/// (`if`, `try`), or of a branch after one (`} else if`, `catch`).
fn heads(src: &str, at: usize, opener: &str) -> bool {
    let line = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let head = src[line..at]
        .trim_start()
        .trim_start_matches('}')
        .trim_start();
    [opener, "else", "catch"]
        .iter()
        .any(|w| head.starts_with(w))
}

/// Whether nothing but whitespace and comments comes from `pos` on (more
/// input could then complete the program).
fn only_comments_from(src: &str, pos: usize) -> bool {
    !Scanner::new(src).any(|b| b.at >= pos && !b.byte.is_ascii_whitespace())
}
