//! `bytes`: an immutable sequence of bytes (ints 0..=255), as Python's.
//! The value is an `Rc<Vec<u8>>` (one thin pointer, so a `Value` stays 16
//! bytes); slicing and `+` make new ones. Its methods, its repr, and the
//! codecs between text and bytes (`decode`, `encode`: UTF-8, Latin-1 and
//! ASCII, with Python's `strict`, `replace` and `ignore`) are here, with
//! Python's words in the errors.

use super::value::Value;
use crate::runtime::error::{index_error, type_error, value_error, ErrorObj, ErrorRef};
use std::fmt::Write;
use std::rc::Rc;

type R = Result<Value, ErrorRef>;

impl Value {
    /// A bytes value.
    pub fn bytes(b: Vec<u8>) -> Value {
        Value::Bytes(Rc::new(b))
    }
    /// The bytes of a bytes value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// Python's repr: `b'...'`, in double quotes when the bytes hold a `'`
/// and no `"`; printable ASCII as itself, `\t \n \r`, and `\xNN` for the
/// rest.
pub(crate) fn write_repr(out: &mut String, b: &[u8]) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
}

/// `b.hex()`, `b.hex(":")`: two lowercase digits a byte, `sep` between.
pub(crate) fn hex(b: &[u8], sep: &str) -> String {
    let mut out = String::with_capacity(b.len() * (2 + sep.len()));
    for (i, c) in b.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let _ = write!(out, "{c:02x}");
    }
    out
}

/// `bytes.from_hex(s)`: Python's `bytes.fromhex`, whitespace allowed
/// between bytes; a bad or missing digit is a `ValueError` at its position.
pub(crate) fn from_hex(s: &str) -> R {
    let digit = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
    let bad = |at: usize| {
        value_error(format!(
            "non-hexadecimal number found in fromhex() arg at position {at}"
        ))
    };
    let text = s.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // Positions count characters, as Python's do.
        let at = |i: usize| s[..i].chars().count();
        let hi = digit(text.get(i)).ok_or_else(|| bad(at(i)))?;
        let lo = digit(text.get(i + 1)).ok_or_else(|| bad(at(i + 1)))?;
        out.push((hi * 16 + lo) as u8);
        i += 2;
    }
    Ok(Value::bytes(out))
}

/// One byte from an int, as `bytes([...])` and `in` take it.
fn byte_of(v: &Value, what: &str) -> Result<u8, ErrorRef> {
    match v {
        Value::Int(i) => u8::try_from(*i)
            .map_err(|_| value_error(format!("{what} must be in range(0, 256), not {i}"))),
        other => Err(type_error(format!(
            "`{}` cannot be interpreted as a byte (an int 0..255)",
            other.type_name()
        ))),
    }
}

/// `bytes(x)`: `bytes()` is empty, `bytes(n)` n zero bytes, `bytes(items)`
/// the ints of a list, range or bytes, `bytes(s, encoding)` the text
/// encoded.
pub(crate) fn construct(x: Option<&Value>, encoding: Option<&Value>, errors: Option<&Value>) -> R {
    let Some(x) = x else {
        return Ok(Value::bytes(Vec::new()));
    };
    if let Value::Str(s) = x {
        let Some(encoding) = encoding else {
            return Err(type_error("string argument without an encoding")
                .with_help("`s.encode()` gives its UTF-8 bytes"));
        };
        return encode(s, Some(encoding), errors);
    }
    if encoding.is_some() || errors.is_some() {
        return Err(type_error("encoding without a string argument"));
    }
    match x {
        Value::Bytes(_) => Ok(x.clone()),
        Value::Int(n) => {
            let n = usize::try_from(*n).map_err(|_| value_error("negative count"))?;
            if n > 1 << 32 {
                return Err(ErrorObj::new(
                    "MemoryError",
                    format!("cannot allocate {n} bytes"),
                ));
            }
            Ok(Value::bytes(vec![0; n]))
        }
        Value::List(_) | Value::Iter(_) => {
            let items = super::ops::items_of(x)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                out.push(byte_of(v, "bytes").map_err(|e| at_item(e, i))?);
            }
            Ok(Value::bytes(out))
        }
        other => Err(type_error(format!(
            "cannot convert `{}` to bytes",
            other.type_name()
        ))),
    }
}

