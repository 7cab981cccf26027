//! `http.serve(handler, host:, port:)`: an HTTP/1.1 server (hyper over
//! async-net) whose requests are answered by a script function.
//!
//! The accept loop is one native operation. Connections are served inside
//! it, on an executor of its own, so aborting the operation (`close()`, the
//! task that started the server being cancelled, the end of the program)
//! drops every connection with it. Each request, its body read, is handed
//! to the loop through a `ScriptCaller` (the public API a host's server
//! would use): `handler(request)` runs as a task of its own, and its
//! outcome comes back as a finished [`Reply`]. A handler that throws
//! answers 500 and is reported on stderr; the server goes on.
//!
//! The connections are kept in `conns.rs` (the header timeout, the cap on
//! connections still sending a request). A client that hangs up before
//! its answer has its handler cancelled (the call's future is dropped).

use super::conns::Limits;
use crate::stdlib::net::reach::Failure;
use crate::{
    Args, Key, MapTable, NativeCtx, NativeObject, NativeResult, Operation, ScriptCaller,
    ScriptError, Str, Value,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

/// A request body larger than this is answered 413 without calling the handler.
const MAX_REQUEST_BODY: usize = 16 << 20;

/// Where a server listens, checked and bound: what `http.serve` and
/// `net.listen` share.
pub(crate) struct Bound {
    pub listener: async_net::TcpListener,
    pub host: String,
    pub port: u16,
}

/// Binds `host:port` for a script, after checking `--allow-net` (port 0
/// needs a grant for the whole host). `what` names the caller in errors.
pub(crate) fn bind(
    ctx: &NativeCtx<'_>,
    what: &str,
    host: &str,
    port: i64,
) -> Result<Bound, ScriptError> {
    let port = u16::try_from(port)
        .map_err(|_| ScriptError::new("ValueError", format!("{what}: no port {port}")))?;
    let std_listener =
        crate::stdlib::net::reach::bind(ctx.permissions(), host, port).map_err(|f| match f {
            Failure::Denied(mut d) => {
                // Port 0 (any free port) needs the whole host: say so.
                if port == 0 {
                    d.target = Some(host.to_string());
                }
                super::super::not_capable(d)
            }
            Failure::Io(e) => ScriptError::new(
                "OSError",
                format!(
                    "{what}: cannot listen on {host}:{port}: {}",
                    super::plain_io_message(&e)
                ),
            ),
        })?;
    let port = std_listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let listener = async_net::TcpListener::try_from(std_listener)
        .map_err(|e| ScriptError::new("OSError", format!("{what}: {e}")))?;
    Ok(Bound {
        listener,
        host: host.to_string(),
        port,
    })
}

/// A running server as scripts see it: shared by `http.serve` and
/// `net.listen`.
pub(crate) struct ServerState {
    kind: &'static str,
    url: String,
    port: u16,
    /// The accept loop.
    accept: Operation,
    /// Runs the handlers; cancels those still running when the server closes.
    caller: ScriptCaller,
    /// Closed when the server is: what `wait()` waits for.
    closed: (async_channel::Sender<()>, async_channel::Receiver<()>),
}

impl ServerState {
    /// Starts `accept` (the accept loop) as a native operation and ties the
    /// server to the task running now: if that task is cancelled, the
    /// server closes.
    pub(crate) fn start(
        ctx: &mut NativeCtx<'_>,
        kind: &'static str,
        url: String,
        port: u16,
        caller: ScriptCaller,
        accept: crate::NativeFuture,
    ) -> Rc<ServerState> {
        let accept = ctx.start_operation(&format!("{kind} {url}"), accept);
        let state = Rc::new(ServerState {
            kind,
            url,
            port,
            accept,
            caller,
            closed: async_channel::bounded(1),
        });
        if let Some(starter) = ctx.current_task() {
            // Strong: the server must close even if the script dropped it.
            let server = state.clone();
            let _ = ctx.on_done(&starter, move |ctx, outcome| {
                if outcome.is_err_and(|e| e.is_cancel()) {
                    server.close(ctx);
                }
            });
        }
        state
    }

    /// Stops accepting, drops open connections and cancels running
    /// handlers. Closing twice does nothing.
    pub(crate) fn close(&self, ctx: &mut NativeCtx<'_>) {
        if !ctx.abort(&self.accept) {
            return;
        }
        self.caller.cancel_all(ctx);
        self.closed.0.close();
    }

    /// `url()`, `port()`, `close()`, `wait()`.
    pub(crate) fn method(
        self: &Rc<Self>,
        ctx: &mut NativeCtx<'_>,
        name: &str,
        args: Args,
    ) -> Option<NativeResult> {
        if !matches!(name, "url" | "port" | "close" | "wait") {
            return None;
        }
        if let Err(e) = args.finish() {
            return Some(Err(e));
        }
        Some(Ok(match name {
            "url" => Value::str(&self.url),
            "port" => Value::Int(self.port as i64),
            "close" => {
                self.close(ctx);
                Value::Nil
            }
            _ => {
                let closed = self.closed.1.clone();
                ctx.coroutine(
                    &format!("{}.wait()", self.kind),
                    Box::pin(async move {
                        let _ = closed.recv().await;
                        Ok(Value::Nil)
                    }),
                )
            }
        }))
    }

    pub(crate) fn repr(&self) -> String {
        let state = if self.accept.is_aborted() {
            " closed"
        } else {
            ""
        };
        format!("<{} {}{state}>", self.kind, self.url)
    }
}

/// `http.serve(...)`'s result.
pub(super) struct Server(Rc<ServerState>);

impl NativeObject for Server {
    fn type_name(&self) -> &'static str {
        "http server"
    }
    fn methods() -> &'static [&'static str] {
        &["url", "port", "close", "wait"]
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.0.method(ctx, name, args)
    }
}

