//! Values: the 16-byte `Value` and what it holds (strings, bytes, records),
//! the operators and methods on them, how they show and how they are
//! formatted. Nothing here runs a task's code: `layers.rs` keeps this
//! folder from importing the evaluator (`vm`), the `driver` and
//! `asyncio` (apart from the asyncio objects `Value` holds).
pub mod bytes;
pub mod format;
pub mod growth;
pub mod ops;
pub mod record;
pub mod record_map;
pub mod seq;
pub mod str;
pub mod str_methods;
pub mod teardown;
pub mod text_methods;
pub mod text_split;
pub mod value;
