//! A task's execution state: its value stack, call frames, active `try`
//! handlers and the native coroutine it awaits, if any. A suspended task
//! keeps it in the compact [`Suspended`] form.

use super::asyncio::coro::NativeCoro;
use super::values::value::Value;
use crate::runtime::link::Closure;
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
/// `try`, and every task record pays for what an empty list costs (one
/// word here instead of a `Vec`'s three).
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
    pub frames: Vec<Frame>,
    pub handlers: Handlers,
    /// A native coroutine (`sleep`, `wait_for`, a lock's wait, ...) awaited
    /// by the top frame. Natives run no script code, so there is at most
    /// one and it is always on top.
    pub native: Option<Box<NativeCoro>>,
}

/// A suspended task's state, as the task keeps it. The frames sit inline
/// while there is just one (a task at rest usually has only its root
/// frame), which saves every such task an allocation; while the task runs
/// they are in a plain `Vec` borrowed from [`FrameBufs`], which the
/// evaluator indexes without the inline-or-heap test on every access.
pub struct Suspended {
    stack: Vec<Value>,
    frames: SmallVec<[Frame; 1]>,
    handlers: Handlers,
    native: Option<Box<NativeCoro>>,
}

/// Emptied frame vectors, reused from one running task to the next.
#[derive(Default)]
pub struct FrameBufs(Vec<Vec<Frame>>);

impl FrameBufs {
    /// Only so many running execs nest (a callback inside a step); more
    /// spare vectors than that would only hold memory.
    const KEEP: usize = 8;

    pub fn take(&mut self) -> Vec<Frame> {
        self.0.pop().unwrap_or_default()
    }

    pub fn give(&mut self, mut v: Vec<Frame>) {
        // A task that threw before it started still holds its root frame.
        v.clear();
        if self.0.len() < Self::KEEP {
            self.0.push(v);
        }
    }
}

impl Exec {
    pub fn suspend(mut self, bufs: &mut FrameBufs) -> Suspended {
        let frames = if self.frames.len() > 1 {
            // Deeper tasks keep the vector itself (no copy).
            SmallVec::from_vec(self.frames)
        } else {
            let mut frames = SmallVec::new();
            if let Some(f) = self.frames.pop() {
                frames.push(f);
            }
            bufs.give(self.frames);
            frames
        };
        Suspended {
            stack: self.stack,
            frames,
            handlers: self.handlers,
            native: self.native,
        }
    }
}

impl Suspended {
    /// The native coroutine the task waits in, if any (what it waits on).
    pub fn native(&self) -> Option<&NativeCoro> {
        self.native.as_deref()
    }
    /// The cells its frames hold (see `runtime::cycles`).
    pub fn cells(&self) -> Vec<std::rc::Rc<std::cell::RefCell<Value>>> {
        super::cycles::cells_in(&self.stack)
    }

    pub fn resume(self, bufs: &mut FrameBufs) -> Exec {
        let frames = if self.frames.spilled() {
            self.frames.into_vec()
        } else {
            // Inline means at most one frame: pushed as it is (an `extend`
            // from the small vector's iterator was compiled as a generic
            // loop in some builds, a third of this function's cost).
            let mut frames = bufs.take();
            let mut inline = self.frames;
            if let Some(f) = inline.pop() {
                frames.push(f);
            }
            frames
        };
        Exec {
            stack: self.stack,
            frames,
            handlers: self.handlers,
            native: self.native,
        }
    }
}

impl Exec {
    /// Pushes without materialising the value first: with the capacity
    /// check ahead of the write, the compiler builds the value in its slot
    /// (a plain `Vec::push` staged it on the native stack and copied it,
    /// stalling store forwarding on every push).
    #[inline(always)]
    pub fn push(&mut self, v: Value) {
        let (slot, len) = self.next_slot();
        // SAFETY: `next_slot` made room.
        unsafe {
            slot.write(v);
            self.commit(len);
        }
    }