/// Checks that a handler can be called (a function, not a value).
pub(crate) fn check_handler(what: &str, each: &str, v: &Value) -> Result<(), ScriptError> {
    match v {
        Value::Func(_) | Value::Native(_) => Ok(()),
        other => Err(ScriptError::type_error(format!(
            "{what}() needs a function to call for each {each}, not `{}`",
            other.type_name()
        ))),
    }
}

/// `http.serve(handler, host: "127.0.0.1", port: 0, header_timeout: 30)`.
pub(crate) fn serve(ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let handler: Value = args.next("handler")?;
    let host: Option<String> = args.named("host")?;
    let port: Option<i64> = args.named("port")?;
    let header_timeout: Option<f64> = args.named("header_timeout")?;
    args.finish()?;
    check_handler("http.serve", "request", &handler)?;
    let header_timeout = header_timeout.unwrap_or(Limits::DEFAULT_HEADER_TIMEOUT);
    if header_timeout.is_nan() || header_timeout <= 0.0 {
        return Err(ScriptError::new(
            "ValueError",
            "http.serve: header_timeout must be a number of seconds, more than 0",
        ));
    }
    let host = host.unwrap_or_else(|| "127.0.0.1".to_string());
    let bound = bind(ctx, "http.serve", &host, port.unwrap_or(0))?;
    let url = if bound.host.contains(':') {
        format!("http://[{}]:{}", bound.host, bound.port)
    } else {
        format!("http://{}:{}", bound.host, bound.port)
    };
    let caller = ctx.caller();
    let shared = Rc::new(Shared {
        handler,
        caller: caller.clone(),
        limits: Limits::new(header_timeout),
    });
    let accept = Box::pin(super::conns::accept_loop(bound.listener, shared));
    let state = ServerState::start(ctx, "http server", url, bound.port, caller, accept);
    Ok(Value::object(Server(state)))
}

/// What every connection of one server needs.
pub(super) struct Shared {
    handler: Value,
    caller: ScriptCaller,
    pub limits: Limits,
}

