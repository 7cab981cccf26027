//! Values, the evaluator and the builtins, plus the driver that runs the
//! asyncio-faithful loop over them.

pub mod asyncio;
pub mod budget;
pub mod call;
pub mod cycles;
pub mod driver;
pub mod error;
pub mod exec;
pub mod handle;
pub mod interp;
pub mod interrupt;
pub mod link;
pub mod methods;
pub mod native;
pub mod stream;
pub mod tracing;
pub mod values;
pub mod vm;
