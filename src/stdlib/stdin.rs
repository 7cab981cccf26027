//! Standard input, buffered once for the whole process, so that a
//! cancelled read loses nothing.
//!
//! A terminal or pipe read cannot be interrupted, so it runs on a
//! blocking thread. The thread reads a chunk into a process-wide buffer,
//! not into the future that asked for it: when a `wait_for` gives up on
//! `stdin.read_line()`, the read goes on, and what it brings (the rest of
//! a half-typed line, the next lines) waits for the next `read_line`, as
//! in asyncio's `StreamReader`. At most one read is in flight, and one is
//! started only when a reader needs more: a child process that shares our
//! stdin is not robbed while nobody reads.
//!
//! A line already in the buffer is handed over at once ([`poll_line`]):
//! `for await line in stdin.lines()` reads a buffered line without a wait
//! or a trip through the loop, so a thread round trip is paid once per
//! chunk, not once per line. Lines are taken from a moving start offset,
//! and the buffer is compacted only before the next read.

use super::lines::{self, Line};
use event_listener::Event;
use std::io::{self, Read};
use std::sync::{Mutex, MutexGuard};

/// How much one read asks the system for.
const CHUNK: usize = 128 << 10;

struct Shared {
    /// Read; the bytes before `pos` are handed out already.
    buf: Vec<u8>,
    /// Where the next line starts.
    pos: usize,
    /// How much of `buf[pos..]` is known to hold no `\n`.
    scanned: usize,
    /// The end was seen (it stays seen, as a `StreamReader`'s EOF).
    eof: bool,
    /// A read failed; the next reader gets the error.
    failed: Option<io::Error>,
    /// A read is in flight on the blocking pool.
    reading: bool,
}

static STDIN: Mutex<Shared> = Mutex::new(Shared {
    buf: Vec::new(),
    pos: 0,
    scanned: 0,
    eof: false,
    failed: None,
    reading: false,
});

/// Notified when a read ends (with data, the end, or an error).
static ARRIVED: Event = Event::new();

fn shared() -> MutexGuard<'static, Shared> {
    // A panic while holding it cannot leave the buffer half-changed in a
    // way that matters more than losing stdin altogether.
    STDIN.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a line read found, its text made by the caller's `conv`.
pub(crate) enum Got<T> {
    Line(T),
    End,
    TooLong,
}

/// The next line if the buffer holds one (or the end, or an error):
/// `conv` turns its bytes, without the line ending, into what the caller
/// wants, straight from the buffer. `None`: more must be read first.
pub(crate) fn poll_line<T>(conv: impl FnOnce(&[u8]) -> T) -> Option<io::Result<Got<T>>> {
    take_line(&mut shared(), conv)
}

fn take_line<T>(s: &mut Shared, conv: impl FnOnce(&[u8]) -> T) -> Option<io::Result<Got<T>>> {
    let data = &s.buf[s.pos..];
    if let Some(i) = memchr::memchr(b'\n', &data[s.scanned..]) {
        let end = s.scanned + i;
        let mut line = &data[..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let got = if line.len() > lines::MAX_LINE {
            Got::TooLong
        } else {
            Got::Line(conv(line))
        };
        s.pos += end + 1;
        s.scanned = 0;
        return Some(Ok(got));
    }
    s.scanned = data.len();
    if data.len() > lines::MAX_LINE {
        s.buf = Vec::new();
        s.pos = 0;
        s.scanned = 0;
        return Some(Ok(Got::TooLong));
    }
    if let Some(e) = s.failed.take() {
        return Some(Err(e));
    }
    if s.eof {
        if data.is_empty() {
            return Some(Ok(Got::End));
        }
        let got = Got::Line(conv(data));
        s.buf.clear();
        s.pos = 0;
        s.scanned = 0;
        return Some(Ok(got));
    }
    None
}

/// The next line of standard input, at most [`lines::MAX_LINE`] bytes.
pub(crate) async fn read_line() -> io::Result<Line> {
    let got = read_line_with(<[u8]>::to_vec).await?;
    Ok(match got {
        Got::Line(l) => Line::Text(l),
        Got::End => Line::End,
        Got::TooLong => Line::TooLong,
    })
}

/// [`read_line`], the line's bytes turned into a `T` by `conv`.
pub(crate) async fn read_line_with<T>(conv: impl Fn(&[u8]) -> T) -> io::Result<Got<T>> {
    loop {
        let listener = {
            let mut s = shared();
            if let Some(got) = take_line(&mut s, &conv) {
                return got;
            }
            let listener = ARRIVED.listen();
            start_read(&mut s)?;
            listener
        };
        listener.await;
    }
}

/// All the rest of standard input.
pub(crate) async fn read_all() -> io::Result<Vec<u8>> {
    loop {
        let listener = {
            let mut s = shared();
            if let Some(e) = s.failed.take() {
                return Err(e);
            }
            if s.eof {
                let pos = std::mem::take(&mut s.pos);
                s.scanned = 0;
                let mut rest = std::mem::take(&mut s.buf);
                rest.drain(..pos);
                return Ok(rest);
            }
            let listener = ARRIVED.listen();
            start_read(&mut s)?;
            listener
        };
        listener.await;
    }
}

/// Starts a read unless one is in flight. What was handed out is dropped
/// from the front, then the buffer grows by a chunk, within `--max-memory`.
fn start_read(s: &mut Shared) -> io::Result<()> {
    if s.reading {
        return Ok(());
    }
    if s.pos > 0 {
        let pos = std::mem::take(&mut s.pos);
        s.buf.drain(..pos);
    }
    // Room is made here, on the reader's side, so that a read past the
    // memory limit fails in the script rather than on the thread.
    crate::limits::reserve(&mut s.buf, CHUNK)?;
    s.reading = true;
    blocking::unblock(|| {
        let mut chunk = vec![0; CHUNK];
        let got = io::stdin().lock().read(&mut chunk);
        let mut s = shared();
        s.reading = false;
        match got {
            Ok(0) => s.eof = true,
            Ok(n) => s.buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => s.failed = Some(e),
        }
        drop(s);
        ARRIVED.notify(usize::MAX);
    })
    .detach();
    Ok(())
}
