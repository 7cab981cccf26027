//! asyncio's objects on the loop: tasks and futures, the native
//! coroutines (`sleep`, `wait_for`, `race`, the waits of the primitives),
//! queues, locks, events, semaphores, conditions and barriers, `group`,
//! `gather`/`shield`/`wait`/`as_completed`, `map_concurrent`, `retry`, the
//! loop callbacks and `timeout()` scopes, and the live task tree. Each
//! follows CPython 3.11's implementation step for step; what they use of
//! the interpreter is the loop and the current task.

pub mod as_completed;
pub mod callbacks;
pub mod conditions;
pub mod coro;
pub mod future;
pub mod futures;
pub mod group;
pub mod map_concurrent;
pub mod retry;
pub mod scopes;
mod sync_methods;
pub mod sync_ops;
pub mod sync_state;
pub mod task;
pub mod tree;
pub mod waits;