/// A finished answer, made on the loop from the handler's result.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Reply {
    fn plain(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: Bytes::from(text.to_string()),
        }
    }

    fn into_hyper(self) -> hyper::Response<Full<Bytes>> {
        let mut b = hyper::Response::builder().status(self.status);
        for (n, v) in &self.headers {
            b = b.header(n.as_str(), v.as_str());
        }
        b.body(Full::new(self.body)).unwrap_or_else(|e| {
            let mut r = hyper::Response::new(Full::new(Bytes::from(format!(
                "the handler's response is not valid HTTP: {e}"
            ))));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
    }
}

/// Reads a request's body, calls `read` (the request is in), and answers
/// with what the handler returns. If the client hangs up first, hyper
/// drops this future, and with it the call, which cancels the handler.
pub(super) async fn respond(
    req: hyper::Request<Incoming>,
    shared: Rc<Shared>,
    read: impl FnOnce(),
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(Reply::plain(413, "request body too large\n").into_hyper());
        }
        Err(_) => return Ok(Reply::plain(400, "bad request body\n").into_hyper()),
    };
    read();
    let request = Request::new(&parts, body);
    let label = format!("{} {}", request.method, request.path);
    // The handler's task is called after its request, in `:tasks` and in
    // reports.
    let name = label.clone();
    let reply = shared
        .caller
        .call_then(
            Some(&name),
            shared.handler.clone(),
            vec![Value::object(request)],
            move |ctx, outcome| reply_for(ctx, &label, outcome),
        )
        .await
        .unwrap_or_else(|_| Reply::plain(503, "the server is shutting down\n"));
    Ok(reply.into_hyper())
}

/// Turns a handler's outcome into an answer (on the loop, where a failure
/// can be reported with its source line).
fn reply_for(ctx: &mut NativeCtx<'_>, label: &str, outcome: Result<Value, ScriptError>) -> Reply {
    let made = outcome.and_then(|v| reply_from_value(&v));
    match made {
        Ok(r) => r,
        Err(e) if e.is_cancel() => Reply::plain(503, "the handler was cancelled\n"),
        Err(e) => {
            let report = ctx.report(&e);
            ctx.eprint(&format!(
                "warning: the http handler failed on {label}; the client got a 500\n{report}"
            ));
            Reply::plain(500, "Internal Server Error\n")
        }
    }
}

fn reply_from_value(v: &Value) -> Result<Reply, ScriptError> {
    match v {
        Value::Str(s) => Ok(Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: Bytes::from(s.to_string()),
        }),
        Value::List(_) | Value::Map(_) => Ok(Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(json_text(v)?),
        }),
        Value::Nil => Ok(Reply {
            status: 204,
            headers: Vec::new(),
            body: Bytes::new(),
        }),
        Value::Object(_) => match v.as_object::<Outgoing>() {
            Some(out) => Ok(Reply {
                status: out.status,
                headers: out.headers.clone(),
                body: out.body.clone(),
            }),
            None => Err(bad_result(v)),
        },
        other => Err(bad_result(other)),
    }
}

fn bad_result(v: &Value) -> ScriptError {
    ScriptError::new(
        "TypeError",
        format!("an http handler returned `{}`", v.type_name()),
    )
    .with_help("return a str (text), a list or map (JSON), or http.response(status, body: ...)")
}

fn json_text(v: &Value) -> Result<String, ScriptError> {
    crate::stdlib::json::stringify(v, None).map_err(|e| ScriptError::new(e.kind(), e.to_string()))
}

