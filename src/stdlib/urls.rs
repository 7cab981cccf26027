//! `url`: `parse(s)` into a map of its parts, `join`, `encode_query`, and
//! `quote`/`unquote` (and their `_plus` forms) with Python's
//! `urllib.parse` rules. Parsing and joining are the `url` crate's (the
//! WHATWG URL standard, as http requests use it, so `url.parse` shows
//! what a request would send); a reference without a scheme is split as
//! `urlsplit` splits it, since there is nothing to resolve it against.
//! Quoting is written here, byte for byte as CPython's `quote`/`unquote`,
//! which no crate matches (`percent-encoding` takes sets of bytes to
//! encode, not Python's `safe` characters, and decodes without Python's
//! replacement of bad UTF-8). Checked against CPython by
//! `tests/parity/url_module`.

use crate::{Args, Key, MapTable, Module, NativeResult, ScriptError, Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(crate) fn module() -> Module {
    Module::new("url")
        .raw("parse", |_ctx, args| parse(args))
        .raw("join", |_ctx, args| join(args))
        .raw("encode_query", |_ctx, mut args| {
            let query: Value = args.next("query")?;
            args.finish()?;
            Ok(Value::str(&encode_query("url.encode_query()", &query)?))
        })
        .raw("quote", |_ctx, args| quoting(args, "/", false))
        .raw("quote_plus", |_ctx, args| quoting(args, "", true))
        .raw("unquote", |_ctx, mut args| {
            let text: String = args.next("text")?;
            args.finish()?;
            Ok(Value::str(&unquote(&text)))
        })
        .raw("unquote_plus", |_ctx, mut args| {
            let text: String = args.next("text")?;
            args.finish()?;
            Ok(Value::str(&unquote(&text.replace('+', " "))))
        })
}

fn quoting(mut args: Args, default_safe: &str, plus: bool) -> NativeResult {
    let text: String = args.next("text")?;
    let safe: Option<String> = args.named("safe")?;
    args.finish()?;
    let safe = safe.as_deref().unwrap_or(default_safe);
    Ok(Value::str(&quote(&text, safe, plus)))
}

/// Python's `quote(text, safe)` (`quote_plus` with `plus`): every byte of
/// the UTF-8 text as `%XX` except ASCII letters, digits, `_.-~` and the
/// ASCII characters of `safe`; with `plus`, a space is `+`.
pub(crate) fn quote(text: &str, safe: &str, plus: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        let c = b as char;
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || (b.is_ascii() && safe.contains(c)) {
            out.push(c);
        } else if plus && b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Python's `unquote`: each run of `%XX` escapes decoded as UTF-8, a bad
/// sequence as U+FFFD; a `%` not followed by two hex digits stays.
pub(crate) fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = escape {
            run.push(b);
            i += 3;
            continue;
        }
        if !run.is_empty() {
            out.push_str(&String::from_utf8_lossy(&run));
            run.clear();
        }
        // Not an escape: copy up to the next `%` (text is UTF-8 there).
        let next = bytes[i + 1..]
            .iter()
            .position(|&b| b == b'%')
            .map_or(bytes.len(), |p| i + 1 + p);
        out.push_str(&text[i..next]);
        i = next;
    }
    out.push_str(&String::from_utf8_lossy(&run));
    out
}

/// Python's `urlencode(query, doseq=True)`: `name=value` pairs joined by
/// `&`, each side as `quote_plus`. A list value repeats its name; `nil`
/// leaves the name out (as `requests` does with `None`). `query` is a map
/// or a list of `[name, value]` pairs.
pub(crate) fn encode_query(fname: &str, query: &Value) -> Result<String, ScriptError> {
    let pairs: Vec<(Value, Value)> = match query {
        Value::Map(m) => m
            .borrow()
            .iter()
            .map(|(k, v)| (k.to_value(), v.clone()))
            .collect(),
        Value::List(items) => items
            .borrow()
            .iter()
            .map(|p| pair(fname, p))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(ScriptError::type_error(format!(
                "{fname} takes a map or a list of [name, value] pairs, not `{}`",
                other.type_name()
            )))
        }
    };
    let mut out = Vec::new();
    for (name, value) in &pairs {
        let name = quote(&field(fname, name)?, "", true);
        let values = match value {
            Value::List(items) => items.borrow().iter().cloned().collect(),
            other => vec![other.clone()],
        };
        for v in values.iter().filter(|v| !matches!(v, Value::Nil)) {
            out.push(format!("{name}={}", quote(&field(fname, v)?, "", true)));
        }
    }
    Ok(out.join("&"))
}

fn pair(fname: &str, p: &Value) -> Result<(Value, Value), ScriptError> {
    if let Value::List(items) = p {
        if let [name, value] = &items.borrow()[..] {
            return Ok((name.clone(), value.clone()));
        }
    }
    Err(ScriptError::type_error(format!(
        "{fname}: a pair is a list of a name and a value, not {}",
        p.repr()
    )))
}

/// A name or value as text: strings as they are, numbers and bools as
/// `str` shows them; anything else has no place in a query.
fn field(fname: &str, v: &Value) -> Result<String, ScriptError> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(v.to_display()),
        other => Err(ScriptError::type_error(format!(
            "{fname}: a `{}` cannot be a query name or value",
            other.type_name()
        ))),
    }
}

