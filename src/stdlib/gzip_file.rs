//! `await gzip.open(path)`: a gzip file read as it is decompressed, for
//! `for await line in f.lines()` or `for await chunk in f.chunks()`, in
//! memory that does not grow with the file (Python's `gzip.open(path,
//! "rt")` / `"rb"`).
//!
//! The read permission is checked at open and the file opened through the
//! open-beneath layer, as `fs.open` does. flate2's decoder is a blocking
//! reader; `blocking::Unblock` runs it on the blocking pool, reading ahead
//! into a pipe of its own, which is what makes a cancelled read lose
//! nothing (the bytes wait in the pipe, or in the line reader, for the
//! next read). Every member of the file is read, as Python reads them.

use super::fs::{check, io_error, Access};
use super::lines::{Line, LineReader, MAX_LINE};
use crate::{
    Args, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError, Value,
};
use blocking::Unblock;
use flate2::read::MultiGzDecoder;
use futures_lite::io::{AsyncRead, BufReader};
use rustix::fs::OFlags;
use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// How much the blocking side decompresses ahead of the script.
const AHEAD: usize = 256 << 10;

type Decoded = LineReader<BufReader<Fused<Unblock<MultiGzDecoder<io::BufReader<std::fs::File>>>>>>;

/// A reader that stays at its end once it has reached it. `Unblock` read
/// again after its end starts another blocking read (a `Pending` first),
/// which breaks `fill_buf`'s rule that a buffer once ready stays ready
/// (futures-lite panics on it): a gzip file does not grow, so its end is
/// final.
struct Fused<R> {
    inner: R,
    ended: bool,
}

impl<R: AsyncRead + Unpin> AsyncRead for Fused<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.ended || buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = std::task::ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        self.ended = n == 0;
        Poll::Ready(Ok(n))
    }
}

/// `gzip.open(path, mode = "r", level: 9)`: read here, written by
/// `gzip_write.rs`.
pub(crate) fn open(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<NativeFuture, ScriptError> {
    let path: String = args.next("path")?;
    let mode: Option<String> = args.next_opt("mode")?;
    let level: Option<i64> = args.named("level")?;
    args.finish()?;
    // Python's letters: "t" (text) and "b" (bytes) change nothing here:
    // lines() are text, chunks() bytes, and a writer takes either.
    let mode = mode.unwrap_or_else(|| "r".into());
    let write = match mode.trim_end_matches(['t', 'b']) {
        "r" => None,
        "w" => Some(false),
        "a" => Some(true),
        _ => {
            return Err(
                ScriptError::new("ValueError", format!("invalid mode: {mode:?}"))
                    .with_help("a mode is \"r\" (read), \"w\" (write) or \"a\" (append a member)"),
            )
        }
    };
    let level = match (write, level) {
        (_, None) => 9,
        (Some(_), Some(l)) if (0..=9).contains(&l) => l as u32,
        (Some(_), Some(l)) => {
            return Err(ScriptError::new(
                "ValueError",
                format!("gzip.open() level must be 0..9, not {l}"),
            ))
        }
        (None, Some(_)) => {
            return Err(ScriptError::new(
                "TypeError",
                "gzip.open() takes level: only to write",
            ))
        }
    };
    if let Some(append) = write {
        let level = flate2::Compression::new(level);
        return super::gzip_write::open(ctx, path, append, level);
    }
    let place = check(ctx, &path, Access::Read)?;
    Ok(Box::pin(async move {
        let file = blocking::unblock(move || place.open(OFlags::RDONLY, 0))
            .await
            .map_err(|e| io_error(&e, &path))?;
        let decoder = MultiGzDecoder::new(io::BufReader::with_capacity(AHEAD, file));
        let inner = Unblock::with_capacity(AHEAD, decoder);
        let reader = BufReader::with_capacity(
            AHEAD,
            Fused {
                inner,
                ended: false,
            },
        );
        Ok(Value::object(GzipFile(Rc::new(Inner {
            reader: async_lock::Mutex::new(Some(LineReader::new(reader))),
            path,
            closed: Cell::new(false),
        }))))
    }))
}

/// An open gzip file.
pub(crate) struct GzipFile(Rc<Inner>);

struct Inner {
    /// `None` once closed.
    reader: async_lock::Mutex<Option<Decoded>>,
    path: String,
    closed: Cell<bool>,
}

impl Inner {
    fn close(&self) {
        self.closed.set(true);
        if let Some(mut r) = self.reader.try_lock() {
            r.take();
        }
    }

    /// A line or a chunk, read by `read` from the decoder.
    async fn read<T>(
        &self,
        read: impl AsyncFnOnce(&mut Decoded) -> io::Result<T>,
    ) -> Result<Option<T>, ScriptError> {
        let mut guard = self.reader.lock().await;
        match guard.as_mut() {
            Some(r) if !self.closed.get() => read(r).await.map(Some).map_err(|e| self.error(&e)),
            _ => Err(closed_error()),
        }
    }

    /// A decoder's error in Python's words: data that is not gzip is a
    /// `BadGzipFile`, a file cut short an `EOFError`.
    fn error(&self, e: &io::Error) -> ScriptError {
        match e.kind() {
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                ScriptError::new("BadGzipFile", format!("{}: not gzip data: {e}", self.path))
            }
            io::ErrorKind::UnexpectedEof => ScriptError::new(
                "EOFError",
                format!(
                    "{}: the compressed file ended before its end-of-stream marker",
                    self.path
                ),
            ),
            _ => io_error(e, &self.path),
        }
    }

    fn line_value(&self, line: Line) -> NativeResult {
        match line {
            Line::End => Ok(Value::Nil),
            Line::TooLong => Err(ScriptError::new(
                "ValueError",
                format!("{}: a line is longer than {MAX_LINE} bytes", self.path),
            )),
            Line::Text(b) => match String::from_utf8(b) {
                Ok(t) => Ok(Value::str(&t)),
                Err(_) => Err(ScriptError::new(
                    "UnicodeError",
                    format!("{}: a line is not valid UTF-8", self.path),
                )),
            },
        }
    }
}

