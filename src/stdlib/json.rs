//! The `json` module's Rust side: text to values and back.
//!
//! `parse` follows Python's `json.loads` (objects become maps in document
//! order, a repeated key keeps its first place and its last value, arrays
//! become lists, `null` is `nil`, `NaN`/`Infinity`/`-Infinity` and numbers
//! too large for a float are floats, `-0` is the int 0), with its error
//! messages (see `json/parse.rs`). `stringify` writes exactly what Python's
//! `json.dumps(v)` / `json.dumps(v, indent=n)` writes for the values both
//! languages have: same separators, `ensure_ascii` escapes (surrogate pairs
//! beyond the BMP), floats as `repr` shows them, `NaN` and the infinities
//! as `json.dumps` writes them (not JSON, but Python's default).
//!
//! Where Python differs, by choice: integers beyond i64 become floats,
//! lone surrogates in `\u` escapes are refused (strings are UTF-8), and
//! nesting is capped (128 levels when parsing, `MAX_DEPTH` when writing;
//! Python's limit is its recursion limit).

use crate::{Key, MapTable, Value};

use std::fmt::{self, Write};
use std::rc::Rc;

mod parse;
pub(crate) use parse::parse;

/// Text that is not JSON, with where, as Python's `JSONDecodeError` says
/// it: 1-based line and column, 0-based offset, all in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub char: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: line {} column {} (char {})",
            self.message, self.line, self.column, self.char
        )
    }
}

impl std::error::Error for JsonError {}

/// A value that has no JSON form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StringifyError {
    /// A function, task, error… (Python: `TypeError`).
    NotSerializable(&'static str),
    /// A list or map that contains itself (Python: `ValueError`).
    Circular,
    /// Containers nested deeper than [`MAX_DEPTH`] (Python: `RecursionError`).
    TooDeep,
}

impl StringifyError {
    /// The error kind a script sees, Python's.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            StringifyError::NotSerializable(_) => "TypeError",
            StringifyError::Circular => "ValueError",
            StringifyError::TooDeep => "RecursionError",
        }
    }
}

impl fmt::Display for StringifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringifyError::NotSerializable(t) => {
                write!(f, "Object of type {t} is not JSON serializable")
            }
            StringifyError::Circular => f.write_str("Circular reference detected"),
            StringifyError::TooDeep => write!(
                f,
                "lists and maps nested more than {MAX_DEPTH} deep cannot be stringified"
            ),
        }
    }
}

impl std::error::Error for StringifyError {}

/// How deep `stringify` follows nested lists and maps (about Python's
/// default recursion limit).
/// The one nesting rule of every structural operation (`==`, `<`, `str`).
pub(crate) const MAX_DEPTH: usize = Value::MAX_NESTING;

/// Python's `json.dumps(v)` (`indent: None`) or `json.dumps(v, indent=n)`.
pub(crate) fn stringify(v: &Value, indent: Option<usize>) -> Result<String, StringifyError> {
    let mut w = Writer {
        out: String::new(),
        indent,
        open: Vec::new(),
    };
    w.value(v)?;
    Ok(w.out)
}

struct Writer {
    out: String,
    indent: Option<usize>,
    /// The lists and maps being written, outermost first, by address: to
    /// see a cycle, and how deep we are.
    open: Vec<usize>,
}

