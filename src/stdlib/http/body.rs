//! A response's body read a piece at a time: `http.get(url, stream:
//! true)` returns once the headers are in, and the body comes later
//! through `for await chunk in r.chunks()` or `await r.save(path)`, with
//! no cap unless `max_body:` gives one (a body read whole keeps its cap).
//!
//! The connection is driven only while a piece is read, inside that
//! read's future: between reads nothing is read and the server waits
//! (the socket's buffers fill). Dropping the body (the stream closed by
//! `break`, an error or a cancel, a cancelled `save`, the response
//! forgotten) closes the socket. A read that is cancelled loses nothing:
//! hyper hands a piece over only when the read completes.

use super::super::fs::{check, io_error, Access};
use super::http_error;
use crate::{
    Args, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError, Value,
};
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

/// The future that drives a connection; `None` once it has ended.
pub(super) type Conn = Option<Pin<Box<dyn Future<Output = ()>>>>;

/// Awaits `fut` while driving `conn` beside it: hyper moves a response's
/// bytes only while its connection is polled.
pub(super) async fn driven<T>(conn: &mut Conn, fut: impl Future<Output = T>) -> T {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if let Some(c) = conn.as_mut() {
            if c.as_mut().poll(cx).is_ready() {
                *conn = None;
            }
        }
        fut.as_mut().poll(cx)
    })
    .await
}

/// A body not yet read and the connection it comes over.
pub(super) struct Pending {
    pub(super) body: Incoming,
    pub(super) conn: Conn,
    /// Kept so that the connection does not end for want of a sender.
    pub(super) _sender: Box<dyn std::any::Any>,
}

/// Where a body's reading stands, shared by the response and its
/// `chunks()` streams.
pub(super) struct BodyReader {
    /// The body still to read (`None`: read to the end, or closed).
    pending: async_lock::Mutex<Option<Pending>>,
    /// A body already held (a response read whole), handed out once.
    held: RefCell<Option<Bytes>>,
    /// Closed before its end: reading on is an error.
    closed: Cell<bool>,
    /// Bytes handed out so far, against `cap`.
    read: Cell<u64>,
    cap: Option<u64>,
    /// How long one piece may take to come.
    timeout: f64,
    url: String,
}

impl BodyReader {
    pub(super) fn streaming(p: Pending, cap: Option<u64>, timeout: f64, url: String) -> BodyReader {
        BodyReader {
            pending: async_lock::Mutex::new(Some(p)),
            held: RefCell::new(None),
            closed: Cell::new(false),
            read: Cell::new(0),
            cap,
            timeout,
            url,
        }
    }

    /// A body already read, as a stream of one piece.
    pub(super) fn whole(body: Bytes, url: String) -> BodyReader {
        BodyReader {
            pending: async_lock::Mutex::new(None),
            held: RefCell::new((!body.is_empty()).then_some(body)),
            closed: Cell::new(false),
            read: Cell::new(0),
            cap: None,
            timeout: super::DEFAULT_TIMEOUT,
            url,
        }
    }

