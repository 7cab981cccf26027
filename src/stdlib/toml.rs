//! `toml`: `parse(text)` into maps, lists and scalars as Python's
//! `tomllib.loads`, and `stringify(map)` back to a document. The reading
//! and writing are the `toml` crate's (TOML 1.1, which reads every 1.0
//! document); this file maps its values to the language's.
//!
//! The language has no date type (dates are epoch seconds or text), so a
//! TOML date-time, date or time becomes its text in TOML's own form
//! (`1979-05-27T07:32:00-08:00`, `1979-05-27`, `07:32:00`): what Python's
//! `isoformat()` writes for `tomllib`'s values, except an offset of zero,
//! which stays `Z`. `stringify` writes every string as a string.

use super::formats::{self, line_col, parse_error, Open, MAX_DEPTH};
use crate::{Args, Key, MapTable, Module, NativeResult, ScriptError, Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(crate) fn module() -> Module {
    Module::new("toml")
        .raw("parse", |_ctx, args| parse(args))
        .raw("stringify", |_ctx, args| stringify(args))
}

fn parse(mut args: Args) -> NativeResult {
    let text: String = args.next("text")?;
    args.finish()?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, column) = line_col(&text, e.span().map_or(text.len(), |s| s.start));
        let what = e.message().trim_end().replace('\n', "; ");
        parse_error("TomlError", &what, line, column)
    })?;
    table_value(table, 0)
}

fn table_value(table: toml::Table, depth: usize) -> NativeResult {
    let mut map = MapTable::default();
    for (k, v) in table {
        map.insert(Key::Str(Str::new(&k)), value(v, depth + 1)?);
    }
    Ok(Value::Map(Rc::new(RefCell::new(map))))
}

fn value(v: toml::Value, depth: usize) -> NativeResult {
    if depth > MAX_DEPTH {
        return Err(ScriptError::new(
            "TomlError",
            format!("toml.parse(): arrays and tables nested more than {MAX_DEPTH} deep"),
        ));
    }
    Ok(match v {
        toml::Value::String(s) => Value::str(&s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::str(&d.to_string()),
        toml::Value::Array(items) => Value::list(
            items
                .into_iter()
                .map(|v| value(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(t) => table_value(t, depth)?,
    })
}

fn stringify(mut args: Args) -> NativeResult {
    let v: Value = args.next("value")?;
    args.finish()?;
    let Value::Map(_) = v else {
        return Err(ScriptError::type_error(format!(
            "toml.stringify() needs a map (a TOML document is a table), not `{}`",
            v.type_name()
        )));
    };
    let toml::Value::Table(table) = to_toml(&v, &mut Open::default())? else {
        unreachable!("a map becomes a table")
    };
    let text = toml::to_string(&table)
        .map_err(|e| ScriptError::new("ValueError", format!("toml.stringify(): {e}")))?;
    Ok(Value::str(&text))
}

/// `v` as a TOML value, or why it has none: `nil` and functions, tasks...
/// have no TOML form, and a table's keys are strings.
fn to_toml(v: &Value, open: &mut Open) -> Result<toml::Value, ScriptError> {
    const F: &str = "toml.stringify";
    Ok(match v {
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Int(i) => toml::Value::Integer(*i),
        Value::Float(f) => toml::Value::Float(*f),
        Value::Str(s) => toml::Value::String(s.to_string()),
        Value::List(items) => {
            open.enter(F, v)?;
            let items = formats::items_of(items);
            let out = items
                .iter()
                .map(|i| to_toml(i, open))
                .collect::<Result<_, _>>()?;
            open.leave();
            toml::Value::Array(out)
        }
        Value::Map(m) => {
            open.enter(F, v)?;
            let pairs = formats::pairs_of(m);
            let mut table = toml::Table::new();
            for (k, item) in &pairs {
                let Key::Str(name) = k else {
                    return Err(ScriptError::type_error(format!(
                        "{F}(): a TOML key is a string, not `{}` ({})",
                        k.to_value().type_name(),
                        k.to_value().repr()
                    )));
                };
                table.insert(name.to_string(), to_toml(item, open)?);
            }
            open.leave();
            toml::Value::Table(table)
        }
        Value::Nil => {
            return Err(ScriptError::type_error(format!(
                "{F}(): TOML has no nil (no null)"
            )))
        }
        other => {
            return Err(ScriptError::type_error(format!(
                "{F}(): a `{}` has no TOML form",
                other.type_name()
            )))
        }
    })
}
