//! Standard input and error, and `exit`: `eprint(...)`, `exit(code)`,
//! `await stdin.read_line()`, `await stdin.read_text()`.

use crate::host::Module;
use crate::runtime::error::{type_error, ErrorObj};
use crate::runtime::native_fn::{Args, NativeFn, OpFuture};
use crate::runtime::value::Value;
use std::io::BufRead;

use crate::runtime::error::EXIT_KIND;

pub(crate) fn functions() -> Vec<NativeFn> {
    vec![
        NativeFn::sync("eprint", |ctx, args| {
            let line = print_line(args)?;
            ctx.eprint(&line);
            Ok(Value::Nil)
        }),
        NativeFn::sync("exit", |_ctx, mut args| {
            let code: Option<i64> = args.next_opt("code")?;
            args.finish()?;
            let code = code.unwrap_or(0);
            if !(0..=255).contains(&code) {
                return Err(ErrorObj::new(
                    "ValueError",
                    format!("exit status must be 0 to 255, not {code}"),
                ));
            }
            // The message is the status, as Python's `SystemExit(3)` prints `3`.
            Err(ErrorObj::new(EXIT_KIND, code.to_string()))
        }),
    ]
}

/// `print`'s arguments (`sep:`, `end:`) made into the text it writes.
fn print_line(mut args: Args) -> Result<String, crate::runtime::error::ErrorRef> {
    let mut items = Vec::new();
    for v in args.positional.by_ref() {
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
        .native(NativeFn::asynchronous("stdin.read_line", |_ctx, args| {
            args.finish()?;
            Ok(read_stdin(|input| {
                let mut line = String::new();
                if input.read_line(&mut line)? == 0 {
                    return Ok(None);
                }
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Ok(Some(line))
            }))
        }))
        .native(NativeFn::asynchronous("stdin.read_text", |_ctx, args| {
            args.finish()?;
            Ok(read_stdin(|input| {
                let mut text = String::new();
                std::io::Read::read_to_string(input, &mut text)?;
                Ok(Some(text))
            }))
        }))
}

/// Reads standard input on a blocking thread (a terminal or pipe read
/// cannot be cancelled; dropping the future abandons the read).
fn read_stdin(
    f: impl FnOnce(&mut std::io::StdinLock<'static>) -> std::io::Result<Option<String>> + Send + 'static,
) -> OpFuture {
    // `Value` is not `Send`: the thread hands back plain text (`None` at EOF).
    let work = blocking::unblock(move || f(&mut std::io::stdin().lock()));
    Box::pin(async move {
        match work.await {
            Ok(Some(s)) => Ok(Value::str(&s)),
            Ok(None) => Ok(Value::Nil),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(ErrorObj::new(
                "UnicodeError",
                "standard input is not valid UTF-8",
            )),
            Err(e) => Err(type_error(format!("cannot read standard input: {e}"))),
        }
    })
}
