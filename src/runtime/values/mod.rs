//! Values: the 16-byte `Value` and what it holds (strings, bytes, records),
//! the operators and methods on them, how they show and how they are
//! formatted. Nothing here runs a task's code: `layers.rs` keeps this
//! folder from importing the evaluator (`vm`), the `driver` and
//! `asyncio` (apart from the asyncio objects `Value` holds).
pub(crate) mod bytes;
pub(crate) mod format;
pub(crate) mod growth;
pub(crate) mod map_table;
pub(crate) mod ops;
pub(crate) mod record;
pub(crate) mod record_map;
pub(crate) mod seq;
pub(crate) mod str;
pub(crate) mod str_methods;
pub(crate) mod teardown;
pub(crate) mod text_methods;
pub(crate) mod text_split;
pub(crate) mod value;