/// The error about a list's item `i`, saying which.
fn at_item(e: ErrorRef, i: usize) -> ErrorRef {
    ErrorObj::new(e.kind(), format!("{} (item {i})", e.message()))
}

/// `b[i]`: the byte as an int, negative `i` counting from the end.
pub(crate) fn index(b: &[u8], i: i64) -> R {
    super::ops::norm_index(i, b.len())
        .map(|j| Value::Int(i64::from(b[j])))
        .ok_or_else(|| {
            index_error(format!(
                "bytes index {i} is out of range (length {})",
                b.len()
            ))
        })
}

/// `x in b`: a byte (an int) or a run of bytes.
pub(crate) fn contains(b: &[u8], x: &Value) -> Result<bool, ErrorRef> {
    match x {
        Value::Bytes(sub) => Ok(find(b, sub).is_some()),
        Value::Int(_) => {
            let c = byte_of(x, "byte")?;
            Ok(memchr::memchr(c, b).is_some())
        }
        other => Err(type_error(format!(
            "`in <bytes>` needs bytes or an int on the left, not `{}`",
            other.type_name()
        ))),
    }
}

fn find(b: &[u8], sub: &[u8]) -> Option<usize> {
    memchr::memmem::find(b, sub)
}

/// Which methods bytes have, and their parameters.
pub(in crate::runtime) fn method_params(m: &str) -> Option<(&'static [&'static str], usize)> {
    Some(match m {
        "len" => (&[], 0),
        "hex" => (&["sep"], 0),
        "decode" => (&["encoding", "errors"], 0),
        "starts_with" | "ends_with" | "find" | "contains" | "count" => (&["sub"], 1),
        "slice" => (&["from", "to"], 1),
        _ => return None,
    })
}

/// A sub-bytes argument (`b.find(x)`): bytes, or one byte as an int.
fn sub_arg(m: &str, v: &Value) -> Result<Vec<u8>, ErrorRef> {
    match v {
        Value::Bytes(s) => Ok(s.to_vec()),
        Value::Int(_) => Ok(vec![byte_of(v, "byte")?]),
        other => Err(type_error(format!(
            "{m}() needs bytes, not `{}`",
            other.type_name()
        ))),
    }
}

/// The bytes methods (arguments already bound to [`method_params`]).
pub(in crate::runtime) fn call(b: &Rc<Vec<u8>>, m: &str, args: &[Value]) -> R {
    Ok(match m {
        "len" => Value::Int(b.len() as i64),
        "hex" => {
            let sep = match args.first() {
                None | Some(Value::Nil) => String::new(),
                Some(v) => crate::runtime::methods::str_arg(m, v)?.to_string(),
            };
            Value::str(&hex(b, &sep))
        }
        "decode" => decode(b, args.first(), args.get(1))?,
        "starts_with" => Value::Bool(b.starts_with(&sub_arg(m, &args[0])?)),
        "ends_with" => Value::Bool(b.ends_with(&sub_arg(m, &args[0])?)),
        "contains" => Value::Bool(contains(b, &args[0])?),
        "find" => Value::Int(find(b, &sub_arg(m, &args[0])?).map_or(-1, |i| i as i64)),
        "count" => {
            let sub = sub_arg(m, &args[0])?;
            let n = if sub.is_empty() {
                b.len() + 1
            } else {
                memchr::memmem::find_iter(b, &sub).count()
            };
            Value::Int(n as i64)
        }
        "slice" => {
            let to = args.get(1).cloned().unwrap_or(Value::Nil);
            super::seq::slice(&Value::Bytes(b.clone()), &args[0], &to, &Value::Nil)?
        }
        _ => unreachable!("bytes method {m}"),
    })
}

