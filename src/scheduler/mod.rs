//! The loop's machinery, generic over what it schedules: the event loop
//! (ready queue, timers, clock, native operations, the wait), the timer
//! heap, the clocks and the registry of live tasks. It knows nothing of
//! syntax or of the VM: the runtime names its handle, task and result
//! types through [`event_loop::LoopTypes`].

pub(crate) mod clock;
pub(crate) mod event_loop;
pub(crate) mod iteration;
pub(crate) mod ops;
pub(crate) mod registry;
pub(crate) mod timers;
