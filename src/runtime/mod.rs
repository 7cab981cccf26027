//! Values, the evaluator and the builtins, plus the driver that runs the
//! asyncio-faithful loop over them.

pub mod as_completed;
pub mod call;
pub mod callbacks;
pub mod conditions;
pub mod cycles;
pub mod driver;
pub mod error;
pub mod exec;
pub mod format;
pub mod future;
pub mod futures;
pub mod group;
pub mod handle;
pub mod interp;
pub mod interrupt;
pub mod link;
pub mod map_concurrent;
pub mod methods;
pub mod native;
pub mod native_ctx;
pub mod native_fn;
pub mod ops;
pub mod record;
pub mod scopes;
pub mod script_call;
pub mod seq;
pub mod str;
mod str_methods;
pub mod sync_ops;
pub mod sync_state;
pub mod task;
pub mod teardown;
pub mod text_methods;
pub mod value;
pub mod vm;
pub mod waits;