/// `http.response(status, body: | json:, headers:)`: what a handler
/// returns for anything but a 200 with the default content type.
pub(crate) fn response(_ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    // 200 unless given, first or by name (`http.response(json: v)`, as
    // Deno's `Response` and aiohttp's `json_response` default it).
    let status: i64 = args.named("status")?.unwrap_or(200);
    let body: Option<Value> = args.named("body")?;
    let json: Option<Value> = args.named("json")?;
    let headers: Option<indexmap::IndexMap<String, String>> = args.named("headers")?;
    args.finish()?;
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| ScriptError::new("ValueError", format!("not an HTTP status: {status}")))?;
    let mut out_headers: Vec<(String, String)> = Vec::new();
    let body = match (body, json) {
        (Some(_), Some(_)) => {
            return Err(ScriptError::type_error("give `json:` or `body:`, not both"))
        }
        (Some(Value::Bytes(b)), None) => {
            out_headers.push(("content-type".into(), "application/octet-stream".into()));
            Bytes::from(b.to_vec())
        }
        (Some(t), None) => {
            let t = crate::stdlib::bytes::data_arg("http.response", "body", &t)?.into_owned();
            out_headers.push(("content-type".into(), "text/plain; charset=utf-8".into()));
            Bytes::from(t)
        }
        (None, Some(v)) => {
            out_headers.push(("content-type".into(), "application/json".into()));
            Bytes::from(json_text(&v)?)
        }
        (None, None) => Bytes::new(),
    };
    for (n, v) in headers.unwrap_or_default() {
        let n = n.to_ascii_lowercase();
        out_headers.retain(|(o, _)| *o != n);
        out_headers.push((n, v));
    }
    Ok(Value::object(Outgoing {
        status,
        headers: out_headers,
        body,
    }))
}

/// A response a handler made with `http.response`.
pub(super) struct Outgoing {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl NativeObject for Outgoing {
    fn type_name(&self) -> &'static str {
        "response"
    }
    fn methods() -> &'static [&'static str] {
        &["status", "headers", "text"]
    }
    fn repr(&self) -> String {
        format!("<response {}>", self.status)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        let v = match name {
            "status" => Value::Int(self.status as i64),
            "headers" => super::str_map(&self.headers),
            "text" => Value::str(&String::from_utf8_lossy(&self.body)),
            _ => return None,
        };
        Some(args.finish().map(|_| v))
    }
}

/// A request as the handler sees it, its body read.
pub(super) struct Request {
    method: String,
    /// Percent-decoded, without the query.
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Request {
    fn new(parts: &hyper::http::request::Parts, body: Bytes) -> Request {
        let headers = super::header_pairs(&parts.headers);
        Request {
            method: parts.method.as_str().to_string(),
            path: percent_decode(parts.uri.path(), false),
            query: parse_query(parts.uri.query().unwrap_or("")),
            headers,
            body,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl NativeObject for Request {
    fn type_name(&self) -> &'static str {
        "request"
    }
    fn methods() -> &'static [&'static str] {
        &[
            "method", "path", "query", "headers", "text", "bytes", "json",
        ]
    }
    fn repr(&self) -> String {
        format!("<request {} {}>", self.method, self.path)
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        let r = || {
            args.finish()?;
            Ok(match name {
                "method" => Value::str(&self.method),
                "path" => Value::str(&self.path),
                "query" => {
                    let mut m = MapTable::default();
                    for (k, v) in &self.query {
                        m.insert(Key::Str(Str::new(k)), Value::str(v));
                    }
                    Value::Map(Rc::new(RefCell::new(m)))
                }
                "headers" => super::str_map(&self.headers),
                "text" => Value::str(&self.text()),
                "bytes" => Value::bytes(self.body.to_vec()),
                "json" => crate::stdlib::json::parse(&self.text())
                    .map_err(|e| ScriptError::new("JsonError", e.to_string()))?,
                _ => unreachable!(),
            })
        };
        match name {
            "method" | "path" | "query" | "headers" | "text" | "bytes" | "json" => Some(r()),
            _ => None,
        }
    }
}

/// `a=1&b=x%20y` as pairs; a repeated name keeps its last value.
fn parse_query(q: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let (k, v) = (percent_decode(k, true), percent_decode(v, true));
        match out.iter_mut().find(|(n, _)| *n == k) {
            Some((_, old)) => *old = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// `%XX` escapes decoded (and `+` as a space in a query); invalid UTF-8
/// is replaced.
fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_paths_are_decoded() {
        assert_eq!(
            parse_query("a=1&b=x%20y+z&a=2&flag"),
            vec![
                ("a".to_string(), "2".to_string()),
                ("b".to_string(), "x y z".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert_eq!(percent_decode("/a%2Fb+c%", false), "/a/b+c%");
        assert_eq!(percent_decode("%e2%82%ac%zz", true), "€%zz");
    }
}
