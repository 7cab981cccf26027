//! asyncio's objects on the loop: tasks and futures, the native
//! coroutines (`sleep`, `wait_for`, `race`, the waits of the primitives),
//! queues, locks, events, semaphores, conditions and barriers, `group`,
//! `gather`/`shield`/`wait`/`as_completed`, `map_concurrent`, `retry`, the
//! loop callbacks and `timeout()` scopes, and the live task tree. Each
//! follows CPython 3.11's implementation step for step; what they use of
//! the interpreter is the loop and the current task.

pub(crate) mod as_completed;
pub(crate) mod callbacks;
pub(crate) mod conditions;
pub(crate) mod coro;
pub(crate) mod future;
pub(crate) mod futures;
pub(crate) mod group;
pub(crate) mod map_concurrent;
pub(crate) mod retry;
pub(crate) mod scopes;
mod sync_methods;
pub(crate) mod sync_ops;
pub(crate) mod sync_state;
pub(crate) mod task;
pub(crate) mod tree;
pub(crate) mod waits;