/// The codecs `decode` and `encode` know (Python's names and aliases).
#[derive(Clone, Copy, PartialEq)]
enum Codec {
    Utf8,
    Latin1,
    Ascii,
}

impl Codec {
    fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Latin1 => "latin-1",
            Codec::Ascii => "ascii",
        }
    }
}

/// What to do with what a codec cannot take: Python's error handlers.
#[derive(Clone, Copy, PartialEq)]
enum Handler {
    Strict,
    Replace,
    Ignore,
}

fn text_arg(what: &str, v: Option<&Value>, default: &str) -> Result<String, ErrorRef> {
    match v {
        None | Some(Value::Nil) => Ok(default.into()),
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(other) => Err(type_error(format!(
            "{what} must be a str, not `{}`",
            other.type_name()
        ))),
    }
}

fn codec(v: Option<&Value>) -> Result<Codec, ErrorRef> {
    let name = text_arg("encoding", v, "utf-8")?;
    Ok(match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" | "u8" => Codec::Utf8,
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => Codec::Latin1,
        "ascii" | "us-ascii" => Codec::Ascii,
        _ => {
            return Err(
                ErrorObj::new("LookupError", format!("unknown encoding: {name}"))
                    .with_help("the encodings are \"utf-8\", \"latin-1\" and \"ascii\""),
            )
        }
    })
}

fn handler(v: Option<&Value>) -> Result<Handler, ErrorRef> {
    let name = text_arg("errors", v, "strict")?;
    Ok(match name.as_str() {
        "strict" => Handler::Strict,
        "replace" => Handler::Replace,
        "ignore" => Handler::Ignore,
        _ => {
            return Err(ErrorObj::new(
                "LookupError",
                format!("unknown error handler name '{name}'"),
            )
            .with_help("the handlers are \"strict\", \"replace\" and \"ignore\""))
        }
    })
}

/// `b.decode(encoding = "utf-8", errors = "strict")`.
pub(crate) fn decode(b: &[u8], encoding: Option<&Value>, errors: Option<&Value>) -> R {
    let (codec, handler) = (codec(encoding)?, handler(errors)?);
    let text = match codec {
        Codec::Utf8 => decode_utf8(b, handler)?,
        Codec::Latin1 => b.iter().map(|&c| c as char).collect(),
        Codec::Ascii => {
            let mut out = String::with_capacity(b.len());
            for (i, &c) in b.iter().enumerate() {
                match (c.is_ascii(), handler) {
                    (true, _) => out.push(c as char),
                    (false, Handler::Replace) => out.push('\u{FFFD}'),
                    (false, Handler::Ignore) => {}
                    (false, Handler::Strict) => {
                        return Err(decode_error(codec, b, i, 1, "ordinal not in range(128)"))
                    }
                }
            }
            out
        }
    };
    super::ops::concat(&[&text])
}

/// UTF-8 to text, a run at a time: each invalid sequence (Python's and
/// Rust's "maximal subpart") is an error, a U+FFFD, or nothing.
fn decode_utf8(b: &[u8], handler: Handler) -> Result<String, ErrorRef> {
    let mut out = String::with_capacity(b.len());
    let mut at = 0;
    loop {
        match std::str::from_utf8(&b[at..]) {
            Ok(s) => {
                out.push_str(s);
                return Ok(out);
            }
            Err(e) => {
                let good = at + e.valid_up_to();
                out.push_str(std::str::from_utf8(&b[at..good]).expect("valid up to here"));
                let bad = e.error_len().unwrap_or(b.len() - good);
                match handler {
                    Handler::Strict => return Err(utf8_error(b, good, e.error_len())),
                    Handler::Replace => out.push('\u{FFFD}'),
                    Handler::Ignore => {}
                }
                at = good + bad;
            }
        }
    }
}

