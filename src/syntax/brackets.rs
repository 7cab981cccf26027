//! Brackets outside strings and comments: which are still open, the
//! first closer that matches none, and the error for one never closed.
//! Used where pest's failures are put into words (`error`).

use super::ast::Span;
use super::error::SyntaxError;
use super::lex::{CodeByte, Scanner};

/// A bracket seen while scanning, with what closes it.
pub(crate) struct Open {
    pub ch: char,
    pub at: usize,
}

/// Scans brackets outside strings and comments. Returns the brackets still
/// open at the end, or the first mismatched closer.
pub(crate) fn scan_brackets(src: &str) -> (Vec<Open>, Option<(usize, char)>) {
    let mut stack: Vec<Open> = Vec::new();
    for CodeByte { at, byte: c, .. } in Scanner::new(src) {
        match c {
            b'(' | b'[' | b'{' => stack.push(Open { ch: c as char, at }),
            b')' | b']' | b'}' => {
                let want = match c {
                    b')' => '(',
                    b']' => '[',
                    _ => '{',
                };
                match stack.pop() {
                    Some(o) if o.ch == want => {}
                    // The opener this closer does not match is the one
                    // left open.
                    Some(o) => {
                        stack.push(o);
                        return (stack, Some((at, c as char)));
                    }
                    None => return (stack, Some((at, c as char))),
                }
            }
            _ => {}
        }
    }
    (stack, None)
}

/// A bracket never closed before the end: more input could close it.
pub(crate) fn unclosed(o: &Open) -> SyntaxError {
    let mut err = SyntaxError::new(
        format!("unclosed `{}`", o.ch),
        Span::new(o.at, o.at + 1),
        format!("this `{}` is never closed", o.ch),
    );
    err.help = Some(format!("add a `{}` to close it", closer_of(o.ch)));
    err.incomplete = true;
    err
}

/// The bracket that closes `open`.
pub(crate) fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}
