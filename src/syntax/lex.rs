//! The one lexical scanner: it tells code apart from strings and comments
//! for every check that must skip them (nesting depth, bracket matching,
//! unclosed strings and comments, a line that starts with `//`). It agrees
//! with the grammar: `#` and `/* */` are comments, `"…"`, `f"…"` and
//! `sh"…"` are strings, and the `{ }` interpolations of an f-string (and
//! of a `sh"…"` command) are code again.

/// One byte of code (outside every string and comment).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeByte {
    pub at: usize,
    pub byte: u8,
    /// Nothing but whitespace comes before it on its line.
    pub starts_line: bool,
}

/// A string or block comment that the source never closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unclosed {
    Str(usize),
    Comment(usize),
    /// A string opened inside an f-string's `{ }`, most likely the f-string's
    /// own closing quote with the `}` forgotten: where that `{` is.
    Interpolation(usize),
}

/// Where the scanner is: code (with the depth of brackets inside an
/// f-string interpolation), a plain string, the text part of an f-string,
/// or the format spec after an interpolation's `:` (text up to its `}`).
enum Mode {
    Code(usize),
    Str,
    FStr,
    Spec,
}

/// Iterates over the code bytes of a source, in order.
pub(crate) struct Scanner<'a> {
    src: &'a [u8],
    i: usize,
    modes: Vec<Mode>,
    /// Where the innermost string still open began.
    str_starts: Vec<usize>,
    /// Where the f-string interpolations still open began.
    interp_starts: Vec<usize>,
    line_blank: bool,
    /// Set once the scan ends inside a string or a block comment.
    pub unclosed: Option<Unclosed>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Scanner {
            src: src.as_bytes(),
            i: 0,
            modes: vec![Mode::Code(0)],
            str_starts: Vec::new(),
            interp_starts: Vec::new(),
            line_blank: true,
            unclosed: None,
        }
    }

    /// Moves past one byte that is not code, keeping track of line starts.
    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(&b) = self.src.get(self.i) {
                self.note(b);
            }
            self.i += 1;
        }
    }

    fn note(&mut self, b: u8) {
        if b == b'\n' {
            self.line_blank = true;
        } else if !b.is_ascii_whitespace() {
            self.line_blank = false;
        }
    }

    /// Does the string opening here interpolate: `f"…"`, or a command
    /// `sh"…"`? (`if"x"` is the keyword and a plain string.)
    fn is_fstring_quote(&self) -> bool {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let before = &self.src[..self.i];
        let start = before.iter().rposition(|&b| !word(b)).map_or(0, |p| p + 1);
        matches!(&before[start..], b"f" | b"sh")
    }

    /// Skips a `#` comment (to the end of the line) or a `/* */` one.
    fn skip_comment(&mut self) {
        let rest = &self.src[self.i..];
        let len = if rest[0] == b'#' {
            rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())
        } else {
            match rest[2..].windows(2).position(|w| w == b"*/") {
                Some(p) => p + 4,
                None => {
                    self.unclosed = Some(Unclosed::Comment(self.i));
                    rest.len()
                }
            }
        };
        self.skip(len);
    }
}