impl Writer {
    fn value(&mut self, v: &Value) -> Result<(), StringifyError> {
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            // Not JSON, but what `json.dumps` writes (and `parse` reads).
            Value::Float(x) if x.is_nan() => self.out.push_str("NaN"),
            Value::Float(x) if x.is_infinite() => {
                self.out
                    .push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
            }
            Value::Float(x) => self.out.push_str(&Value::float_repr(*x)),
            Value::Str(s) => write_string(&mut self.out, s),
            Value::List(l) => {
                let id = Rc::as_ptr(l) as *const () as usize;
                let items = l.try_borrow().map_err(|_| StringifyError::Circular)?;
                self.enter(id)?;
                self.list(&items)?;
                self.open.pop();
            }
            Value::Map(m) => {
                let id = Rc::as_ptr(m) as *const () as usize;
                let table = m.try_borrow().map_err(|_| StringifyError::Circular)?;
                self.enter(id)?;
                self.map(&table)?;
                self.open.pop();
            }
            // A record is the object of its fields (`dataclasses.asdict`).
            Value::Record(r) => {
                let id = Rc::as_ptr(r) as *const () as usize;
                let values = r
                    .values
                    .try_borrow()
                    .map_err(|_| StringifyError::Circular)?;
                self.enter(id)?;
                self.record(&r.ty.fields, &values)?;
                self.open.pop();
            }
            Value::Cell(c) => {
                let inner = c.try_borrow().map_err(|_| StringifyError::Circular)?;
                self.value(&inner)?;
            }
            other => return Err(StringifyError::NotSerializable(other.type_name())),
        }
        Ok(())
    }

    fn enter(&mut self, id: usize) -> Result<(), StringifyError> {
        if self.open.contains(&id) {
            return Err(StringifyError::Circular);
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(StringifyError::TooDeep);
        }
        self.open.push(id);
        Ok(())
    }

    fn list(&mut self, items: &[Value]) -> Result<(), StringifyError> {
        if items.is_empty() {
            self.out.push_str("[]");
            return Ok(());
        }
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            self.separator(i);
            self.value(item)?;
        }
        self.close(']');
        Ok(())
    }

    fn map(&mut self, table: &MapTable) -> Result<(), StringifyError> {
        if table.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        self.out.push('{');
        for (i, (k, v)) in table.iter().enumerate() {
            self.separator(i);
            // Python turns int and bool keys into their JSON text.
            match k {
                Key::Str(s) => write_string(&mut self.out, s),
                Key::Int(n) => {
                    let _ = write!(self.out, "\"{n}\"");
                }
                Key::Bool(b) => self.out.push_str(if *b { "\"true\"" } else { "\"false\"" }),
                Key::Bytes(_) => return Err(StringifyError::NotSerializable("bytes")),
            }
            self.out.push_str(": ");
            self.value(v)?;
        }
        self.close('}');
        Ok(())
    }

    fn record(&mut self, fields: &[Rc<str>], values: &[Value]) -> Result<(), StringifyError> {
        if fields.is_empty() {
            self.out.push_str("{}");
            return Ok(());
        }
        self.out.push('{');
        for (i, (k, v)) in fields.iter().zip(values).enumerate() {
            self.separator(i);
            write_string(&mut self.out, k);
            self.out.push_str(": ");
            self.value(v)?;
        }
        self.close('}');
        Ok(())
    }

    /// Before item `i` of the innermost open container: `", "` without
    /// indent; with one, `","` and a new line indented one level deeper.
    fn separator(&mut self, i: usize) {
        match self.indent {
            None if i > 0 => self.out.push_str(", "),
            None => {}
            Some(n) => {
                if i > 0 {
                    self.out.push(',');
                }
                self.newline(n * self.open.len());
            }
        }
    }

    fn close(&mut self, bracket: char) {
        if let Some(n) = self.indent {
            self.newline(n * (self.open.len() - 1));
        }
        self.out.push(bracket);
    }

    fn newline(&mut self, spaces: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', spaces));
    }
}

/// A JSON string as Python's `ensure_ascii=True` writes it: printable
/// ASCII as is, the short escapes for `"` `\` and five controls, `\u00XX`
/// for other controls and DEL, `\uXXXX` (lower-case hex) beyond ASCII, as
/// a surrogate pair beyond the BMP.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0; // start of the bytes not yet copied
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            ' '..='~' => continue,
            _ => "",
        };
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if !escape.is_empty() {
            out.push_str(escape);
            continue;
        }
        let n = c as u32;
        if n < 0x10000 {
            let _ = write!(out, "\\u{n:04x}");
        } else {
            let n = n - 0x10000;
            let _ = write!(
                out,
                "\\u{:04x}\\u{:04x}",
                0xd800 | (n >> 10),
                0xdc00 | (n & 0x3ff)
            );
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests;
