//! `csv`: `parse(text)` into rows (or, with `header: true`, maps keyed by
//! the first row, as Python's `DictReader`), and `write(rows)` back to
//! text with Python's `csv.writer` defaults: `,`, `"` doubled inside a
//! quoted field, quoting only where needed, lines ended by `\r\n`. The
//! reading and writing are the `csv` crate's; what Python does
//! differently (an empty line is an empty row) is kept here.

use crate::{Args, Key, MapTable, Module, NativeResult, ScriptError, Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(crate) fn module() -> Module {
    let m = Module::new("csv")
        .raw("parse", |_ctx, args| parse(args))
        .raw("write", |_ctx, args| write(args));
    super::csv_rows::register(m)
}

/// A one-character option (`delimiter:`, `quote:`) as a byte.
pub(super) fn one_byte(
    fname: &str,
    name: &str,
    given: Option<String>,
    default: u8,
) -> Result<u8, ScriptError> {
    match given.as_deref().map(str::as_bytes) {
        None => Ok(default),
        Some([b]) if b.is_ascii() => Ok(*b),
        Some(_) => Err(ScriptError::value_error(format!(
            "{fname}() `{name}:` must be one ASCII character"
        ))),
    }
}

fn parse(mut args: Args) -> NativeResult {
    let text: String = args.next("text")?;
    let delimiter = one_byte("csv.parse", "delimiter", args.named("delimiter")?, b',')?;
    let quote = one_byte("csv.parse", "quote", args.named("quote")?, b'"')?;
    let header: Option<bool> = args.named("header")?;
    args.finish()?;
    let rows = read_rows(&text, delimiter, quote)?;
    if header != Some(true) {
        return Ok(Value::list(rows.into_iter().map(row_value).collect()));
    }
    let mut rows = rows.into_iter().filter(|r| !r.is_empty());
    let Some(names) = rows.next() else {
        return Ok(Value::list(Vec::new()));
    };
    Ok(Value::list(rows.map(|r| record(&names, r)).collect()))
}

/// Every row of `text`; an empty line is an empty row (Python's reader),
/// which the crate skips: they are counted where a record ends.
pub(super) fn read_rows(
    text: &str,
    delimiter: u8,
    quote: u8,
) -> Result<Vec<Vec<String>>, ScriptError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quote(quote)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut at = 0;
    loop {
        let mut rest = text.get(at..).unwrap_or("");
        // The crate stops between the `\r` and `\n` of a `\r\n` end.
        if text[..at].ends_with('\r') {
            rest = rest.strip_prefix('\n').unwrap_or(rest);
        }
        rows.extend(std::iter::repeat_n(Vec::new(), empty_lines(rest)));
        let more = reader
            .read_record(&mut record)
            .map_err(|e| ScriptError::value_error(format!("csv.parse(): {e}")))?;
        if !more {
            return Ok(rows);
        }
        rows.push(record.iter().map(str::to_owned).collect());
        at = (reader.position().byte() as usize).min(text.len());
    }
}

/// How many empty lines `rest` starts with.
fn empty_lines(rest: &str) -> usize {
    let mut n = 0;
    let mut rest = rest;
    while let Some(after) = ["\r\n", "\n", "\r"]
        .iter()
        .find_map(|e| rest.strip_prefix(e))
    {
        n += 1;
        rest = after;
    }
    n
}

pub(super) fn row_value(row: Vec<String>) -> Value {
    Value::list(row.iter().map(|f| Value::str(f)).collect())
}

/// A row as a map of the header's names: a missing field is `nil`, extra
/// fields go to a list under `nil`'s place, as DictReader's `None` key
/// (here the key `"_rest"`).
pub(super) fn record(names: &[String], row: Vec<String>) -> Value {
    let mut table = MapTable::default();
    for (i, name) in names.iter().enumerate() {
        let v = row.get(i).map_or(Value::Nil, |f| Value::str(f));
        table.insert(Key::Str(Str::new(name)), v);
    }
    if row.len() > names.len() {
        let rest = row[names.len()..].iter().map(|f| Value::str(f)).collect();
        table.insert(Key::Str(Str::new("_rest")), Value::list(rest));
    }
    Value::Map(Rc::new(RefCell::new(table)))
}

fn write(mut args: Args) -> NativeResult {
    let rows: Value = args.next("rows")?;
    let delimiter = one_byte("csv.write", "delimiter", args.named("delimiter")?, b',')?;
    let quote = one_byte("csv.write", "quote", args.named("quote")?, b'"')?;
    let line_end: Option<String> = args.named("line_end")?;
    args.finish()?;
    let end = match line_end.as_deref() {
        None | Some("\r\n") => "\r\n",
        Some("\n") => "\n",
        Some(other) => {
            return Err(ScriptError::value_error(format!(
                "csv.write() `line_end:` must be \"\\r\\n\" or \"\\n\", not {other:?}"
            )))
        }
    };
    let Value::List(rows) = rows else {
        return Err(ScriptError::type_error(format!(
            "csv.write() argument `rows` must be a list, not `{}`",
            rows.type_name()
        )));
    };
    let rows = rows.borrow().iter().cloned().collect::<Vec<_>>();
    let mut out = String::new();
    let mut header: Option<Vec<Key>> = None;
    for row in &rows {
        for fields in fields_of(row, &mut header)? {
            out.push_str(&line(&fields, delimiter, quote)?);
            out.push_str(end);
        }
    }
    Ok(Value::str(&out))
}

/// The lines a row makes: its fields, or for the first map its keys'
/// names first (DictWriter's `writeheader`), then its values in that
/// order.
fn fields_of(row: &Value, header: &mut Option<Vec<Key>>) -> Result<Vec<Vec<String>>, ScriptError> {
    match row {
        Value::List(items) => Ok(vec![items.borrow().iter().map(field_text).collect()]),
        Value::Map(m) => {
            let m = m.borrow();
            let mut lines = Vec::new();
            if header.is_none() {
                let keys: Vec<Key> = m.keys().cloned().collect();
                lines.push(keys.iter().map(|k| field_text(&k.to_value())).collect());
                *header = Some(keys);
            }
            let keys = header.as_ref().map_or(&[][..], |k| &k[..]);
            lines.push(
                keys.iter()
                    .map(|k| m.get(k).map_or(String::new(), field_text))
                    .collect(),
            );
            Ok(lines)
        }
        other => Err(ScriptError::type_error(format!(
            "csv.write() rows must be lists or maps, not `{}`",
            other.type_name()
        ))),
    }
}

/// A field as Python's writer writes it: text as it is, `nil` empty,
/// anything else as `str()` shows it.
fn field_text(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Str(s) => s.to_string(),
        other => other.to_display(),
    }
}

/// One record without its line end; no fields is an empty line (the
/// crate would write `""`).
fn line(fields: &[String], delimiter: u8, quote: u8) -> Result<String, ScriptError> {
    if fields.is_empty() {
        return Ok(String::new());
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let failed = |e: &dyn std::fmt::Display| ScriptError::value_error(format!("csv.write(): {e}"));
    writer.write_record(fields).map_err(|e| failed(&e))?;
    let mut bytes = writer.into_inner().map_err(|e| failed(&e))?;
    bytes.pop();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
