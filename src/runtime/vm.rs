//! The evaluator: runs a task's frames until the task returns, throws or
//! waits. Plain calls and awaited coroutines push frames on the task's own
//! stack, so no Rust recursion grows with script recursion.

use super::call::{split_named, SpawnStep};
use super::error::{type_error, ErrorObj, ErrorRef};
use super::exec::{Exec, FrameKind, Handler};
use super::interp::Interp;
use super::methods::{LIST_PUSH, MAP_GET};
use super::native::NativeStep;
use super::ops;
use super::value::{Iter, Key, MapTable, Value};
use crate::compile::code::{Arith, Op};
use crate::runtime::future::Awaitable;
use crate::runtime::handle::Input;
use crate::runtime::link::Closure;
use std::cell::RefCell;
use std::rc::Rc;

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

    /// The dispatch loop for script frames.
    fn execute(&mut self, ex: &mut Exec) -> Flow {
        macro_rules! fail {
            ($e:expr) => {{
                let e = $e;
                match self.unwind(ex, e) {
                    Ok(()) => return Flow::Next(Input::Start),
                    Err(e) => return Flow::Done(Err(e)),
                }
            }};
        }
        let mut fi = ex.frames.len() - 1;
        // SAFETY (for every `&*proto` below): the pointee is owned by the
        // closure of frame `fi`, which stays on the frame stack until a
        // `Return` pops it, and every pop is followed by `reload!` before
        // `proto` is read again.
        let mut proto: *const super::link::FnProto = &*ex.frames[fi].closure.proto;
        let mut ip = ex.frames[fi].ip as usize;
        let mut base = ex.frames[fi].base as usize;
        // Calls and returns switch frames in place: save `ip`, then reload
        // the new top frame's state.
        macro_rules! reload {
            () => {{
                fi = ex.frames.len() - 1;
                let f = &ex.frames[fi];
                proto = &*f.closure.proto;
                ip = f.ip as usize;
                base = f.base as usize;
            }};
        }
        macro_rules! save {
            () => {
                ex.frames[fi].ip = ip as u32;
            };
        }
        macro_rules! tri {
            ($r:expr) => {
                match $r {
                    Ok(v) => v,
                    Err(e) => {
                        save!();
                        fail!(e)
                    }
                }
            };
        }
        macro_rules! pop {
            () => {
                ex.stack.pop().expect("stack underflow")
            };
        }
        // Two ints on top: compute in place. Ints need no drop, so the
        // right operand is discarded by shortening the stack.
        macro_rules! int_fast {
            ($fast:expr) => {{
                let n = ex.stack.len();
                if let [.., Value::Int(x), Value::Int(y)] = ex.stack.as_mut_slice() {
                    if let Some(r) = $fast(*x, *y) {
                        let slot: *mut Value = &mut ex.stack[n - 2];
                        // SAFETY: both operands are `Int`s, which own nothing:
                        // the left one is overwritten without a drop and the
                        // right one forgotten by shortening the stack. The
                        // result is written field by field (see `Exec::push`).
                        unsafe {
                            match r {
                                Value::Int(v) => slot.write(Value::Int(v)),
                                Value::Bool(b) => slot.write(Value::Bool(b)),
                                other => slot.write(other),
                            }
                            ex.stack.set_len(n - 1);
                        }
                        continue;
                    }
                }
            }};
        }
        // Two numbers on top, at least one a float: compute in place, as
        // `int_fast!` does (floats own nothing either). `$fast` gets both
        // as floats (an int converted as Python converts it) and may
        // decline (division by zero), leaving the error to the slow path.
        macro_rules! float_fast {
            ($fast:expr) => {{
                let n = ex.stack.len();
                let pair = match ex.stack.as_slice() {
                    [.., Value::Float(x), Value::Float(y)] => Some((*x, *y)),
                    [.., Value::Float(x), Value::Int(y)] => Some((*x, *y as f64)),
                    [.., Value::Int(x), Value::Float(y)] => Some((*x as f64, *y)),
                    _ => None,
                };
                if let Some((x, y)) = pair {
                    if let Some(r) = $fast(x, y) {
                        let slot: *mut Value = &mut ex.stack[n - 2];
                        // SAFETY: both operands are ints or floats, which
                        // own nothing: as in `int_fast!`.
                        unsafe {
                            slot.write(Value::Float(r));
                            ex.stack.set_len(n - 1);
                        }
                        continue;
                    }
                }
            }};
        }
        macro_rules! binary {
            ($fast:expr, $float:expr, $slow:path) => {{
                int_fast!($fast);
                float_fast!($float);
                binary!($fast, $slow)
            }};
            ($fast:expr, $slow:path) => {{
                int_fast!($fast);
                let b = pop!();
                let a = pop!();
                let r = tri!($slow(&a, &b));
                ex.push(r);
            }};
        }
        // Pops the top frame and hands `$v` to whoever called it.
        macro_rules! do_return {
            ($v:expr) => {{
                let v = $v;
                // Read through `proto`, not the popped frame's closure:
                // this is every call's return.
                // SAFETY: as for every `&*proto`: the frame at `fi`, still
                // on the stack here, owns the pointee.
                let has_cells = unsafe { (*proto).has_cells };
                let f = ex.frames.pop().expect("frame");
                if has_cells {
                    pop_frame_cells(ex, &f);
                } else {
                    ex.stack.truncate(f.ret_to as usize);
                }
                while ex
                    .handlers
                    .last()
                    .is_some_and(|h| h.frame >= ex.frames.len())
                {
                    ex.handlers.pop();
                }
                if matches!(f.kind, FrameKind::Root) || ex.frames.is_empty() {
                    return Flow::Done(Ok(v));
                }
                reload!();
                if matches!(f.kind, FrameKind::SpawnResult) {
                    let at = self.current_loc(ex);
                    let t = tri!(self.spawn_value(v, at, None));
                    ex.push(t);
                } else if matches!(f.kind, FrameKind::AwaitResult) {
                    match tri!(self.await_value(ex, v)) {
                        None if ex.frames.len() == fi + 1 => {}
                        None => reload!(),
                        Some(flow) => return flow,
                    }
                } else {
                    ex.push(v);
                }
            }};
        }
        // A call of a global function by name: straight into its frame when
        // it takes `argc` arguments and is async exactly when awaited;
        // otherwise the callee goes below its arguments for the general path.
        // A check point, where a script could run for ever: Ctrl-C and
        // signals, the operation budget and memory (`limits.rs`). The fast
        // path is one countdown and two relaxed loads.
        macro_rules! check {
            ($cost:expr) => {{
                let cost: u64 = $cost;
                if self.countdown <= cost
                    || self.interrupts.pending()
                    || crate::limits::memory_over()
                {
                    save!();
                    if let Some(e) = self.check_point(cost) {
                        fail!(e);
                    }
                } else {
                    self.countdown -= cost;
                }
            }};
        }
        macro_rules! global_call {
            ($global:expr, $argc:expr, $is_async:expr, $kind:expr) => {{
                check!(1);
                if let Value::Func(c) = &self.globals[$global as usize] {
                    if c.proto.is_async == $is_async && $argc == c.proto.params.len() {
                        let c = c.clone();
                        let at = ex.stack.len() - $argc;
                        tri!(self.push_frame(ex, c, at, at, $kind));
                        reload!();
                        continue;
                    }
                }
                let callee = self.globals[$global as usize].clone();
                if matches!(callee, Value::Uninit) {
                    fail!(self.name_error($global));
                }
                ex.stack.insert(ex.stack.len() - $argc, callee);
            }};
        }
        // `await f(args)` with the callee below its arguments.
        macro_rules! call_await {
            ($argc:expr) => {{
                let argc = $argc;
                if let Some(flow) = self.await_sleep_directly(ex, argc) {
                    return flow;
                }
                if tri!(self.call_value(ex, argc, None, true)) {
                    reload!();
                    continue;
                }
                let v = pop!();
                match tri!(self.await_value(ex, v)) {
                    None if ex.frames.len() == fi + 1 => {}
                    None => reload!(),
                    Some(flow) => return flow,
                }
            }};
        }
        loop {
            // SAFETY: `proto` points into the `Rc<Closure>` of the frame at
            // `fi`, which owns it while that frame is on the stack; every frame
            // pop is followed by `reload!` (which re-derives it) or a return.
            let proto = unsafe { &*proto };
            // SAFETY: `ip` starts at 0 or at a saved position, advances one
            // instruction at a time or jumps to a target inside the code, and
            // every function ends in `Return` (asserted by the peephole pass).
            let op = unsafe { *proto.code.get_unchecked(ip) };
            ip += 1;
            match op {
                Op::Const(k) => ex.push_copy(&proto.consts[k as usize]),
                Op::Nil => ex.push_nil(),
                Op::True => ex.push(Value::Bool(true)),
                Op::False => ex.push(Value::Bool(false)),
                Op::Int(n) => ex.push_int(n as i64),
                Op::Pop => ex.discard(),
                Op::Dup => {
                    let v = ex.stack.last().expect("stack").clone();
                    ex.push(v);
                }
                Op::Dup2 => {
                    let n = ex.stack.len();
                    let (a, b) = (ex.stack[n - 2].clone(), ex.stack[n - 1].clone());
                    ex.push(a);
                    ex.push(b);
                }
                Op::Nop => {}
                Op::DefaultArg { slot, skip } => {
                    if !matches!(ex.stack[base + slot as usize], Value::Uninit) {
                        ip = skip as usize;
                    }
                }
                Op::LoadLocal(s) => ex.push_local(base + s as usize),
                Op::StoreLocal(s) => {
                    // An int is moved as an int: copying the whole value,
                    // written a moment ago, would stall on its narrower
                    // stores (see `Exec::push`).
                    if let Some(&Value::Int(n)) = ex.stack.last() {
                        // SAFETY: the top value is an `Int`, which owns nothing.
                        unsafe { ex.stack.set_len(ex.stack.len() - 1) };
                        set_int(&mut ex.stack[base + s as usize], n);
                        continue;
                    }
                    let v = pop!();
                    ex.stack[base + s as usize] = v;
                }
                Op::NewCell(s) => {
                    let fresh = Value::Cell(Rc::new(RefCell::new(Value::Uninit)));
                    // A loop's next iteration: the last one's cell may be
                    // left in a cycle (`let f = fn() { f() }` in a loop).
                    if let Value::Cell(old) =
                        std::mem::replace(&mut ex.stack[base + s as usize], fresh)
                    {
                        super::cycles::free_unreachable(vec![old]);
                    }
                }
                Op::BoxLocal(s) => {
                    let slot = &mut ex.stack[base + s as usize];
                    let v = std::mem::replace(slot, Value::Nil);
                    *slot = Value::Cell(Rc::new(RefCell::new(v)));
                }
                Op::LoadCell(s) => {
                    let v = match &ex.stack[base + s as usize] {
                        Value::Cell(c) => c.borrow().clone(),
                        other => other.clone(),
                    };
                    if matches!(v, Value::Uninit) {
                        save!();
                        fail!(self.uninit_error(&proto.local_names[s as usize]));
                    }
                    ex.push(v);
                }
                Op::StoreCell(s) => {
                    let v = pop!();
                    match &ex.stack[base + s as usize] {
                        Value::Cell(c) => *c.borrow_mut() = v,
                        _ => ex.stack[base + s as usize] = v,
                    }
                }
                Op::LoadUpval(u) => {
                    let v = ex.frames[fi].closure.upvals[u as usize].borrow().clone();
                    if matches!(v, Value::Uninit) {
                        save!();
                        fail!(self.uninit_error(&proto.upval_names[u as usize]));
                    }
                    ex.push(v);
                }
                Op::StoreUpval(u) => {
                    let v = pop!();
                    *ex.frames[fi].closure.upvals[u as usize].borrow_mut() = v;
                }
                Op::LoadGlobal(g) => {
                    let v = &self.globals[g as usize];
                    if matches!(v, Value::Uninit) {
                        save!();
                        fail!(self.name_error(g));
                    }
                    ex.push_copy(v);
                }
                Op::StoreGlobal(g) => {
                    if let Some(&Value::Int(n)) = ex.stack.last() {
                        // SAFETY: as in `StoreLocal`.
                        unsafe { ex.stack.set_len(ex.stack.len() - 1) };
                        set_int(&mut self.globals[g as usize], n);
                        continue;
                    }
                    let v = pop!();
                    self.globals[g as usize] = v;
                }
                Op::Add => binary!(
                    |x: i64, y: i64| x.checked_add(y).map(Value::Int),
                    |x: f64, y: f64| Some(x + y),
                    ops::add
                ),
                Op::Sub => binary!(
                    |x: i64, y: i64| x.checked_sub(y).map(Value::Int),
                    |x: f64, y: f64| Some(x - y),
                    ops::sub
                ),
                Op::Mul => binary!(
                    |x: i64, y: i64| x.checked_mul(y).map(Value::Int),
                    |x: f64, y: f64| Some(x * y),
                    ops::mul
                ),
                Op::Div => binary!(
                    |_: i64, _: i64| None::<Value>,
                    |x: f64, y: f64| (y != 0.0).then(|| x / y),
                    ops::div
                ),
                Op::FloorDiv => binary!(
                    |x: i64, y: i64| ops::int_floor_div(x, y).map(Value::Int),
                    ops::floor_div
                ),
                Op::Mod => binary!(
                    |x: i64, y: i64| ops::int_mod(x, y).map(Value::Int),
                    ops::modulo
                ),
                Op::Pow => binary!(|x: i64, y: i64| ops::int_pow_fast(x, y), ops::pow),
                Op::Lt => binary!(|x: i64, y: i64| Some(Value::Bool(x < y)), ops::lt),
                Op::Le => binary!(|x: i64, y: i64| Some(Value::Bool(x <= y)), ops::le),
                Op::Gt => binary!(|x: i64, y: i64| Some(Value::Bool(x > y)), ops::gt),
                Op::Ge => binary!(|x: i64, y: i64| Some(Value::Bool(x >= y)), ops::ge),
                Op::Eq => {
                    int_fast!(|x: i64, y: i64| Some(Value::Bool(x == y)));
                    let b = pop!();
                    let a = pop!();
                    let r = tri!(super::value::values_equal(&a, &b));
                    ex.stack.push(Value::Bool(r));
                }
                Op::Ne => {
                    int_fast!(|x: i64, y: i64| Some(Value::Bool(x != y)));
                    let b = pop!();
                    let a = pop!();
                    let r = tri!(super::value::values_equal(&a, &b));
                    ex.stack.push(Value::Bool(!r));
                }
                Op::In => {
                    let b = pop!();
                    let a = pop!();
                    let r = tri!(ops::contains(&b, &a));
                    ex.push(Value::Bool(r));
                }
                Op::Neg => {
                    let a = pop!();
                    let r = tri!(ops::neg(&a));
                    ex.push(r);
                }
                Op::Not => {
                    let a = pop!();
                    ex.push(Value::Bool(!a.truthy()));
                }
                Op::CmpJump(cmp, t) => {
                    let n = ex.stack.len();
                    let holds = if let [.., Value::Int(x), Value::Int(y)] = ex.stack.as_slice() {
                        let holds = cmp.holds(x.cmp(y));
                        // SAFETY: both values are `Int`s, which own nothing.
                        unsafe { ex.stack.set_len(n - 2) };
                        holds
                    } else {
                        let b = pop!();
                        let a = pop!();
                        tri!(ops::cmp_holds(cmp, &a, &b))
                    };
                    if !holds {
                        ip = t as usize;
                    }
                }
                Op::CmpLocalIntJump {
                    cmp,
                    slot,
                    k,
                    target,
                } => {
                    let a = &ex.stack[base + slot as usize];
                    let holds = match a {
                        Value::Int(x) => cmp.holds((*x).cmp(&(k as i64))),
                        _ => tri!(ops::cmp_holds(cmp, a, &Value::Int(k as i64))),
                    };
                    if !holds {
                        ip = target as usize;
                    }
                }
                Op::ArithLocalInt(arith, slot, k) => {
                    let a = &ex.stack[base + slot as usize];
                    if let Value::Int(x) = a {
                        let (x, k) = (*x, k as i64);
                        let r = match arith {
                            Arith::Add => x.checked_add(k),
                            Arith::Sub => x.checked_sub(k),
                            Arith::Mul => x.checked_mul(k),
                        };
                        if let Some(r) = r {
                            ex.push_int(r);
                            continue;
                        }
                    }
                    let b = Value::Int(k as i64);
                    let r = tri!(match arith {
                        Arith::Add => ops::add(a, &b),
                        Arith::Sub => ops::sub(a, &b),
                        Arith::Mul => ops::mul(a, &b),
                    });
                    ex.push(r);
                }
                Op::Jump(t) => {
                    if (t as usize) < ip {
                        check!((ip - t as usize) as u64);
                    }
                    ip = t as usize
                }
                Op::JumpIfFalse(t) => {
                    if !pop!().truthy() {
                        ip = t as usize;
                    }
                }
                Op::JumpIfFalseOrPop(t) => {
                    if ex.stack.last().expect("stack").truthy() {
                        ex.stack.pop();
                    } else {
                        ip = t as usize;
                    }
                }
                Op::JumpIfTrueOrPop(t) => {
                    if ex.stack.last().expect("stack").truthy() {
                        ip = t as usize;
                    } else {
                        ex.stack.pop();
                    }
                }
                Op::Call(argc) => {
                    save!();
                    check!(1);
                    if tri!(self.call_value(ex, argc as usize, None, false)) {
                        reload!();
                    }
                }
                Op::CallGlobal { global, argc } => {
                    save!();
                    let argc = argc as usize;
                    global_call!(global, argc, false, FrameKind::Call);
                    if tri!(self.call_value(ex, argc, None, false)) {
                        reload!();
                    }
                }
                Op::CallNamed { argc, names } => {
                    save!();
                    let names = proto.consts[names as usize].clone();
                    if tri!(self.call_value(ex, argc as usize, Some(&names), false)) {
                        reload!();
                    }
                }
                Op::CallAwait(argc) => {
                    save!();
                    call_await!(argc as usize);
                }
                Op::CallAwaitGlobal { global, argc } => {
                    save!();
                    let argc = argc as usize;
                    global_call!(global, argc, true, FrameKind::Inline);
                    call_await!(argc);
                }
                Op::Await => {
                    save!();
                    let v = pop!();
                    match tri!(self.await_value(ex, v)) {
                        None if ex.frames.len() == fi + 1 => {}
                        None => reload!(),
                        Some(flow) => return flow,
                    }
                }
                Op::Method { method, argc } => {
                    save!();
                    let n = ex.stack.len();
                    if method == LIST_PUSH && argc == 1 && matches!(ex.stack[n - 2], Value::List(_))
                    {
                        let v = pop!();
                        let Value::List(l) = pop!() else {
                            unreachable!()
                        };
                        let mut items = l.borrow_mut();
                        tri!(super::growth::list_room(&mut items, 1));
                        items.push(v);
                        drop(items);
                        ex.push_nil();
                        continue;
                    }
                    if method == MAP_GET && (argc == 1 || argc == 2) {
                        let at = n - argc as usize - 1;
                        if let (Value::Map(m), Some(key)) =
                            (&ex.stack[at], Key::from_value(&ex.stack[at + 1]))
                        {
                            let found = m.borrow().get(&key).cloned();
                            let r = match found {
                                Some(v) => v,
                                None if argc == 2 => ex.stack[at + 2].clone(),
                                None => Value::Nil,
                            };
                            ex.stack.truncate(at);
                            ex.push_result(r);
                            continue;
                        }
                    }
                    let at = n - argc as usize - 1;
                    let fast = match &ex.stack[at] {
                        Value::Str(s) => super::str_methods::call(method, s, &ex.stack[at + 1..]),
                        _ => None,
                    };
                    if let Some(r) = fast {
                        ex.stack.truncate(at);
                        ex.push_result(r);
                        continue;
                    }
                    let args = ex.stack.split_off(ex.stack.len() - argc as usize);
                    let recv = pop!();
                    self.caller_depth = ex.frames.len();
                    let r = super::methods::call(self, method, recv, args, Vec::new());
                    self.caller_depth = 0;
                    let r = tri!(r);
                    self.mark_created(&r, ex);
                    ex.push_result(r);
                }
                Op::MethodNamed {
                    method,
                    argc,
                    names,
                } => {
                    save!();
                    let names = proto.consts[names as usize].clone();
                    let recv_at = ex.stack.len() - argc as usize - 1;
                    let (positional, named) = split_named(ex, recv_at, Some(&names));
                    let recv = pop!();
                    self.caller_depth = ex.frames.len();
                    let r = super::methods::call(self, method, recv, positional, named);
                    self.caller_depth = 0;
                    let r = tri!(r);
                    ex.push(r);
                }
                Op::Index => {
                    // A list's item by an int in range: read in place.
                    let n = ex.stack.len();
                    if let [.., Value::List(l), Value::Int(i)] = ex.stack.as_slice() {
                        let l = l.borrow();
                        let j = if *i < 0 { *i + l.len() as i64 } else { *i };
                        if (0..l.len() as i64).contains(&j) {
                            let v = l[j as usize].clone();
                            drop(l);
                            ex.stack.truncate(n - 2);
                            ex.push_result(v);
                            continue;
                        }
                    }
                    let i = pop!();
                    let t = pop!();
                    let r = tri!(ops::index(&t, &i));
                    ex.push(r);
                }
                Op::Slice => tri!(super::seq::slice_op(ex)),
                Op::StoreIndex => {
                    let v = pop!();
                    let i = pop!();
                    let t = pop!();
                    tri!(ops::store_index(&t, &i, v));
                }
                Op::CallAttr { name, argc, names } => {
                    save!();
                    if tri!(self.call_attr(ex, proto, name, argc, names)) {
                        reload!();
                    }
                }
                Op::GetField(k) => {
                    let Value::Str(name) = &proto.consts[k as usize] else {
                        unreachable!("a field name const")
                    };
                    let t = pop!();
                    let r = tri!(self.get_field(&t, name));
                    ex.push(r);
                }
                Op::SetField(k) => {
                    let Value::Str(name) = &proto.consts[k as usize] else {
                        unreachable!("a field name const")
                    };
                    let v = pop!();
                    let t = pop!();
                    tri!(self.set_field(&t, name, v));
                }
                Op::MakeRecord { ty, n } => {
                    let Value::RecordType(ty) = &proto.consts[ty as usize] else {
                        unreachable!("a record type const")
                    };
                    let values = ex.stack.split_off(ex.stack.len() - n as usize);
                    ex.push(Value::Record(Rc::new(super::record::Record {
                        ty: ty.clone(),
                        values: RefCell::new(values.into_boxed_slice()),
                    })));
                }
                Op::ListAppend(s) => tri!(super::seq::list_append_op(ex, base + s as usize)),
                Op::MapInsert(s) => tri!(super::seq::map_insert_op(ex, base + s as usize)),
                Op::MakeList(n) => {
                    let items = ex.stack.split_off(ex.stack.len() - n as usize);
                    ex.push(Value::list(items));
                }
                Op::MakeMap(n) => {
                    let items = ex.stack.split_off(ex.stack.len() - 2 * n as usize);
                    let mut map = MapTable::with_capacity(n as usize);
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        let key = tri!(Key::from_value(&k).ok_or_else(|| type_error(format!(
                            "a map key must be str, int, bool or bytes, not `{}`",
                            k.type_name()
                        ))));
                        map.insert(key, v);
                    }
                    ex.push(Value::Map(Rc::new(RefCell::new(map))));
                }
                Op::Closure(idx) => {
                    let p = proto.protos[idx as usize].clone();
                    let upvals = p
                        .upvals
                        .iter()
                        .map(|u| {
                            if u.from_local {
                                match &ex.stack[base + u.index as usize] {
                                    Value::Cell(c) => c.clone(),
                                    other => Rc::new(RefCell::new(other.clone())),
                                }
                            } else {
                                ex.frames[fi].closure.upvals[u.index as usize].clone()
                            }
                        })
                        .collect();
                    ex.stack
                        .push(Value::Func(Rc::new(Closure { proto: p, upvals })));
                }
                Op::Return => do_return!(pop!()),
                Op::ReturnLocal(slot) => do_return!(std::mem::replace(
                    &mut ex.stack[base + slot as usize],
                    Value::Nil
                )),
                Op::SpawnCall(argc) => {
                    save!();
                    match tri!(self.spawn_call(ex, argc as usize)) {
                        SpawnStep::Spawned => {}
                        SpawnStep::Frame => reload!(),
                        SpawnStep::Value => {
                            let v = pop!();
                            let at = self.current_loc(ex);
                            let t = tri!(self.spawn_value(v, at, None));
                            ex.push(t);
                        }
                    }
                }
                Op::Spawn | Op::SpawnInGroup(_) => {
                    save!();
                    let v = pop!();
                    let group = match op {
                        Op::SpawnInGroup(slot) => Some(ex.stack[base + slot as usize].clone()),
                        _ => None,
                    };
                    let at = self.current_loc(ex);
                    let t = tri!(self.spawn_value(v, at, group));
                    ex.push(t);
                }
                Op::Throw => {
                    save!();
                    let v = pop!();
                    let e = match v {
                        Value::Error(e) => e,
                        other => ErrorObj::new("Error", other.to_display()),
                    };
                    fail!(e);
                }
                Op::Rethrow => {
                    save!();
                    let Value::Error(e) = pop!() else {
                        unreachable!("rethrow of a non-error")
                    };
                    fail!(e);
                }
                Op::PushHandler(t) => ex.handlers.push(Handler {
                    frame: fi,
                    target: t as usize,
                    sp: ex.stack.len(),
                }),
                Op::PopHandler => {
                    ex.handlers.pop();
                }
                Op::IterStart => {
                    let v = pop!();
                    let it = tri!(ops::make_iter(&v));
                    ex.push(Value::Iter(Rc::new(RefCell::new(it))));
                }
                Op::IterNext(exit) => {
                    let Some(Value::Iter(it)) = ex.stack.last() else {
                        unreachable!("IterNext without an iterator")
                    };
                    let mut it = it.borrow_mut();
                    // A range yields its ints in place (the common loop).
                    if let Iter::Range { next, stop, step } = &mut *it {
                        let more = if *step > 0 {
                            *next < *stop
                        } else {
                            *next > *stop
                        };
                        if more {
                            let n = *next;
                            *next = next.saturating_add(*step);
                            drop(it);
                            ex.push_int(n);
                        } else {
                            ip = exit as usize;
                        }
                        continue;
                    }
                    // So does a list's item, read straight from the list.
                    if let Iter::List { list, pos } = &mut *it {
                        let item = list.borrow().get(*pos).map(|v| match v {
                            Value::Int(n) => Ok(*n),
                            other => Err(other.clone()),
                        });
                        *pos += 1;
                        drop(it);
                        match item {
                            Some(Ok(n)) => ex.push_int(n),
                            Some(Err(v)) => ex.push(v),
                            None => ip = exit as usize,
                        }
                        continue;
                    }
                    let next = it.next_item();
                    drop(it);
                    match next {
                        Some(v) => {
                            // `as_completed`'s coroutines are made here.
                            if matches!(v, Value::Coro(_)) {
                                save!();
                                self.mark_created(&v, ex);
                            }
                            ex.push_result(v);
                        }
                        None => ip = exit as usize,
                    }
                }
                Op::Unpack(n) => tri!(super::seq::unpack_op(ex, n as usize)),
                Op::UnpackStar { before, after } => tri!(super::seq::unpack_star_op(
                    ex,
                    before as usize,
                    after as usize
                )),
                Op::Format(k) => {
                    // Without a spec a string shows as itself and an int
                    // as its digits: no formatter, no `String` copied over.
                    if k == u32::MAX {
                        match ex.stack.last_mut() {
                            Some(Value::Str(_)) => continue,
                            Some(top @ Value::Int(_)) => {
                                let Value::Int(n) = *top else { unreachable!() };
                                *top = Value::Str(super::str::Str::from_int(n));
                                continue;
                            }
                            _ => {}
                        }
                    }
                    let v = pop!();
                    let s = if k == u32::MAX {
                        v.try_display()
                    } else {
                        match &proto.consts[k as usize] {
                            Value::Str(spec) => super::format::format_spec(&v, spec),
                            _ => v.try_display(),
                        }
                    };
                    let s = tri!(s);
                    ex.push(Value::Str(s.into()));
                }
                Op::Repr => {
                    let v = pop!();
                    let s = tri!(v.try_repr());
                    ex.push(Value::Str(s.into()));
                }
                Op::Concat(n) => {
                    // The parts are read where they lie on the stack.
                    let from = ex.stack.len() - n as usize;
                    let joined = {
                        let texts: smallvec::SmallVec<[&str; 8]> = ex.stack[from..]
                            .iter()
                            .filter_map(|p| match p {
                                Value::Str(x) => Some(x.as_str()),
                                _ => None,
                            })
                            .collect();
                        super::ops::concat(&texts)
                    };
                    ex.stack.truncate(from);
                    let joined = tri!(joined);
                    ex.push(joined);
                }
                Op::CatchMatch(k) => {
                    let v = pop!();
                    let Value::Error(e) = v else {
                        unreachable!("catch without error")
                    };
                    let hit = if k == u32::MAX {
                        !e.escapes_catch_all()
                    } else {
                        match &proto.consts[k as usize] {
                            Value::List(kinds) => kinds.borrow().iter().any(|kind| match kind {
                                Value::Str(s) => {
                                    **s == *e.kind || (&**s == "Error" && !e.escapes_catch_all())
                                }
                                _ => false,
                            }),
                            _ => false,
                        }
                    };
                    ex.push(Value::Bool(hit));
                }
                Op::WithEnter(slot) => {
                    save!();
                    let scope = ex.stack[base + slot as usize].clone();
                    match tri!(self.with_enter(&scope)) {
                        super::scopes::Enter::Value(v) => ex.push(v),
                        super::scopes::Enter::Wait(n) => {
                            self.push_native(ex, n);
                            return Flow::Next(Input::Start);
                        }
                    }
                }
                Op::WithExit { slot, failed } => {
                    save!();
                    let scope = ex.stack[base + slot as usize].clone();
                    let error = if failed {
                        match pop!() {
                            Value::Error(e) => Some(e),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    tri!(self.with_exit(&scope, error.as_ref()));
                    match error {
                        Some(e) => fail!(e),
                        None => ex.push(Value::Nil),
                    }
                }
                Op::StreamStart(slot) => {
                    let v = pop!();
                    tri!(super::stream::check(&v));
                    ex.stack[base + slot as usize] = v;
                }
                Op::StreamNext { slot, name } => {
                    save!();
                    let s = ex.stack[base + slot as usize].clone();
                    if let Some(st) = super::stream::native(&s) {
                        let mut ctx = super::native_fn::Ctx { interp: self };
                        match st.ready(&mut ctx) {
                            Some(item) => {
                                ex.push(tri!(item));
                                ip += 1; // past the `Await`
                            }
                            None => {
                                let fut = tri!(st.wait(&mut ctx));
                                ip += 1;
                                save!();
                                let shown: Rc<str> = Rc::from(s.type_name());
                                self.push_native(ex, super::native::NativeCoro::op(shown, fut));
                                return Flow::Next(Input::Start);
                            }
                        }
                        continue;
                    }
                    ex.push(s);
                    if tri!(self.call_attr(ex, proto, name, 0, u32::MAX)) {
                        reload!();
                    }
                }
                Op::StreamClose { slot, name } => {
                    save!();
                    let s = ex.stack[base + slot as usize].clone();
                    if let Some(st) = super::stream::native(&s) {
                        st.close(&mut super::native_fn::Ctx { interp: self });
                        ex.push_nil();
                        ip += 1; // past the `AwaitMaybe`
                    } else if super::stream::has_method(&s, "close") {
                        ex.push(s);
                        if tri!(self.call_attr(ex, proto, name, 0, u32::MAX)) {
                            reload!();
                        }
                    } else {
                        ex.push_nil();
                    }
                }
                Op::AwaitMaybe => {
                    if matches!(
                        ex.stack.last(),
                        Some(Value::Coro(_) | Value::Task(_) | Value::Future(_))
                    ) {
                        save!();
                        let v = pop!();
                        match tri!(self.await_value(ex, v)) {
                            None if ex.frames.len() == fi + 1 => {}
                            None => reload!(),
                            Some(flow) => return flow,
                        }
                    }
                }
                Op::JumpIfNil(t) => {
                    if matches!(ex.stack.last(), Some(Value::Nil)) {
                        ex.stack.pop();
                        ip = t as usize;
                    }
                }
                Op::GroupEnter(slot) => {
                    ex.stack[base + slot as usize] = super::group::new_group(self.current.clone());
                }
                Op::GroupExit { slot, failed } => {
                    save!();
                    let group = ex.stack[base + slot as usize].clone();
                    let error = if failed {
                        match pop!() {
                            Value::Error(e) => Some(e),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    self.push_native(ex, super::group::exit(group, error));
                    return Flow::Next(Input::Start);
                }
            }
        }
    }
}

/// `*slot = Value::Int(n)`, with the int built in the slot: an assignment
/// builds it in a temporary first (the old value's drop runs in between),
/// and copying that back stalls on its narrower stores.
#[inline(always)]
fn set_int(slot: &mut Value, n: i64) {
    let slot: *mut Value = slot;
    // SAFETY: `slot` is valid; it is dropped at most once and rewritten
    // at once. Dropping a value never touches the stack or the globals.
    unsafe {
        if !matches!(
            *slot,
            Value::Int(_) | Value::Nil | Value::Bool(_) | Value::Float(_)
        ) {
            std::ptr::drop_in_place(slot);
        }
        slot.write(Value::Int(n));
    }
}

/// Cuts the stack back to where frame `f` started. A function that made
/// cells may leave closures that capture themselves (a local `fn` calling
/// itself): once its slots are gone, those nothing else reaches are freed.
#[inline(always)]
fn pop_frame_slots(ex: &mut Exec, f: &super::exec::Frame) {
    if f.closure.proto.has_cells {
        pop_frame_cells(ex, f);
    } else {
        ex.stack.truncate(f.ret_to as usize);
    }
}

/// [`pop_frame_slots`] for a frame that made cells (out of the hot path).
#[cold]
#[inline(never)]
fn pop_frame_cells(ex: &mut Exec, f: &super::exec::Frame) {
    let from = (f.base as usize).min(ex.stack.len());
    let cells = super::cycles::cells_in(&ex.stack[from..]);
    ex.stack.truncate(f.ret_to as usize);
    super::cycles::free_unreachable(cells);
}
