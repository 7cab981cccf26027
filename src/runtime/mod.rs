//! Values, the evaluator and the builtins, plus the driver that runs the
//! asyncio-faithful loop over them.

pub(crate) mod asyncio;
pub(crate) mod budget;
pub(crate) mod builtins;
pub(crate) mod call;
pub(crate) mod cycles;
pub(crate) mod driver;
pub(crate) mod error;
pub(crate) mod exec;
pub(crate) mod handle;
pub(crate) mod interp;
pub(crate) mod interrupt;
pub(crate) mod link;
pub(crate) mod methods;
pub(crate) mod native;
pub(crate) mod stream;
pub(crate) mod tracing;
pub(crate) mod values;
pub(crate) mod vm;
