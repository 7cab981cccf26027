//! `await fs.open(path, mode)`: a file object, read and written a piece
//! at a time (LANGUAGE.md, Files).
//!
//! The permission is checked at open, and the file is opened through the
//! open-beneath layer as every `fs` call is; the object then holds the
//! descriptor. Reads go to the blocking pool a chunk at a time with
//! `pread` at the object's own position, which moves only when a chunk
//! arrives: a cancelled read loses nothing, and a read past the end
//! returns what is there while a later one sees what was appended since
//! (following a log). Text mode decodes UTF-8 incrementally: a character
//! cut by the end of what was written waits for its rest. Lines already
//! read into the buffer are handed out without a wait (`for await line in
//! f.lines()`). Writes are buffered and written in 64 KiB pieces on the
//! loop thread (a regular file's write lands in the page cache); `flush`,
//! `seek` and `close` write what is buffered.

use super::fs::io_error;
use crate::{
    Args, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError, Value,
};
use rustix::fs::OFlags;
use std::cell::{Cell, RefCell};
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::rc::Rc;
use std::sync::Arc;

/// How much one read asks for.
const CHUNK: usize = 128 << 10;
/// Buffered writes past this go out.
const WRITE_BUFFER: usize = 64 << 10;

/// What `mode` says.
#[derive(Clone, Copy)]
struct Mode {
    write: bool,
    append: bool,
    binary: bool,
}

fn parse_mode(mode: &str) -> Result<Mode, ScriptError> {
    let (base, binary) = match mode.strip_suffix('b') {
        Some(base) => (base, true),
        None => (mode, false),
    };
    let (write, append) = match base {
        "r" => (false, false),
        "w" => (true, false),
        "a" => (true, true),
        _ => {
            return Err(
                ScriptError::new("ValueError", format!("invalid mode: {mode:?}")).with_help(
                    "a mode is \"r\", \"w\" or \"a\", with \"b\" after it for bytes (\"rb\")",
                ),
            )
        }
    };
    Ok(Mode {
        write,
        append,
        binary,
    })
}

impl Mode {
    fn flags(self) -> OFlags {
        match (self.write, self.append) {
            (false, _) => OFlags::RDONLY,
            (true, false) => OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC,
            (true, true) => OFlags::WRONLY | OFlags::CREATE | OFlags::APPEND,
        }
    }
}