/// A query string's pairs, as Python's `parse_qsl(q, keep_blank_values=True)`:
/// split on `&`, `+` is a space, escapes decoded, a name without `=` has
/// the value `""`.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (unquote(&n.replace('+', " ")), unquote(&v.replace('+', " ")))
        })
        .collect()
}

/// The query's names to values, decoded; a name given more than once
/// keeps its last value (as a served request's `query()` does, and
/// Python's `dict(parse_qsl(q))`), and `pairs` has every one, in order.
fn query_values(query: &str) -> (Value, Value) {
    let mut table = MapTable::default();
    let mut pairs = Vec::new();
    for (name, value) in query_pairs(query) {
        table.insert(Key::Str(Str::new(&name)), Value::str(&value));
        pairs.push(Value::list(vec![Value::str(&name), Value::str(&value)]));
    }
    (Value::Map(Rc::new(RefCell::new(table))), Value::list(pairs))
}

/// What a reference without a scheme or host is read against (it gives
/// none of its own to the result).
const RELATIVE_BASE: &str = "relative:///";

/// A URL's parts, as the map `url.parse` gives.
struct Parts {
    scheme: String,
    user: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    path: String,
    query: String,
    fragment: String,
}

fn parse(mut args: Args) -> NativeResult {
    let text: String = args.next("text")?;
    args.finish()?;
    let parts = match ::url::Url::parse(&text) {
        Ok(u) => crate_parts(&u, u.scheme()),
        // `//host/path`: the host is read as in a URL.
        Err(::url::ParseError::RelativeUrlWithoutBase) if text.starts_with("//") => {
            let base = ::url::Url::parse(RELATIVE_BASE).expect("the base is a URL");
            let u = base.join(&text).map_err(|e| bad_url(&text, e))?;
            crate_parts(&u, "")
        }
        // A path, a query or a fragment alone: kept as written, since
        // there is nothing to resolve it against (Python's `urlsplit`).
        Err(::url::ParseError::RelativeUrlWithoutBase) => reference_parts(&text),
        Err(e) => return Err(bad_url(&text, e)),
    };
    Ok(parts_value(parts))
}

/// The parts of a URL the `url` crate read: as a request would send them
/// (the WHATWG URL standard: host lower-case, dot segments resolved,
/// spaces and non-ASCII characters `%`-escaped).
fn crate_parts(u: &::url::Url, scheme: &str) -> Parts {
    Parts {
        scheme: scheme.to_string(),
        user: (!u.username().is_empty()).then(|| unquote(u.username())),
        password: u.password().map(unquote),
        host: u
            .host_str()
            .filter(|h| !h.is_empty())
            .map(|h| h.trim_matches(['[', ']']).to_string()),
        port: u.port_or_known_default(),
        path: u.path().to_string(),
        query: u.query().unwrap_or("").to_string(),
        fragment: u.fragment().unwrap_or("").to_string(),
    }
}

/// A relative reference's path, query and fragment, split as `urlsplit`
/// splits them.
fn reference_parts(text: &str) -> Parts {
    let (rest, fragment) = text.split_once('#').unwrap_or((text, ""));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Parts {
        scheme: String::new(),
        user: None,
        password: None,
        host: None,
        port: None,
        path: path.to_string(),
        query: query.to_string(),
        fragment: fragment.to_string(),
    }
}

fn parts_value(p: Parts) -> Value {
    let opt = |s: Option<String>| s.map_or(Value::Nil, |s| Value::str(&s));
    let (query, pairs) = query_values(&p.query);
    let fields = [
        ("scheme", Value::str(&p.scheme)),
        ("user", opt(p.user)),
        ("password", opt(p.password)),
        ("host", opt(p.host)),
        ("port", p.port.map_or(Value::Nil, |n| Value::Int(n.into()))),
        ("path", Value::str(&p.path)),
        ("query", query),
        ("query_pairs", pairs),
        ("query_string", Value::str(&p.query)),
        ("fragment", Value::str(&p.fragment)),
    ];
    let table: MapTable = fields
        .into_iter()
        .map(|(k, v)| (Key::Str(Str::new(k)), v))
        .collect();
    Value::Map(Rc::new(RefCell::new(table)))
}

fn join(mut args: Args) -> NativeResult {
    let base: String = args.next("base")?;
    let reference: String = args.next("reference")?;
    args.finish()?;
    let b = ::url::Url::parse(&base).map_err(|e| match e {
        ::url::ParseError::RelativeUrlWithoutBase => ScriptError::value_error(format!(
            "url.join(): the base must be an absolute URL (with a scheme), not {base:?}"
        )),
        e => bad_url(&base, e),
    })?;
    let joined = b.join(&reference).map_err(|e| bad_url(&reference, e))?;
    Ok(Value::str(joined.as_str()))
}

fn bad_url(text: &str, e: ::url::ParseError) -> ScriptError {
    ScriptError::value_error(format!("not a URL: {text:?} ({e})"))
}

#[cfg(test)]
mod tests {
    use super::{quote, unquote};

    #[test]
    fn quote_and_unquote_as_python() {
        assert_eq!(quote("a b/c?d=é&~", "/", false), "a%20b/c%3Fd%3D%C3%A9%26~");
        assert_eq!(quote("a b/c+d", "", true), "a+b%2Fc%2Bd");
        assert_eq!(unquote("a%20b%2Fc%C3%A9%zz%"), "a b/cé%zz%");
        assert_eq!(unquote("%ff%C3"), "\u{fffd}\u{fffd}");
        assert_eq!(unquote("é%"), "é%");
    }
}
