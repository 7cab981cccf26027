//! Values, the evaluator and the builtins, plus the driver that runs the
//! asyncio-faithful loop over them.

pub mod asyncio;
pub mod budget;
pub mod bytes;
pub mod call;
pub mod cycles;
pub mod driver;
pub mod error;
pub mod exec;
pub mod format;
pub mod growth;
pub mod handle;
pub mod interp;
pub mod interrupt;
pub mod link;
pub mod methods;
pub mod native;
pub mod ops;
pub mod record;
mod record_map;
pub mod seq;
pub mod str;
mod str_methods;
pub mod stream;
pub mod teardown;
pub mod text_methods;
mod text_split;
pub mod tracing;
pub mod value;
pub mod vm;