    /// The next piece, `None` at the end.
    async fn next(&self) -> Result<Option<Bytes>, ScriptError> {
        if let Some(b) = self.held.borrow_mut().take() {
            return Ok(Some(b));
        }
        let mut guard = self.pending.lock().await;
        if self.closed.get() {
            return Err(closed_error(&self.url));
        }
        let Some(p) = guard.as_mut() else {
            return Ok(None);
        };
        let timer = async {
            async_io::Timer::after(Duration::from_secs_f64(self.timeout.min(1e9))).await;
            Err(ScriptError::new(
                "TimeoutError",
                format!(
                    "{}: no part of the body came for {}s",
                    self.url, self.timeout
                ),
            ))
        };
        let piece = async {
            loop {
                match driven(&mut p.conn, p.body.frame()).await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(http_error(format!("{}: {e}", self.url))),
                    Some(Ok(frame)) => {
                        // Trailers carry no body bytes.
                        if let Ok(data) = frame.into_data() {
                            if !data.is_empty() {
                                return Ok(Some(data));
                            }
                        }
                    }
                }
            }
        };
        let got = futures_lite::future::or(piece, timer).await;
        match &got {
            Ok(Some(data)) => {
                let read = self.read.get() + data.len() as u64;
                self.read.set(read);
                if self.cap.is_some_and(|cap| read > cap) {
                    *guard = None;
                    self.closed.set(true);
                    return Err(http_error(format!(
                        "{}: the response body is larger than {} bytes",
                        self.url,
                        self.cap.unwrap_or(0)
                    )));
                }
            }
            // Ended or failed: the connection goes at once.
            _ => *guard = None,
        }
        got
    }

    /// Lets go of the connection: the socket closes.
    fn close(&self) {
        self.held.borrow_mut().take();
        if let Some(mut guard) = self.pending.try_lock() {
            if guard.take().is_some() {
                self.closed.set(true);
            }
        }
    }
}

fn closed_error(url: &str) -> ScriptError {
    ScriptError::new("HttpError", format!("{url}: the response body was closed before its end")).with_help("a body can be read once: a `for await` left early, or a `save` that failed or was cancelled, closes it")
}

/// The error of `text()`, `bytes()` or `json()` on a streamed response.
pub(super) fn not_whole(method: &str) -> ScriptError {
    ScriptError::new("ValueError", format!("`{method}()` reads a body whole, and this response was opened with `stream: true`")).with_help("read it with `for await chunk in r.chunks()` or `await r.save(path)`, or leave out `stream: true`")
}

/// `r.chunks()`: the body's pieces as bytes, for `for await`.
pub(crate) struct Chunks(pub(super) Rc<BodyReader>);

impl NativeObject for Chunks {
    fn type_name(&self) -> &'static str {
        "chunks"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || {
            format!("response({}).chunks()", self.0.url)
        })
    }
    fn repr(&self) -> String {
        format!("<response({}).chunks()>", self.0.url)
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for Chunks {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        if let Some(b) = self.0.held.borrow_mut().take() {
            return Some(Ok(Value::bytes(b.to_vec())));
        }
        None
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let body = self.0.clone();
        Ok(Box::pin(async move {
            Ok(match body.next().await? {
                Some(b) => Value::bytes(b.to_vec()),
                None => Value::Nil,
            })
        }))
    }
    /// A loop left before the end (or at it) lets go of the connection.
    fn close(&self, _ctx: &mut NativeCtx<'_>) {
        self.0.close();
    }
}

/// `await r.save(path)`: the body written to `path` as it comes, through
/// a temporary file beside it renamed over it at the end (as
/// `fs.write_bytes`), so that a failed or cancelled download leaves the
/// old file, or none. Returns the number of bytes written.
pub(super) fn save(ctx: &mut NativeCtx<'_>, body: &Rc<BodyReader>, mut args: Args) -> NativeResult {
    let path: String = args.next("path")?;
    args.finish()?;
    let place = check(ctx, &path, Access::Write)?;
    let body = body.clone();
    let shown = format!("response({}).save({path:?})", body.url);
    let op = async move {
        let p = path.clone();
        let mut file =
            blocking::unblock(move || super::super::fs_write::Staged::create(&place.parent()?))
                .await
                .map_err(|e| io_error(&e, &p))?;
        let mut written: u64 = 0;
        // A save that stops early (an error, a cancel) closes the body:
        // what was read of it is in a file that is gone.
        let _close = CloseOnDrop(&body);
        while let Some(piece) = body.next().await? {
            file.write(&piece).map_err(|e| io_error(&e, &path))?;
            written += piece.len() as u64;
        }
        file.commit().map_err(|e| io_error(&e, &path))?;
        Ok(Value::Int(written as i64))
    };
    Ok(ctx.coroutine(&shown, op))
}

struct CloseOnDrop<'a>(&'a BodyReader);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}
