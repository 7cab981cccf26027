//! Tokens into lines: the source's own line breaks are kept (a statement
//! ends at a line break as often as at a `;`, so joining lines could change
//! the program), except `}` and the `else`/`catch`/`finally` after it,
//! which are joined; runs of blank lines become one; and each line is
//! indented by what it sits in, 4 spaces a level.

use super::spacing::{is_binary_operator, is_closer, is_opener, Bracket, Role};
use super::tokens::{Kind, Token};

pub(super) const INDENT: usize = 4;

/// One output line: its indentation and its tokens (indices).
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub indent: usize,
    pub tokens: Vec<usize>,
    /// An empty line before it.
    pub blank_before: bool,
}

/// An open bracket: the indentation of what it holds and of its closer.
struct Open {
    inner: usize,
    close: usize,
}

pub(super) fn lay_out(tokens: &[Token], roles: &[Role]) -> Vec<Line> {
    let rows = rows(tokens, roles);
    let mut open: Vec<Open> = Vec::new();
    let mut lines = Vec::with_capacity(rows.len());
    let mut prev_last: Option<usize> = None;
    for (row, blank) in rows {
        let first = row[0];
        let base = open.last().map_or(0, |o| o.inner);
        let mut indent = base;
        let mut closers = 0;
        for _ in row.iter().take_while(|&&i| is_closer(&tokens[i])) {
            if let Some(o) = open.pop() {
                indent = o.close;
            }
            closers += 1;
        }
        let mut statement_base = indent;
        if closers == 0 && continues(tokens, roles, prev_last, first) {
            indent += INDENT;
        }
        // A bracket opened after one closed on the same line (`], {`)
        // indents from where the closed one did.
        let mut from = indent;
        for &i in &row[closers..] {
            if is_opener(&tokens[i]) {
                let block = roles[i].bracket == Some(Bracket::Block);
                let at = if block { statement_base } else { from };
                open.push(Open {
                    inner: at + INDENT,
                    close: at,
                });
            } else if is_closer(&tokens[i]) {
                if let Some(o) = open.pop() {
                    from = o.close;
                    statement_base = o.close;
                }
            }
        }
        let after_opener = prev_last.is_some_and(|p| is_opener(&tokens[p]));
        lines.push(Line {
            indent,
            blank_before: blank && !after_opener && closers == 0 && !lines.is_empty(),
            tokens: row.clone(),
        });
        prev_last = row
            .iter()
            .rev()
            .find(|&&i| !tokens[i].is_comment())
            .copied();
    }
    lines
}

/// The tokens grouped by line, each with whether blank lines came before.
/// A block written over several lines gets its statements on lines of
/// their own: a line break after its `{` and before its `}`.
fn rows(tokens: &[Token], roles: &[Role]) -> Vec<(Vec<usize>, bool)> {
    let multiline = multiline_blocks(tokens, roles);
    let mut rows: Vec<(Vec<usize>, bool)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let after_brace = i > 0 && tokens[i - 1].is("{") && multiline[i - 1];
        let joins_brace = i > 0
            && t.kind == Kind::Word
            && matches!(t.text.as_str(), "else" | "catch" | "finally")
            && tokens[i - 1].is("}")
            && roles[i - 1].bracket == Some(Bracket::Block);
        let breaks_here = t.breaks > 0
            || (after_brace && t.kind != Kind::LineComment)
            || (t.is("}") && multiline[i]);
        match rows.last_mut() {
            Some((row, _)) if !breaks_here || joins_brace => row.push(i),
            _ => rows.push((vec![i], t.breaks > 1)),
        }
    }
    rows
}

/// For each block brace: whether its block spans lines in the source.
fn multiline_blocks(tokens: &[Token], roles: &[Role]) -> Vec<bool> {
    // breaks_before[k]: line breaks among tokens[..k], to ask of any
    // stretch whether it holds one.
    let mut breaks_before = Vec::with_capacity(tokens.len() + 1);
    breaks_before.push(0usize);
    for t in tokens {
        breaks_before.push(breaks_before.last().copied().unwrap_or(0) + usize::from(t.breaks > 0));
    }
    let mut multiline = vec![false; tokens.len()];
    for (i, r) in roles.iter().enumerate() {
        if r.bracket != Some(Bracket::Block) || !tokens[i].is("{") {
            continue;
        }
        if let Some(close) = r.partner {
            let spans = breaks_before[close + 1] > breaks_before[i + 1];
            multiline[i] = spans;
            multiline[close] = spans;
        }
    }
    multiline
}

/// The line starting at `first` continues the statement of the line
/// ending at `prev_last`: that one ends in an operator, or this one starts
/// with a binary operator or a `.` (a line break is only whitespace, so
/// `x` then `- 1` on the next line is `x - 1`).
fn continues(tokens: &[Token], roles: &[Role], prev_last: Option<usize>, first: usize) -> bool {
    let Some(p) = prev_last else { return false };
    let ends_open = is_binary_operator(&tokens[p]) || tokens[p].is(".");
    let t = &tokens[first];
    let starts_binary =
        (is_binary_operator(t) && !roles[first].unary && !t.is_word("not")) || t.is(".");
    (ends_open && !is_opener(&tokens[p])) || starts_binary
}
