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

use super::lines::{self, Line};
use event_listener::Event;
use std::io::{self, Read};
use std::sync::{Mutex, MutexGuard};

/// How much one read asks the system for.
const CHUNK: usize = 64 << 10;

struct Shared {
    /// Read and not yet handed out.
    buf: Vec<u8>,
    /// How much of `buf` is known to hold no `\n`.
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

/// The next line of standard input, at most [`lines::MAX_LINE`] bytes.
pub(crate) async fn read_line() -> io::Result<Line> {
    loop {
        let listener = {
            let mut s = shared();
            let start = s.scanned;
            if let Some(i) = s.buf[start..].iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = s.buf.drain(..=start + i).collect();
                s.scanned = 0;
                return Ok(lines::finish(line, lines::MAX_LINE));
            }
            s.scanned = s.buf.len();
            if s.buf.len() > lines::MAX_LINE {
                s.buf = Vec::new();
                s.scanned = 0;
                return Ok(Line::TooLong);
            }
            if let Some(e) = s.failed.take() {
                return Err(e);
            }
            if s.eof {
                if s.buf.is_empty() {
                    return Ok(Line::End);
                }
                s.scanned = 0;
                return Ok(lines::finish(std::mem::take(&mut s.buf), usize::MAX));
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
                s.scanned = 0;
                return Ok(std::mem::take(&mut s.buf));
            }
            let listener = ARRIVED.listen();
            start_read(&mut s)?;
            listener
        };
        listener.await;
    }
}

/// Starts a read unless one is in flight. The buffer grows by a chunk
/// first, within `--max-memory`.
fn start_read(s: &mut Shared) -> io::Result<()> {
    if s.reading {
        return Ok(());
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
