//! Reading a stream a line at a time so that a cancelled read loses
//! nothing: what has been read of a line waits in the reader, not in the
//! future that reads it (asyncio's `StreamReader.readline` keeps it in its
//! buffer the same way). A `wait_for` that gives up on a half-read line
//! leaves it for the next `read_line`.

use futures_lite::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, BufReader};

/// The longest line a reader accepts by default (16 MiB); a longer one
/// is a `ValueError`, as asyncio's `LimitOverrunError` (whose default is
/// 64 KiB, too little for a line of JSON).
pub(crate) const MAX_LINE: usize = 16 << 20;

/// What a line read gives.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line without its ending (`\n` or `\r\n`); the last line of a
    /// stream may have none.
    Text(Vec<u8>),
    /// The end of the stream.
    End,
    /// A line longer than the cap; what was read of it is dropped.
    TooLong,
}

/// A buffered reader and the start of a line a cancelled read had begun.
pub(crate) struct LineReader<R> {
    reader: R,
    partial: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        LineReader {
            reader,
            partial: Vec::new(),
        }
    }

    /// The next line, at most `cap` bytes long. Cancel-safe: dropping the
    /// future keeps every byte read so far in `self`.
    pub(crate) async fn read_line(&mut self, cap: usize) -> std::io::Result<Line> {
        loop {
            let LineReader { reader, partial } = self;
            let buf = reader.fill_buf().await?;
            if buf.is_empty() {
                if partial.is_empty() {
                    return Ok(Line::End);
                }
                return Ok(finish(std::mem::take(partial), cap));
            }
            let (take, done) = match memchr(buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            partial.extend_from_slice(&buf[..take]);
            reader.consume(take);
            if done {
                return Ok(finish(std::mem::take(partial), cap));
            }
            if partial.len() > cap {
                *partial = Vec::new();
                return Ok(Line::TooLong);
            }
        }
    }
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    /// What is read next, as it comes (the start of a line a cancelled
    /// `read_line` had begun first); empty at the end. Cancel-safe: the
    /// buffer is consumed only when the read completes.
    pub(crate) async fn read_chunk(&mut self) -> std::io::Result<Vec<u8>> {
        if !self.partial.is_empty() {
            return Ok(std::mem::take(&mut self.partial));
        }
        let buf = self.reader.fill_buf().await?;
        let chunk = buf.to_vec();
        self.reader.consume(chunk.len());
        Ok(chunk)
    }
}

impl<R: AsyncRead + Unpin> LineReader<BufReader<R>> {
    /// A line the buffer holds already, taken without reading (how
    /// `for await` gets a line without a wait); `None` when the buffer
    /// holds no whole line, and then nothing is taken.
    pub(crate) fn try_line(&mut self, cap: usize) -> Option<Line> {
        let buf = self.reader.buffer();
        let i = memchr(buf)?;
        self.partial.extend_from_slice(&buf[..=i]);
        self.reader.consume(i + 1);
        Some(finish(std::mem::take(&mut self.partial), cap))
    }
}

fn memchr(buf: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', buf)
}

/// A whole line (with its ending, if any) as a [`Line`].
pub(crate) fn finish(mut line: Vec<u8>, cap: usize) -> Line {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    if line.len() > cap {
        return Line::TooLong;
    }
    Line::Text(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::future::{block_on, poll_once};
    use futures_lite::io::{AsyncRead, BufReader};
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Gives its chunks one per read, with a "not yet" before each, so a
    /// read can be dropped between any two chunks; then the end.
    struct Chunks(Vec<&'static [u8]>, bool);

    impl AsyncRead for Chunks {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            out: &mut [u8],
        ) -> Poll<std::io::Result<usize>> {
            if self.0.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if !std::mem::replace(&mut self.1, false) {
                self.1 = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let chunk = self.0.remove(0);
            out[..chunk.len()].copy_from_slice(chunk);
            Poll::Ready(Ok(chunk.len()))
        }
    }

    fn text(l: Line) -> String {
        match l {
            Line::Text(t) => String::from_utf8(t).unwrap(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_read_dropped_at_any_point_loses_nothing() {
        let chunks = vec![&b"par"[..], b"tial\nwho", b"le\r\n", b"last"];
        // Poll a read `drops` times, dropping it whenever it is not done
        // yet, then read to the end: every line must come out whole.
        for drops in 0..10 {
            let mut r = LineReader::new(BufReader::new(Chunks(chunks.clone(), false)));
            let mut lines = Vec::new();
            for _ in 0..drops {
                match block_on(poll_once(r.read_line(100))) {
                    Some(Ok(Line::End)) | None => {}
                    Some(l) => lines.push(text(l.unwrap())),
                }
            }
            loop {
                match block_on(r.read_line(100)).unwrap() {
                    Line::End => break,
                    l => lines.push(text(l)),
                }
            }
            assert_eq!(lines.join("|"), "partial|whole|last", "{drops} polls");
        }
    }

    #[test]
    fn a_line_past_the_cap_is_too_long_and_dropped() {
        let mut r = LineReader::new(BufReader::new(Chunks(
            vec![b"0123456789", b"abc\nok\n"],
            false,
        )));
        assert_eq!(block_on(r.read_line(5)).unwrap(), Line::TooLong);
        // The rest of the long line, then the next one.
        assert_eq!(text(block_on(r.read_line(5)).unwrap()), "abc");
        assert_eq!(text(block_on(r.read_line(5)).unwrap()), "ok");
        assert_eq!(block_on(r.read_line(5)).unwrap(), Line::End);
    }
}