impl Iterator for Scanner<'_> {
    type Item = CodeByte;

    fn next(&mut self) -> Option<CodeByte> {
        while self.i < self.src.len() {
            let c = self.src[self.i];
            let nested = self.modes.len() > 1;
            match self
                .modes
                .last_mut()
                .expect("the code mode is never popped")
            {
                Mode::Str | Mode::FStr if c == b'\\' => self.skip(2),
                Mode::Str | Mode::FStr if c == b'"' => {
                    self.modes.pop();
                    self.str_starts.pop();
                    self.skip(1);
                }
                Mode::FStr if c == b'{' && self.src.get(self.i + 1) == Some(&b'{') => self.skip(2),
                Mode::FStr if c == b'{' => {
                    self.modes.push(Mode::Code(0));
                    self.interp_starts.push(self.i);
                    return Some(self.code_byte(c));
                }
                Mode::Str | Mode::FStr => self.skip(1),
                Mode::Spec if c == b'}' => {
                    self.modes.truncate(self.modes.len() - 2);
                    self.interp_starts.pop();
                    return Some(self.code_byte(c));
                }
                Mode::Spec if c == b'"' => {
                    // The f-string ends inside a spec: the `{` stays open.
                    self.modes.truncate(self.modes.len() - 3);
                    self.str_starts.pop();
                    self.skip(1);
                }
                Mode::Spec => self.skip(1),
                Mode::Code(0) if nested && c == b':' => {
                    self.modes.push(Mode::Spec);
                    self.skip(1);
                }
                Mode::Code(depth) => match c {
                    b'"' => {
                        let f = self.is_fstring_quote();
                        self.modes.push(if f { Mode::FStr } else { Mode::Str });
                        self.str_starts.push(self.i);
                        self.skip(1);
                    }
                    b'#' => self.skip_comment(),
                    b'/' if self.src.get(self.i + 1) == Some(&b'*') => self.skip_comment(),
                    _ => {
                        match c {
                            b'(' | b'[' | b'{' => *depth += 1,
                            b'}' if *depth == 0 && nested => {
                                self.modes.pop();
                                self.interp_starts.pop();
                            }
                            b')' | b']' | b'}' => *depth = depth.saturating_sub(1),
                            _ => {}
                        }
                        return Some(self.code_byte(c));
                    }
                },
            }
        }
        if self.unclosed.is_none() {
            let n = self.modes.len();
            let in_interpolation = n >= 4 && matches!(self.modes[n - 3], Mode::FStr);
            self.unclosed = match (self.str_starts.last(), self.interp_starts.last()) {
                (Some(_), Some(&at)) if in_interpolation => Some(Unclosed::Interpolation(at)),
                (Some(&at), _) => Some(Unclosed::Str(at)),
                _ => None,
            };
        }
        None
    }
}

impl Scanner<'_> {
    fn code_byte(&mut self, byte: u8) -> CodeByte {
        let out = CodeByte {
            at: self.i,
            byte,
            starts_line: self.line_blank && !byte.is_ascii_whitespace(),
        };
        self.skip(1);
        out
    }
}

/// The string or block comment left open at the end, if any.
pub(crate) fn unclosed(src: &str) -> Option<Unclosed> {
    let mut s = Scanner::new(src);
    s.by_ref().for_each(drop);
    s.unclosed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(src: &str) -> String {
        Scanner::new(src).map(|b| b.byte as char).collect()
    }

    #[test]
    fn strings_and_comments_are_not_code() {
        assert_eq!(code(r#"a("(", "\"(") # (("#), "a(, ) ");
        assert_eq!(code("a /* ( */ b\n#!x\nc"), "a  b\n\nc");
        assert_eq!(code(r#"f"{x["k"]} {{ (""#), "f{x[]}");
        assert_eq!(code(r#"f"{v:#x} {g(k: 1):(}" # ("#), "f{v}{g(k: 1)} ");
    }

    #[test]
    fn reports_what_is_left_open() {
        assert_eq!(unclosed("a /* b"), Some(Unclosed::Comment(2)));
        assert_eq!(unclosed("a \"b"), Some(Unclosed::Str(2)));
        assert_eq!(unclosed(r#"f"{g(x")"#), Some(Unclosed::Interpolation(2)));
        assert_eq!(unclosed(r#"f"{g("x)}""#), Some(Unclosed::Str(1)));
        assert_eq!(unclosed("a # \" /*"), None);
    }

    #[test]
    fn marks_the_first_code_on_a_line() {
        let starts: Vec<usize> = Scanner::new("a\n  // b /* c */ d\n/* x */ e")
            .filter(|b| b.starts_line)
            .map(|b| b.at)
            .collect();
        assert_eq!(starts, vec![0, 4]);
    }
}
