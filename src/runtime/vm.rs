//! The evaluator: runs a task's frames until the task returns, throws or
//! waits. Plain calls and awaited coroutines push frames on the task's own
//! stack, so no Rust recursion grows with script recursion.

mod arith;
mod blocks;
mod bump;
mod calls;
mod data;
mod jumps;
pub(super) mod leaf;
mod natives;
mod text;
mod vars;

use super::asyncio::coro::NativeStep;
use super::error::ErrorRef;
use super::exec::{Exec, FrameKind};
use super::interp::Interp;
use super::link::FnProto;
use super::values::value::Value;
use crate::compile::code::Op;
use crate::runtime::asyncio::future::Awaitable;
use crate::runtime::handle::Input;
use data::Sink;

/// How a run of a task ended.
pub enum Outcome {
    Returned(Value),
    Threw(ErrorRef),
    /// Waiting for this to complete.
    Suspended(Awaitable),
    /// `sleep(0)`: give every other ready task a turn.
    Yielded,
    /// Parked on a lock, event, semaphore or queue until woken.
    Parked,
}

pub(super) enum Flow {
    Suspend(Awaitable),
    Park,
    Yield,
    Done(Result<Value, ErrorRef>),
    Next(Input),
}

impl Interp {
    /// Resumes a task's frames with `input` (`Input::Start` the first
    /// time) and runs until they stop.
    pub fn resume(&mut self, ex: &mut Exec, mut input: Input) -> Outcome {
        loop {
            let flow = if ex.top_is_native() {
                self.native_step(ex, input)
            } else {
                match input {
                    Input::Start => {}
                    Input::Value(v) => ex.push(v),
                    Input::Throw(e) => {
                        if let Err(e) = self.unwind(ex, e) {
                            return Outcome::Threw(e);
                        }
                    }
                }
                self.execute(ex)
            };
            match flow {
                Flow::Suspend(a) => return Outcome::Suspended(a),
                Flow::Yield => return Outcome::Yielded,
                Flow::Park => return Outcome::Parked,
                Flow::Done(Ok(v)) => return Outcome::Returned(v),
                Flow::Done(Err(e)) => return Outcome::Threw(e),
                Flow::Next(i) => input = i,
            }
        }
    }

    fn native_step(&mut self, ex: &mut Exec, input: Input) -> Flow {
        let native = ex.native.as_mut().expect("native_step without a native");
        match native.step(self, input) {
            NativeStep::Await(a) => match a.outcome() {
                Some(Ok(v)) => Flow::Next(Input::Value(v)),
                Some(Err(e)) => Flow::Next(Input::Throw(e)),
                None => Flow::Suspend(a),
            },
            NativeStep::Yield => Flow::Yield,
            NativeStep::Park => Flow::Park,
            NativeStep::Return(v) => {
                ex.native = None;
                if ex.frames.is_empty() {
                    Flow::Done(Ok(v))
                } else {
                    Flow::Next(Input::Value(v))
                }
            }
            NativeStep::Throw(e) => {
                ex.native = None;
                if ex.frames.is_empty() {
                    Flow::Done(Err(e))
                } else {
                    Flow::Next(Input::Throw(e))
                }
            }
        }
    }

    /// Finds the nearest handler for `e`, popping frames on the way.
    /// `Err` means the error escaped the task's root frame.
    pub(crate) fn unwind(&mut self, ex: &mut Exec, e: ErrorRef) -> Result<(), ErrorRef> {
        self.locate(&e, ex);
        ex.native = None;
        loop {
            let Some(top) = ex.frames.len().checked_sub(1) else {
                return Err(e);
            };
            while ex.handlers.last().is_some_and(|h| h.frame > top) {
                ex.handlers.pop();
            }
            if ex.handlers.last().is_some_and(|h| h.frame == top) {
                let h = ex.handlers.pop().expect("handler");
                ex.stack.truncate(h.sp);
                ex.push(Value::Error(e));
                ex.frames[top].ip = h.target as u32;
                return Ok(());
            }
            let f = ex.frames.pop().expect("frame");
            pop_frame_slots(ex, &f);
            if matches!(f.kind, FrameKind::Root) {
                return Err(e);
            }
        }
    }

