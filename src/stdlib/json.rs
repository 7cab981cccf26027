//! The `json` module's Rust side: text to values and back.
//!
//! `parse` follows Python's `json.loads` (objects become maps in document
//! order, a repeated key keeps its first place and its last value, arrays
//! become lists, `null` is `nil`); integers become ints when they fit in
//! i64 and floats beyond that. `stringify` writes exactly what Python's
//! `json.dumps(v)` / `json.dumps(v, indent=n)` writes for the values both
//! languages have: same separators, `ensure_ascii` escapes (surrogate pairs
//! beyond the BMP), floats as `repr` shows them.
//!
//! Where Python differs, by choice: `NaN`/`Infinity` are errors both ways
//! (Python writes and reads them, though they are not JSON), integers
//! beyond i64 become floats (and `-0` is the float `-0.0`: serde_json does
//! not tell it from `-0.0`), lone surrogates in `\u` escapes are refused
//! (strings are UTF-8), and nesting is capped (128 levels when parsing,
//! `MAX_DEPTH` when writing; Python's limit is its recursion limit).

use crate::runtime::value::{format_float, Key, MapTable, Str, Value};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt::{self, Write};
use std::rc::Rc;

/// Text that is not JSON, with where (1-based line and column, the column
/// counted in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| json_error(text, &e))?;
    Ok(value)
}

fn json_error(text: &str, e: &serde_json::Error) -> JsonError {
    // serde_json appends " at line L column C" to its message and counts
    // the column in bytes; a script author counts characters.
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let line = e.line().max(1);
    let column = text
        .split('\n')
        .nth(line - 1)
        .map(|l| {
            let bytes = e.column().min(l.len());
            let end = (0..=bytes)
                .rev()
                .find(|&i| l.is_char_boundary(i))
                .unwrap_or(0);
            l[..end].chars().count()
        })
        .unwrap_or(e.column())
        .max(1);
    JsonError {
        message,
        line,
        column,
    }
}

/// Builds a `Value` straight from the parser's events (no intermediate
/// `serde_json::Value`).
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(match i64::try_from(u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(u as f64),
        })
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(Str::new(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(ValueSeed)? {
            items.push(v);
        }
        Ok(Value::list(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut table = MapTable::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(ValueSeed)?;
            // A repeated key keeps its first place and takes the last
            // value, as a Python dict built from the pairs does.
            table.insert(Key::Str(key), value);
        }
        Ok(Value::Map(Rc::new(RefCell::new(table))))
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Str;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Str;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Str, E> {
        Ok(Str::new(s))
    }
}

/// A value that has no JSON form.
#[derive(Clone, Debug, PartialEq)]
pub enum StringifyError {
    /// A function, task, error… (Python: `TypeError`).
    NotSerializable(&'static str),
    /// NaN or an infinity (Python with `allow_nan=False`: `ValueError`).
    NotFinite(f64),
    /// A list or map that contains itself (Python: `ValueError`).
    Circular,
    /// Containers nested deeper than [`MAX_DEPTH`] (Python: `RecursionError`).
    TooDeep,
}

impl StringifyError {
    /// The error kind a script sees, Python's.
    pub fn kind(&self) -> &'static str {
        match self {
            StringifyError::NotSerializable(_) => "TypeError",
            StringifyError::NotFinite(_) | StringifyError::Circular => "ValueError",
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
            StringifyError::NotFinite(x) => write!(
                f,
                "Out of range float values are not JSON compliant: {}",
                format_float(*x)
            ),
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
pub const MAX_DEPTH: usize = crate::runtime::value::MAX_NESTING;

/// Python's `json.dumps(v)` (`indent: None`) or `json.dumps(v, indent=n)`.
pub fn stringify(v: &Value, indent: Option<usize>) -> Result<String, StringifyError> {
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
            Value::Float(x) if !x.is_finite() => return Err(StringifyError::NotFinite(*x)),
            Value::Float(x) => self.out.push_str(&format_float(*x)),
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
            }
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
