//! `net`: TCP streams behind `--allow-net` (asyncio's `open_connection`
//! and `start_server`), on async-net sockets run as native operations.
//!
//! A stream is text: `read_line()` and `read(n)` decode UTF-8 (invalid
//! bytes become U+FFFD), `write(text)` encodes it. Each method returns a
//! coroutine whose future holds the socket only while it runs, so a
//! cancelled read or write stops at once and the stream stays usable
//! (what it had half done waits in the stream for the next one).
//! `net.listen` shares `http.serve`'s binding and server object; each
//! connection runs `handler(stream)` as a task, and the stream is closed
//! when the handler ends.

mod lines;
pub(crate) mod reach;

use super::http::server::{bind, check_handler, ServerState};
use super::not_capable;
use crate::{
    Args, Module, NativeCtx, NativeObject, NativeResult, ScriptCaller, ScriptError, Value,
};
use async_lock::Mutex as AsyncMutex;
use futures_lite::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use std::cell::{Cell, RefCell};
use std::net::Shutdown;
use std::rc::Rc;

/// A line longer than this is a `ValueError` (the stream is not consumed
/// past it).
const MAX_LINE: usize = 16 << 20;

pub(crate) fn module() -> Module {
    Module::new("net")
        .object::<Stream>()
        .object::<TcpServer>()
        .raw_boxed("connect", |ctx, mut args| {
            let host: String = args.next("host")?;
            let port: i64 = args.next("port")?;
            args.finish()?;
            let port = u16::try_from(port)
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| {
                    ScriptError::new("ValueError", format!("net.connect: no port {port}"))
                })?;
            let perms = ctx.permissions().clone();
            if let Err(reach::Failure::Denied(d)) = reach::precheck(&perms, &host, port) {
                return Err(not_capable(d));
            }
            Ok(Box::pin(async move {
                let tcp = reach::connect(&perms, &host, port)
                    .await
                    .map_err(|f| match f {
                        reach::Failure::Denied(d) => not_capable(d),
                        reach::Failure::Io(e) => connection_error(format!(
                            "cannot connect to {host}:{port}: {}",
                            super::http::plain_io_message(&e)
                        )),
                    })?;
                Ok(Stream::value(tcp, format!("{host}:{port}")))
            }))
        })
        .raw("listen", listen)
}

fn connection_error(message: String) -> ScriptError {
    ScriptError::new("ConnectionError", message)
}

fn io_error(peer: &str, e: &std::io::Error) -> ScriptError {
    connection_error(format!("{peer}: {}", super::http::plain_io_message(e)))
}

/// A TCP connection.
struct Stream(Rc<StreamInner>);

struct StreamInner {
    socket: async_net::TcpStream,
    reader: AsyncMutex<BufReader<async_net::TcpStream>>,
    writer: AsyncMutex<Writer>,
    /// What reports call the other end: `host:port`.
    peer: String,
    closed: Cell<bool>,
    /// The start of a line a `read_line` has read but not finished.
    partial: RefCell<Vec<u8>>,
}

impl StreamInner {
    fn close(&self) {
        if !self.closed.replace(true) {
            // Both directions: a read in flight sees the end, the peer
            // sees us hang up.
            let _ = self.socket.shutdown(Shutdown::Both);
        }
    }

    fn check_open(&self) -> Result<(), ScriptError> {
        if self.closed.get() {
            return Err(connection_error(format!(
                "{}: the stream is closed",
                self.peer
            )));
        }
        Ok(())
    }
}

impl Stream {
    fn open(socket: async_net::TcpStream, peer: String) -> Rc<StreamInner> {
        let _ = socket.set_nodelay(true);
        Rc::new(StreamInner {
            reader: AsyncMutex::new(BufReader::new(socket.clone())),
            writer: AsyncMutex::new(Writer {
                socket: socket.clone(),
                unsent: Vec::new(),
                sent: 0,
            }),
            socket,
            peer,
            closed: Cell::new(false),
            partial: RefCell::new(Vec::new()),
        })
    }

    fn value(socket: async_net::TcpStream, peer: String) -> Value {
        Value::object(Stream(Stream::open(socket, peer)))
    }
}

