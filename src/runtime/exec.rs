//! A task's execution state: its value stack, call frames, active `try`
//! handlers and the native coroutine it awaits, if any. Suspending a task
//! is just keeping this struct.

use super::native::NativeCoro;
use super::value::Value;
use crate::compile::code::Closure;
use smallvec::SmallVec;
use std::rc::Rc;

pub enum FrameKind {
    /// A plain call: the result goes to the caller.
    Call,
    /// A plain call under `await`: the caller awaits the result.
    AwaitResult,
    /// A plain call under `spawn`: the result is spawned as a task.
    SpawnResult,
    /// An awaited coroutine running inside the awaiting task.
    Inline,
    /// The task's own coroutine: returning ends the task.
    Root,
}

/// 24 bytes: frames are pushed on every call and kept by every suspended
/// task, so positions are `u32` (stacks never get near 4G values).
pub struct Frame {
    pub closure: Rc<Closure>,
    pub ip: u32,
    /// Stack index of the first parameter.
    pub base: u32,
    /// Stack height to cut back to when the frame returns.
    pub ret_to: u32,
    pub kind: FrameKind,
}

pub struct Handler {
    pub frame: usize,
    pub target: usize,
    pub sp: usize,
}

/// The active `try` handlers, boxed on first use: most tasks never enter a
/// `try`, and every task record pays for what an empty list costs.
// One word in the task record instead of a `Vec`'s three.
#[allow(clippy::box_collection)]
#[derive(Default)]
pub struct Handlers(Option<Box<Vec<Handler>>>);

impl Handlers {
    pub fn last(&self) -> Option<&Handler> {
        self.0.as_ref().and_then(|v| v.last())
    }
    pub fn pop(&mut self) -> Option<Handler> {
        self.0.as_mut().and_then(|v| v.pop())
    }
    pub fn push(&mut self, h: Handler) {
        self.0.get_or_insert_with(Default::default).push(h);
    }
}

#[derive(Default)]
pub struct Exec {
    pub stack: Vec<Value>,
    /// Room for one frame inline: a task at rest usually has just its root
    /// frame, and that saves it an allocation.
    pub frames: SmallVec<[Frame; 1]>,
    pub handlers: Handlers,
    /// A native coroutine (`sleep`, `wait_for`, a lock's wait, ...) awaited
    /// by the top frame. Natives run no script code, so there is at most
    /// one and it is always on top.
    pub native: Option<Box<NativeCoro>>,
}

impl Exec {
    /// Pushes without materialising the value first: with the capacity
    /// check ahead of the write, the compiler builds the value in its slot
    /// (a plain `Vec::push` staged it on the native stack and copied it,
    /// stalling store forwarding on every push).
    #[inline(always)]
    pub fn push(&mut self, v: Value) {
        let len = self.stack.len();
        if len == self.stack.capacity() {
            self.grow();
        }
        // SAFETY: `len < capacity` after the check above.
        unsafe {
            self.stack.as_mut_ptr().add(len).write(v);
            self.stack.set_len(len + 1);
        }
    }

    /// An int built in its slot (see [`Exec::push`]).
    #[inline(always)]
    pub fn push_int(&mut self, n: i64) {
        let len = self.stack.len();
        if len == self.stack.capacity() {
            self.grow();
        }
        // SAFETY: `len < capacity` after the check above.
        unsafe {
            self.stack.as_mut_ptr().add(len).write(Value::Int(n));
            self.stack.set_len(len + 1);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        self.stack.reserve(self.stack.len().max(4));
    }

    pub fn top_is_native(&self) -> bool {
        self.native.is_some()
    }
}
#[cfg(test)]
mod sizes {
    use std::mem::size_of;

    /// Every call pushes a frame and every blocked task keeps its frames,
    /// values and task record: growth here costs speed and memory (W6).
    #[test]
    fn hot_structures_stay_small() {
        assert_eq!(size_of::<super::Frame>(), 24);
        assert_eq!(size_of::<super::Value>(), 16);
        assert_eq!(size_of::<crate::compile::code::Op>(), 16);
        // 216 + the `Rc` counts + malloc's header fit a 240-byte block.
        assert!(size_of::<crate::scheduler::task::Task>() <= 216);
        assert!(size_of::<crate::runtime::native::NativeCoro>() <= 24);
    }
}
