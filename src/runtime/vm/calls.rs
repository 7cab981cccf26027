//! Calls, returns, awaits and spawns: the ops that switch frames, and the
//! check point (`--max-ops`, memory, Ctrl-C) that every call and backward
//! jump passes.

use super::leaf::{ask, Answer};
use super::{cut_stack, pop, pop_frame_cells, Flow, Regs, Step, Stop};
use crate::runtime::call::SpawnStep;
use crate::runtime::exec::{move_value, Exec, FrameKind};
use crate::runtime::interp::Interp;
use crate::runtime::link::{Closure, FnProto};
use crate::runtime::values::value::Value;
use std::rc::Rc;

impl Interp {
    /// A check point, where a script could run for ever: Ctrl-C and
    /// signals, the operation budget and memory (`limits.rs`). The fast
    /// path is one countdown and one relaxed load (`limits::attention`:
    /// an interrupt or the memory limit, counted in one static).
    #[inline(always)]
    pub(super) fn check(&mut self, ex: &mut Exec, r: &Regs, cost: u64) -> Step {
        if self.countdown <= cost || crate::limits::attention() {
            r.save(ex);
            if let Some(e) = self.check_point(cost) {
                return Err(Stop::Fail(e));
            }
        } else {
            self.countdown -= cost;
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_jump(&mut self, ex: &mut Exec, r: &mut Regs, t: u32) -> Step {
        let back = r.pos().wrapping_sub(t as usize);
        if (back as isize) > 0 {
            self.check(ex, r, back as u64)?;
        }
        r.jump(t);
        Ok(())
    }

    /// Awaits `v` in the running task: an inline coroutine gets a frame,
    /// a pending task or future suspends the loop.
    #[inline(always)]
    fn await_top(&mut self, ex: &mut Exec, r: &mut Regs, v: Value) -> Step {
        match self.await_value(ex, v)? {
            None if ex.frames.len() == r.fi + 1 => Ok(()),
            None => {
                r.reload(ex);
                Ok(())
            }
            Some(flow) => Err(Stop::Exit(flow)),
        }
    }

    /// A call of a global function by name: straight into its frame when
    /// it takes `argc` arguments and is async exactly when awaited (`Ok(true)`);
    /// otherwise the callee goes below its arguments for the general path.
    #[inline(always)]
    fn global_call(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        global: u32,
        argc: usize,
        is_async: bool,
        kind: FrameKind,
    ) -> Result<bool, Stop> {
        self.check(ex, r, 1)?;
        if let Value::Func(c) = &self.globals[global as usize] {
            if c.proto.is_async == is_async && argc == c.proto.params.len() {
                if ex.frames.len() >= self.frames_allowed {
                    return Err(Stop::Fail(self.recursion_error()));
                }
                let at = ex.stack.len() - argc;
                if let Some(v) = ask(&c.proto, &ex.stack[at..], &c.upvals) {
                    leaf_returned(ex, at, v);
                    return Ok(true);
                }
                let c = c.clone();
                let proto: *const FnProto = &*c.proto;
                Self::push_frame_unchecked(ex, c, at, at, kind);
                r.enter_proto(ex, proto, at);
                return Ok(true);
            }
        }
        let callee = self.globals[global as usize].clone();
        if matches!(callee, Value::Uninit) {
            return Err(Stop::Fail(self.name_error(global)));
        }
        ex.stack.insert(ex.stack.len() - argc, callee);
        Ok(false)
    }

    /// `f(args)` with the callee below its arguments. A plain script
    /// function given exactly its parameters (a closure passed around, the
    /// commonest call that is not of a global) gets its frame here: the
    /// callee is moved out of its slot into the frame, which the return
    /// cuts back to anyway, so the call costs no reference count.
    #[inline(always)]
    pub(super) fn op_call(&mut self, ex: &mut Exec, r: &mut Regs, argc: u32) -> Step {
        r.save(ex);
        self.check(ex, r, 1)?;
        let argc = argc as usize;
        let callee_at = ex.stack.len() - argc - 1;
        let slot: *mut Value = &mut ex.stack[callee_at];
        // SAFETY: `slot` is in the stack, which nothing resizes until the
        // frame is pushed.
        if let Value::Func(c) = unsafe { &*slot } {
            let proto: *const FnProto = &*c.proto;
            if argc == c.proto.plain_arity {
                if ex.frames.len() >= self.frames_allowed {
                    return Err(Stop::Fail(self.recursion_error()));
                }
                // SAFETY: the `Rc` is read out of the slot once and the slot
                // is rewritten `Nil` without a drop: the count moves into the
                // frame, or is dropped after a leaf's answer (a `mem::replace`
                // staged the whole value in memory and matched on it again;
                // dropping the slot with the arguments took the general,
                // out-of-line drop, a third of a leaf call's cost).
                let c = unsafe {
                    let c = std::ptr::read(c);
                    slot.write(Value::Nil);
                    c
                };
                if let Some(v) = ask(&c.proto, &ex.stack[callee_at + 1..], &c.upvals) {
                    leaf_returned(ex, callee_at, v);
                    drop(c);
                    return Ok(());
                }
                Self::push_frame_unchecked(ex, c, callee_at + 1, callee_at, FrameKind::Call);
                r.enter_proto(ex, proto, callee_at + 1);
                return Ok(());
            }
        }
        if argc == 1
            && matches!(ex.stack[callee_at], Value::Native(_))
            && self.unary_call(ex, callee_at)?
        {
            return Ok(());
        }
        if self.call_value(ex, argc, None, false)? {
            r.reload(ex);
        }
        Ok(())
    }

    /// `f(args)` with `f` the local in stack slot `at` (`Op::CallLocal`):
    /// a plain script function given exactly its parameters gets its frame
    /// at the first argument (a count on the closure, which stays in its
    /// local); anything else is [`Self::call_local_slow`].
    #[inline(always)]
    pub(super) fn op_call_local(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        at: usize,
        argc: u32,
    ) -> Step {
        r.save(ex);
        self.check(ex, r, 1)?;
        let argc = argc as usize;
        let args_at = ex.stack.len() - argc;
        if let Value::Func(c) = &ex.stack[at] {
            if argc == c.proto.plain_arity {
                if ex.frames.len() >= self.frames_allowed {
                    return Err(Stop::Fail(self.recursion_error()));
                }
                if let Some(v) = ask(&c.proto, &ex.stack[args_at..], &c.upvals) {
                    leaf_returned(ex, args_at, v);
                    return Ok(());
                }
                let c = c.clone();
                let proto: *const FnProto = &*c.proto;
                Self::push_frame_unchecked(ex, c, args_at, args_at, FrameKind::Call);
                r.enter_proto(ex, proto, args_at);
                return Ok(());
            }
        }
        if self.call_local_slow(ex, at, argc)? {
            r.reload(ex);
        }
        Ok(())
    }

    /// [`Self::op_call_local`] as the unfused code ran it: a copy of the
    /// local goes below the arguments and the call is `Call`'s past its
    /// check point (same results, same errors, at the call's span). True
    /// when a frame was pushed.
    #[inline(never)]
    fn call_local_slow(&mut self, ex: &mut Exec, at: usize, argc: usize) -> Result<bool, Stop> {
        let callee = ex.stack[at].clone();
        let callee_at = ex.stack.len() - argc;
        ex.stack.insert(callee_at, callee);
        if argc == 1
            && matches!(ex.stack[callee_at], Value::Native(_))
            && self.unary_call(ex, callee_at)?
        {
            return Ok(false);
        }
        Ok(self.call_value(ex, argc, None, false)?)
    }

    /// `len(x)`, `str(x)`, `int(x)`: a builtin of one argument with a
    /// plain body runs on its argument where it lies, here rather than past
    /// `call_value`'s entry (a frame of 300 bytes and six saved registers
    /// for a call of about 60 instructions). `Ok(false)`: not such a call.
    /// Out of line: in line, it cost plain calls (fib) 1.5 %.
    #[inline(never)]
    fn unary_call(&mut self, ex: &mut Exec, callee_at: usize) -> Result<bool, Stop> {
        let Value::Native(f) = &ex.stack[callee_at] else {
            return Ok(false);
        };
        let Some(body) = f.unary_body() else {
            return Ok(false);
        };
        let v = body(&ex.stack[callee_at + 1])?;
        ex.cut(callee_at);
        ex.push_result(v);
        Ok(true)
    }

    #[inline(always)]
    pub(super) fn op_call_global(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        global: u32,
        argc: u32,
    ) -> Step {
        r.save(ex);
        let argc = argc as usize;
        if self.global_call(ex, r, global, argc, false, FrameKind::Call)? {
            return Ok(());
        }
        if self.call_value(ex, argc, None, false)? {
            r.reload(ex);
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_call_named(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        proto: &FnProto,
        argc: u32,
        names: u32,
    ) -> Step {
        r.save(ex);
        let names = proto.consts[names as usize].clone();
        if self.call_value(ex, argc as usize, Some(&names), false)? {
            r.reload(ex);
        }
        Ok(())
    }

    /// `await f(args)` with the callee below its arguments.
    #[inline(always)]
    pub(super) fn op_call_await(&mut self, ex: &mut Exec, r: &mut Regs, argc: u32) -> Step {
        r.save(ex);
        self.call_await(ex, r, argc as usize)
    }

    #[inline(always)]
    fn call_await(&mut self, ex: &mut Exec, r: &mut Regs, argc: usize) -> Step {
        if let Some(flow) = self.await_sleep_directly(ex, argc) {
            return Err(Stop::Exit(flow));
        }
        if self.call_value(ex, argc, None, true)? {
            r.reload(ex);
            return Ok(());
        }
        let v = pop(ex);
        self.await_top(ex, r, v)
    }

    #[inline(always)]
    pub(super) fn op_call_await_global(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        global: u32,
        argc: u32,
    ) -> Step {
        r.save(ex);
        let argc = argc as usize;
        if self.global_call(ex, r, global, argc, true, FrameKind::Inline)? {
            return Ok(());
        }
        self.call_await(ex, r, argc)
    }

    #[inline(always)]
    pub(super) fn op_await(&mut self, ex: &mut Exec, r: &mut Regs) -> Step {
        r.save(ex);
        let v = pop(ex);
        self.await_top(ex, r, v)
    }

    /// Awaits the top value if it is awaitable (`async with` and `async for`
    /// on objects whose methods may or may not be async).
    #[inline(always)]
    pub(super) fn op_await_maybe(&mut self, ex: &mut Exec, r: &mut Regs) -> Step {
        if matches!(
            ex.stack.last(),
            Some(Value::Coro(_) | Value::Task(_) | Value::Future(_))
        ) {
            r.save(ex);
            let v = pop(ex);
            return self.await_top(ex, r, v);
        }
        Ok(())
    }

    /// `return` of the value on top. A plain call (or an awaited
    /// coroutine run inline) of a frame that made no cells moves the value
    /// straight into the slot it returns to, field by field: popped into a
    /// temporary and pushed back, it was read whole just after the narrower
    /// stores that built it (a store-forwarding stall on every call).
    #[inline(always)]
    pub(super) fn op_return_top(&mut self, ex: &mut Exec, r: &mut Regs) -> Step {
        if !moves_in_place(ex, r) {
            let v = pop(ex);
            return self.op_return(ex, r, v);
        }
        let (to, f) = pop_call_frame(ex);
        let top = ex.stack.len() - 1;
        if to < top {
            // SAFETY: the values below the result are dropped once here
            // and forgotten by the `set_len` below; dropping touches
            // neither the stack nor the frames.
            unsafe { drop_unless_scalars(&mut ex.stack[to..top]) };
            // SAFETY: `to < top < len`; the result moves down into the
            // slot whose value was just dropped, and the stack forgets
            // everything above it.
            unsafe {
                let p = ex.stack.as_mut_ptr();
                move_value(p.add(top), p.add(to));
                ex.stack.set_len(to + 1);
            }
        }
        returned_in_place(ex, r, f);
        Ok(())
    }

    /// `return local`: for a plain call (or an inline await) of a frame
    /// that made no cells, the local moves straight into the slot the call
    /// returns to, as [`Self::op_return_top`] moves the top value;
    /// otherwise [`Self::op_return`].
    #[inline(always)]
    pub(super) fn op_return_local(&mut self, ex: &mut Exec, r: &mut Regs, slot: u32) -> Step {
        let at = r.base + slot as usize;
        // SAFETY: as for every `&*proto`: the frame at `fi` owns it.
        let has_cells = unsafe { (*r.proto).has_cells };
        let n = ex.frames.len();
        if has_cells
            || n < 2
            || !matches!(ex.frames[n - 1].kind, FrameKind::Call | FrameKind::Inline)
            // A frame's locals lie at or above the slot it returns to.
            || !(ex.frames[n - 1].ret_to as usize <= at && at < ex.stack.len())
        {
            let v = std::mem::replace(&mut ex.stack[at], Value::Nil);
            return self.op_return(ex, r, v);
        }
        let (to, f) = pop_call_frame(ex);
        // SAFETY: `to <= at < len`. The local is read out and its slot
        // written `Nil` (it owns nothing now), the values from `to` up are
        // dropped once and forgotten by the `set_len`, and the local's
        // value is written into the slot at `to`, whose value was dropped.
        unsafe {
            let p = ex.stack.as_mut_ptr();
            let v = std::ptr::read(p.add(at));
            p.add(at).write(Value::Nil);
            let above = std::slice::from_raw_parts_mut(p.add(to), ex.stack.len() - to);
            ex.stack.set_len(to);
            drop_unless_scalars(above);
            p.add(to).write(v);
            ex.stack.set_len(to + 1);
        }
        returned_in_place(ex, r, f);
        Ok(())
    }

    /// Pops the top frame and hands `v` to whoever called it.
    #[inline(always)]
    pub(super) fn op_return(&mut self, ex: &mut Exec, r: &mut Regs, v: Value) -> Step {
        // Read through `proto`, not the popped frame's closure: this is
        // every call's return.
        // SAFETY: as for every `&*proto`: the frame at `fi`, still on the
        // stack here, owns the pointee.
        let has_cells = unsafe { (*r.proto).has_cells };
        let f = ex.frames.pop().expect("frame");
        if has_cells {
            pop_frame_cells(ex, &f);
        } else {
            cut_stack(ex, f.ret_to as usize);
        }
        pop_handlers_of_gone_frames(ex);
        if matches!(f.kind, FrameKind::Root) || ex.frames.is_empty() {
            return Err(Stop::Exit(Flow::Done(Ok(v))));
        }
        r.reload(ex);
        if matches!(f.kind, FrameKind::SpawnResult) {
            let at = self.current_loc(ex);
            let t = self.spawn_value(v, at, None)?;
            ex.push(t);
        } else if matches!(f.kind, FrameKind::AwaitResult) {
            return self.await_top(ex, r, v);
        } else {
            ex.push(v);
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_spawn_call(&mut self, ex: &mut Exec, r: &mut Regs, argc: u32) -> Step {
        r.save(ex);
        match self.spawn_call(ex, argc as usize)? {
            SpawnStep::Spawned => {}
            SpawnStep::Frame => r.reload(ex),
            SpawnStep::Value => {
                let v = pop(ex);
                let at = self.current_loc(ex);
                let t = self.spawn_value(v, at, None)?;
                ex.push(t);
            }
        }
        Ok(())
    }

    /// `spawn v`, into the task group in local `group` if given.
    #[inline(never)]
    pub(super) fn op_spawn(&mut self, ex: &mut Exec, r: Regs, group: Option<u32>) -> Step {
        r.save(ex);
        let v = pop(ex);
        let group = group.map(|slot| ex.stack[r.base + slot as usize].clone());
        let at = self.current_loc(ex);
        let t = self.spawn_value(v, at, group)?;
        ex.push(t);
        Ok(())
    }
}

/// Whether the frame returning can hand its result straight to the slot
/// it returns to: a plain call (or an inline await) of a frame that made
/// no cells, with a frame below it.
#[inline(always)]
fn moves_in_place(ex: &Exec, r: &Regs) -> bool {
    // SAFETY: as for every `&*proto`: the frame at `fi` owns it.
    let has_cells = unsafe { (*r.proto).has_cells };
    let n = ex.frames.len();
    !has_cells && n >= 2 && matches!(ex.frames[n - 1].kind, FrameKind::Call | FrameKind::Inline)
}

/// Drops the values of `vs` unless all are scalars (which own nothing:
/// the common case of a numeric function's frame, checked without a call).
///
/// # Safety
/// The values are dropped in place: the caller forgets them afterwards
/// (a `set_len` below them, or overwriting each slot without a drop).
#[inline(always)]
unsafe fn drop_unless_scalars(vs: &mut [Value]) {
    let scalar = |v: &Value| {
        matches!(
            v,
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Nil
        )
    };
    if !vs.iter().all(scalar) {
        // SAFETY: the caller's promise: each value is dropped once here
        // and never read again.
        unsafe { std::ptr::drop_in_place(vs as *mut [Value]) };
    }
}

/// The handlers of frames that are gone: popped with them.
#[inline(always)]
fn pop_handlers_of_gone_frames(ex: &mut Exec) {
    while ex
        .handlers
        .last()
        .is_some_and(|h| h.frame >= ex.frames.len())
    {
        ex.handlers.pop();
    }
}

/// Pops the top frame of a return that moves in place (a frame below it:
/// see [`moves_in_place`]): the slot its result goes to and its closure.
/// Only those are read (popped whole, the frame was staged in memory).
#[inline(always)]
fn pop_call_frame(ex: &mut Exec) -> (usize, Rc<Closure>) {
    let n = ex.frames.len();
    debug_assert!(n >= 2, "a return in place has a frame below");
    // SAFETY: frame `n - 1` exists; the stack forgets it and its closure's
    // `Rc` is read out once (its other fields own nothing).
    unsafe {
        ex.frames.set_len(n - 1);
        let f = ex.frames.as_ptr().add(n - 1);
        ((*f).ret_to as usize, std::ptr::read(&(*f).closure))
    }
}

/// The end of a return whose value already lies where the caller reads
/// it: the returning frame's handlers go, the registers are the caller's.
#[inline(always)]
fn returned_in_place(ex: &mut Exec, r: &mut Regs, f: Rc<Closure>) {
    pop_handlers_of_gone_frames(ex);
    r.reload(ex);
    drop(f);
}

/// The end of a call answered as a leaf (`vm/leaf.rs`): what lies from
/// `at` up (the callee, when it was below its arguments, and the
/// arguments) gives way to the result, as a return leaves it.
#[inline(always)]
fn leaf_returned(ex: &mut Exec, at: usize, answer: Answer) {
    let len = ex.stack.len();
    debug_assert!(at < len, "a leaf call has arguments");
    // SAFETY: `at < len`: the values from `at` up are forgotten by the
    // first `set_len` and dropped once; the result goes into the slot at
    // `at` (within the stack's capacity), now owning nothing.
    unsafe {
        let p = ex.stack.as_mut_ptr();
        ex.stack.set_len(at);
        drop_unless_scalars(std::slice::from_raw_parts_mut(p.add(at), len - at));
        p.add(at).write(answer.value());
        ex.stack.set_len(at + 1);
    }
}
