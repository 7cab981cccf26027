//! Builtins over text: `ord` and `chr`. (`str` and `repr` convert any
//! value, so they live in `core.rs`.)

use crate::stdlib::RawFn;
use crate::{Args, NativeCtx, NativeResult, ScriptError, Signature, Value};

/// Registered as a host registers its own (`Engine::register_with`).
pub(super) fn functions() -> Vec<(Signature, RawFn)> {
    vec![
        (Signature::new("ord", &["c"]), ord),
        (Signature::new("chr", &["i"]), chr),
    ]
}

fn ord(_ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let s: String = args.next("c")?;
    args.finish()?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Value::Int(c as i64)),
        _ => Err(ScriptError::type_error(format!(
            "ord() expected a character, but string of length {} found",
            s.chars().count()
        ))),
    }
}

fn chr(_ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let i: i64 = args.next("i")?;
    args.finish()?;
    if !(0..=0x10FFFF).contains(&i) {
        return Err(ScriptError::value_error("chr() arg not in range(0x110000)"));
    }
    // A surrogate is a code point no UTF-8 string can hold (Python's
    // strings can).
    char::from_u32(i as u32)
        .map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
        .ok_or_else(|| {
            ScriptError::value_error(format!("chr({i}) is a surrogate, not a character"))
        })
}
