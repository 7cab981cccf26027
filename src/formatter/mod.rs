//! `tasks fmt`: one canonical layout for a script. 4 spaces a level,
//! spaces around binary operators and after commas, none inside brackets
//! (but inside a one-line block's braces), `} else {` on one line, two
//! spaces before a comment that follows code, at most
//! one blank line in a row, lines over 100 columns broken at a bracket
//! with one item a line, comments kept where they are.
//!
//! It works on tokens, not on the syntax tree, so that every comment and
//! every line break the writer chose stays (the tree keeps neither), and
//! it only ever changes the space between tokens (and adds a trailing
//! comma where it opens a group up). Each result is checked before it is
//! returned: the same tokens, and a program that parses to the same tree.

mod breaking;
mod lines;
mod spacing;
mod tokens;

use crate::syntax::parser::parse_program;
use tokens::{scan, ScanError, Token};

/// Why a source was not formatted.
#[derive(Debug, PartialEq, Eq)]
pub enum FormatError {
    /// It does not parse: `tasks check` says why.
    Syntax,
    /// The layout would have changed the program: a bug in the formatter;
    /// the source is left as it is.
    Changed(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax => f.write_str("the script does not parse"),
            FormatError::Changed(why) => write!(
                f,
                "the formatter would change what the script means ({why}); it was left as it is \
                 (this is a bug in tasks fmt)"
            ),
        }
    }
}

/// Between code and a comment after it on its line, as PEP 8 has it.
const COMMENT_GAP: &str = "  ";

/// The source in the canonical layout; a file that says `# fmt: off` on
/// a line of its own before its first line of code is left as it is.
pub fn format(src: &str) -> Result<String, FormatError> {
    if is_off(src) {
        return Ok(src.to_string());
    }
    let before = tree(src).ok_or(FormatError::Syntax)?;
    let tokens = scan(src).map_err(|_: ScanError| FormatError::Syntax)?;
    let out = render(tokens);
    let after = tree(&out).ok_or_else(|| FormatError::Changed("it no longer parses".into()))?;
    if before != after {
        return Err(FormatError::Changed("it parses differently".into()));
    }
    let same = scan(&out).is_ok_and(|t| code(&t) == code(&scan(src).unwrap_or_default()));
    if !same {
        return Err(FormatError::Changed("its tokens differ".into()));
    }
    Ok(out)
}

/// Whether the file opts out, as Black's `# fmt: off`: a test fixture
/// whose columns matter (the tree-sitter highlight tests point at them),
/// or a table laid out by hand. Only the file's leading comment lines
/// count, so a `# fmt: off` elsewhere is an ordinary comment.
fn is_off(src: &str) -> bool {
    src.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .any(|l| l == "# fmt: off")
}

fn render(tokens: Vec<Token>) -> String {
    let roles = spacing::roles(&tokens);
    let lines = lines::lay_out(&tokens, &roles);
    let mut all = breaking::Tokens { tokens, roles };
    let mut broken = Vec::with_capacity(lines.len());
    for line in lines {
        all.break_line(line, &mut broken);
    }
    let mut out = String::new();
    for line in &broken {
        if line.blank_before {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', line.indent));
        for (n, &i) in line.tokens.iter().enumerate() {
            if n > 0 && all.tokens[i].kind == tokens::Kind::LineComment {
                out.push_str(COMMENT_GAP);
            } else if n > 0 && all.roles[i].space {
                out.push(' ');
            }
            out.push_str(&all.tokens[i].text);
        }
        out.push('\n');
    }
    out
}

/// The program's tree with its positions left out, to compare two layouts.
fn tree(src: &str) -> Option<String> {
    let program = parse_program(src).ok()?;
    Some(without_spans(&format!("{:?}", program.stmts)))
}

fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        out.push('_');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The tokens' texts without the commas before a closer (the only token
/// the layout adds).
fn code(tokens: &[Token]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let before_closer = tokens
            .get(i + 1)
            .is_some_and(|n| n.is(")") || n.is("]") || n.is("}"));
        if !(t.is(",") && before_closer) {
            out.push(&t.text);
        }
    }
    out
}

#[cfg(test)]
mod tests;