    /// An int built in its slot (see [`Exec::push`]).
    #[inline(always)]
    pub fn push_int(&mut self, n: i64) {
        let (slot, len) = self.next_slot();
        // SAFETY: `next_slot` made room.
        unsafe {
            slot.write(Value::Int(n));
            self.commit(len);
        }
    }

    /// `nil` built in its slot: a constant `Value::Nil` argument is staged
    /// in a temporary like any other.
    #[inline(always)]
    pub fn push_nil(&mut self) {
        let (slot, len) = self.next_slot();
        // SAFETY: `next_slot` made room.
        unsafe {
            slot.write(Value::Nil);
            self.commit(len);
        }
    }

    /// Room for one more value: its slot, past the end, and the length
    /// now. Writing straight into the slot after this check is what builds
    /// a value in place.
    #[inline(always)]
    fn next_slot(&mut self) -> (*mut Value, usize) {
        let len = self.stack.len();
        if len == self.stack.capacity() {
            self.grow();
        }
        // SAFETY: `len < capacity` after the check above.
        (unsafe { self.stack.as_mut_ptr().add(len) }, len)
    }

    /// Counts the value just written into [`Exec::next_slot`]; `len` is
    /// what it returned (passed back, not reloaded: the write through a raw
    /// pointer could, for all the compiler knows, have changed it).
    ///
    /// # Safety
    /// That slot must hold a valid value.
    #[inline(always)]
    unsafe fn commit(&mut self, len: usize) {
        // SAFETY: the caller wrote a valid value into slot `len`, which is
        // within the capacity `next_slot` made room for.
        unsafe { self.stack.set_len(len + 1) };
    }

    /// Drops the top value, without reading it whole when it owns nothing
    /// (it was most likely just pushed, with narrower stores).
    #[inline(always)]
    pub fn discard(&mut self) {
        let len = self.stack.len();
        match self.stack.last() {
            Some(Value::Nil | Value::Int(_) | Value::Bool(_) | Value::Float(_)) => {
                // SAFETY: the top value owns nothing.
                unsafe { self.stack.set_len(len - 1) }
            }
            Some(_) => {
                // SAFETY: the top value is forgotten by the stack first,
                // then dropped once where it lies.
                unsafe {
                    self.stack.set_len(len - 1);
                    drop_value_at(self.stack.as_mut_ptr().add(len - 1));
                }
            }
            None => {}
        }
    }

    /// `stack.truncate(to)`, each value dropped with [`drop_value_at`]
    /// (a string's, list's, map's or function's count let go in line).
    #[inline(always)]
    pub fn cut(&mut self, to: usize) {
        while self.stack.len() > to {
            self.discard();
        }
    }

    /// Pushes a copy of a value that does not live on this stack (a
    /// constant, a global), built in its slot like [`Exec::push`].
    #[inline(always)]
    pub fn push_copy(&mut self, v: &Value) {
        let (slot, len) = self.next_slot();
        // SAFETY: `next_slot` made room; `v` is not in this stack (the
        // caller's contract), so growing did not move it.
        unsafe {
            copy_value(v, slot);
            self.commit(len);
        }
    }

    /// Pushes a copy of the value in stack slot `i` (a local), built in its
    /// slot like [`Exec::push_copy`].
    #[inline(always)]
    pub fn push_local(&mut self, i: usize) {
        assert!(i < self.stack.len(), "local slot out of range");
        let (slot, len) = self.next_slot();
        // SAFETY: `i < len`; the source is taken after any growth, and the
        // slots differ.
        unsafe {
            copy_value(self.stack.as_ptr().add(i), slot);
            self.commit(len);
        }
    }