    /// The dispatch loop for script frames: fetches each instruction and
    /// runs its body, an `op_*` method in one of the family modules under
    /// `vm/` (every hot one `#[inline(always)]`, so this stays one loop
    /// with the frame's registers in machine registers).
    ///
    /// Each fallible op checks its own result in its own arm (`go!`), so
    /// every arm jumps straight back to the fetch: funnelling all results
    /// through one shared check after the `match` cost call-heavy code
    /// more cycles (more mispredicted branches: closures 65 -> 75 ms).
    ///
    /// Longer than ~150 lines on purpose: it is one `match` with one line
    /// per instruction (about 90 of them), each already a call of its
    /// `op_*` body; cutting the `match` in two would put a second dispatch
    /// on every instruction of the hot loop.
    fn execute(&mut self, ex: &mut Exec) -> Flow {
        let mut r = Regs::load(ex);
        // Leaves the loop on an op's `Err`; `Ok` goes on to the next fetch.
        macro_rules! go {
            ($step:expr) => {
                if let Err(stop) = $step {
                    return self.stop(ex, r, stop);
                }
            };
        }
        // Runs an out-of-line op on a copy of the registers, stored back
        // after: handing it `&mut r` itself would keep `r` in memory (not in
        // machine registers) for the whole loop.
        macro_rules! on_copy {
            ($t:ident => $op:expr) => {{
                let mut $t = r;
                let step = $op;
                r = $t;
                step
            }};
        }
        // The running function, read in the arms that use it: bound once
        // ahead of the `match`, it was loaded on every instruction.
        macro_rules! proto {
            () => {
                // SAFETY: `r.proto` points into the `Rc<Closure>` of the
                // frame at `r.fi`, which owns it while that frame is on the
                // stack; every frame pop is followed by `Regs::reload` (which
                // re-derives it) or a return from this loop. An op that
                // reloads does not read this reference afterwards.
                unsafe { &*r.proto }
            };
        }
        loop {
            // SAFETY: `opaque` returns the pointer it is given, so this is
            // `ex` itself, reborrowed for one instruction.
            let ex: &mut Exec = unsafe { &mut *opaque(ex as *mut Exec) };
            // SAFETY: `ip` starts at the code's start or at a saved position,
            // advances one instruction at a time or jumps to a target inside
            // the code, and every function ends in `Return` (checked by
            // `link`).
            let op: &Op = unsafe { &*r.ip };
            r.ip = r.ip.wrapping_add(1);
            match *op {
                Op::Const(k) => ex.push_copy(&proto!().consts[k as usize]),
                Op::Nil => ex.push_nil(),
                Op::True => ex.push(Value::Bool(true)),
                Op::False => ex.push(Value::Bool(false)),
                Op::Int(n) => ex.push_int(n as i64),
                Op::Pop => ex.discard(),
                Op::Dup => vars::dup(ex),
                Op::Dup2 => vars::dup2(ex),
                Op::Nop => {}
                Op::DefaultArg { slot, skip } => vars::default_arg(ex, &mut r, slot, skip),
                Op::LoadLocal(s) => ex.push_local(r.base + s as usize),
                Op::LoadLocal2(a, b) => {
                    ex.push_local(r.base + a as usize);
                    ex.push_local(r.base + b as usize);
                }
                Op::StoreLocal(s) => vars::store_local(ex, r.base + s as usize),
                Op::NewCell(s) => vars::new_cell(ex, r.base + s as usize),
                Op::BoxLocal(s) => vars::box_local(ex, r.base + s as usize),
                Op::LoadCell(s) => go!(self.op_load_cell(ex, &r, proto!(), s)),
                Op::StoreCell(s) => vars::store_cell(ex, r.base + s as usize),
                Op::LoadUpval(u) => go!(self.op_load_upval(ex, &r, proto!(), u)),
                Op::StoreUpval(u) => vars::store_upval(ex, &r, u),
                Op::LoadGlobal(g) => go!(self.op_load_global(ex, g)),
                Op::StoreGlobal(g) => self.op_store_global(ex, g),
                Op::Add => go!(arith::add(ex)),
                Op::Sub => go!(arith::sub(ex)),
                Op::Mul => go!(arith::mul(ex)),
                Op::Div => go!(arith::div(ex)),
                Op::FloorDiv => go!(arith::floor_div(ex)),
                Op::Mod => go!(arith::modulo(ex)),
                Op::Pow => go!(arith::pow(ex)),
                Op::Lt => go!(arith::lt(ex)),
                Op::Le => go!(arith::le(ex)),
                Op::Gt => go!(arith::gt(ex)),
                Op::Ge => go!(arith::ge(ex)),
                Op::Eq => go!(arith::eq(ex, false)),
                Op::Ne => go!(arith::eq(ex, true)),
                Op::In => go!(arith::contains(ex)),
                Op::Neg => go!(arith::neg(ex)),
                Op::Not => arith::not(ex),
                Op::MapBump {
                    global,
                    x_local,
                    map,
                    key,
                    x,
                } => go!(on_copy!(t => self.op_map_bump(ex, &mut t, global, map, key, x_local, x))),
                Op::CmpJump(cmp, t) => go!(arith::cmp_jump(ex, &mut r, cmp, t)),
                Op::CmpLocalIntJump {
                    cmp,
                    slot,
                    k,
                    target,
                } => go!(arith::cmp_local_int_jump(ex, &mut r, cmp, slot, k, target)),
                Op::ArithLocalInt(a, slot, k) => go!(arith::arith_local_int(ex, &r, a, slot, k)),
                Op::ArithInt(a, k) => go!(arith::arith_int(ex, a, k)),
                Op::CmpInt(c, k) => go!(arith::cmp_int(ex, c, k)),
                Op::ArithLocals(op, a, b) => go!(arith::arith_locals(ex, &r, op, a, b)),
                Op::ArithLocal(op, a) => go!(arith::arith_local(ex, op, r.base + a as usize)),
                Op::AugLocal(op, a) => go!(arith::aug_local(ex, op, r.base + a as usize)),
                Op::AugLocalInt(op, a, k) => {
                    go!(arith::aug_local_int(ex, op, r.base + a as usize, k))
                }
                Op::ConstDiv(k) => go!(arith::const_div(ex, &proto!().consts[k as usize])),
                Op::ArithIndexLocals(op, a, b) => {
                    let (a, b) = (r.base + a as usize, r.base + b as usize);
                    go!(arith::arith_index_locals(ex, &mut r, op, a, b))
                }
                Op::IndexLocals(a, b) => {
                    go!(data::index_locals(
                        ex,
                        r.base + a as usize,
                        r.base + b as usize
                    ))
                }
                Op::Jump(t) => go!(self.op_jump(ex, &mut r, t)),
                Op::JumpIfFalse(t) => jumps::if_false(ex, &mut r, t),
                Op::JumpIfFalseOrPop(t) => jumps::if_false_or_pop(ex, &mut r, t),
                Op::JumpIfTrueOrPop(t) => jumps::if_true_or_pop(ex, &mut r, t),
                Op::JumpIfNil(t) => jumps::if_nil(ex, &mut r, t),
                Op::Call(argc) => go!(self.op_call(ex, &mut r, argc)),
                Op::CallGlobal { global, argc } => {
                    go!(self.op_call_global(ex, &mut r, global, argc))
                }
                Op::CallNative1(k) => {
                    let proto = proto!();
                    go!(self.op_call_native1(ex, &mut r, proto, k))
                }
                Op::CallNamed { argc, names } => {
                    go!(on_copy!(t => self.op_call_named(ex, &mut t, proto!(), argc, names)))
                }
                Op::CallAwait(argc) => go!(self.op_call_await(ex, &mut r, argc)),
                Op::CallAwaitGlobal { global, argc } => {
                    go!(self.op_call_await_global(ex, &mut r, global, argc))
                }
                Op::Await => go!(self.op_await(ex, &mut r)),
                Op::AwaitMaybe => go!(self.op_await_maybe(ex, &mut r)),
                Op::Method { method, argc } => go!(self.op_method(ex, &r, method, argc)),
                Op::MethodPop { method, argc } => {
                    go!(self.op_method_pop(ex, &r, method, argc))
                }
                Op::MethodNamed {
                    method,
                    argc,
                    names,
                } => go!(self.op_method_named(ex, r, proto!(), method, argc, names)),
                Op::CallAttr { name, argc, names } => {
                    let proto = proto!();
                    go!(self.op_call_attr(ex, &mut r, proto, name, argc, names))
                }
                Op::Index => go!(data::index(ex)),
                Op::IndexLocalConst { slot, k } => go!(data::index_local_const(
                    ex,
                    r.base + slot as usize,
                    &proto!().consts[k as usize]
                )),
                Op::IndexLocalInt { slot, k } => {
                    go!(data::index_local_int(ex, r.base + slot as usize, k))
                }
                Op::Slice => go!(fallible(super::values::seq::slice_op(ex))),
                Op::StoreIndex => go!(data::store_index(ex)),
                Op::StoreIndexLocalConst { slot, k } => go!(data::store_index_local_const(
                    ex,
                    r.base + slot as usize,
                    &proto!().consts[k as usize]
                )),
                Op::GetField(k) => go!(self.op_get_field(ex, proto!(), k)),
                Op::SetField(k) => go!(self.op_set_field(ex, proto!(), k)),
                Op::MakeRecord { ty, n } => data::make_record(ex, proto!(), ty, n),
                Op::ListAppend(s) => go!(fallible(super::values::seq::list_append_op(
                    ex,
                    r.base + s as usize
                ))),
                Op::MapInsert(s) => {
                    go!(fallible(super::values::seq::map_insert_op(
                        ex,
                        r.base + s as usize
                    )))
                }
                Op::MakeList(n) => data::make_list(ex, n),
                Op::MakeMap(n) => go!(data::make_map(ex, n)),
                Op::MakeMapStrs(n) => data::make_map_strs(ex, n),
                Op::Closure(idx) => data::closure(ex, r, proto!(), idx),
                Op::Return => go!(self.op_return_top(ex, &mut r)),
                Op::ReturnLocal(slot) => go!(self.op_return_local(ex, &mut r, slot)),
                Op::SpawnCall(argc) => go!(on_copy!(t => self.op_spawn_call(ex, &mut t, argc))),
                Op::Spawn => go!(self.op_spawn(ex, r, None)),
                Op::SpawnInGroup(slot) => go!(self.op_spawn(ex, r, Some(slot))),
                Op::Throw => go!(blocks::throw(ex, r)),
                Op::Rethrow => go!(blocks::rethrow(ex, r)),
                Op::PushHandler(t) => blocks::push_handler(ex, &r, t),
                Op::PopHandler => blocks::pop_handler(ex),
                Op::CatchMatch(k) => blocks::catch_match(ex, proto!(), k),
                Op::IterStart => go!(data::iter_start(ex)),
                Op::IterNext(exit) => go!(self.op_iter_next(ex, &mut r, exit, Sink::Push)),
                Op::IterNextLocal { slot, exit } => {
                    let at = r.base + slot as usize;
                    go!(self.op_iter_next(ex, &mut r, exit, Sink::Local(at)))
                }
                Op::IterLoop { slot, exit, top } => {
                    go!(self.op_iter_loop(ex, &mut r, slot, exit, top))
                }
                Op::Unpack(n) => go!(fallible(super::values::seq::unpack_op(ex, n as usize))),
                Op::UnpackStar { before, after } => go!(fallible(
                    super::values::seq::unpack_star_op(ex, before as usize, after as usize,)
                )),
                Op::Format(k) => go!(text::format(ex, proto!(), k)),
                Op::Repr => go!(text::repr(ex)),
                Op::Concat(n) => go!(text::concat(ex, n)),
                Op::WithEnter(slot) => go!(self.op_with_enter(ex, r, slot)),
                Op::WithExit { slot, failed } => go!(self.op_with_exit(ex, r, slot, failed)),
                Op::StreamStart(slot) => go!(blocks::stream_start(ex, r, slot)),
                Op::StreamNext { slot, name } => {
                    go!(on_copy!(t => self.op_stream_next(ex, &mut t, proto!(), slot, name)))
                }
                Op::StreamClose { slot, name } => {
                    go!(on_copy!(t => self.op_stream_close(ex, &mut t, proto!(), slot, name)))
                }
                Op::GroupEnter(slot) => self.op_group_enter(ex, r, slot),
                Op::GroupExit { slot, failed } => go!(self.op_group_exit(ex, r, slot, failed)),
                Op::CallLocal { slot, argc } => {
                    let at = r.base + slot as usize;
                    go!(self.op_call_local(ex, &mut r, at, argc))
                }
                Op::CallLocalArg { slot, arg } => {
                    ex.push_local(r.base + arg as usize);
                    let at = r.base + slot as usize;
                    go!(self.op_call_local(ex, &mut r, at, 1))
                }
                Op::ReturnArithLocalInt(a, slot, k) => {
                    go!(arith::arith_local_int(ex, &r, a, slot, k));
                    go!(self.op_return_top(ex, &mut r))
                }
                Op::ReturnAdd => {
                    go!(arith::add(ex));
                    go!(self.op_return_top(ex, &mut r))
                }
                Op::ReturnCmpInt(c, k) => {
                    go!(arith::cmp_int(ex, c, k));
                    go!(self.op_return_top(ex, &mut r))
                }
                Op::ReturnArithLocals(op, a, b) => {
                    go!(arith::arith_locals(ex, &r, op, a, b));
                    go!(self.op_return_top(ex, &mut r))
                }
                Op::CallArg(arg) => {
                    ex.push_local(r.base + arg as usize);
                    go!(self.op_call(ex, &mut r, 1))
                }
                Op::MethodPopLocal { slot, method } => {
                    let at = r.base + slot as usize;
                    match Self::method_pop_local_fast(ex, at, method) {
                        Ok(true) => {}
                        Ok(false) => go!(self.method_pop_local_slow(ex, r, at, method)),
                        Err(e) => go!(fallible(Err(e))),
                    }
                }
            }
        }
    }

