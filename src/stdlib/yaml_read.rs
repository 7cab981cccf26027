//! Reading YAML: saphyr's parser gives events, and this builds the
//! language's values from them. Driving the parser's event iterator here,
//! rather than saphyr's loader, keeps the work flat (its loader recurses
//! once per level of nesting, and so does dropping its node tree: a deep
//! document would overflow the stack), lets a depth cap stop a document
//! early, and keeps what the loader drops: every error's line and column,
//! `!!binary`, and merge keys (`<<`).
//!
//! Scalars follow YAML 1.2's core schema (as saphyr and Go's reader do,
//! not PyYAML's YAML 1.1: `yes` is a string, `0777` is 777, a date is
//! text). An alias is the anchored value itself, shared (PyYAML's too).

use super::formats::{parse_error, MAX_DEPTH};
use crate::{Key, MapTable, ScriptError, Value};
use saphyr::{Marker, Scalar, ScalarStyle, Tag};
use saphyr_parser::{Event, Parser};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Every document of `text`.
pub(crate) fn documents(text: &str) -> Result<Vec<(Value, Marker)>, ScriptError> {
    let mut b = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = e.marker();
            parse_error("YamlError", e.info(), at.line(), at.col() + 1)
        })?;
        b.event(event, span.start)?;
    }
    Ok(b.docs)
}

/// A YAML error at `at`.
fn error(what: &str, at: Marker) -> ScriptError {
    parse_error("YamlError", what, at.line(), at.col() + 1)
}

/// A list or map being built.
struct Frame {
    anchor: usize,
    start: Marker,
    kind: Open,
}

enum Open {
    Seq(Vec<Value>),
    Map {
        /// The map's own pairs.
        pairs: MapTable,
        /// The key whose value comes next.
        key: Option<(KeyOrMerge, Marker)>,
        /// The values of `<<` keys, in order.
        merges: Vec<(Value, Marker)>,
    },
}

enum KeyOrMerge {
    Key(Key),
    Merge,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    docs: Vec<(Value, Marker)>,
    doc_start: Marker,
    /// A document's root, until its end.
    root: Option<Value>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, at: Marker) -> Result<(), ScriptError> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.doc_start = at;
                self.root = None;
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Value::Nil);
                self.docs.push((root, self.doc_start));
            }
            Event::SequenceStart(anchor, _) => self.open(anchor, Open::Seq(Vec::new()), at)?,
            Event::MappingStart(anchor, _) => self.open(
                anchor,
                Open::Map {
                    pairs: MapTable::default(),
                    key: None,
                    merges: Vec::new(),
                },
                at,
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("the parser balances its events");
                let v = close(frame.kind)?;
                self.add(v, frame.anchor, frame.start, false)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                let v = scalar(text, style, tag.as_deref(), at)?;
                self.add(v, anchor, at, merge)?;
            }
            Event::Alias(id) => {
                let Some(v) = self.anchors.get(&id).cloned() else {
                    return Err(error("an alias to an anchor not defined before it", at));
                };
                self.add(v, 0, at, false)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, anchor: usize, kind: Open, at: Marker) -> Result<(), ScriptError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                &format!("lists and maps nested more than {MAX_DEPTH} deep"),
                at,
            ));
        }
        self.stack.push(Frame {
            anchor,
            start: at,
            kind,
        });
        Ok(())
    }

    /// A finished value: into the open list or map, or the document's root.
    fn add(&mut self, v: Value, anchor: usize, at: Marker, merge: bool) -> Result<(), ScriptError> {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(v);
            return Ok(());
        };
        match &mut top.kind {
            Open::Seq(items) => items.push(v),
            Open::Map { pairs, key, merges } => match key.take() {
                None if merge => *key = Some((KeyOrMerge::Merge, at)),
                None => *key = Some((KeyOrMerge::Key(map_key(&v, at)?), at)),
                Some((KeyOrMerge::Merge, at)) => merges.push((v, at)),
                Some((KeyOrMerge::Key(k), key_at)) => {
                    if pairs.contains_key(&k) {
                        return Err(error(
                            &format!("duplicate key {} in a map", k.to_value().repr()),
                            key_at,
                        ));
                    }
                    pairs.insert(k, v);
                }
            },
        }
        Ok(())
    }
}

