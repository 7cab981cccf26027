//! `csv.rows(stream)`: the rows of a stream of lines (`f.lines()`,
//! `p.lines()`, `stdin.lines()`, `s.lines()`) or of bytes pieces
//! (`r.chunks()`, a gzip file's `chunks()`), for `for await`, as Python's
//! `csv.reader` reads a file's lines: a quoted field may go on over
//! several lines, an empty line is an empty row.
//!
//! The rows are cut by `csv-core`, the engine under the `csv` crate that
//! `csv.parse` uses, so both read a text the same way; it is fed one line
//! at a time (an empty line is told apart here, as `csv.parse` does, since
//! the engine skips it). Everything read so far (the engine's state, the
//! part of a row a line left open, rows not handed out yet) is in the
//! stream, never in a read's future, and the source's own reads lose
//! nothing when dropped: a cancelled `next` loses nothing.
//!
//! A row that goes on past the line the source had ready needs another
//! item of the source, and asking a native stream for one takes the
//! loop's context, which a read's future does not hold: it is asked for
//! on the loop through a [`ScriptCaller`] call of a native function.

use super::csv::{one_byte, record, row_value};
use crate::{
    Args, Module, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError,
    Value,
};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

pub(crate) fn register(m: Module) -> Module {
    m.object::<Rows>().raw("rows", |_ctx, args| rows(args))
}

fn rows(mut args: Args) -> NativeResult {
    let source: Value = args.next("source")?;
    let delimiter = one_byte("csv.rows", "delimiter", args.named("delimiter")?, b',')?;
    let quote = one_byte("csv.rows", "quote", args.named("quote")?, b'"')?;
    let header: Option<bool> = args.named("header")?;
    args.finish()?;
    if source.as_stream().is_none() {
        return Err(ScriptError::new(
            "TypeError",
            format!(
                "csv.rows() reads a stream of lines or bytes, not `{}`",
                source.type_name()
            ),
        )
        .with_help(
            "give it `f.lines()` of an open file, `p.lines()`, `stdin.lines()`, `s.lines()` or \
             `r.chunks()`; for text held whole, use `csv.parse(text)`",
        ));
    }
    let reader = csv_core::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .build();
    Ok(Value::object(Rows {
        source,
        state: Rc::new(RefCell::new(State {
            reader,
            header: header.unwrap_or(false).then(Vec::new),
            ..State::default()
        })),
    }))
}

/// What has been read: the engine, the row it has begun, the rows cut
/// and not handed out yet, the start of a line a bytes piece ended in.
#[derive(Default)]
struct State {
    reader: csv_core::Reader,
    /// The fields of the row begun, back to back, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    /// A row has begun and not ended (inside a quoted field, say).
    open: bool,
    /// Bytes pieces cut into lines: the end of the last piece.
    partial: Vec<u8>,
    cut: VecDeque<Vec<String>>,
    /// With `header: true`: the names, once the first row has given them.
    header: Option<Vec<String>>,
    ended: bool,
}

impl State {
    /// Takes one item of the source: a line (`str`), a piece (`bytes`),
    /// or `nil` for its end.
    fn feed(&mut self, item: &Value) -> Result<(), ScriptError> {
        match item {
            Value::Nil => {
                if !self.partial.is_empty() {
                    let last = std::mem::take(&mut self.partial);
                    self.line(&last)?;
                }
                self.end()
            }
            Value::Str(s) => self.line(s.as_bytes()),
            Value::Bytes(b) => {
                self.partial.extend_from_slice(b);
                while let Some(i) = memchr::memchr(b'\n', &self.partial) {
                    let mut line: Vec<u8> = self.partial.drain(..=i).collect();
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    self.line(&line)?;
                }
                Ok(())
            }
            other => Err(ScriptError::type_error(format!(
                "csv.rows(): the stream gave a `{}`, not a line or bytes",
                other.type_name()
            ))),
        }
    }

    /// One line, without its ending.
    fn line(&mut self, line: &[u8]) -> Result<(), ScriptError> {
        if line.is_empty() && !self.open {
            // Python's reader gives an empty row; the engine skips it.
            return self.row(Vec::new());
        }
        let mut input = Vec::with_capacity(line.len() + 1);
        input.extend_from_slice(line);
        input.push(b'\n');
        self.read(&input)
    }

    fn end(&mut self) -> Result<(), ScriptError> {
        self.ended = true;
        self.read(&[])
    }

