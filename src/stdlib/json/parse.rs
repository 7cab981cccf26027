//! `json.parse`: Python's `json.loads`, by hand. serde_json (and every
//! JSON crate we know) refuses what `json.loads` accepts beyond JSON —
//! `NaN`, `Infinity`, `-Infinity`, and numbers like `1e400` that round to
//! an infinity — and reports `-0` as the float `-0.0` where Python gives
//! the int `0`. The grammar is small, so this follows CPython's scanner
//! (`Modules/_json.c`) directly, with its error messages and positions.

use super::JsonError;
use crate::{Key, MapTable, Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// How deep lists and maps may nest in the text (Python's limit is its
/// recursion limit; this parser recurses too).
pub(super) const MAX_PARSE_DEPTH: usize = 128;

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        depth: 0,
    };
    let start = p.skip_ws(0);
    let (value, end) = p.value(start)?;
    let end = p.skip_ws(end);
    if end != p.b.len() {
        return Err(p.error("Extra data", end));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    depth: usize,
}

type Parsed = Result<(Value, usize), JsonError>;

impl Parser<'_> {
    /// A `JsonError` at byte `at`, placed as Python places it: the line,
    /// the column and the offset counted in characters.
    fn error(&self, message: &str, at: usize) -> JsonError {
        let before = &self.text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        JsonError {
            message: message.to_string(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            char: before.chars().count(),
        }
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while matches!(self.b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    fn starts(&self, i: usize, word: &str) -> bool {
        self.b[i..].starts_with(word.as_bytes())
    }

    /// One value starting at byte `i` (`scan_once`): the value and the
    /// byte after it.
    fn value(&mut self, i: usize) -> Parsed {
        let word = |v: Value, w: &str| Ok((v, i + w.len()));
        match self.b.get(i) {
            Some(b'"') => {
                let (s, end) = self.string(i + 1)?;
                Ok((Value::Str(s), end))
            }
            Some(b'{') => self.nested(i, Self::object),
            Some(b'[') => self.nested(i, Self::array),
            Some(b'n') if self.starts(i, "null") => word(Value::Nil, "null"),
            Some(b't') if self.starts(i, "true") => word(Value::Bool(true), "true"),
            Some(b'f') if self.starts(i, "false") => word(Value::Bool(false), "false"),
            Some(b'N') if self.starts(i, "NaN") => word(Value::Float(f64::NAN), "NaN"),
            Some(b'I') if self.starts(i, "Infinity") => {
                word(Value::Float(f64::INFINITY), "Infinity")
            }
            Some(b'-') if self.starts(i, "-Infinity") => {
                word(Value::Float(f64::NEG_INFINITY), "-Infinity")
            }
            _ => self
                .number(i)
                .ok_or_else(|| self.error("Expecting value", i)),
        }
    }

    fn nested(&mut self, i: usize, body: fn(&mut Self, usize) -> Parsed) -> Parsed {
        if self.depth >= MAX_PARSE_DEPTH {
            let message = format!("lists and maps nested more than {MAX_PARSE_DEPTH} deep");
            return Err(self.error(&message, i));
        }
        self.depth += 1;
        let parsed = body(self, i + 1);
        self.depth -= 1;
        parsed
    }

    /// `_match_number`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`,
    /// an int without a fraction or exponent (a float past i64), else a
    /// float as Python's `float()` reads it (`1e400` is `inf`).
    fn number(&self, start: usize) -> Option<(Value, usize)> {
        let digits = |mut i: usize| {
            while self.b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = start + usize::from(self.b.get(start) == Some(&b'-'));
        match self.b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(i + 1),
            _ => return None,
        }
        let mut is_float = false;
        if self.b.get(i) == Some(&b'.') && self.b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            i = digits(i + 2);
        }
        if matches!(self.b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(self.b.get(j), Some(b'-' | b'+')) {
                j += 1;
            }
            let end = digits(j);
            // An exponent without digits is not part of the number.
            if end > j {
                is_float = true;
                i = end;
            }
        }
        let text = &self.text[start..i];
        let value = match text.parse::<i64>() {
            Ok(n) if !is_float => Value::Int(n),
            _ => Value::Float(text.parse().ok()?),
        };
        Some((value, i))
    }

    /// `scanstring`: the string whose opening quote is just before `i`.
    fn string(&self, i: usize) -> Result<(Str, usize), JsonError> {
        let unterminated = || self.error("Unterminated string starting at", i - 1);
        let mut out = String::new();
        let mut run = i; // start of the bytes not yet copied
        let mut j = i;
        loop {
            let Some(&c) = self.b.get(j) else {
                return Err(unterminated());
            };
            match c {
                b'"' => {
                    out.push_str(&self.text[run..j]);
                    return Ok((Str::new(&out), j + 1));
                }
                b'\\' => {
                    out.push_str(&self.text[run..j]);
                    j = self.escape(i - 1, j, &mut out)?;
                    run = j;
                }
                0..=0x1f => return Err(self.error("Invalid control character at", j)),
                _ => j += 1,
            }
        }
    }

    /// The escape whose backslash is at `j` (in the string whose quote is
    /// at `quote`), pushed on `out`; the byte after it.
    fn escape(&self, quote: usize, j: usize, out: &mut String) -> Result<usize, JsonError> {
        let Some(&c) = self.b.get(j + 1) else {
            return Err(self.error("Unterminated string starting at", quote));
        };
        let short = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(j, out),
            _ => return Err(self.error("Invalid \\escape", j)),
        };
        out.push(short);
        Ok(j + 2)
    }

    /// `\uXXXX` at `j`, a surrogate pair when two escapes make one.
    fn unicode_escape(&self, j: usize, out: &mut String) -> Result<usize, JsonError> {
        let hi = self.hex4(j)?;
        if (0xd800..0xdc00).contains(&hi) && self.starts(j + 6, "\\u") {
            if let Ok(lo @ 0xdc00..=0xdfff) = self.hex4(j + 6) {
                let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                out.extend(char::from_u32(c));
                return Ok(j + 12);
            }
        }
        match char::from_u32(hi) {
            Some(c) => {
                out.push(c);
                Ok(j + 6)
            }
            // Python keeps a lone surrogate; a string here is UTF-8.
            None => Err(self.error(
                &format!("lone surrogate \\u{hi:04x} (strings are UTF-8)"),
                j,
            )),
        }
    }

    /// The four hex digits after `\u` at `j`.
    fn hex4(&self, j: usize) -> Result<u32, JsonError> {
        let digits = self.b.get(j + 2..j + 6).filter(|d| d.len() == 4);
        let bad = || self.error("Invalid \\uXXXX escape", j + 1);
        let digits = digits.ok_or_else(bad)?;
        let text = std::str::from_utf8(digits).map_err(|_| bad())?;
        if !text.bytes().all(|d| d.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u32::from_str_radix(text, 16).map_err(|_| bad())
    }

    /// `_parse_object` after its `{`: keys are strings; a repeated key
    /// keeps its first place and takes the last value (Python's dict).
    fn object(&mut self, i: usize) -> Parsed {
        let mut table = MapTable::default();
        let mut i = self.skip_ws(i);
        if self.b.get(i) == Some(&b'}') {
            return Ok((Value::Map(Rc::new(RefCell::new(table))), i + 1));
        }
        loop {
            if self.b.get(i) != Some(&b'"') {
                return Err(self.error("Expecting property name enclosed in double quotes", i));
            }
            let (key, end) = self.string(i + 1)?;
            i = self.skip_ws(end);
            if self.b.get(i) != Some(&b':') {
                return Err(self.error("Expecting ':' delimiter", i));
            }
            i = self.skip_ws(i + 1);
            let (value, end) = self.value(i)?;
            table.insert(Key::Str(key), value);
            i = self.skip_ws(end);
            match self.b.get(i) {
                Some(b'}') => return Ok((Value::Map(Rc::new(RefCell::new(table))), i + 1)),
                Some(b',') => i = self.skip_ws(i + 1),
                _ => return Err(self.error("Expecting ',' delimiter", i)),
            }
        }
    }

    /// `_parse_array` after its `[`.
    fn array(&mut self, i: usize) -> Parsed {
        let mut items = Vec::new();
        let mut i = self.skip_ws(i);
        if self.b.get(i) == Some(&b']') {
            return Ok((Value::list(items), i + 1));
        }
        loop {
            let (value, end) = self.value(i)?;
            items.push(value);
            i = self.skip_ws(end);
            match self.b.get(i) {
                Some(b']') => return Ok((Value::list(items), i + 1)),
                Some(b',') => i = self.skip_ws(i + 1),
                _ => return Err(self.error("Expecting ',' delimiter", i)),
            }
        }
    }
}
