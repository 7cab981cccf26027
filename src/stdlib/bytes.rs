//! The `bytes` module (`bytes.from_hex(s)`), beside the `bytes` builtin
//! (`bytes(x)`, `bytes(s, encoding)`, the runtime's, `runtime/builtins/`):
//! a name is both, as Python's `bytes` type is callable and has
//! `bytes.fromhex`. Bytes themselves (repr, methods, codecs) are in
//! `runtime::values::bytes`.

use crate::{Module, ScriptError, Value};

pub(crate) fn module() -> Module {
    Module::new("bytes").raw("from_hex", |_ctx, mut args| {
        let text: String = args.next("s")?;
        args.finish()?;
        Value::from_hex(&text)
    })
}

/// A data argument: bytes, or text as its UTF-8 (what the codecs, the
/// hashes and the writers take).
pub(crate) fn data_arg<'a>(
    fname: &str,
    param: &str,
    v: &'a Value,
) -> Result<std::borrow::Cow<'a, [u8]>, ScriptError> {
    match v {
        Value::Bytes(b) => Ok(std::borrow::Cow::Borrowed(&b[..])),
        Value::Str(s) => Ok(std::borrow::Cow::Owned(s.as_bytes().to_vec())),
        other => Err(ScriptError::type_error(format!(
            "{fname}() argument `{param}` must be bytes or a str, not `{}`",
            other.type_name()
        ))),
    }
}
