//! `http`: an HTTP/1.1 client behind `--allow-net`, on hyper over
//! async-net (and rustls for `https://`, `tls.rs`), run as native
//! operations on the loop; `http.serve` is in `server.rs`.
//!
//! A connection whose response was read to its end goes back to the
//! engine's pool (`pool.rs`) for the next request to the same scheme, host
//! and port (keep-alive); a cancelled or failed exchange drops its
//! connection, so nothing half-read is ever reused (httpx's
//! `PoolTimeout` failure cannot happen). The whole exchange — connect,
//! headers, body — runs inside the operation's future; cancelling it
//! (`t.cancel()`, `wait_for`, `race`, a failing `group`, the end of the
//! program) drops the future, which closes the socket at once.
//! Redirects are followed by hand (at most [`MAX_REDIRECTS`]) and each hop
//! is checked against `--allow-net` again. The body is read completely,
//! up to a cap, before the coroutine returns, so a response's methods are
//! plain, synchronous reads — unless the request says `stream: true`:
//! then the coroutine returns at the headers, and the body is read a piece
//! at a time, without a cap (`body.rs`).

mod body;
mod conns;
mod pool;
mod response;
pub(crate) mod server;
pub(crate) mod tls;
mod url;

use super::net::reach::Failure;
use super::not_capable;
use crate::permissions::Permissions;
use crate::{
    Args, Module, NativeCtx, NativeFuture, NativeObject, NativeResult, ScriptError, Value,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
pub(crate) use response::{header_pairs, str_map};
use response::{Body, Response};
use std::rc::Rc;
use std::time::Duration;
pub(crate) use url::Url;

/// Redirects followed before giving up (as browsers and httpx do, roughly).
pub(crate) const MAX_REDIRECTS: usize = 5;
/// The default body cap: a response larger than this is an `HttpError`.
pub(crate) const DEFAULT_MAX_BODY: usize = 16 << 20;
/// The default timeout for the whole exchange, in seconds.
pub(crate) const DEFAULT_TIMEOUT: f64 = 30.0;

pub(crate) fn module() -> Module {
    Module::new("http")
        .object::<Response>()
        .object::<Client>()
        .object::<body::Chunks>()
        .object::<server::Server>()
        .object::<server::Outgoing>()
        .object::<server::Request>()
        .raw_boxed("get", |ctx, mut args| {
            let url: String = args.next("url")?;
            start(ctx, &Defaults::none(), "GET".into(), url, args, false)
        })
        .raw_boxed("post", |ctx, mut args| {
            let url: String = args.next("url")?;
            start(ctx, &Defaults::none(), "POST".into(), url, args, true)
        })
        .raw_boxed("request", |ctx, mut args| {
            let method: String = args.next("method")?;
            let url: String = args.next("url")?;
            start(ctx, &Defaults::none(), method, url, args, true)
        })
        .raw("serve", server::serve)
        .raw("response", server::response)
        .raw("client", |_ctx, mut args| {
            let base_url: Option<String> = args.named("base_url")?;
            let headers = header_arg(args.named("headers")?)?;
            let timeout: Option<f64> = args.named("timeout")?;
            let params: Option<Value> = args.named("params")?;
            args.finish()?;
            if let Some(b) = &base_url {
                Url::parse(b).map_err(url_error)?;
            }
            if let Some(p) = &params {
                // A mistake in them is the call's, not every request's.
                super::urls::encode_query("`params:`", p)?;
            }
            Ok(Value::object(Client(Defaults {
                base_url,
                headers,
                timeout,
                params,
            })))
        })
}

/// What a client adds to each of its requests.
#[derive(Clone, Default)]
struct Defaults {
    base_url: Option<String>,
    headers: Vec<(String, String)>,
    timeout: Option<f64>,
    /// `params:`, added to the query of every request before the call's own.
    params: Option<Value>,
}

impl Defaults {
    fn none() -> Defaults {
        Defaults::default()
    }
}

/// One request, ready to send.
#[derive(Clone)]
struct Spec {
    method: hyper::Method,
    url: Url,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    timeout: f64,
    /// The cap `max_body:` gives; a body read whole has one by default.
    max_body: Option<usize>,
    /// `stream: true`: the body is left to read.
    stream: bool,
    /// For `https://` (a redirect may lead there too).
    tls: Result<std::sync::Arc<rustls::ClientConfig>, String>,
    /// The engine's idle connections.
    pool: pool::Pool,
}

/// Binds the rest of a request's arguments (`json:`, `body:`, `headers:`,
/// `params:`, `timeout:`, `max_body:`, `stream:`), checks the first hop and returns the operation.
fn start(
    ctx: &mut NativeCtx<'_>,
    defaults: &Defaults,
    method: String,
    url: String,
    mut args: Args,
    with_body: bool,
) -> Result<NativeFuture, ScriptError> {
    let (json, body): (Option<Value>, Option<Value>) = if with_body {
        (args.named("json")?, args.named("body")?)
    } else {
        (None, None)
    };
    let mut headers = defaults.headers.clone();
    headers.extend(header_arg(args.named("headers")?)?);
    let params: Option<Value> = args.named("params")?;
    let timeout: Option<f64> = args.named("timeout")?;
    let max_body: Option<i64> = args.named("max_body")?;
    let stream: Option<bool> = args.named("stream")?;
    args.finish()?;
    let method = hyper::Method::from_bytes(method.to_uppercase().as_bytes())
        .map_err(|_| ScriptError::new("ValueError", format!("not an HTTP method: {method:?}")))?;
    let full = match &defaults.base_url {
        Some(base) if !url::is_absolute(&url) => url::join_base(base, &url),
        _ => url,
    };
    let mut url = Url::parse(&full).map_err(url_error)?;
    for p in defaults.params.iter().chain(&params) {
        let query = super::urls::encode_query("`params:`", p)?;
        url = url.with_query(&query).map_err(url_error)?;
    }
    let body = match (json, body) {
        (Some(_), Some(_)) => {
            return Err(ScriptError::type_error("give `json:` or `body:`, not both"))
        }
        (Some(v), None) => {
            let text = super::json::stringify(&v, None)
                .map_err(|e| ScriptError::new(e.kind(), e.to_string()))?;
            set_default(&mut headers, "content-type", "application/json");
            Some(Bytes::from(text))
        }
        // Text is sent as UTF-8 text, bytes as they are.
        (None, Some(Value::Bytes(b))) => {
            set_default(&mut headers, "content-type", "application/octet-stream");
            Some(Bytes::from(b.to_vec()))
        }
        (None, Some(t)) => {
            let t = super::bytes::data_arg("http request", "body", &t)?.into_owned();
            set_default(&mut headers, "content-type", "text/plain; charset=utf-8");
            Some(Bytes::from(t))
        }
        (None, None) => None,
    };
    let timeout = timeout.or(defaults.timeout).unwrap_or(DEFAULT_TIMEOUT);
    if timeout.is_nan() || timeout < 0.0 {
        return Err(ScriptError::new(
            "ValueError",
            "timeout must be a number of seconds, 0 or more",
        ));
    }
    let perms = ctx.permissions().clone();
    // An address is refused here, at the call; a name once looked up.
    if let Err(Failure::Denied(d)) = super::net::reach::precheck(&perms, &url.host, url.port) {
        return Err(not_capable(d));
    }
    let spec = Spec {
        method,
        url,
        headers,
        body,
        timeout,
        max_body: max_body.map(|m| m.max(0) as usize),
        stream: stream.unwrap_or(false),
        tls: tls::client_config(ctx),
        pool: ctx.data_or_default::<pool::Pool>().clone(),
    };
    Ok(Box::pin(async move {
        let timer = async {
            async_io::Timer::after(Duration::from_secs_f64(spec.timeout.min(1e9))).await;
            Err(ScriptError::new(
                "TimeoutError",
                format!(
                    "{} {} timed out after {}s",
                    spec.method, spec.url, spec.timeout
                ),
            ))
        };
        let exchange = async {
            let r = fetch(&perms, spec.clone()).await?;
            Ok(Value::object(r))
        };
        futures_lite::future::or(exchange, timer).await
    }))
}

fn set_default(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
        headers.push((name.to_string(), value.to_string()));
    }
}