    /// Pushes a value just returned by a call: rebuilt in its slot when it
    /// owns nothing, which reads it back field by field instead of with
    /// one wide load that would wait on the callee's narrower stores.
    #[inline(always)]
    pub fn push_result(&mut self, v: Value) {
        match v {
            Value::Int(n) => self.push_int(n),
            Value::Nil => self.push_nil(),
            Value::Bool(b) => self.push(Value::Bool(b)),
            other => self.push(other),
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
/// Writes a clone of `*src` into `dst` without a temporary: values that own
/// nothing are copied field by field; a function, list, string or map is
/// the same bits plus one reference count, copied from where it has long
/// been; the rest are cloned out of line.
///
/// A test and a small `match` rather than one `match` of every variant:
/// that one compiled to a jump table on the variant for every copy, ints
/// included (an indirect branch on each read of a local); this is a
/// compare for the plain values and a short chain for the counted ones
/// (callgrind: closures -1.1 %, spectral_norm -1.8 %, objects -1.0 %,
/// fib +0.4 %; fewer mispredicted branches in cachegrind's model).
///
/// # Safety
/// `src` is a valid value; `dst` is writable, does not overlap it, and holds
/// nothing that needs dropping.
#[inline(always)]
unsafe fn copy_value(src: *const Value, dst: *mut Value) {
    // SAFETY: the caller promises `src` is valid and `dst` writable, not
    // overlapping and holding nothing to drop. Each way writes one whole
    // value: plain data as it lies; an `Rc` or a `Str`, whose clone is
    // the same bits plus one count, as its bits after taking the count;
    // anything else as its clone.
    unsafe {
        let v = &*src;
        if matches!(
            v,
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Nil
        ) {
            copy_fields(src, dst);
            return;
        }
        match v {
            Value::Func(f) => std::mem::forget(f.clone()),
            Value::List(l) => std::mem::forget(l.clone()),
            Value::Str(s) => std::mem::forget(s.clone()),
            Value::Map(m) => std::mem::forget(m.clone()),
            _ => return clone_into(v, dst),
        }
        copy_fields(src, dst);
    }
}

/// [`copy_value`] of a value seldom copied on the evaluator's stack (a
/// task, a lock, a record, ...): its clone, out of line.
///
/// # Safety
/// `dst` is writable and holds nothing that needs dropping.
#[inline(never)]
unsafe fn clone_into(v: &Value, dst: *mut Value) {
    // SAFETY: the caller's promise about `dst`.
    unsafe { dst.write(v.clone()) }
}

/// Moves the value at `src` to `dst` field by field: its variant and a
/// `bool`'s payload as the bytes they are, any other payload as the one
/// word it is, each forwarded from the narrower stores that most likely
/// wrote it a moment ago (a value moved whole, as one wide load, would
/// wait for them to land: see [`Exec::push`]).
///
/// The same three copies for every variant, which `Value`'s `repr(u8)`
/// layout allows (the variant in byte 0, a `bool` in byte 1, every other
/// payload one word at offset 8): a `match` on the variant compiled to a
/// jump table, an indirect branch on every return and every item pushed.
///
/// # Safety
/// `src` is a valid value that the caller forgets (it is moved, not
/// copied); `dst` is writable and holds nothing that needs dropping. They
/// may be the same slot.
#[inline(always)]
pub(crate) unsafe fn move_value(src: *const Value, dst: *mut Value) {
    // SAFETY: the caller's promises; it forgets `src`, so ownership
    // moves, it is not duplicated.
    unsafe { copy_fields(src, dst) }
}

/// The bytes of the value at `src` written over `dst` as [`move_value`]
/// copies them, field by field. [`copy_value`] copies this way too: as
/// one 16-byte load, the copy of a local just written (the loop variable
/// `IterNextLocal` stored a moment before, read by the call's argument)
/// waited for the two narrower stores to land, a store-forwarding stall
/// on every read of such a local; `perf` put a fifth of closures' samples
/// on those copies.
///
/// # Safety
/// `src` and `dst` each point to a `Value`'s 16 bytes, `src` readable and
/// `dst` writable; they may be the same slot. Ownership is the caller's
/// business: this copies bits.
#[inline(always)]
unsafe fn copy_fields(src: *const Value, dst: *mut Value) {
    use std::mem::MaybeUninit;
    // SAFETY: both point to 16 writable or readable bytes (a `Value`).
    // The copies go through `MaybeUninit`, so padding (the bytes a
    // variant does not use) is copied as it is, never read as a value.
    // After them `dst` holds the bytes that make up `src`'s variant and
    // payload (see `layout_of_a_value_is_what_move_value_copies`).
    unsafe {
        let s = src.cast::<MaybeUninit<u8>>();
        let d = dst.cast::<MaybeUninit<u8>>();
        let word = s.add(8).cast::<MaybeUninit<u64>>().read();
        let (tag, byte) = (s.read(), s.add(1).read());
        d.write(tag);
        d.add(1).write(byte);
        d.add(8).cast::<MaybeUninit<u64>>().write(word);
    }
}

/// Drops the value at `p` in place, the count of a string, list, map or
/// function let go in line (the out-of-line `drop_in_place::<Value>`
/// matched on every variant: about 15 instructions more a drop, and the
/// loop drops a value for most instructions that consume one).
///
/// # Safety
/// `p` holds a live value that nothing reads or drops afterwards.
#[inline(always)]
pub(crate) unsafe fn drop_value_at(p: *mut Value) {
    // SAFETY: the caller's contract: each arm drops the value's payload
    // once.
    unsafe {
        match &mut *p {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Nil => {}
            Value::Str(s) => std::ptr::drop_in_place(s),
            Value::List(l) => std::ptr::drop_in_place(l),
            Value::Map(m) => std::ptr::drop_in_place(m),
            Value::Func(f) => std::ptr::drop_in_place(f),
            _ => std::ptr::drop_in_place(p),
        }
    }
}

/// Drops `v` as [`drop_value_at`] does.
#[inline(always)]
pub(crate) fn drop_value(v: Value) {
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: `v` is dropped once, here, and never again (ManuallyDrop).
    unsafe { drop_value_at(&mut *v) }
}

#[cfg(test)]
mod sizes {
    use std::mem::size_of;

    /// `move_value` copies byte 0 (the variant), byte 1 (a `bool`) and the
    /// word at offset 8 (any other payload): each kind of payload moves
    /// whole and comes out equal.
    #[test]
    fn layout_of_a_value_is_what_move_value_copies() {
        use super::{move_value, Value};
        use std::mem::MaybeUninit;
        let values = [
            Value::Nil,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0x1122_3344_5566_7788),
            Value::Int(-1),
            Value::Float(-2.5),
            Value::Str("a string longer than a word".into()),
            Value::Str("short".into()),
            Value::Uninit,
        ];
        for v in values {
            let before = v.repr();
            let src = MaybeUninit::new(v);
            let mut dst = MaybeUninit::<Value>::uninit();
            // SAFETY: `src` holds a value, forgotten after the move (it
            // is a `MaybeUninit`); `dst` is writable and empty.
            let moved = unsafe {
                move_value(src.as_ptr(), dst.as_mut_ptr());
                dst.assume_init()
            };
            assert_eq!(moved.repr(), before);
        }
        // The bytes themselves, as `Value`'s doc comment states them.
        let int = Value::Int(0x0102_0304_0506_0708);
        let p = (&int as *const Value).cast::<u8>();
        // SAFETY: a `Value` is 16 bytes; an int's payload is the word at 8.
        let word = unsafe { p.add(8).cast::<i64>().read() };
        assert_eq!(word, 0x0102_0304_0506_0708);
        let yes = Value::Bool(true);
        let p = (&yes as *const Value).cast::<u8>();
        // SAFETY: a bool's payload is byte 1.
        assert_eq!(unsafe { p.add(1).read() }, 1);
    }

    /// Every call pushes a frame and every blocked task keeps its frames,
    /// values and task record: growth here costs speed and memory (W6).
    #[test]
    fn hot_structures_stay_small() {
        assert_eq!(size_of::<super::Frame>(), 24);
        assert_eq!(size_of::<super::Value>(), 16);
        assert_eq!(std::mem::align_of::<super::Value>(), 8);
        assert_eq!(size_of::<crate::compile::code::Op>(), 16);
        // 216 + the `Rc` counts + malloc's header fit a 240-byte block.
        assert!(size_of::<crate::runtime::asyncio::task::Task>() <= 216);
        assert!(size_of::<crate::runtime::asyncio::coro::NativeCoro>() <= 24);
    }
}
