//! How values show: `repr` (inside containers, when echoed) and the text
//! `print`, `str()` and f-strings show.

use super::{nesting_error, Iter, Value, MAX_NESTING};
use crate::runtime::error::ErrorRef;
use std::fmt::Write;
use std::rc::Rc;

impl Value {
    /// The text `print` and `str()` show. Lists and maps nested deeper
    /// than `MAX_NESTING` show `[...]` there; see [`Value::try_display`].
    pub fn to_display(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Error(e) => e.message.to_string(),
            _ => self.repr(),
        }
    }

    /// What `print`, `str()` and an f-string show: the text of
    /// [`Value::to_display`], or a `RecursionError` for lists and maps
    /// nested deeper than `MAX_NESTING` (as `==` and `<` have).
    pub fn try_display(&self) -> Result<String, ErrorRef> {
        match self {
            Value::Str(s) => Ok(s.to_string()),
            Value::Error(e) => Ok(e.message.to_string()),
            _ => self.try_repr(),
        }
    }

    /// The text a value shows inside a container or when echoed.
    pub fn repr(&self) -> String {
        let mut open = Open::default();
        let mut out = String::new();
        self.write_repr(&mut out, &mut open);
        out
    }

    /// [`Value::repr`], or a `RecursionError` where it would elide nesting.
    pub fn try_repr(&self) -> Result<String, ErrorRef> {
        let mut open = Open::default();
        let mut out = String::new();
        self.write_repr(&mut out, &mut open);
        if open.too_deep {
            return Err(nesting_error("repr"));
        }
        Ok(out)
    }

    /// `open` holds the containers being printed, so a list that contains
    /// itself prints as `[...]` (as in Python); so does one nested deeper
    /// than [`MAX_NESTING`], noted in `too_deep`.
    fn write_repr(&self, out: &mut String, open: &mut Open) {
        let id = match self {
            Value::List(l) => Rc::as_ptr(l) as *const () as usize,
            Value::Map(m) => Rc::as_ptr(m) as *const () as usize,
            Value::Record(r) => Rc::as_ptr(r) as *const () as usize,
            _ => 0,
        };
        let deep = open.ids.len() >= MAX_NESTING;
        if id != 0 && (deep || open.ids.contains(&id)) {
            open.too_deep |= deep;
            out.push_str(match self {
                Value::List(_) => "[...]",
                Value::Map(_) => "{...}",
                _ => "...",
            });
            return;
        }
        match self {
            Value::Nil | Value::Uninit => out.push_str("nil"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::Str(s) => write_quoted(out, s),
            Value::Bytes(b) => crate::runtime::values::bytes::write_repr(out, b),
            Value::List(l) => {
                let Ok(items) = l.try_borrow() else {
                    out.push_str("[...]");
                    return;
                };
                out.push('[');
                open.ids.push(id);
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, open);
                }
                open.ids.pop();
                out.push(']');
            }
            Value::Map(m) => {
                let Ok(map) = m.try_borrow() else {
                    out.push_str("{...}");
                    return;
                };
                out.push('{');
                open.ids.push(id);
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.to_value().write_repr(out, open);
                    out.push_str(": ");
                    v.write_repr(out, open);
                }
                open.ids.pop();
                out.push('}');
            }
            Value::Func(c) => {
                let kw = if c.proto.is_async { "async fn" } else { "fn" };
                let _ = write!(out, "<{kw} {}>", c.proto.name);
            }
            Value::Object(o) => out.push_str(&o.inner.repr()),
            Value::Native(f) => {
                let kw = match () {
                    _ if f.builtin.is_some() => "builtin fn",
                    _ if f.is_async() => "async fn",
                    _ => "fn",
                };
                let _ = write!(out, "<{kw} {}>", f.name());
            }
            Value::Coro(_)
            | Value::Task(_)
            | Value::Future(_)
            | Value::Queue(_)
            | Value::Event(_)
            | Value::Lock(_)
            | Value::Semaphore(_)
            | Value::Condition(_)
            | Value::Barrier(_)
            | Value::Timeout(_)
            | Value::Handle(_) => self.write_async_repr(out),
            Value::Error(e) => {
                let _ = write!(out, "{}(", e.kind);
                write_quoted(out, &e.message);
                out.push(')');
            }
            Value::Cell(c) => c.borrow().write_repr(out, open),
            Value::Iter(it) => match &*it.borrow() {
                Iter::Range { next, stop, step } if *step == 1 => {
                    let _ = write!(out, "range({next}, {stop})");
                }
                Iter::Range { next, stop, step } => {
                    let _ = write!(out, "range({next}, {stop}, {step})");
                }
                Iter::Items { .. } | Iter::List { .. } => out.push_str("<iterator>"),
                Iter::AsCompleted(_) => out.push_str("<as_completed iterator>"),
            },
            Value::Group(_) => out.push_str("<group>"),
            Value::Record(r) => {
                let Ok(values) = r.values.try_borrow() else {
                    out.push_str("...");
                    return;
                };
                out.push_str(r.ty.name);
                out.push('(');
                open.ids.push(id);
                for (i, (name, v)) in r.ty.fields.iter().zip(values.iter()).enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    out.push('=');
                    v.write_repr(out, open);
                }
                open.ids.pop();
                out.push(')');
            }
            Value::Module(m) => {
                let _ = write!(out, "<module {}>", m.name);
            }
            Value::RecordType(t) => {
                let _ = write!(out, "<struct {}>", t.name);
            }
        }
    }

    /// The repr of the asyncio objects: their kind and state.
    fn write_async_repr(&self, out: &mut String) {
        match self {
            Value::Coro(c) => {
                let _ = write!(out, "<coroutine {}>", c.name());
            }
            Value::Task(t) => {
                let _ = write!(out, "<task {} {}>", t.name(), t.state_name());
            }
            Value::Future(f) => {
                let _ = write!(out, "<future {}>", f.state_name());
            }
            Value::Queue(q) => {
                let _ = write!(out, "<queue size={}>", q.size());
            }
            Value::Event(e) => {
                let _ = write!(out, "<event {}>", if e.is_set() { "set" } else { "unset" });
            }
            Value::Lock(l) => {
                let _ = write!(
                    out,
                    "<lock {}>",
                    if l.locked() { "locked" } else { "unlocked" }
                );
            }
            Value::Semaphore(s) => {
                let _ = write!(out, "<semaphore value={}>", s.value());
            }
            Value::Condition(c) => {
                let locked = if c.lock.locked() {
                    "locked"
                } else {
                    "unlocked"
                };
                let _ = write!(out, "<condition {locked}>");
            }
            Value::Barrier(b) => {
                let _ = write!(
                    out,
                    "<barrier {} waiting={}/{}>",
                    b.state.get().name(),
                    b.n_waiting(),
                    b.parties
                );
            }
            Value::Timeout(t) => {
                let _ = write!(out, "<timeout {}>", t.state.get().name());
            }
            Value::Handle(h) => {
                let state = if h.cancelled.get() {
                    "cancelled"
                } else {
                    "scheduled"
                };
                let _ = write!(out, "<handle {state}>");
            }
            _ => unreachable!("not an asyncio object"),
        }
    }
}

fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Formats a float the way Python's `repr(float)` does.
pub(crate) fn format_float(f: f64) -> String {
    crate::runtime::values::format::float_repr(f)
}

/// The containers a repr is inside of.
#[derive(Default)]
struct Open {
    ids: Vec<usize>,
    too_deep: bool,
}