/// `fs.open(path, mode = "r")`.
pub(crate) fn open(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<NativeFuture, ScriptError> {
    let path: String = args.next("path")?;
    let mode: Option<String> = args.next_opt("mode")?;
    args.finish()?;
    let mode = parse_mode(mode.as_deref().unwrap_or("r"))?;
    let access = if mode.write {
        super::fs::Access::Write
    } else {
        super::fs::Access::Read
    };
    let place = super::fs::check(ctx, &path, access)?;
    Ok(Box::pin(async move {
        let flags = mode.flags();
        let file = blocking::unblock(move || place.open(flags, 0o666))
            .await
            .map_err(|e| io_error(&e, &path))?;
        Ok(Value::object(File(Rc::new(Inner {
            file: RefCell::new(Some(Arc::new(file))),
            path,
            mode,
            st: RefCell::new(State::default()),
            reading: async_lock::Mutex::new(()),
            closed: Cell::new(false),
        }))))
    }))
}

/// An open file.
pub(crate) struct File(Rc<Inner>);

struct Inner {
    /// `None` once closed.
    file: RefCell<Option<Arc<std::fs::File>>>,
    path: String,
    mode: Mode,
    st: RefCell<State>,
    /// One read from the file at a time.
    reading: async_lock::Mutex<()>,
    closed: Cell<bool>,
}

#[derive(Default)]
struct State {
    /// Read from the file, not handed out yet: `buf[start..]`.
    buf: Vec<u8>,
    start: usize,
    /// Where the next read from the file starts.
    file_pos: u64,
    /// Written by the script, not yet to the file.
    wbuf: Vec<u8>,
}

impl State {
    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn closed_error() -> ScriptError {
    ScriptError::new("ValueError", "I/O operation on closed file")
}

impl Inner {
    fn file(&self) -> Result<Arc<std::fs::File>, ScriptError> {
        self.file.borrow().clone().ok_or_else(closed_error)
    }

    fn need(&self, reading: bool) -> Result<(), ScriptError> {
        self.file()?;
        if reading == self.mode.write {
            let what = if reading { "readable" } else { "writable" };
            return Err(ScriptError::new("OSError", format!("file not {what}")));
        }
        Ok(())
    }

    /// Reads the next chunk into the buffer; how many bytes came (0: the
    /// end, for now). The position moves only once they are here.
    async fn fill(&self) -> Result<usize, ScriptError> {
        let _one = self.reading.lock().await;
        let file = self.file()?;
        let pos = self.st.borrow().file_pos;
        let got = blocking::unblock(move || {
            let mut chunk = vec![0; CHUNK];
            loop {
                match file.read_at(&mut chunk, pos) {
                    Ok(n) => {
                        chunk.truncate(n);
                        return Ok(chunk);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        })
        .await
        .map_err(|e| io_error(&e, &self.path))?;
        let mut st = self.st.borrow_mut();
        if st.start > 0 {
            let start = std::mem::take(&mut st.start);
            st.buf.drain(..start);
        }
        crate::limits::reserve(&mut st.buf, got.len()).map_err(|e| io_error(&e, &self.path))?;
        st.buf.extend_from_slice(&got);
        st.file_pos += got.len() as u64;
        Ok(got.len())
    }

    /// Hands out `n` bytes of the buffer as text or bytes. In text mode
    /// only whole characters go: a cut one stays for the next read.
    fn take(&self, n: usize) -> NativeResult {
        let mut st = self.st.borrow_mut();
        let at = st.file_pos - st.pending().len() as u64;
        let bytes = &st.pending()[..n];
        let (v, used) = if self.mode.binary {
            (Value::bytes(bytes.to_vec()), n)
        } else {
            let used = match std::str::from_utf8(bytes) {
                Ok(_) => n,
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => return Err(self.not_utf8(at + e.valid_up_to() as u64)),
            };
            let text = std::str::from_utf8(&bytes[..used]).expect("checked just above");
            (Value::str(text), used)
        };
        st.start += used;
        Ok(v)
    }

    fn not_utf8(&self, at: u64) -> ScriptError {
        ScriptError::new(
            "UnicodeError",
            format!("{} is not valid UTF-8 (byte {at} is bad)", self.path),
        )
    }

    /// A whole line in the buffer, without its ending: taken now.
    fn ready_line(&self) -> Option<NativeResult> {
        let end = {
            let st = self.st.borrow();
            memchr::memchr(b'\n', st.pending())?
        };
        let r = self.take_line(end, end + 1);
        Some(r)
    }

    /// `len` bytes of line, then `skip - len` of ending, handed out.
    fn take_line(&self, len: usize, skip: usize) -> NativeResult {
        let mut st = self.st.borrow_mut();
        let mut line = &st.pending()[..len];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let v = if self.mode.binary {
            Value::bytes(line.to_vec())
        } else {
            match std::str::from_utf8(line) {
                Ok(text) => Value::str(text),
                Err(_) => {
                    return Err(ScriptError::new(
                        "UnicodeError",
                        format!("{}: a line is not valid UTF-8", self.path),
                    ))
                }
            }
        };
        st.start += skip;
        Ok(v)
    }

    /// The next line; at the end, what is left of a last line without an
    /// ending, then nil (and nil until more is written to the file).
    async fn read_line(&self) -> NativeResult {
        self.need(true)?;
        loop {
            if let Some(line) = self.ready_line() {
                return line;
            }
            if self.st.borrow().pending().len() > super::lines::MAX_LINE {
                return Err(ScriptError::new(
                    "ValueError",
                    format!(
                        "{}: a line is longer than {} bytes",
                        self.path,
                        super::lines::MAX_LINE
                    ),
                ));
            }
            if self.fill().await? == 0 {
                let n = self.st.borrow().pending().len();
                if n == 0 {
                    return Ok(Value::Nil);
                }
                if !self.mode.binary && incomplete_tail(self.st.borrow().pending()) {
                    // A character cut by the end of the file: wait for it.
                    return Ok(Value::Nil);
                }
                return self.take_line(n, n);
            }
        }
    }

    /// At most `n` bytes (binary) or characters (text); "" at the end.
    async fn read(&self, n: Option<usize>) -> NativeResult {
        self.need(true)?;
        loop {
            let (have, enough) = {
                let st = self.st.borrow();
                let p = st.pending();
                match n {
                    Some(n) if self.mode.binary => (p.len().min(n), p.len() >= n),
                    Some(n) => {
                        let cut = char_cut(p, n);
                        (cut, cut < p.len() || chars(p) >= n)
                    }
                    None => (p.len(), false),
                }
            };
            if enough {
                return self.take(have);
            }
            if self.fill().await? == 0 {
                return self.take(have);
            }
        }
    }

    /// Buffers `data`; past the buffer's size, writes it out.
    fn write(&self, data: &[u8]) -> Result<(), ScriptError> {
        self.need(false)?;
        let full = {
            let mut st = self.st.borrow_mut();
            st.wbuf.extend_from_slice(data);
            st.wbuf.len() >= WRITE_BUFFER
        };
        if full {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), ScriptError> {
        let file = self.file()?;
        let data = std::mem::take(&mut self.st.borrow_mut().wbuf);
        if !data.is_empty() {
            (&*file)
                .write_all(&data)
                .map_err(|e| io_error(&e, &self.path))?;
        }
        Ok(())
    }

    fn seek(&self, pos: i64, whence: i64) -> NativeResult {
        self.flush()?;
        let file = self.file()?;
        let to = match whence {
            0 if pos >= 0 => SeekFrom::Start(pos as u64),
            1 => SeekFrom::Start(self.tell()?.checked_add_signed(pos).ok_or_else(bad_seek)?),
            2 => SeekFrom::End(pos),
            0 => return Err(bad_seek()),
            _ => {
                return Err(ScriptError::new(
                    "ValueError",
                    format!("whence must be 0, 1 or 2, not {whence}"),
                ))
            }
        };
        let at = (&*file).seek(to).map_err(|e| io_error(&e, &self.path))?;
        let mut st = self.st.borrow_mut();
        st.buf.clear();
        st.start = 0;
        st.file_pos = at;
        Ok(Value::Int(at as i64))
    }

    fn tell(&self) -> Result<u64, ScriptError> {
        let file = self.file()?;
        if self.mode.write {
            let at = (&*file)
                .stream_position()
                .map_err(|e| io_error(&e, &self.path))?;
            return Ok(at + self.st.borrow().wbuf.len() as u64);
        }
        let st = self.st.borrow();
        Ok(st.file_pos - st.pending().len() as u64)
    }

    fn close(&self) -> Result<(), ScriptError> {
        if self.closed.replace(true) {
            return Ok(());
        }
        let flushed = self.flush();
        self.file.borrow_mut().take();
        flushed
    }
}

fn bad_seek() -> ScriptError {
    ScriptError::new("ValueError", "negative seek position")
}

/// Does `b` end in the first bytes of a UTF-8 character?
fn incomplete_tail(b: &[u8]) -> bool {
    matches!(std::str::from_utf8(b), Err(e) if e.error_len().is_none())
}

fn chars(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

/// How many bytes hold the first `n` characters of `b` (all of `b` if it
/// has fewer).
fn char_cut(b: &[u8], n: usize) -> usize {
    let mut seen = 0;
    for (i, &c) in b.iter().enumerate() {
        if (c as i8) >= -0x40 {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    b.len()
}

impl NativeObject for File {
    fn type_name(&self) -> &'static str {
        "file"
    }
    fn methods() -> &'static [&'static str] {
        &[
            "read",
            "read_line",
            "read_all",
            "write",
            "seek",
            "tell",
            "flush",
            "close",
            "closed",
            "lines",
        ]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        if !Self::methods().contains(&name) {
            return None;
        }
        let inner = self.0.clone();
        let shown = format!("file({:?}).{name}()", inner.path);
        let r = (|| match name {
            "read" => {
                let n: Option<i64> = args.next_opt("n")?;
                args.finish()?;
                let n = match n {
                    Some(n) if n < 0 => None,
                    Some(n) => Some(n as usize),
                    None => None,
                };
                Ok(ctx.coroutine(&shown, async move { inner.read(n).await }))
            }
            "read_all" => {
                args.finish()?;
                Ok(ctx.coroutine(&shown, async move { inner.read(None).await }))
            }
            "read_line" => {
                args.finish()?;
                Ok(ctx.coroutine(&shown, async move { inner.read_line().await }))
            }
            "write" => {
                let data: Value = args.next("data")?;
                args.finish()?;
                let written = match (&data, inner.mode.binary) {
                    (Value::Str(s), false) => inner.write(s.as_bytes()).map(|()| s.chars().count()),
                    (Value::Bytes(b), true) => inner.write(b).map(|()| b.len()),
                    (v, binary) => Err(ScriptError::type_error(format!(
                        "write() in {} mode needs {}, not `{}`",
                        if binary { "binary" } else { "text" },
                        if binary { "bytes" } else { "a str" },
                        v.type_name()
                    ))),
                };
                let r = written.map(|n| Value::Int(n as i64));
                Ok(ctx.coroutine(&shown, std::future::ready(r)))
            }
            "seek" => {
                let pos: i64 = args.next("pos")?;
                let whence: Option<i64> = args.next_opt("whence")?;
                args.finish()?;
                inner.seek(pos, whence.unwrap_or(0))
            }
            "tell" => {
                args.finish()?;
                Ok(Value::Int(inner.tell()? as i64))
            }
            "flush" => {
                args.finish()?;
                let r = inner.flush().map(|()| Value::Nil);
                Ok(ctx.coroutine(&shown, std::future::ready(r)))
            }
            "close" => {
                args.finish()?;
                inner.close().map(|()| Value::Nil)
            }
            "closed" => {
                args.finish()?;
                Ok(Value::Bool(inner.closed.get()))
            }
            "lines" => {
                args.finish()?;
                inner.need(true)?;
                Ok(Value::object(FileLines(inner)))
            }
            _ => unreachable!("a method of methods()"),
        })();
        Some(r)
    }
    fn repr(&self) -> String {
        let state = if self.0.closed.get() { " closed" } else { "" };
        format!("<file {:?}{state}>", self.0.path)
    }
    fn is_scope(&self) -> bool {
        true
    }
    fn exit_scope(&self, _ctx: &mut NativeCtx<'_>) -> Result<(), ScriptError> {
        self.0.close()
    }
}

impl Drop for Inner {
    /// A file nobody closed: what it buffered still goes out.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// `f.lines()`: a file's lines for `for await`.
pub(crate) struct FileLines(Rc<Inner>);

impl NativeObject for FileLines {
    fn type_name(&self) -> &'static str {
        "lines"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || {
            format!("file({:?}).lines()", self.0.path)
        })
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for FileLines {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        if self.0.closed.get() {
            return Some(Err(closed_error()));
        }
        self.0.ready_line()
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let inner = self.0.clone();
        Ok(Box::pin(async move { inner.read_line().await }))
    }
}