impl NativeObject for Stream {
    fn type_name(&self) -> &'static str {
        "stream"
    }
    fn methods() -> &'static [&'static str] {
        &["read_line", "read", "write", "close", "lines"]
    }
    fn repr(&self) -> String {
        let state = if self.0.closed.get() { " closed" } else { "" };
        format!("<stream {}{state}>", self.0.peer)
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        let inner = self.0.clone();
        let shown = format!("stream({}).{name}()", inner.peer);
        let r = match name {
            "read_line" => args
                .finish()
                .map(|()| ctx.coroutine(&shown, Box::pin(async move { read_line(&inner).await }))),
            "read" => (|| {
                let n: i64 = args.next("n")?;
                args.finish()?;
                if n <= 0 {
                    return Err(ScriptError::new(
                        "ValueError",
                        format!("read(n) needs n > 0, not {n}"),
                    ));
                }
                let n = n as usize;
                Ok(ctx.coroutine(&shown, Box::pin(async move { read(&inner, n).await })))
            })(),
            "write" => (|| {
                let text: String = args.next("text")?;
                args.finish()?;
                Ok(ctx.coroutine(&shown, Box::pin(async move { write(&inner, text).await })))
            })(),
            "close" => args.finish().map(|()| {
                inner.close();
                Value::Nil
            }),
            "lines" => args
                .finish()
                .map(|()| Value::object(lines::StreamLines(inner))),
            _ => return None,
        };
        Some(r)
    }
}

/// The sending half: the socket and what accepted writes have not sent
/// yet. Both sit behind one async lock, so writes go out whole and in the
/// order they took the lock.
struct Writer {
    socket: async_net::TcpStream,
    /// Bytes of writes that were cancelled halfway. They are still sent,
    /// before the next write's, as asyncio's transport sends what
    /// `write()` buffered: the peer never sees half a message followed by
    /// the next one.
    unsent: Vec<u8>,
    /// How much of `unsent` has gone out (dropped in one move when the
    /// next write arrives, not after every partial send, which would copy
    /// a large write's tail again and again).
    sent: usize,
}

/// `await s.write(text)`: queues `text` behind anything a cancelled write
/// left, then sends until the queue is empty. Only what is sent leaves
/// the queue, so dropping this future (a cancel) loses nothing.
async fn write(inner: &StreamInner, text: String) -> NativeResult {
    inner.check_open()?;
    let mut guard = inner.writer.lock().await;
    let Writer {
        socket,
        unsent,
        sent,
    } = &mut *guard;
    unsent.drain(..*sent);
    *sent = 0;
    unsent.extend_from_slice(text.as_bytes());
    while *sent < unsent.len() {
        let n = socket
            .write(&unsent[*sent..])
            .await
            .map_err(|e| io_error(&inner.peer, &e))?;
        if n == 0 {
            let e = std::io::Error::from(std::io::ErrorKind::WriteZero);
            return Err(io_error(&inner.peer, &e));
        }
        *sent += n;
    }
    unsent.clear();
    *sent = 0;
    Ok(Value::Nil)
}

