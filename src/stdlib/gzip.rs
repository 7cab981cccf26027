//! `gzip`: `compress(data, level = 9)` and `decompress(data)` of whole
//! values, and `open(path, mode)` to read a file as it is decompressed
//! (`gzip_file.rs`) or write one as it is compressed (`gzip_write.rs`), on `flate2` (Python's `gzip.compress`/`decompress`; the header's
//! time is 0, so the same data always compresses to the same bytes).

use crate::{Module, ScriptError, Value};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{Read, Write};

pub(crate) fn module() -> Module {
    Module::new("gzip")
        .object::<super::gzip_file::GzipFile>()
        .object::<super::gzip_file::GzipStream>()
        .object::<super::gzip_write::GzipWriter>()
        .raw_boxed("open", super::gzip_file::open)
        .raw("compress", |_ctx, mut args| {
            let data: Value = args.next("data")?;
            let level: Option<i64> = args.named("level")?;
            args.finish()?;
            let data = super::bytes::data_arg("gzip.compress", "data", &data)?;
            let level = level.unwrap_or(9);
            let level = u32::try_from(level)
                .ok()
                .filter(|l| *l <= 9)
                .ok_or_else(|| {
                    ScriptError::value_error(format!(
                        "gzip.compress() level must be 0..9, not {level}"
                    ))
                })?;
            let mut enc = GzEncoder::new(Vec::new(), Compression::new(level));
            enc.write_all(&data)
                .and_then(|()| enc.finish())
                .map(Value::bytes)
                .map_err(|e| ScriptError::new("OSError", e.to_string()))
        })
        .raw("decompress", |_ctx, mut args| {
            let data: Value = args.next("data")?;
            args.finish()?;
            let data = super::bytes::data_arg("gzip.decompress", "data", &data)?;
            if !data.starts_with(&[0x1f, 0x8b]) {
                let start = Value::bytes(data.iter().take(2).copied().collect()).repr();
                return Err(ScriptError::new(
                    "BadGzipFile",
                    format!("Not a gzipped file ({start})"),
                ));
            }
            let mut out = Vec::new();
            // Every member, as Python's `gzip.decompress` reads them.
            MultiGzDecoder::new(&data[..])
                .read_to_end(&mut out)
                .map(|_| Value::bytes(out))
                .map_err(|e| ScriptError::new("BadGzipFile", format!("not gzip data: {e}")))
        })
}
