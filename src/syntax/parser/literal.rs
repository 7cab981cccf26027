//! Literals: string, bytes and f-string bodies with their escapes.

use super::expr::*;
use super::*;

pub(super) fn unescape(p: &P, out: &mut String) -> Result<()> {
    let s = p.as_str();
    match &s[1..2] {
        "n" => out.push('\n'),
        "t" => out.push('\t'),
        "r" => out.push('\r'),
        "0" => out.push('\0'),
        "u" => {
            let hex = &s[3..s.len() - 1];
            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => {
                    return Err(SyntaxError::new(
                        format!("`\\u{{{hex}}}` is not a valid character"),
                        span(p),
                        "a Unicode scalar value is expected",
                    ))
                }
            }
        }
        other => out.push_str(other),
    }
    Ok(())
}

pub(super) fn string_body(p: P) -> Result<String> {
    let mut out = String::new();
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::str_text => out.push_str(part.as_str()),
            Rule::escape => unescape(&part, &mut out)?,
            _ => {}
        }
    }
    Ok(out)
}

/// A bytes literal's bytes: its ASCII text, its escapes' bytes. Any other
/// character is an error, as in Python (the text cannot say which
/// encoding was meant).
pub(super) fn bytes_body(p: P) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for part in p.into_inner() {
        let s = part.as_str();
        if part.as_rule() == Rule::bytes_escape {
            out.push(match &s[1..2] {
                "n" => b'\n',
                "t" => b'\t',
                "r" => b'\r',
                "0" => 0,
                "x" => u8::from_str_radix(&s[2..4], 16).expect("two hex digits"),
                other => other.as_bytes()[0],
            });
            continue;
        }
        if let Some((at, c)) = s.char_indices().find(|(_, c)| !c.is_ascii()) {
            let start = span(&part).start as usize + at;
            let mut e = SyntaxError::new(
                format!("bytes literals can only hold ASCII characters, not `{c}`"),
                Span::new(start, start + c.len_utf8()),
                "not ASCII",
            );
            e.help = Some(format!(
                "write its bytes as `\\xNN` escapes, or use `\"{c}\".encode()`"
            ));
            return Err(e);
        }
        out.extend_from_slice(s.as_bytes());
    }
    Ok(out)
}

pub(super) fn fstring(p: P) -> Result<Vec<FPart>> {
    let mut parts = Vec::new();
    let mut text = String::new();
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::fs_text => text.push_str(part.as_str()),
            Rule::escape => unescape(&part, &mut text)?,
            Rule::fs_open => text.push('{'),
            Rule::fs_close => text.push('}'),
            Rule::fs_interp => {
                if !text.is_empty() {
                    parts.push(FPart::Text(std::mem::take(&mut text)));
                }
                let mut inner = part.into_inner().peekable();
                let e = expr(inner.next().unwrap())?;
                let mut repr = false;
                if let Some(conv) = inner.next_if(|p| p.as_rule() == Rule::fs_conv) {
                    repr = match conv.as_str() {
                        "!r" => true,
                        "!s" => false,
                        other => {
                            return Err(SyntaxError::new(
                                format!("unknown conversion `{other}` in an f-string"),
                                span(&conv),
                                "use `!r` (repr, strings quoted) or `!s` (str)",
                            ))
                        }
                    };
                }
                let spec = inner.next().map(|s| s.as_str()[1..].to_string());
                parts.push(FPart::Expr {
                    expr: e,
                    repr,
                    spec,
                });
            }
            _ => {}
        }
    }
    if !text.is_empty() {
        parts.push(FPart::Text(text));
    }
    Ok(exact(parts))
}
