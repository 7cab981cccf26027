//! The checks made on the source before pest sees it: a NUL byte, a block
//! comment never closed, nesting deeper than the recursive parser allows,
//! and a line that starts with `//`.

use super::ast::Span;
use super::error::SyntaxError;
use super::lex::{self, CodeByte, Scanner, Unclosed};

/// Deeper nesting than this is refused before parsing, so no input can
/// exhaust the parser's stack.
pub(crate) const MAX_NESTING: usize = 200;

/// Checks made before parsing: a NUL byte, a block comment never closed, absurd
/// nesting (the parser is recursive), and a line that starts with `//`
/// (floor division, most likely meant as a comment).
pub(crate) fn check_source(src: &str) -> Result<(), SyntaxError> {
    if let Some(at) = src.find('\0') {
        let mut e = SyntaxError::new("NUL byte in source", Span::new(at, at + 1), "a NUL byte");
        e.help = Some("remove it (in a string, a NUL character is written `\\0`)".into());
        return Err(e);
    }
    // One scan finds the first nesting or `//` mistake and, when there is
    // none, whether a block comment is left open. An unclosed comment is
    // reported first (it is what makes the rest look wrong): only when
    // the scan stopped at a mistake does that take a second pass.
    let mut scanner = Scanner::new(src);
    let mistake = code_mistake(src, &mut scanner);
    let unclosed = match mistake {
        None => scanner.unclosed,
        Some(_) => lex::unclosed(src),
    };
    if let Some(Unclosed::Comment(at)) = unclosed {
        let mut e = SyntaxError::new(
            "unclosed comment",
            Span::new(at, at + 2),
            "this `/*` is never closed",
        );
        e.help = Some("close it with `*/`".into());
        e.incomplete = true;
        return Err(e);
    }
    mistake.map_or(Ok(()), Err)
}

/// The first nesting too deep or line that starts with `//` among the code
/// bytes `scanner` yields (of `src`).
fn code_mistake(src: &str, scanner: &mut Scanner) -> Option<SyntaxError> {
    let mut depth = 0usize;
    let mut unary_run = 0usize;
    let mut word_start = None;
    let bytes = src.as_bytes();
    for CodeByte {
        at,
        byte: c,
        starts_line,
    } in scanner.by_ref()
    {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if starts_line && bytes.get(at + 1) == Some(&b'/') => {
                let mut e = SyntaxError::new(
                    "a line cannot start with `//`",
                    Span::new(at, at + 2),
                    "`//` is floor division",
                );
                e.help = Some("comments start with #".into());
                return Some(e);
            }
            _ => {}
        }
        // Long runs of prefix operators (`-`, `not`, `await`, `spawn`) nest
        // as deeply as brackets do.
        let ident = c.is_ascii_alphanumeric() || c == b'_';
        if ident && word_start.is_none() {
            word_start = Some(at);
        }
        if !ident {
            if let Some(w) = word_start.take() {
                match &src[w..at] {
                    "not" | "await" | "spawn" => unary_run += 1,
                    _ => unary_run = 0,
                }
            }
        }
        if c == b'-' {
            unary_run += 1;
        } else if !ident && !c.is_ascii_whitespace() {
            unary_run = 0;
        }
        if depth > MAX_NESTING || unary_run > MAX_NESTING {
            let len = src[at..].chars().next().map_or(1, char::len_utf8);
            let mut e = SyntaxError::new(
                "the program nests too deeply",
                Span::new(at, at + len),
                format!("more than {MAX_NESTING} levels deep here"),
            );
            e.help = Some("split the expression into smaller pieces with `let`".into());
            return Some(e);
        }
    }
    None
}
