//! Top-level functions written on the host API, by domain: each file's
//! `functions()` is installed as natives scripts call without a module
//! name (`ord("a")`, `map(f, xs)`).

pub(crate) mod collections;
pub(crate) mod text;
