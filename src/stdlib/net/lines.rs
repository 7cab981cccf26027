//! `s.lines()`: a TCP stream's lines for `for await`, read from the same
//! buffer (and the same half-read line) as `s.read_line()`.

use super::{line_value, read_line, StreamInner};
use crate::{
    Args, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError, Value,
};
use futures_lite::io::AsyncBufReadExt;
use std::rc::Rc;

pub(super) struct StreamLines(pub(super) Rc<StreamInner>);

impl NativeObject for StreamLines {
    fn type_name(&self) -> &'static str {
        "lines"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || {
            format!("stream({}).lines()", self.0.peer)
        })
    }
    fn repr(&self) -> String {
        format!("<stream({}).lines()>", self.0.peer)
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for StreamLines {
    /// A whole line already in the buffer, taken without a wait.
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        if self.0.closed.get() {
            return Some(Ok(Value::Nil));
        }
        let mut reader = self.0.reader.try_lock()?;
        let buf = reader.buffer();
        let i = memchr::memchr(b'\n', buf)?;
        let mut partial = self.0.partial.borrow_mut();
        partial.extend_from_slice(&buf[..=i]);
        reader.consume(i + 1);
        Some(Ok(line_value(std::mem::take(&mut *partial))))
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let inner = self.0.clone();
        Ok(Box::pin(async move { read_line(&inner).await }))
    }
}