    /// Leaves the dispatch loop: an error unwinds to its handler (the loop
    /// is entered again from there) or ends the task.
    #[cold]
    #[inline(never)]
    fn stop(&mut self, ex: &mut Exec, r: Regs, stop: Stop) -> Flow {
        match stop {
            Stop::Fail(e) => {
                r.save(ex);
                match self.unwind(ex, e) {
                    Ok(()) => Flow::Next(Input::Start),
                    Err(e) => Flow::Done(Err(e)),
                }
            }
            Stop::Exit(flow) => flow,
        }
    }
}

/// The evaluator's registers: the top frame's index, its function, the
/// next instruction and the stack index of its first local. Calls and
/// returns switch frames in place: `save` the `ip`, then `reload` the new
/// top frame's registers.
#[derive(Clone, Copy)]
pub(super) struct Regs {
    fi: usize,
    proto: *const FnProto,
    /// `proto.code`'s first instruction: frames keep their position as an
    /// index from here.
    code: *const Op,
    /// The next instruction itself, not its index: the fetch is one load
    /// and the step one add (an index cost a shift and the load of `code`
    /// on every instruction).
    ip: *const Op,
    base: usize,
}

impl Regs {
    #[inline(always)]
    fn load(ex: &Exec) -> Regs {
        let fi = ex.frames.len() - 1;
        let f = &ex.frames[fi];
        let code = f.closure.proto.code.as_ptr();
        Regs {
            fi,
            proto: &*f.closure.proto,
            code,
            ip: code.wrapping_add(f.ip as usize),
            base: f.base as usize,
        }
    }