/// A map key: a string, int or bool (the keys the language's maps take).
fn map_key(v: &Value, at: Marker) -> Result<Key, ScriptError> {
    match v {
        Value::Str(_) | Value::Int(_) | Value::Bool(_) => {
            Ok(Key::from_value(v).expect("strings, ints and bools are keys"))
        }
        other => Err(error(
            &format!(
                "a map key must be a string, int or bool, not `{}`",
                other.type_name()
            ),
            at,
        )),
    }
}

/// The finished value of a list or map. A map's merge keys (`<<`) add
/// the pairs of the maps they name, as PyYAML does: the map's own keys
/// win, then the earlier of several merged maps; merged keys come first.
fn close(kind: Open) -> Result<Value, ScriptError> {
    let (pairs, merges) = match kind {
        Open::Seq(items) => return Ok(Value::list(items)),
        Open::Map { pairs, merges, .. } => (pairs, merges),
    };
    if merges.is_empty() {
        return Ok(Value::Map(Rc::new(RefCell::new(pairs))));
    }
    let mut table = MapTable::default();
    for (v, at) in merges {
        let sources = match &v {
            Value::Map(_) => vec![v.clone()],
            Value::List(items) => items.borrow().iter().rev().cloned().collect(),
            _ => Vec::new(),
        };
        if sources.is_empty() && !matches!(v, Value::List(_)) {
            return Err(error("a merge key `<<` takes a map or a list of maps", at));
        }
        for source in sources {
            let Value::Map(m) = source else {
                return Err(error("a merge key `<<` takes a map or a list of maps", at));
            };
            for (k, v) in m.borrow().iter() {
                table.insert(k.clone(), v.clone());
            }
        }
    }
    for (k, v) in pairs.iter() {
        table.insert(k.clone(), v.clone());
    }
    Ok(Value::Map(Rc::new(RefCell::new(table))))
}

/// A scalar's value: by its tag when it has one of the core schema's
/// (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, and `!!binary` as
/// bytes), else by its form. Other tags (`!Ref`, `!!python/tuple`) are
/// dropped: the value reads as if it had none.
fn scalar(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    at: Marker,
) -> Result<Value, ScriptError> {
    let core = tag
        .filter(|t| t.is_yaml_core_schema())
        .map(|t| t.suffix.as_str());
    match core {
        Some("binary") => return binary(&text, at),
        Some("str") => return Ok(Value::str(&text)),
        Some(name @ ("int" | "float" | "bool" | "null")) => {
            let plain = Cow::Borrowed(text.as_ref());
            let tag = tag.map(Cow::Borrowed);
            return Scalar::parse_from_cow_and_metadata(plain, ScalarStyle::Plain, tag.as_ref())
                .map(from_scalar)
                .ok_or_else(|| error(&format!("{:?} is not a valid !!{name}", text.as_ref()), at));
        }
        _ => {}
    }
    // The non-specific tag `!` makes a plain scalar a string.
    let non_specific = tag.is_some_and(|t| t.handle == "!" && t.suffix.is_empty());
    if style != ScalarStyle::Plain || non_specific {
        return Ok(Value::str(&text));
    }
    if text.is_empty() {
        return Ok(Value::Nil);
    }
    Ok(from_scalar(Scalar::parse_from_cow(text)))
}

fn from_scalar(s: Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Nil,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::Int(i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::str(&s),
    }
}

/// `!!binary`: base64, line breaks and spaces allowed.
fn binary(text: &str, at: Marker) -> Result<Value, ScriptError> {
    use base64::Engine;
    let packed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(packed)
        .map(|b| Value::Bytes(Rc::new(b)))
        .map_err(|e| error(&format!("!!binary is not base64: {e}"), at))
}
