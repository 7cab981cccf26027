//! Comments are blanked out before parsing (replaced by spaces, so every
//! byte offset stays put). This is also where `//` is told apart: it is
//! both the line comment and floor division.
//!
//! The rule: `//` is floor division only right after a value (a name, a
//! number, a string or a closing bracket) *and* when the rest of its line
//! reads as the rest of an expression (`total // count`, `f(a // 2, b)`).
//! Otherwise it starts a comment (`let x = 1  // the answer`).

use super::ast::Span;
use super::error::SyntaxError;
use super::parser::{Rule, TasksParser};
use pest::Parser;

/// The source with comments blanked, and the `//` kept as division that a
/// failed parse may still turn into comments.
pub struct Blanked {
    pub text: String,
    pub divisions: Vec<usize>,
}

/// Blanks comments (and a `#!` first line). Fails only on a `/*` never closed.
pub fn blank_comments(src: &str) -> Result<Blanked, SyntaxError> {
    let bytes = src.as_bytes();
    let mut out = bytes.to_vec();
    let mut divisions = Vec::new();
    let mut i = 0;
    if src.starts_with("#!") {
        i = src.find('\n').unwrap_or(src.len());
        blank(&mut out, 0, i);
    }
    let mut in_str = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let Some(end) = src[i + 2..].find("*/").map(|p| i + 2 + p + 2) else {
                    let mut e = SyntaxError::new(
                        "unclosed comment",
                        Span::new(i, i + 2),
                        "this `/*` is never closed",
                    );
                    e.help = Some("close it with `*/`".into());
                    e.incomplete = true;
                    return Err(e);
                };
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                if after_value(bytes, i) && rest_is_operand(src, i + 2) {
                    divisions.push(i);
                    i += 2;
                    continue;
                }
                let end = src[i..].find('\n').map_or(bytes.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(Blanked {
        text: String::from_utf8(out).unwrap_or_else(|_| src.to_string()),
        divisions,
    })
}

/// Turns the `//` at `at` into a comment (after a parse failed there).
pub fn make_comment(b: &mut Blanked, at: usize) {
    let end = b.text[at..].find('\n').map_or(b.text.len(), |p| at + p);
    let mut bytes = std::mem::take(&mut b.text).into_bytes();
    blank(&mut bytes, at, end);
    b.text = String::from_utf8(bytes).expect("blanking keeps UTF-8");
    b.divisions.retain(|d| *d < at || *d >= end);
}

fn blank(out: &mut [u8], from: usize, to: usize) {
    // Replace whole characters, keeping newlines, so offsets and lines stay valid UTF-8.
    for b in &mut out[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn after_value(bytes: &[u8], at: usize) -> bool {
    let mut j = at;
    while j > 0 {
        j -= 1;
        match bytes[j] {
            b' ' | b'\t' | b'\r' => continue,
            b'\n' => return false,
            c => return c.is_ascii_alphanumeric() || matches!(c, b'_' | b')' | b']' | b'}' | b'"'),
        }
    }
    false
}

fn rest_is_operand(src: &str, from: usize) -> bool {
    let end = src[from..].find('\n').map_or(src.len(), |p| from + p);
    let rest = &src[from..end];
    if rest.trim().is_empty() {
        return false;
    }
    TasksParser::parse(Rule::division_tail, rest).is_ok()
}