    #[inline(always)]
    fn reload(&mut self, ex: &Exec) {
        *self = Regs::load(ex);
    }

    /// The registers of a frame just pushed at `base`, from what the
    /// caller knows (its function read before its closure moved into the
    /// frame): reading them back from the frame would load its `ip` and
    /// `base` as one wide word just after two narrower stores, which
    /// stalls store forwarding on every call.
    #[inline(always)]
    fn enter_proto(&mut self, ex: &Exec, proto: *const FnProto, base: usize) {
        // SAFETY: `proto` points into the closure of the frame just pushed,
        // which owns it while the frame is on the stack.
        let code = unsafe { (*proto).code.as_ptr() };
        *self = Regs {
            fi: ex.frames.len() - 1,
            proto,
            code,
            ip: code,
            base,
        };
    }

    /// The index of the next instruction.
    #[inline(always)]
    fn pos(&self) -> usize {
        // `ip` and `code` point into the same code (an `Op` is 16 bytes).
        (self.ip as usize - self.code as usize) / std::mem::size_of::<Op>()
    }

    /// Continues at instruction `t` of the running function.
    #[inline(always)]
    fn jump(&mut self, t: u32) {
        self.ip = self.code.wrapping_add(t as usize);
    }

    /// Steps over the next instruction.
    #[inline(always)]
    fn skip(&mut self) {
        self.ip = self.ip.wrapping_add(1);
    }