/// The next line without its ending (`\n` or `\r\n`); `nil` at the end
/// (a last line without `\n` is still a line).
///
/// What has been read of a line so far waits in `partial`, not in this
/// future: a read cancelled halfway (`wait_for`) loses nothing, and the
/// next read starts with it.
async fn read_line(inner: &StreamInner) -> NativeResult {
    if inner.closed.get() {
        return Ok(Value::Nil);
    }
    let mut reader = inner.reader.lock().await;
    loop {
        let buf = reader
            .fill_buf()
            .await
            .map_err(|e| io_error(&inner.peer, &e))?;
        let mut partial = inner.partial.borrow_mut();
        if buf.is_empty() {
            if partial.is_empty() {
                return Ok(Value::Nil);
            }
            let line = std::mem::take(&mut *partial);
            return Ok(line_value(line));
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        partial.extend_from_slice(&buf[..take]);
        drop(partial);
        reader.consume(take);
        let mut partial = inner.partial.borrow_mut();
        if done {
            let line = std::mem::take(&mut *partial);
            return Ok(line_value(line));
        }
        if partial.len() > MAX_LINE {
            partial.clear();
            return Err(ScriptError::new(
                "ValueError",
                format!("{}: a line longer than {MAX_LINE} bytes", inner.peer),
            ));
        }
    }
}

fn line_value(mut line: Vec<u8>) -> Value {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Value::str(&String::from_utf8_lossy(&line))
}

/// At most `n` bytes, as soon as any are there; `nil` at the end. A
/// character cut by `n` is left for the next read, and so is the rest of
/// a line a cancelled `read_line` had begun.
async fn read(inner: &StreamInner, n: usize) -> NativeResult {
    if inner.closed.get() {
        return Ok(Value::Nil);
    }
    let mut reader = inner.reader.lock().await;
    {
        let mut partial = inner.partial.borrow_mut();
        if !partial.is_empty() {
            let take = utf8_cut(&partial, n);
            let text = String::from_utf8_lossy(&partial[..take]).into_owned();
            partial.drain(..take);
            return Ok(Value::str(&text));
        }
    }
    let buf = reader
        .fill_buf()
        .await
        .map_err(|e| io_error(&inner.peer, &e))?;
    if buf.is_empty() {
        return Ok(Value::Nil);
    }
    let take = utf8_cut(buf, n);
    let text = String::from_utf8_lossy(&buf[..take]).into_owned();
    reader.consume(take);
    Ok(Value::str(&text))
}

/// How many of `bytes` to take for at most `n`: fewer if that would split
/// a character at the end, more if `n` is less than the first character.
fn utf8_cut(bytes: &[u8], n: usize) -> usize {
    let take = n.min(bytes.len());
    match std::str::from_utf8(&bytes[..take]) {
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => e.valid_up_to(),
        Err(e) if e.error_len().is_none() => {
            let width = match bytes[0] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            if width <= bytes.len() {
                width
            } else {
                take
            }
        }
        _ => take,
    }
}

/// `net.listen(handler, host: "127.0.0.1", port: 0)`.
fn listen(ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let handler: Value = args.next("handler")?;
    let host: Option<String> = args.named("host")?;
    let port: Option<i64> = args.named("port")?;
    args.finish()?;
    check_handler("net.listen", "connection", &handler)?;
    let host = host.unwrap_or_else(|| "127.0.0.1".to_string());
    let bound = bind(ctx, "net.listen", &host, port.unwrap_or(0))?;
    let url = if bound.host.contains(':') {
        format!("tcp://[{}]:{}", bound.host, bound.port)
    } else {
        format!("tcp://{}:{}", bound.host, bound.port)
    };
    let caller = ctx.caller();
    let accept = Box::pin(accept_loop(bound.listener, handler, caller.clone()));
    let state = ServerState::start(ctx, "tcp server", url, bound.port, caller, accept);
    Ok(Value::object(TcpServer(state)))
}

/// Hands each connection to the loop as `handler(stream)`.
async fn accept_loop(
    listener: async_net::TcpListener,
    handler: Value,
    caller: ScriptCaller,
) -> NativeResult {
    loop {
        let (socket, addr) = match listener.accept().await {
            Ok(x) => x,
            // Out of descriptors, say: wait a little and go on.
            Err(_) => {
                async_io::Timer::after(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let stream = Stream::open(socket, addr.to_string());
        let mine = stream.clone();
        // The peer's port changes from run to run: reports name its host.
        let from = addr.ip();
        let name = format!("connection from {from}");
        let args = vec![Value::object(Stream(stream))];
        let started = caller.start(Some(&name), handler.clone(), args, move |ctx, outcome| {
            mine.close();
            if let Err(e) = outcome {
                if !e.is_cancel() {
                    let report = ctx.report(&e);
                    ctx.eprint(&format!(
                        "warning: the net.listen handler failed on a connection from {from}\n{report}"
                    ));
                }
            }
        });
        if started.is_err() {
            // The program is ending: the stream was dropped (hung up).
            return Ok(Value::Nil);
        }
    }
}

/// `net.listen(...)`'s result.
struct TcpServer(Rc<ServerState>);

impl NativeObject for TcpServer {
    fn type_name(&self) -> &'static str {
        "tcp server"
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

#[cfg(test)]
mod tests {
    use super::utf8_cut;

    #[test]
    fn reads_do_not_split_characters() {
        let b = "wö€".as_bytes(); // 1 + 2 + 3 bytes
        assert_eq!(utf8_cut(b, 2), 1, "ö would be cut: left for later");
        assert_eq!(utf8_cut(&b[1..], 1), 2, "ö comes whole even for n = 1");
        assert_eq!(utf8_cut(b, 6), 6);
        assert_eq!(utf8_cut(&b[3..4], 1), 1, "not all of € is there yet");
        assert_eq!(utf8_cut(b"\xff\xfe", 1), 1, "invalid bytes go as they are");
    }
}