/// The error for the invalid sequence at `at` (`len`: its length, `None`
/// when the data ends inside it), in Python's words.
fn utf8_error(b: &[u8], at: usize, len: Option<usize>) -> ErrorRef {
    let lead = b[at];
    let (len, reason) = match len {
        _ if matches!(lead, 0x80..=0xc1 | 0xf5..=0xff) => (1, "invalid start byte"),
        None => (b.len() - at, "unexpected end of data"),
        Some(n) => (n, "invalid continuation byte"),
    };
    decode_error(Codec::Utf8, b, at, len, reason)
}

fn decode_error(codec: Codec, b: &[u8], at: usize, len: usize, reason: &str) -> ErrorRef {
    let what = if len == 1 {
        format!("byte 0x{:02x} in position {at}", b[at])
    } else {
        format!("bytes in position {at}-{}", at + len - 1)
    };
    ErrorObj::new(
        "UnicodeDecodeError",
        format!("'{}' codec can't decode {what}: {reason}", codec.name()),
    )
}

/// `s.encode(encoding = "utf-8", errors = "strict")`; `replace` writes `?`
/// for a character the codec has no byte for, as Python does.
pub(crate) fn encode(s: &str, encoding: Option<&Value>, errors: Option<&Value>) -> R {
    let (codec, handler) = (codec(encoding)?, handler(errors)?);
    if codec == Codec::Utf8 {
        return Ok(Value::bytes(s.as_bytes().to_vec()));
    }
    let limit = if codec == Codec::Ascii { 0x80 } else { 0x100 };
    let mut out = Vec::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match (
            u8::try_from(c as u32).ok().filter(|_| (c as u32) < limit),
            handler,
        ) {
            (Some(byte), _) => out.push(byte),
            (None, Handler::Replace) => out.push(b'?'),
            (None, Handler::Ignore) => {}
            (None, Handler::Strict) => {
                let shown = match c as u32 {
                    n if n < 0x100 => format!("\\x{n:02x}"),
                    n if n < 0x10000 => format!("\\u{n:04x}"),
                    n => format!("\\U{n:08x}"),
                };
                return Err(ErrorObj::new(
                    "UnicodeEncodeError",
                    format!(
                        "'{}' codec can't encode character '{shown}' in position {i}: ordinal not in range({limit})",
                        codec.name()
                    ),
                ));
            }
        }
    }
    Ok(Value::bytes(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(b: &[u8]) -> String {
        let mut s = String::new();
        write_repr(&mut s, b);
        s
    }

    #[test]
    fn reprs_like_python() {
        assert_eq!(repr(b"'"), r#"b"'""#);
        assert_eq!(repr(b"\""), r#"b'"'"#);
        assert_eq!(repr(b"'\""), r#"b'\'"'"#);
        assert_eq!(
            repr(b"\x00\x7f\x80\t\n\r\\ab"),
            r"b'\x00\x7f\x80\t\n\r\\ab'"
        );
    }

    #[test]
    fn decode_errors_name_the_position() {
        let msg = |b: &[u8]| decode(b, None, None).unwrap_err().message().to_string();
        assert_eq!(
            msg(b"ab\xffc"),
            "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
        assert_eq!(
            msg(b"\xe2\x82"),
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
        assert_eq!(
            msg(b"\xf0\x90\x28"),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(
            msg(b"\xed\xa0\x80"),
            "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"
        );
    }

    #[test]
    fn from_hex_says_where() {
        let msg = |s: &str| from_hex(s).unwrap_err().message().to_string();
        assert!(msg("abc").ends_with("position 3"));
        assert!(msg("a b").ends_with("position 1"));
        assert_eq!(
            from_hex(" de ad ").unwrap().as_bytes(),
            Some(&[0xde, 0xad][..])
        );
    }
}