    /// Runs the engine over `input` (empty: the end of the text), cutting
    /// every row it completes.
    fn read(&mut self, mut input: &[u8]) -> Result<(), ScriptError> {
        use csv_core::ReadRecordResult as R;
        loop {
            if self.out.len() == self.out_len {
                self.out.resize((self.out.len() * 2).max(256), 0);
            }
            if self.ends.len() == self.ends_len {
                self.ends.resize((self.ends.len() * 2).max(16), 0);
            }
            let (res, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            input = &input[nin..];
            self.out_len += nout;
            self.ends_len += nend;
            match res {
                R::InputEmpty => {
                    self.open = true;
                    return Ok(());
                }
                R::OutputFull | R::OutputEndsFull => {}
                R::Record => {
                    self.open = false;
                    let fields = self.fields()?;
                    self.row(fields)?;
                }
                R::End => return Ok(()),
            }
        }
    }

    /// The fields of the row just completed, as text.
    fn fields(&mut self) -> Result<Vec<String>, ScriptError> {
        let mut start = 0;
        let mut fields = Vec::with_capacity(self.ends_len);
        for &end in &self.ends[..self.ends_len] {
            let text = std::str::from_utf8(&self.out[start..end]).map_err(|_| {
                ScriptError::new("UnicodeError", "csv.rows(): a row is not valid UTF-8")
            })?;
            fields.push(text.to_owned());
            start = end;
        }
        self.out_len = 0;
        self.ends_len = 0;
        Ok(fields)
    }

    fn row(&mut self, fields: Vec<String>) -> Result<(), ScriptError> {
        match &mut self.header {
            // `DictReader` skips empty rows, the header's too.
            Some(_) if fields.is_empty() => {}
            Some(names) if names.is_empty() => *names = fields,
            _ => self.cut.push_back(fields),
        }
        Ok(())
    }

    /// The next row if one is cut, `nil` past the end.
    fn take(&mut self) -> Option<Value> {
        match self.cut.pop_front() {
            Some(fields) => Some(match &self.header {
                Some(names) => record(names, fields),
                None => row_value(fields),
            }),
            None => self.ended.then_some(Value::Nil),
        }
    }
}

/// `csv.rows(source)`: its rows, for `for await`.
struct Rows {
    source: Value,
    state: Rc<RefCell<State>>,
}

impl NativeObject for Rows {
    fn type_name(&self) -> &'static str {
        "csv rows"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || "csv.rows().next".into())
    }
    fn repr(&self) -> String {
        format!("<csv.rows({})>", self.source.repr())
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

/// The source's next item without waiting, if it has one.
fn source_ready(ctx: &mut NativeCtx<'_>, source: &Value) -> Option<NativeResult> {
    source.as_stream().and_then(|s| s.ready(ctx))
}

/// A future of the source's next item.
fn source_next(ctx: &mut NativeCtx<'_>, source: &Value) -> Result<NativeFuture, ScriptError> {
    let s = source.as_stream().expect("checked by csv.rows");
    Ok(match s.ready(ctx) {
        Some(r) => Box::pin(std::future::ready(r)),
        None => s.wait(ctx)?,
    })
}

/// `item` fed to the state, and the row (or end) it completed, if any.
fn feed_and_take(state: &RefCell<State>, item: &Value) -> Result<Option<Value>, ScriptError> {
    let mut s = state.borrow_mut();
    s.feed(item)?;
    Ok(s.take())
}

impl NativeStream for Rows {
    fn ready(&self, ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        let mut state = self.state.borrow_mut();
        loop {
            if let Some(v) = state.take() {
                return Some(Ok(v));
            }
            match source_ready(ctx, &self.source)? {
                Ok(item) => {
                    if let Err(e) = state.feed(&item) {
                        return Some(Err(e));
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn wait(&self, ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let first = source_next(ctx, &self.source)?;
        let caller = ctx.caller();
        let (source, state) = (self.source.clone(), self.state.clone());
        Ok(Box::pin(async move {
            let mut next = first;
            loop {
                let item = next.await?;
                if let Some(v) = feed_and_take(&state, &item)? {
                    return Ok(v);
                }
                // The row goes on: the source's next item, asked for on
                // the loop (dropped unread if this read is cancelled).
                let ask = source.clone();
                next = caller.on_loop(move |ctx| source_next(ctx, &ask)).await??;
            }
        }))
    }

    fn close(&self, ctx: &mut NativeCtx<'_>) {
        if let Some(s) = self.source.as_stream() {
            s.close(ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::csv::read_rows;
    use super::*;

    fn engine() -> State {
        State {
            reader: csv_core::Reader::new(),
            ..State::default()
        }
    }

    fn drain(s: &mut State) -> Vec<Vec<String>> {
        s.cut.drain(..).collect()
    }

    const TEXT: &str = "name,note\nada,\"two\nlines, é\"\n\n\"say \"\"hi\"\"\",x,extra\n\nlast,ü";

    /// Bytes pieces cut at every place (inside a quoted field, between the
    /// bytes of `é`, at a line end) give the rows `csv.parse` gives.
    #[test]
    fn pieces_cut_anywhere_give_csv_parse_rows() {
        let whole = read_rows(TEXT, b',', b'"').unwrap();
        assert_eq!(whole.len(), 6);
        let bytes = TEXT.as_bytes();
        for cut in 0..=bytes.len() {
            let mut s = engine();
            let mut rows = Vec::new();
            for piece in [&bytes[..cut], &bytes[cut..]] {
                s.feed(&Value::bytes(piece.to_vec())).unwrap();
                rows.extend(drain(&mut s));
            }
            s.feed(&Value::Nil).unwrap();
            rows.extend(drain(&mut s));
            assert_eq!(rows, whole, "cut at {cut}");
            assert!(matches!(s.take(), Some(Value::Nil)));
        }
    }

    /// Lines (a file's `lines()`) give the same rows, and a row left open
    /// by a line is held until the line that ends it.
    #[test]
    fn lines_give_the_same_rows_and_hold_an_open_row() {
        let mut s = engine();
        let mut rows = Vec::new();
        for line in TEXT.split('\n') {
            s.feed(&Value::str(line)).unwrap();
            if line == "ada,\"two" {
                assert!(s.open && s.cut.is_empty() && s.take().is_none());
            }
            rows.extend(drain(&mut s));
        }
        s.feed(&Value::Nil).unwrap();
        rows.extend(drain(&mut s));
        assert_eq!(rows, read_rows(TEXT, b',', b'"').unwrap());
    }
}