    /// The running frame's closure (what its captured variables are read
    /// through), without the bounds check: see [`Regs::save`].
    #[inline(always)]
    fn closure<'a>(&self, ex: &'a Exec) -> &'a super::link::Closure {
        debug_assert!(self.fi < ex.frames.len());
        // SAFETY: `fi` is the running frame's index (see `save`).
        unsafe { &ex.frames.get_unchecked(self.fi).closure }
    }

    #[inline(always)]
    fn save(&self, ex: &mut Exec) {
        debug_assert!(self.fi < ex.frames.len());
        // SAFETY: `fi` is the running frame's index: frames above it may be
        // pushed, but every pop of it is followed by `reload` or a return
        // from the loop (see the fetch). Unchecked: this runs on every call.
        unsafe { ex.frames.get_unchecked_mut(self.fi).ip = self.pos() as u32 };
    }
}

/// Why an op left the dispatch loop.
pub(super) enum Stop {
    /// An error to unwind (the loop saves `ip` first, so it is located).
    Fail(ErrorRef),
    /// The task stops here: it returned, waits or yields.
    Exit(Flow),
}

impl From<ErrorRef> for Stop {
    #[inline(always)]
    fn from(e: ErrorRef) -> Stop {
        Stop::Fail(e)
    }
}

/// What an op body returns: `Ok` runs the next instruction.
pub(super) type Step = Result<(), Stop>;

