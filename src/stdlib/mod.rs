//! The standard library's native modules, on the same registration API an
//! embedding host uses ([`crate::Module`]): one file per module.

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

use crate::compile::names::Natives;
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::link::NativeTable;

/// Every module and top-level native function scripts get without an import.
pub(crate) fn install(names: &mut Natives, natives: &mut NativeTable) {
    for m in [
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
    ] {
        m.install(names, natives);
    }
    // The builtins first, so that a host's function of the same name
    // replaces one.
    let top_level = builtins::functions()
        .into_iter()
        .chain(stdio::functions())
        .chain([bytes::builtin()]);
    for f in top_level {
        natives.add_function(names, f.name.clone(), f);
    }
}

/// `json.parse(text)` and `json.stringify(value, indent: nil)`: no
/// permission needed.
fn json_module() -> crate::runtime::native::module::Module {
    use crate::runtime::native::function::NativeFn;
    use crate::runtime::values::value::Value;
    crate::runtime::native::module::Module::new("json")
        .native(NativeFn::sync("json.parse", |_ctx, mut args| {
            let text: String = args.next("text")?;
            args.finish()?;
            json::parse(&text).map_err(|e| ErrorObj::new("JsonError", e.to_string()))
        }))
        .native(NativeFn::sync("json.stringify", |_ctx, mut args| {
            let v: Value = args.next("value")?;
            let indent: Option<i64> = args.named("indent")?;
            args.finish()?;
            json::stringify(&v, indent.map(|i| i.max(0) as usize))
                .map(|s| Value::str(&s))
                .map_err(|e| ErrorObj::new(e.kind(), e.to_string()))
        }))
}

/// A refused permission as the script sees it: a `NotCapableError` whose
/// message names the flag that would allow the access.
pub(crate) fn not_capable(d: crate::permissions::Denied) -> ErrorRef {
    ErrorObj::new("NotCapableError", d.to_string())
}
