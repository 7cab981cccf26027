//! `await gzip.open(path, "w")` (or `"a"`): a gzip file written as it is
//! compressed, in memory that does not grow with what is written
//! (Python's `gzip.open(path, "wt")` / `"wb"` / `"ab"`).
//!
//! The write permission is checked at open and the file opened through
//! the open-beneath layer, as `fs.open` does. Each `write` compresses on
//! the loop's thread into flate2's encoder, which writes the file a block
//! at a time (as `fs.open`'s buffered writes do: a small write is a copy,
//! a full buffer one `write` call). `close()` writes the gzip trailer; a
//! file nobody closed gets it when the object goes (the end of the
//! program included), so what was written is always a whole gzip file.
//! `"a"` adds a member after what is there, which readers (ours and
//! Python's) read as one stream.

use super::fs::{check, io_error, Access};
use crate::{Args, NativeCtx, NativeFuture, NativeObject, NativeResult, ScriptError, Value};
use flate2::write::GzEncoder;
use flate2::Compression;
use rustix::fs::OFlags;
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// How much flate2's output gathers before it goes to the file.
const BLOCK: usize = 128 << 10;

type Encoder = GzEncoder<io::BufWriter<std::fs::File>>;

/// `gzip.open(path, "w" | "a", level:)`, after `gzip.open` read the mode.
pub(crate) fn open(
    ctx: &mut NativeCtx<'_>,
    path: String,
    append: bool,
    level: Compression,
) -> Result<NativeFuture, ScriptError> {
    let place = check(ctx, &path, Access::Write)?;
    let flags = OFlags::WRONLY
        | OFlags::CREATE
        | if append {
            OFlags::APPEND
        } else {
            OFlags::TRUNC
        };
    Ok(Box::pin(async move {
        let file = blocking::unblock(move || place.open(flags, 0o666))
            .await
            .map_err(|e| io_error(&e, &path))?;
        let out = io::BufWriter::with_capacity(BLOCK, file);
        Ok(Value::object(GzipWriter(Rc::new(Inner {
            encoder: RefCell::new(Some(GzEncoder::new(out, level))),
            path,
        }))))
    }))
}

/// A gzip file open for writing.
pub(crate) struct GzipWriter(Rc<Inner>);

struct Inner {
    /// `None` once closed.
    encoder: RefCell<Option<Encoder>>,
    path: String,
}

impl Inner {
    fn with_encoder<T>(
        &self,
        f: impl FnOnce(&mut Encoder) -> io::Result<T>,
    ) -> Result<T, ScriptError> {
        let mut encoder = self.encoder.borrow_mut();
        let enc = encoder.as_mut().ok_or_else(closed_error)?;
        f(enc).map_err(|e| io_error(&e, &self.path))
    }

    /// The trailer written and the file flushed; a second close is nothing.
    fn close(&self) -> Result<(), ScriptError> {
        let Some(enc) = self.encoder.borrow_mut().take() else {
            return Ok(());
        };
        enc.finish()
            .and_then(|mut out| out.flush())
            .map_err(|e| io_error(&e, &self.path))
    }
}

impl Drop for Inner {
    /// A file nobody closed is still a whole gzip file.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

fn closed_error() -> ScriptError {
    ScriptError::new("ValueError", "I/O operation on closed file")
}

impl NativeObject for GzipWriter {
    fn type_name(&self) -> &'static str {
        "gzip writer"
    }
    fn methods() -> &'static [&'static str] {
        &["write", "flush", "close", "closed"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        let inner = self.0.clone();
        Some(match name {
            "write" => args.next::<Value>("data").and_then(|data| {
                args.finish()?;
                // A str counts its characters, bytes their bytes (as
                // `fs.open`'s `write` answers).
                let (bytes, count) = match &data {
                    Value::Str(s) => (s.as_bytes(), s.chars().count()),
                    Value::Bytes(b) => (&b[..], b.len()),
                    other => {
                        return Err(ScriptError::type_error(format!(
                            "write() needs a str or bytes, not `{}`",
                            other.type_name()
                        )))
                    }
                };
                let r = inner.with_encoder(|e| e.write_all(bytes));
                let shown = format!("gzip({:?}).write()", inner.path);
                let r = r.map(|()| Value::Int(count as i64));
                Ok(ctx.coroutine(&shown, std::future::ready(r)))
            }),
            // What was written so far becomes readable (a sync flush, as
            // Python's `GzipFile.flush`), at some cost in size.
            "flush" => args.finish().and_then(|()| {
                inner.with_encoder(|e| e.flush().and_then(|()| e.get_mut().flush()))?;
                Ok(Value::Nil)
            }),
            "close" => args
                .finish()
                .and_then(|()| inner.close())
                .map(|()| Value::Nil),
            "closed" => args
                .finish()
                .map(|()| Value::Bool(inner.encoder.borrow().is_none())),
            _ => return None,
        })
    }
    fn repr(&self) -> String {
        let state = match self.0.encoder.borrow().is_none() {
            true => " closed",
            false => "",
        };
        format!("<gzip writer {:?}{state}>", self.0.path)
    }
    fn is_scope(&self) -> bool {
        true
    }
    fn exit_scope(&self, _ctx: &mut NativeCtx<'_>) -> Result<(), ScriptError> {
        self.0.close()
    }
}