/// `p` itself, through an empty `asm!` the optimiser cannot see into.
///
/// Why: read through `ex` at each fetch, the stack's pointer and length
/// are one load each from the register that holds `ex`. Without this,
/// LLVM hoisted their addresses (`&ex.stack.ptr`, `&ex.stack.len`) out of
/// the dispatch loop, found no registers to keep them in and spilled
/// them, so every push, pop and local's read loaded an address from the
/// native stack first (two dependent loads instead of one): callgrind,
/// `for i in range(n) { t = i }` -2.6 %, spectral_norm -1.2 %, 0.1-1 % on
/// the rest, fib +0.2 %.
#[inline(always)]
// The block reads and writes nothing: the pointer only passes through it.
#[allow(clippy::pointers_in_nomem_asm_block)]
fn opaque<T>(mut p: *mut T) -> *mut T {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: the template is a comment: no instruction runs, nothing is
    // read or written, and `p` comes back in the register it went in.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) p, options(nomem, nostack, preserves_flags))
    };
    p
}

#[inline(always)]
fn fallible(r: Result<(), ErrorRef>) -> Step {
    r.map_err(Stop::Fail)
}

#[inline(always)]
fn pop(ex: &mut Exec) -> Value {
    // A value that owns nothing is rebuilt from its fields: it was most
    // likely pushed a moment ago with narrower stores, and one wide load of
    // it would stall until they land (see `Exec::push`).
    let v = match ex.stack.last().expect("stack underflow") {
        Value::Int(n) => Value::Int(*n),
        Value::Float(f) => Value::Float(*f),
        Value::Bool(b) => Value::Bool(*b),
        Value::Nil => Value::Nil,
        _ => return ex.stack.pop().expect("stack underflow"),
    };
    // SAFETY: the top value owns nothing (matched above); its copy is `v`.
    unsafe { ex.stack.set_len(ex.stack.len() - 1) };
    v
}

/// Cuts the stack back to where frame `f` started. A function that made
/// cells may leave closures that capture themselves (a local `fn` calling
/// itself): once its slots are gone, those nothing else reaches are freed.
#[inline(always)]
fn pop_frame_slots(ex: &mut Exec, f: &super::exec::Frame) {
    if f.closure.proto.has_cells {
        pop_frame_cells(ex, f);
    } else {
        cut_stack(ex, f.ret_to as usize);
    }
}

/// `ex.stack.truncate(to)`, with values that own nothing (a returning
/// frame's ints and floats, most often) forgotten instead of each dropped
/// through an out-of-line call.
#[inline(always)]
fn cut_stack(ex: &mut Exec, to: usize) {
    let to = to.min(ex.stack.len());
    let plain = ex.stack[to..].iter().all(|v| {
        matches!(
            v,
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Nil
        )
    });
    if plain {
        // SAFETY: the values past `to` own nothing, so forgetting them
        // leaks nothing.
        unsafe { ex.stack.set_len(to) }
    } else {
        ex.stack.truncate(to);
    }
}

/// [`pop_frame_slots`] for a frame that made cells (out of the hot path).
#[cold]
#[inline(never)]
fn pop_frame_cells(ex: &mut Exec, f: &super::exec::Frame) {
    let from = (f.base as usize).min(ex.stack.len());
    if !super::cycles::may_cycle(&ex.stack[from..]) {
        ex.stack.truncate(f.ret_to as usize);
        return;
    }
    let cells = super::cycles::cells_in(&ex.stack[from..]);
    ex.stack.truncate(f.ret_to as usize);
    super::cycles::free_unreachable(cells);
}