fn closed_error() -> ScriptError {
    ScriptError::new("ValueError", "I/O operation on closed file")
}

impl NativeObject for GzipFile {
    fn type_name(&self) -> &'static str {
        "gzip file"
    }
    fn methods() -> &'static [&'static str] {
        &["lines", "chunks", "close", "closed"]
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        let inner = self.0.clone();
        let r = args.finish().map(|()| match name {
            "lines" => Some(Value::object(GzipStream { inner, lines: true })),
            "chunks" => Some(Value::object(GzipStream {
                inner,
                lines: false,
            })),
            "close" => {
                inner.close();
                Some(Value::Nil)
            }
            "closed" => Some(Value::Bool(inner.closed.get())),
            _ => None,
        });
        match r {
            Ok(None) => None,
            Ok(Some(v)) => Some(Ok(v)),
            Err(e) => Some(Err(e)),
        }
    }
    fn repr(&self) -> String {
        let state = if self.0.closed.get() { " closed" } else { "" };
        format!("<gzip file {:?}{state}>", self.0.path)
    }
    fn is_scope(&self) -> bool {
        true
    }
    fn exit_scope(&self, _ctx: &mut NativeCtx<'_>) -> Result<(), ScriptError> {
        self.0.close();
        Ok(())
    }
}

/// `f.lines()` (text, without line endings) or `f.chunks()` (bytes, as
/// they are decompressed), read from the same buffer.
pub(crate) struct GzipStream {
    inner: Rc<Inner>,
    lines: bool,
}

impl NativeObject for GzipStream {
    fn type_name(&self) -> &'static str {
        if self.lines {
            "lines"
        } else {
            "chunks"
        }
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || {
            format!("gzip({:?}).{}()", self.inner.path, self.type_name())
        })
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for GzipStream {
    /// A whole line already decompressed, taken without a wait.
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        if !self.lines {
            return None;
        }
        if self.inner.closed.get() {
            return Some(Err(closed_error()));
        }
        let mut guard = self.inner.reader.try_lock()?;
        let line = guard.as_mut()?.try_line(MAX_LINE)?;
        Some(self.inner.line_value(line))
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let inner = self.inner.clone();
        if self.lines {
            return Ok(Box::pin(async move {
                let line = inner.read(async |r| r.read_line(MAX_LINE).await).await?;
                inner.line_value(line.unwrap_or(Line::End))
            }));
        }
        Ok(Box::pin(async move {
            let chunk = inner.read(async |r| r.read_chunk().await).await?;
            Ok(match chunk {
                Some(c) if !c.is_empty() => Value::bytes(c),
                _ => Value::Nil,
            })
        }))
    }
}
