//! The formatter's own scanner: the source as tokens, each with the number
//! of line breaks before it. Written by hand (no crate knows this language)
//! and kept apart from the grammar on purpose: it only has to tell words,
//! numbers, strings, comments and punctuation apart, so it also reads
//! syntax the grammar gains later (`b"…"`, any `prefix"…"` string, new
//! operators) as tokens, and the layout never changes what they are.

/// What a token is; its text is kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A name or a keyword.
    Word,
    Number,
    /// A string of any kind (`"…"`, `f"…"`, `b"…"`), interpolations included.
    Str,
    /// `#` to the end of the line.
    LineComment,
    /// `/* … */`, possibly over several lines.
    BlockComment,
    /// An operator or a bracket.
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Kind,
    pub text: String,
    /// Line breaks between the previous token and this one.
    pub breaks: usize,
}

impl Token {
    pub(super) fn is(&self, text: &str) -> bool {
        self.kind == Kind::Punct && self.text == text
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text == word
    }

    pub(super) fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }
}

/// Why a source cannot be read as tokens.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ScanError {
    UnclosedString(usize),
    UnclosedComment(usize),
}

/// Longest first, so `//=` is not read as `//` and `=`.
const OPERATORS: [&str; 14] = [
    "//=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "->", "=>",
];

pub(super) fn scan(src: &str) -> Result<Vec<Token>, ScanError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut breaks = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            breaks += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() || src[i..].starts_with('\u{feff}') {
            i += if c.is_ascii() { 1 } else { 3 };
            continue;
        }
        let (kind, end) = token_at(src, i)?;
        out.push(Token {
            kind,
            text: src[i..end].to_owned(),
            breaks,
        });
        breaks = 0;
        i = end;
    }
    Ok(out)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The token that starts at `i` and where it ends.
fn token_at(src: &str, i: usize) -> Result<(Kind, usize), ScanError> {
    let b = src.as_bytes();
    let c = b[i];
    Ok(match c {
        b'#' => (Kind::LineComment, line_end(b, i)),
        b'/' if b.get(i + 1) == Some(&b'*') => match src[i + 2..].find("*/") {
            Some(p) => (Kind::BlockComment, i + 2 + p + 2),
            None => return Err(ScanError::UnclosedComment(i)),
        },
        b'"' => (Kind::Str, string_end(b, i, false)?),
        b'0'..=b'9' => (Kind::Number, number_end(b, i)),
        _ if is_word_byte(c) => {
            let mut j = i;
            while j < b.len() && is_word_byte(b[j]) {
                j += 1;
            }
            if b.get(j) == Some(&b'"') {
                // A prefixed string: `f"…"` and `sh"…"` interpolate, any
                // other prefix (`b"…"`) reads as a plain string does.
                let f = matches!(&src[i..j], "f" | "sh");
                (Kind::Str, string_end(b, j, f)?)
            } else {
                (Kind::Word, j)
            }
        }
        _ => {
            let len = OPERATORS
                .iter()
                .find(|op| src[i..].starts_with(**op))
                .map_or_else(
                    || src[i..].chars().next().map_or(1, char::len_utf8),
                    |op| op.len(),
                );
            (Kind::Punct, i + len)
        }
    })
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn number_end(b: &[u8], i: usize) -> usize {
    let hex = b.get(i + 1).is_some_and(|&c| c == b'x' || c == b'X') && b[i] == b'0';
    let mut j = i;
    while j < b.len() {
        let c = b[j];
        let exponent_sign = !hex
            && (c == b'+' || c == b'-')
            && matches!(b[j - 1], b'e' | b'E')
            && b.get(j + 1).is_some_and(u8::is_ascii_digit);
        let point = c == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit);
        if is_word_byte(c) || exponent_sign || point {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// Where the string whose quote is at `q` ends (after its closing quote).
fn string_end(b: &[u8], q: usize, interpolates: bool) -> Result<usize, ScanError> {
    let mut j = q + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Ok(j + 1),
            b'{' if interpolates && b.get(j + 1) == Some(&b'{') => j += 2,
            b'{' if interpolates => j = interpolation_end(b, j)?,
            _ => j += 1,
        }
    }
    Err(ScanError::UnclosedString(q))
}

/// Does the string whose quote is at `q` interpolate (`f"…"`, `sh"…"`)?
fn interpolating_prefix(b: &[u8], q: usize) -> bool {
    let word_start = b[..q]
        .iter()
        .rposition(|&c| !is_word_byte(c))
        .map_or(0, |p| p + 1);
    matches!(&b[word_start..q], b"f" | b"sh")
}

/// Where the interpolation whose `{` is at `open` ends (after its `}`):
/// code with brackets and strings of its own, then an optional `:spec`.
fn interpolation_end(b: &[u8], open: usize) -> Result<usize, ScanError> {
    let mut depth = 0usize;
    let mut j = open + 1;
    while j < b.len() {
        match b[j] {
            b'"' => {
                let f = interpolating_prefix(b, j);
                j = string_end(b, j, f)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' if depth == 0 => return Ok(j + 1),
            b'}' => depth -= 1,
            b':' if depth == 0 => {
                // The format spec runs to the `}` (or the string's end).
                while j < b.len() && b[j] != b'}' && b[j] != b'"' {
                    j += 1;
                }
                return Ok(if b.get(j) == Some(&b'}') { j + 1 } else { j });
            }
            _ => {}
        }
        j += 1;
    }
    Err(ScanError::UnclosedString(open))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        scan(src).unwrap().into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn reads_tokens_verbatim() {
        assert_eq!(
            texts(r#"let x=f"{a["k"]:>3} {{"+b"\x00" # c"#),
            [
                "let",
                "x",
                "=",
                r#"f"{a["k"]:>3} {{""#,
                "+",
                r#"b"\x00""#,
                "# c"
            ]
        );
        assert_eq!(
            texts("a//=1e-5**0x1F.b"),
            ["a", "//=", "1e-5", "**", "0x1F", ".", "b"]
        );
        assert_eq!(
            texts("x[1.5:2]/* a\n b */"),
            ["x", "[", "1.5", ":", "2", "]", "/* a\n b */"]
        );
    }

    #[test]
    fn counts_line_breaks() {
        let t = scan("a\n\n  b c\n").unwrap();
        assert_eq!(t.iter().map(|t| t.breaks).collect::<Vec<_>>(), [0, 2, 0]);
    }

    #[test]
    fn reports_what_is_left_open() {
        assert_eq!(scan("x = \"abc"), Err(ScanError::UnclosedString(4)));
        assert_eq!(scan("/* x"), Err(ScanError::UnclosedComment(0)));
    }
}
