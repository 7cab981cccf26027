//! What an HTTP request returns: a `response` object, its body read
//! whole or left to stream (`body.rs`), and the header map it shares with
//! a served request.

use super::body;
use crate::{Args, Key, MapTable, NativeCtx, NativeObject, NativeResult, ScriptError, Str, Value};
use hyper::body::Bytes;
use std::cell::RefCell;
use std::rc::Rc;

/// A response, its body read completely or left to stream.
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) reason: String,
    /// Lower-case names, in the order received; repeated ones joined by ", ".
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Body,
    pub(super) url: String,
}

pub(super) enum Body {
    Whole(Bytes),
    /// `stream: true`: read by `chunks()` or `save()`.
    Stream(Rc<body::BodyReader>),
}

/// Header names (lower-case, in the order received) and values, a repeated
/// name's values joined by ", ": what `headers()` shows for a response and
/// for a served request.
pub(crate) fn header_pairs(map: &hyper::HeaderMap) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, value) in map {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.iter_mut().find(|(n, _)| n == name.as_str()) {
            Some((_, old)) => {
                old.push_str(", ");
                old.push_str(&v);
            }
            None => headers.push((name.as_str().to_string(), v)),
        }
    }
    headers
}

impl Response {
    pub(super) fn new(parts: &hyper::http::response::Parts, body: Body, url: String) -> Response {
        let headers = header_pairs(&parts.headers);
        Response {
            status: parts.status.as_u16(),
            reason: parts.status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
            url,
        }
    }

    /// The body read whole; a streamed one is an error naming `method`.
    fn whole(&self, method: &str) -> Result<&Bytes, ScriptError> {
        match &self.body {
            Body::Whole(b) => Ok(b),
            Body::Stream(_) => Err(body::not_whole(method)),
        }
    }

    fn text(&self, method: &str) -> Result<String, ScriptError> {
        Ok(String::from_utf8_lossy(self.whole(method)?).into_owned())
    }

    /// What `chunks()` and `save()` read: the stream, or the body held.
    fn reader(&self) -> Rc<body::BodyReader> {
        match &self.body {
            Body::Whole(b) => Rc::new(body::BodyReader::whole(b.clone(), self.url.clone())),
            Body::Stream(r) => r.clone(),
        }
    }
}

pub(crate) fn str_map(pairs: &[(String, String)]) -> Value {
    let mut m = MapTable::default();
    for (k, v) in pairs {
        m.insert(Key::Str(Str::new(k)), Value::str(v));
    }
    Value::Map(Rc::new(RefCell::new(m)))
}

impl NativeObject for Response {
    fn type_name(&self) -> &'static str {
        "response"
    }
    fn methods() -> &'static [&'static str] {
        &[
            "status",
            "ok",
            "headers",
            "text",
            "bytes",
            "json",
            "url",
            "raise_for_status",
            "chunks",
            "save",
        ]
    }
    fn repr(&self) -> String {
        format!("<response {} {}>", self.status, self.url)
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        match name {
            "save" => return Some(body::save(ctx, &self.reader(), args)),
            "chunks" => {
                return Some(
                    args.finish()
                        .map(|()| Value::object(body::Chunks(self.reader()))),
                )
            }
            _ => {}
        }
        let r = || {
            args.finish()?;
            Ok(match name {
                "status" => Value::Int(self.status as i64),
                "ok" => Value::Bool((200..300).contains(&self.status)),
                "headers" => str_map(&self.headers),
                "text" => Value::str(&self.text("text")?),
                "bytes" => Value::bytes(self.whole("bytes")?.to_vec()),
                "json" => crate::stdlib::json::parse(&self.text("json")?)
                    .map_err(|e| ScriptError::new("JsonError", e.to_string()))?,
                "url" => Value::str(&self.url),
                "raise_for_status" => {
                    if self.status >= 400 {
                        // Its own kind, so that `retry` and a `catch` can
                        // tell a 404 from a refused connection.
                        let e = ScriptError::new(
                            "HttpStatusError",
                            format!("{} {} for {}", self.status, self.reason, self.url),
                        );
                        return Err(e.with_fields(&[
                            ("status", Value::Int(self.status as i64)),
                            ("url", Value::str(&self.url)),
                            // A streamed body is not read for it.
                            ("body", Value::str(&self.text("").unwrap_or_default())),
                        ]));
                    }
                    Value::Nil
                }
                _ => unreachable!(),
            })
        };
        match name {
            "status" | "ok" | "headers" | "text" | "bytes" | "json" | "url"
            | "raise_for_status" => Some(r()),
            _ => None,
        }
    }
}
