//! The standard library's native modules, on the same registration API an
//! embedding host uses ([`Module`]): one file per module.

pub(crate) mod args;
pub(crate) mod base64;
pub(crate) mod builtins;
pub(crate) mod bytes;
pub(crate) mod csv;
pub(crate) mod csv_rows;
pub(crate) mod env;
pub(crate) mod formats;
pub(crate) mod fs;
pub(crate) mod fs_file;
pub(crate) mod fs_glob;
pub(crate) mod fs_ops;
pub(crate) mod fs_temp;
pub(crate) mod fs_walk;
pub(crate) mod fs_write;
pub(crate) mod gzip;
pub(crate) mod gzip_file;
pub(crate) mod gzip_write;
pub(crate) mod hash;
pub(crate) mod http;
pub(crate) mod json;
pub(crate) mod lines;
pub(crate) mod math;
pub(crate) mod net;
pub(crate) mod path;
pub(crate) mod process;
pub(crate) mod process_api;
pub(crate) mod process_pipe;
pub(crate) mod random;
pub(crate) mod re;
pub(crate) mod stdin;
pub(crate) mod stdio;
pub(crate) mod time;
pub(crate) mod toml;
pub(crate) mod urls;
pub(crate) mod yaml;
pub(crate) mod yaml_read;

use crate::{Args, Module, NativeCtx, NativeResult, ScriptError};

/// The modules scripts get without an import, for the engine to register
/// as a host registers its own (`Engine::register_module`).
pub(crate) fn modules() -> Vec<Module> {
    vec![
        env::module(),
        fs::module(),
        path::module(),
        json_module(),
        math::module(),
        random::module(),
        time::module(),
        re::module(),
        process_api::module(),
        http::module(),
        net::module(),
        stdio::stdin_module(),
        bytes::module(),
        base64::module(),
        csv::module(),
        toml::module(),
        yaml::module(),
        urls::module(),
        hash::module(),
        gzip::module(),
        args::module(),
    ]
}

/// A top-level function that takes its arguments itself.
pub(crate) type RawFn = fn(&mut NativeCtx<'_>, Args) -> NativeResult;

/// The top-level functions that are not builtins, for the engine to
/// register as a host registers its own (`Engine::register_raw`).
pub(crate) fn globals() -> [(&'static str, RawFn); 2] {
    [("eprint", stdio::eprint), ("exit", stdio::exit)]
}

/// The builtins registered as a host registers its own, with their
/// [`Signature`](crate::Signature) (`Engine::register_with`).
pub(crate) fn bound_globals() -> Vec<(crate::Signature, RawFn)> {
    builtins::bound()
}

/// `json.parse(text)` and `json.stringify(value, indent: nil)`: no
/// permission needed.
fn json_module() -> Module {
    use crate::Value;
    Module::new("json")
        .raw("parse", |_ctx, mut args| {
            let text: String = args.next("text")?;
            args.finish()?;
            json::parse(&text).map_err(|e| ScriptError::new("JsonError", e.to_string()))
        })
        .raw("stringify", |_ctx, mut args| {
            let v: Value = args.next("value")?;
            let indent: Option<i64> = args.named("indent")?;
            args.finish()?;
            json::stringify(&v, indent.map(|i| i.max(0) as usize))
                .map(|s| Value::str(&s))
                .map_err(|e| ScriptError::new(e.kind(), e.to_string()))
        })
}

/// A refused permission as the script sees it: a `NotCapableError` whose
/// message names the flag that would allow the access.
pub(crate) fn not_capable(d: crate::permissions::Denied) -> ScriptError {
    ScriptError::new("NotCapableError", d.to_string())
}
