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

/// Where the scanner is: code (with the depth of `{` inside an f-string
/// interpolation), a plain string, or the text part of an f-string.
enum Mode {
    Code(usize),
    Str,
    FStr,
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
    let mut modes = vec![Mode::Code(0)];
    while i < bytes.len() {
        let c = bytes[i];
        let nested = modes.len() > 1;
        match modes.last_mut().expect("mode") {
            Mode::Str | Mode::FStr if c == b'\\' => i += 1,
            Mode::Str | Mode::FStr if c == b'"' => {
                modes.pop();
            }
            Mode::FStr if c == b'{' && bytes.get(i + 1) == Some(&b'{') => i += 1,
            Mode::FStr if c == b'{' => modes.push(Mode::Code(0)),
            Mode::Str | Mode::FStr => {}
            Mode::Code(depth) => match c {
                b'{' => *depth += 1,
                b'}' if *depth == 0 && nested => {
                    modes.pop();
                }
                b'}' => *depth = depth.saturating_sub(1),
                b'"' => {
                    let f = i > 0 && bytes[i - 1] == b'f' && (i < 2 || !is_ident(bytes[i - 2]));
                    modes.push(if f { Mode::FStr } else { Mode::Str });
                }
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
                // `//=` is always the operator.
                b'/' if bytes.get(i + 1) == Some(&b'/') && bytes.get(i + 2) == Some(&b'=') => {
                    i += 2
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
            },
        }
        i += 1;
    }
    Ok(Blanked {
        text: String::from_utf8(out).unwrap_or_else(|_| src.to_string()),
        divisions,
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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
    let line_start = src[..from].rfind('\n').map_or(0, |p| p + 1);
    let head = src[line_start..from]
        .trim_start()
        .trim_start_matches('}')
        .trim_start();
    let in_condition = ["if ", "while ", "for ", "else "]
        .iter()
        .any(|k| head.starts_with(k));
    let rule = if in_condition {
        Rule::division_tail_cond
    } else {
        Rule::division_tail
    };
    TasksParser::parse(rule, rest).is_ok()
}