fn header_arg(
    v: Option<indexmap::IndexMap<String, String>>,
) -> Result<Vec<(String, String)>, ScriptError> {
    Ok(v.unwrap_or_default().into_iter().collect())
}

fn url_error(e: url::UrlError) -> ScriptError {
    ScriptError::new(e.kind, e.message)
}

fn http_error(message: impl std::fmt::Display) -> ScriptError {
    ScriptError::new("HttpError", message.to_string())
}

/// Sends `spec`, following redirects; every hop is checked against
/// `perms` when it connects (`net::reach`).
async fn fetch(perms: &Permissions, mut spec: Spec) -> Result<Response, ScriptError> {
    for hop in 0..=MAX_REDIRECTS {
        let r = exchange(perms, &spec).await?;
        let Some(location) = redirect_target(&r) else {
            return Ok(r);
        };
        if hop == MAX_REDIRECTS {
            break;
        }
        let next = spec.url.join(&location).map_err(url_error)?;
        // 303, and 301/302 after a POST, become a GET without a body (as
        // browsers and httpx do); 307 and 308 repeat the request as it was.
        if r.status == 303 || (matches!(r.status, 301 | 302) && spec.method == hyper::Method::POST)
        {
            spec.method = hyper::Method::GET;
            spec.body = None;
            spec.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        }
        spec.url = next;
    }
    Err(http_error(format!(
        "more than {MAX_REDIRECTS} redirects, the last from {}",
        spec.url
    )))
}

