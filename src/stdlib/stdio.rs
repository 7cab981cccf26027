//! Standard input and error, and `exit`: `eprint(...)`, `exit(code)`,
//! `await stdin.read_line()`, `await stdin.read_text()`, and
//! `for await line in stdin.lines()`.

use super::lines::Line;
use super::stdin::Got;
use crate::{
    Args, Module, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream, ScriptError,
    Value,
};

/// `eprint(...)`: `print` to standard error.
pub(crate) fn eprint(ctx: &mut NativeCtx<'_>, args: Args) -> NativeResult {
    let line = print_line(args)?;
    ctx.eprint(&line);
    Ok(Value::Nil)
}

/// `exit(code)`: the program ends with that status.
pub(crate) fn exit(_ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let code: Option<i64> = args.next_opt("code")?;
    args.finish()?;
    let code = code.unwrap_or(0);
    if !(0..=255).contains(&code) {
        return Err(ScriptError::new(
            "ValueError",
            format!("exit status must be 0 to 255, not {code}"),
        ));
    }
    // The message is the status, as Python's `SystemExit(3)` prints `3`.
    Err(ScriptError::exit(code as i32))
}

/// `print`'s arguments (`sep:`, `end:`) made into the text it writes.
fn print_line(mut args: Args) -> Result<String, ScriptError> {
    let mut items = Vec::new();
    for v in args.rest() {
        items.push(v.try_display()?);
    }
    let sep: Option<Value> = args.named("sep")?;
    let end: Option<Value> = args.named("end")?;
    args.finish()?;
    let sep = sep.map_or(" ".to_string(), |v| v.to_display());
    let end = end.map_or("\n".to_string(), |v| v.to_display());
    Ok(items.join(&sep) + &end)
}

pub(crate) fn stdin_module() -> Module {
    Module::new("stdin")
        .object::<StdinLines>()
        .raw("lines", |_ctx, args| {
            args.finish()?;
            Ok(Value::object(StdinLines))
        })
        .raw_boxed("read_line", |_ctx, args| {
            args.finish()?;
            Ok(Box::pin(async {
                match super::stdin::read_line().await {
                    Ok(Line::Text(bytes)) => text_value(bytes),
                    Ok(Line::End) => Ok(Value::Nil),
                    Ok(Line::TooLong) => Err(too_long()),
                    Err(e) => Err(stdin_error(&e)),
                }
            }) as NativeFuture)
        })
        .raw_boxed("read_text", |_ctx, args| {
            args.finish()?;
            Ok(Box::pin(async {
                match super::stdin::read_all().await {
                    Ok(bytes) => text_value(bytes),
                    Err(e) => Err(stdin_error(&e)),
                }
            }) as NativeFuture)
        })
}

/// `stdin.lines()`: standard input's lines for `for await`, read from the
/// process's one buffer (so other readers and the stream share it).
struct StdinLines;

impl NativeObject for StdinLines {
    fn type_name(&self) -> &'static str {
        "lines"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || "stdin.lines().next".into())
    }
    fn repr(&self) -> String {
        "<stdin.lines()>".into()
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for StdinLines {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        super::stdin::poll_line(line_value).map(got_value)
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        Ok(Box::pin(async {
            got_value(super::stdin::read_line_with(line_value).await)
        }))
    }
}

/// A line's bytes as text, straight from the buffer.
fn line_value(bytes: &[u8]) -> NativeResult {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Value::str(s)),
        Err(_) => Err(ScriptError::new(
            "UnicodeError",
            "standard input is not valid UTF-8",
        )),
    }
}

fn got_value(got: std::io::Result<Got<NativeResult>>) -> NativeResult {
    match got {
        Ok(Got::Line(v)) => v,
        Ok(Got::End) => Ok(Value::Nil),
        Ok(Got::TooLong) => Err(too_long()),
        Err(e) => Err(stdin_error(&e)),
    }
}

fn too_long() -> ScriptError {
    ScriptError::new(
        "ValueError",
        format!(
            "a line of standard input is longer than {} bytes",
            super::lines::MAX_LINE
        ),
    )
}

/// Text read from standard input: strict UTF-8, as Python's `sys.stdin`.
fn text_value(bytes: Vec<u8>) -> Result<Value, ScriptError> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Value::str(&s)),
        Err(_) => Err(ScriptError::new(
            "UnicodeError",
            "standard input is not valid UTF-8",
        )),
    }
}

fn stdin_error(e: &std::io::Error) -> ScriptError {
    if e.kind() == std::io::ErrorKind::OutOfMemory {
        return ScriptError::new("MemoryError", e.to_string()).with_help(
            "read standard input a line at a time, or raise the limit with --max-memory",
        );
    }
    ScriptError::type_error(format!("cannot read standard input: {e}"))
}
