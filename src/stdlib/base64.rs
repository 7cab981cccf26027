//! `base64`: `encode(data)` → text, `decode(text)` → bytes, and the
//! URL-safe alphabet's `url_encode`/`url_decode` (Python's `b64encode`,
//! `urlsafe_b64encode`, ...; the encoders return a str, which is what a
//! script puts in a header or a URL). Decoding accepts missing padding.
use crate::{Args, Module, NativeResult, ScriptError, Value};
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Decoders that take the text with or without its `=` padding.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) fn module() -> Module {
    Module::new("base64")
        .raw("encode", |_ctx, args| {
            encode(args, "base64.encode", &STANDARD)
        })
        .raw("url_encode", |_ctx, args| {
            encode(args, "base64.url_encode", &URL_SAFE)
        })
        .raw("decode", |_ctx, args| {
            decode(args, "base64.decode", &STANDARD_LENIENT)
        })
        .raw("url_decode", |_ctx, args| {
            decode(args, "base64.url_decode", &URL_SAFE_LENIENT)
        })
}

fn encode(mut args: Args, fname: &str, engine: &GeneralPurpose) -> NativeResult {
    let data: Value = args.next("data")?;
    args.finish()?;
    let data = super::bytes::data_arg(fname, "data", &data)?;
    Ok(Value::str(&engine.encode(data)))
}

fn decode(mut args: Args, fname: &str, engine: &GeneralPurpose) -> NativeResult {
    let text: Value = args.next("text")?;
    args.finish()?;
    let text = match &text {
        Value::Str(s) => s.as_bytes().to_vec(),
        Value::Bytes(b) => b.to_vec(),
        other => {
            return Err(ScriptError::type_error(format!(
                "{fname}() argument `text` must be a str or bytes, not `{}`",
                other.type_name()
            )))
        }
    };
    // Line breaks are allowed (MIME wraps base64 at 76 columns).
    let text: Vec<u8> = text
        .into_iter()
        .filter(|c| !matches!(c, b'\n' | b'\r'))
        .collect();
    engine
        .decode(&text)
        .map(Value::bytes)
        .map_err(|e| ScriptError::value_error(format!("{fname}(): not base64: {e}")))
}
