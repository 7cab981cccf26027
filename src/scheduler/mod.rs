//! The asyncio-faithful scheduler's data: the event loop (ready queue,
//! timers, clocks), futures, tasks and the synchronisation primitives.
//! Knows nothing of syntax.

pub mod callbacks;
pub mod clock;
pub mod event_loop;
pub mod future;
pub mod ops;
pub mod registry;
pub mod sync;
pub mod task;
pub mod timers;