fn redirect_target(r: &Response) -> Option<String> {
    if !matches!(r.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    r.headers
        .iter()
        .find(|(n, _)| n == "location")
        .map(|(_, v)| v.clone())
}

/// One request, on an idle connection to the same place if one waits
/// (`pool.rs`), else on a new one. A reused connection that fails before
/// any answer (the server closed it meanwhile) is replaced by a new one
/// once, for a method that may be repeated.
async fn exchange(perms: &Permissions, spec: &Spec) -> Result<Response, ScriptError> {
    let url = &spec.url;
    let key: pool::Key = (url.scheme.clone(), url.host.clone(), url.port);
    if !spec.stream {
        if let Some(idle) = spec.pool.take(&key) {
            match send(spec, idle.sender, idle.conn, Some(key.clone())).await {
                Ok(r) => return Ok(r),
                Err(Failed::BeforeAnswer(_)) if spec.method.is_idempotent() => {}
                Err(Failed::BeforeAnswer(e) | Failed::Other(e)) => return Err(e),
            }
        }
    }
    let tcp = super::net::reach::connect(perms, &url.host, url.port)
        .await
        .map_err(|f| match f {
            Failure::Denied(d) => not_capable(d),
            Failure::Io(e) => http_error(format!(
                "cannot connect to {}:{}: {}",
                url.host,
                url.port,
                plain_io_message(&e)
            )),
        })?;
    let r = if url.scheme == "https" {
        let config = spec.tls.clone().map_err(http_error)?;
        let stream = tls::connect(config, &url.host, tcp)
            .await
            .map_err(|e| http_error(format!("{url}: {e}")))?;
        connect_and_send(spec, smol_hyper::rt::FuturesIo::new(stream), key).await
    } else {
        connect_and_send(spec, smol_hyper::rt::FuturesIo::new(tcp), key).await
    };
    r.map_err(|(Failed::BeforeAnswer(e) | Failed::Other(e))| e)
}

/// Why an exchange failed: before any answer came (on a reused
/// connection, the sign of one the server had closed), or otherwise.
enum Failed {
    BeforeAnswer(ScriptError),
    Other(ScriptError),
}

/// The HTTP/1.1 handshake over `io`, a connection made for this request,
/// then the request.
async fn connect_and_send<IO>(spec: &Spec, io: IO, key: pool::Key) -> Result<Response, Failed>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
{
    let url = &spec.url;
    let (sender, conn) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(io)
        .await
        .map_err(|e| Failed::Other(http_error(format!("{url}: {e}"))))?;
    // The connection is driven beside the exchange, inside this future
    // (and, for a streamed body, inside each read's): when the future is
    // dropped, both go, and the socket closes. If the connection ends
    // first, the exchange sees it as an error or an end.
    let conn: body::Conn = Some(Box::pin(async move {
        let _ = conn.await;
    }));
    send(spec, sender, conn, (!spec.stream).then_some(key)).await
}

/// The request and its response over a connection; with `keep`, the
/// connection goes back to the pool under that key once the body has
/// been read to its end, unless either side asked to close it.
async fn send(
    spec: &Spec,
    mut sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    mut conn: body::Conn,
    keep: Option<pool::Key>,
) -> Result<Response, Failed> {
    let url = &spec.url;
    let before = |e: hyper::Error| Failed::BeforeAnswer(http_error(format!("{url}: {e}")));
    body::driven(&mut conn, sender.ready())
        .await
        .map_err(before)?;
    let mut req = hyper::Request::builder()
        .method(spec.method.clone())
        .uri(url.path_and_query.as_str());
    // A header the script gives replaces ours: each is sent once.
    let given = |name: &str| {
        spec.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut ours = vec![
        ("host", url.host_header()),
        (
            "user-agent",
            concat!("tasks/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ];
    if keep.is_none() {
        // A streamed body's connection is never reused.
        ours.push(("connection", "close".to_string()));
    }
    for (name, value) in ours {
        if !given(name) {
            req = req.header(name, value);
        }
    }
    for (n, v) in &spec.headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let req = req
        .body(Full::new(spec.body.clone().unwrap_or_default()))
        .map_err(|e| Failed::Other(http_error(format!("bad request header: {e}"))))?;
    let resp = body::driven(&mut conn, sender.send_request(req))
        .await
        .map_err(before)?;
    let (parts, incoming) = resp.into_parts();
    if spec.stream {
        let pending = body::Pending {
            body: incoming,
            conn,
            _sender: Box::new(sender),
        };
        let cap = spec.max_body.map(|m| m as u64);
        let reader = body::BodyReader::streaming(pending, cap, spec.timeout, url.to_string());
        return Ok(Response::new(
            &parts,
            Body::Stream(Rc::new(reader)),
            url.to_string(),
        ));
    }
    let max_body = spec.max_body.unwrap_or(DEFAULT_MAX_BODY);
    let bytes = body::driven(&mut conn, Limited::new(incoming, max_body).collect())
        .await
        .map_err(|e| {
            Failed::Other(if e.is::<http_body_util::LengthLimitError>() {
                http_error(format!(
                    "{url}: the response body is larger than {max_body} bytes"
                ))
            } else {
                http_error(format!("{url}: {e}"))
            })
        })?
        .to_bytes();
    let closing = parts.version != hyper::Version::HTTP_11
        || parts
            .headers
            .get_all(hyper::header::CONNECTION)
            .iter()
            .any(|v| {
                v.to_str()
                    .is_ok_and(|v| v.to_ascii_lowercase().contains("close"))
            });
    if let (Some(key), false) = (keep, closing || given("connection")) {
        spec.pool.put(key, sender, conn);
    }
    Ok(Response::new(&parts, Body::Whole(bytes), url.to_string()))
}

pub(crate) fn plain_io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `http.client(...)`: the module's request functions with a base URL,
/// headers and a timeout of its own.
struct Client(Defaults);

impl NativeObject for Client {
    fn type_name(&self) -> &'static str {
        "http client"
    }
    fn methods() -> &'static [&'static str] {
        &["get", "post", "request"]
    }
    fn repr(&self) -> String {
        match &self.0.base_url {
            Some(b) => format!("<http client {b}>"),
            None => "<http client>".to_string(),
        }
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        let (method, with_body) = match name {
            "get" => (Some("GET"), false),
            "post" => (Some("POST"), true),
            "request" => (None, true),
            _ => return None,
        };
        let r = (|| {
            let method = match method {
                Some(m) => m.to_string(),
                None => args.next("method")?,
            };
            let url: String = args.next("url")?;
            let op = start(ctx, &self.0, method, url, args, with_body)?;
            Ok(ctx.coroutine(&format!("http client.{name}"), op))
        })();
        Some(r)
    }
}
