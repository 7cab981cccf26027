//! Ops on containers and objects: indexing, building lists, maps, records
//! and closures, iteration, fields, and method calls.

use super::{pop, vars, Regs, Step};
use crate::runtime::call::split_named;
use crate::runtime::error::{type_error, ErrorRef};
use crate::runtime::exec::{drop_value, move_value, Exec};
use crate::runtime::interp::Interp;
use crate::runtime::link::{Closure, FnProto};
use crate::runtime::methods::{LIST_PUSH, MAP_GET};
use crate::runtime::values::ops;
use crate::runtime::values::value::{Iter, Key, ListItems, MapTable, Value};
use std::cell::RefCell;
use std::rc::Rc;

#[inline(always)]
pub(super) fn index(ex: &mut Exec) -> Step {
    // A list's item by an int in range: read in place.
    let n = ex.stack.len();
    if let [.., Value::List(l), Value::Int(i)] = ex.stack.as_slice() {
        let l = l.borrow();
        let j = if *i < 0 { *i + l.len() as i64 } else { *i };
        if (0..l.len() as i64).contains(&j) {
            let v = l[j as usize].clone();
            drop(l);
            ex.cut(n - 2);
            ex.push_result(v);
            return Ok(());
        }
    }
    // A map's value by a str key (`p["name"]`): looked up where both lie.
    if let [.., Value::Map(m), Value::Str(k)] = ex.stack.as_slice() {
        let table = m.borrow();
        let found = table.get_str(k).cloned();
        drop(table);
        if let Some(v) = found {
            ex.cut(n - 2);
            ex.push_result(v);
            return Ok(());
        }
    }
    let i = pop(ex);
    let t = pop(ex);
    let r = ops::index(&t, &i);
    drop_value(i);
    drop_value(t);
    ex.push(r?);
    Ok(())
}

/// `list.push(v)` with the list and `v` on top: `v` moves into the list
/// and the list is left on top. `Ok(false)`: not a list, nothing done.
#[inline(always)]
fn list_push(ex: &mut Exec) -> Result<bool, ErrorRef> {
    push_top_into(ex, ex.stack.len() - 2)
}

/// Moves the top value into the list in stack slot `at`, below the top,
/// field by field (it was most likely just pushed: see `move_value`); the
/// stack forgets it. `Ok(false)`: no list there, nothing done.
#[inline(always)]
fn push_top_into(ex: &mut Exec, at: usize) -> Result<bool, ErrorRef> {
    let n = ex.stack.len();
    // Below the top, which it must not be: checked, not assumed.
    let Some(Value::List(l)) = ex.stack.get(at).filter(|_| at + 1 < n) else {
        return Ok(false);
    };
    let l: *const RefCell<ListItems> = &**l;
    // SAFETY: the list's `Rc` stays in its slot, below the top, until the
    // item is in; the item (the top) is read once and the stack forgets it.
    unsafe {
        let mut items = (*l).borrow_mut();
        crate::runtime::values::growth::list_room(&mut items, 1)?;
        let len = items.len();
        move_value(ex.stack.as_ptr().add(n - 1), items.as_mut_ptr().add(len));
        items.set_len(len + 1);
        drop(items);
        ex.stack.set_len(n - 1);
    }
    Ok(true)
}

/// `local[k]` with a constant key: a map's value by a str key is copied
/// from where the map lies, neither the map nor the key pushed (no
/// reference count on either, no drop after); anything else goes the way
/// of `Index`.
#[inline(always)]
pub(super) fn index_local_const(ex: &mut Exec, at: usize, key: &Value) -> Step {
    if let (Value::Map(m), Value::Str(k)) = (&ex.stack[at], key) {
        let m: *const RefCell<MapTable> = &**m;
        // SAFETY: the map's `Rc` stays in its local slot while the value is
        // copied; growing the stack moves the slot, not the map.
        let table = unsafe { &*m }.borrow();
        if let Some(v) = table.get_str(k) {
            ex.push_copy(v);
            return Ok(());
        }
    }
    index_local_slow(ex, at, key)
}

/// `local[k]` with an int key: a list's item in range is copied from
/// where the list lies; anything else goes the way of `Index`.
#[inline(always)]
pub(super) fn index_local_int(ex: &mut Exec, at: usize, k: i32) -> Step {
    if let Value::List(l) = &ex.stack[at] {
        let l: *const RefCell<ListItems> = &**l;
        // SAFETY: as in `index_local_const`: the list stays in its slot.
        let items = unsafe { &*l }.borrow();
        let j = if k < 0 {
            k as i64 + items.len() as i64
        } else {
            k as i64
        };
        if (0..items.len() as i64).contains(&j) {
            ex.push_copy(&items[j as usize]);
            return Ok(());
        }
    }
    index_local_slow(ex, at, &Value::Int(k as i64))
}

/// `a[b]` of two locals: a list's item by an int in range, or a map's
/// value by a str key, copied from where the container lies; anything
/// else goes the way of `Index`.
#[inline(always)]
pub(super) fn index_locals(ex: &mut Exec, a: usize, b: usize) -> Step {
    match (&ex.stack[a], &ex.stack[b]) {
        (Value::List(l), Value::Int(i)) => {
            let l: *const RefCell<ListItems> = &**l;
            // SAFETY: as in `index_local_const`: the list stays in its slot.
            let items = unsafe { &*l }.borrow();
            let j = if *i < 0 { *i + items.len() as i64 } else { *i };
            if (0..items.len() as i64).contains(&j) {
                ex.push_copy(&items[j as usize]);
                return Ok(());
            }
        }
        (Value::Map(m), Value::Str(k)) => {
            let m: *const RefCell<MapTable> = &**m;
            // SAFETY: as in `index_local_const`: the map stays in its slot.
            let table = unsafe { &*m }.borrow();
            if let Some(v) = table.get_str(k) {
                ex.push_copy(v);
                return Ok(());
            }
        }
        _ => {}
    }
    index_locals_slow(ex, a, b)
}

#[inline(never)]
fn index_locals_slow(ex: &mut Exec, a: usize, b: usize) -> Step {
    ex.push_local(a);
    ex.push_local(b);
    index(ex)
}

/// The fused index's other cases: both pushed, then `Index` itself.
#[inline(never)]
fn index_local_slow(ex: &mut Exec, at: usize, key: &Value) -> Step {
    ex.push_local(at);
    ex.push_copy(key);
    index(ex)
}

#[inline(always)]
pub(super) fn store_index(ex: &mut Exec) -> Step {
    // An existing str key of a map (`p["score"] = ...`): the value is
    // replaced in place; the map does not grow, so needs no room.
    let n = ex.stack.len();
    if let [.., Value::Map(m), Value::Str(k), _] = ex.stack.as_slice() {
        let m: *const RefCell<MapTable> = &**m;
        // SAFETY: the map's `Rc` stays on the stack until the `truncate`
        // below, after the table's last use.
        let mut table = unsafe { &*m }.borrow_mut();
        if let Some(slot) = table.get_str_mut(k) {
            // SAFETY: `n >= 3` (matched above): the value moves into the
            // map and the stack forgets it.
            let v = unsafe {
                ex.stack.set_len(n - 1);
                std::ptr::read(ex.stack.as_ptr().add(n - 1))
            };
            let old = std::mem::replace(slot, v);
            drop(table);
            ex.cut(n - 3);
            drop_value(old);
            return Ok(());
        }
    }
    let v = pop(ex);
    let i = pop(ex);
    let t = pop(ex);
    ops::store_index(&t, &i, v)?;
    Ok(())
}

/// `local["key"] = value` (the value on top): an existing str key of a
/// map in the local has its value replaced in place, the map read where
/// it lies (no count taken on it or the key); anything else goes the way
/// of `StoreIndex`.
#[inline(always)]
pub(super) fn store_index_local_const(ex: &mut Exec, at: usize, key: &Value) -> Step {
    if let (Value::Map(m), Value::Str(k)) = (&ex.stack[at], key) {
        let m: *const RefCell<MapTable> = &**m;
        // SAFETY: the map's `Rc` stays in its local slot (below the value
        // popped) until the table's last use.
        let mut table = unsafe { &*m }.borrow_mut();
        if let Some(slot) = table.get_str_mut(k) {
            let old = std::mem::replace(slot, pop(ex));
            drop(table);
            drop_value(old);
            return Ok(());
        }
    }
    store_index_local_slow(ex, at, key)
}

#[inline(never)]
fn store_index_local_slow(ex: &mut Exec, at: usize, key: &Value) -> Step {
    let v = pop(ex);
    let target = ex.stack[at].clone();
    ops::store_index(&target, key, v)?;
    Ok(())
}

#[inline(never)]
pub(super) fn make_record(ex: &mut Exec, proto: &FnProto, ty: u32, n: u32) {
    let Value::RecordType(ty) = &proto.consts[ty as usize] else {
        unreachable!("a record type const")
    };
    let values = ex.stack.split_off(ex.stack.len() - n as usize);
    ex.push(Value::Record(Rc::new(
        crate::runtime::values::record::Record {
            ty: ty.clone(),
            values: RefCell::new(values.into_boxed_slice()),
        },
    )));
}

#[inline(always)]
pub(super) fn make_list(ex: &mut Exec, n: u32) {
    let items = ex.stack.split_off(ex.stack.len() - n as usize);
    ex.push(Value::list(items));
}

#[inline(never)]
pub(super) fn make_map(ex: &mut Exec, n: u32) -> Step {
    let from = ex.stack.len() - 2 * n as usize;
    // Every key is checked before any pair moves: a bad one leaves the
    // stack as it was, for the unwinding to drop.
    if let Some(bad) = ex.stack[from..]
        .iter()
        .step_by(2)
        .find(|k| !Key::accepts(k))
    {
        return Err(type_error(format!(
            "a map key must be str, int, bool or bytes, not `{}`",
            bad.type_name()
        ))
        .into());
    }
    let mut map = MapTable::with_capacity(n as usize);
    // SAFETY: the pairs are read out of the stack once each (moved, the
    // keys converted without a count: `into_key`), and the stack forgets
    // them at once, before anything can fail or look at it (inserting
    // drops only a replaced value, which owns nothing on the stack).
    unsafe {
        let p = ex.stack.as_ptr().add(from);
        ex.stack.set_len(from);
        for i in 0..n as usize {
            let k = std::ptr::read(p.add(2 * i));
            let v = std::ptr::read(p.add(2 * i + 1));
            map.insert(into_key(k), v);
        }
    }
    ex.push(Value::Map(Rc::new(RefCell::new(map))));
    Ok(())
}

/// `MakeMapStrs`: the keys are distinct string literals (the compiler
/// saw to it), so the pairs move in as they lie, with no check of a key
/// and no search for an earlier one.
#[inline(never)]
pub(super) fn make_map_strs(ex: &mut Exec, n: u32) {
    let from = ex.stack.len() - 2 * n as usize;
    let mut pairs = Vec::with_capacity(n as usize);
    // SAFETY: as in `make_map`: each pair is read out of the stack once
    // and the stack forgets them all before anything else runs.
    unsafe {
        let p = ex.stack.as_ptr().add(from);
        ex.stack.set_len(from);
        for i in 0..n as usize {
            let Value::Str(k) = std::ptr::read(p.add(2 * i)) else {
                unreachable!("MakeMapStrs with a key that is not a str")
            };
            pairs.push((Key::Str(k), std::ptr::read(p.add(2 * i + 1))));
        }
    }
    let map = MapTable::from_distinct(pairs);
    ex.push(Value::Map(Rc::new(RefCell::new(map))));
}

/// A key checked by `Key::accepts`, moved instead of cloned.
#[inline(always)]
fn into_key(k: Value) -> Key {
    match k {
        Value::Str(s) => Key::Str(s),
        Value::Bytes(b) => Key::Bytes(b),
        other => Key::from_value(&other).expect("checked by Key::accepts"),
    }
}

/// A closure of `proto.protos[idx]`, capturing cells of this frame's
/// locals or of its own captures.
#[inline(never)]
pub(super) fn closure(ex: &mut Exec, r: Regs, proto: &FnProto, idx: u32) {
    let p = proto.protos[idx as usize].clone();
    let upvals = p
        .upvals
        .iter()
        .map(|u| {
            if u.from_local {
                match &ex.stack[r.base + u.index as usize] {
                    Value::Cell(c) => c.clone(),
                    other => Rc::new(RefCell::new(other.clone())),
                }
            } else {
                ex.frames[r.fi].closure.upvals[u.index as usize].clone()
            }
        })
        .collect();
    ex.stack
        .push(Value::Func(Rc::new(Closure { proto: p, upvals })));
}

#[inline(always)]
pub(super) fn iter_start(ex: &mut Exec) -> Step {
    let v = pop(ex);
    let it = ops::make_iter(&v)?;
    ex.push(Value::Iter(Rc::new(RefCell::new(it))));
    Ok(())
}

/// Where a loop's next item goes: onto the stack (`IterNext`, for a
/// pattern or a cell) or into the loop variable's slot (`IterNextLocal`).
#[derive(Clone, Copy)]
pub(super) enum Sink {
    Push,
    Local(usize),
}

impl Sink {
    #[inline(always)]
    fn int(self, ex: &mut Exec, n: i64) {
        match self {
            Sink::Push => ex.push_int(n),
            Sink::Local(at) => super::vars::set_plain(&mut ex.stack[at], || Value::Int(n)),
        }
    }

    #[inline(always)]
    fn value(self, ex: &mut Exec, v: Value) {
        match self {
            Sink::Push => ex.push_result(v),
            Sink::Local(at) => ex.stack[at] = v,
        }
    }
}

/// A map key from a value: a str as it lies (for [`MapTable::get_str`],
/// no count taken), any other key made with [`Key::from_value`].
#[inline(always)]
fn map_key(v: &Value) -> Option<Result<&crate::runtime::values::value::Str, Key>> {
    match v {
        Value::Str(s) => Some(Ok(s)),
        other => Key::from_value(other).map(Err),
    }
}

impl Interp {
    /// The next item of the iterator on top, or a jump to `exit`.
    #[inline(always)]
    pub(super) fn op_iter_next(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        exit: u32,
        to: Sink,
    ) -> Step {
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
                to.int(ex, n);
            } else {
                r.jump(exit);
            }
            return Ok(());
        }
        // So does a list's item, read straight from the list.
        if let Iter::List { list, pos } = &mut *it {
            // SAFETY: nothing writes the list while its item is read and
            // copied (no script code runs, and a copy only counts the
            // item), so no count of this borrow is kept; like `borrow`,
            // this fails only on a list borrowed mutably.
            let items = unsafe { list.try_borrow_unguarded() }.expect("list borrowed mutably");
            let item = items.get(*pos).map(|v| match v {
                Value::Int(n) => Ok(*n),
                other => Err(other.clone()),
            });
            *pos += 1;
            drop(it);
            match item {
                Some(Ok(n)) => to.int(ex, n),
                Some(Err(v)) => to.value(ex, v),
                None => r.jump(exit),
            }
            return Ok(());
        }
        let next = it.next_item();
        drop(it);
        match next {
            Some(v) => {
                // `as_completed`'s coroutines are made here.
                if matches!(v, Value::Coro(_)) {
                    r.save(ex);
                    self.mark_created(&v, ex);
                }
                to.value(ex, v);
            }
            None => r.jump(exit),
        }
        Ok(())
    }

    /// `IterLoop`: the backward jump to the loop head at `top` (a check
    /// point), then the head's `IterNextLocal`, run as if fetched there
    /// (`ip` past it, so an error in the step points at the head).
    #[inline(always)]
    pub(super) fn op_iter_loop(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        slot: u32,
        exit: u32,
        top: u32,
    ) -> Step {
        self.op_jump(ex, r, top)?;
        r.skip();
        let at = r.base + slot as usize;
        self.op_iter_next(ex, r, exit, Sink::Local(at))
    }

    /// `recv.method(args)`: `push` on a list, `get` on a map and the hot
    /// string methods run from the stack; the rest through `methods::call`.
    #[inline(always)]
    pub(super) fn op_method(&mut self, ex: &mut Exec, r: &Regs, method: u32, argc: u32) -> Step {
        r.save(ex);
        let n = ex.stack.len();
        if method == LIST_PUSH && argc == 1 && list_push(ex)? {
            // The list's slot becomes the call's result, nil.
            vars::set_plain(&mut ex.stack[n - 2], || Value::Nil);
            return Ok(());
        }
        if method == MAP_GET && (argc == 1 || argc == 2) {
            let at = n - argc as usize - 1;
            if let (Value::Map(m), Some(key)) = (&ex.stack[at], map_key(&ex.stack[at + 1])) {
                let table = m.borrow();
                let found = match key {
                    Ok(k) => table.get_str(k).cloned(),
                    Err(key) => table.get(&key).cloned(),
                };
                drop(table);
                let r = match found {
                    Some(v) => v,
                    None if argc == 2 => ex.stack[at + 2].clone(),
                    None => Value::Nil,
                };
                ex.cut(at);
                ex.push_result(r);
                return Ok(());
            }
        }
        self.method_slow(ex, method, argc)
    }

    /// A method call whose result is dropped: `xs.push(v)` leaves nothing
    /// behind (the list's reference is let go at once).
    #[inline(always)]
    pub(super) fn op_method_pop(
        &mut self,
        ex: &mut Exec,
        r: &Regs,
        method: u32,
        argc: u32,
    ) -> Step {
        if method == LIST_PUSH && argc == 1 && list_push(ex)? {
            ex.discard();
            return Ok(());
        }
        self.op_method(ex, r, method, argc)?;
        ex.discard();
        Ok(())
    }

    /// `local.method(v)` as a statement (`Op::MethodPopLocal`), the local
    /// in stack slot `at` and `v` on top: a list's `push` moves `v` into
    /// the list where it lies, without the list's `Rc` pushed, counted and
    /// dropped; anything else is [`Self::method_pop_local_slow`]. Out of
    /// line: in line, the evaluator's loop spilled differently and plain
    /// calls, which never run it, paid (fib +0.35 %).
    ///
    /// The fast path alone takes neither the registers nor `self`, and
    /// answers in registers (`Ok(false)`: not a list's `push`, nothing
    /// done; the caller runs [`Self::method_pop_local_slow`]): a copy of
    /// the registers passed by value, and a `Step` returned through
    /// memory, cost a tenth of the op.
    #[inline(never)]
    pub(super) fn method_pop_local_fast(
        ex: &mut Exec,
        at: usize,
        method: u32,
    ) -> Result<bool, ErrorRef> {
        if method == LIST_PUSH {
            return push_top_into(ex, at);
        }
        Ok(false)
    }

    /// [`Self::method_pop_local_fast`] as the unfused code ran it: a copy
    /// of the local goes below `v`, and the call is `MethodPop`'s (same
    /// result, same errors; the span is the call's, which this op keeps).
    #[inline(never)]
    pub(super) fn method_pop_local_slow(
        &mut self,
        ex: &mut Exec,
        r: Regs,
        at: usize,
        method: u32,
    ) -> Step {
        let recv = ex.stack[at].clone();
        let n = ex.stack.len();
        ex.stack.insert(n - 1, recv);
        self.op_method_pop(ex, &r, method, 1)
    }

    /// [`Self::op_method`] past its fast paths.
    #[inline(never)]
    fn method_slow(&mut self, ex: &mut Exec, method: u32, argc: u32) -> Step {
        let at = ex.stack.len() - argc as usize - 1;
        let fast = match &ex.stack[at] {
            Value::Str(s) => {
                crate::runtime::values::str_methods::call(method, s, &ex.stack[at + 1..])
            }
            _ => None,
        };
        if let Some(r) = fast {
            ex.cut(at);
            ex.push_result(r);
            return Ok(());
        }
        let args = ex.stack.split_off(ex.stack.len() - argc as usize);
        let recv = pop(ex);
        self.caller_depth = ex.frames.len();
        let r = crate::runtime::methods::call(self, method, recv, args, Vec::new());
        self.caller_depth = 0;
        let r = r?;
        self.mark_created(&r, ex);
        ex.push_result(r);
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_method_named(
        &mut self,
        ex: &mut Exec,
        r: Regs,
        proto: &FnProto,
        method: u32,
        argc: u32,
        names: u32,
    ) -> Step {
        r.save(ex);
        let names = proto.consts[names as usize].clone();
        let recv_at = ex.stack.len() - argc as usize - 1;
        let (positional, named) = split_named(ex, recv_at, Some(&names));
        let recv = pop(ex);
        self.caller_depth = ex.frames.len();
        let r = crate::runtime::methods::call(self, method, recv, positional, named);
        self.caller_depth = 0;
        let r = r?;
        ex.push(r);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_call_attr(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        proto: &FnProto,
        name: u32,
        argc: u32,
        names: u32,
    ) -> Step {
        r.save(ex);
        if self.call_attr(ex, proto, name, argc, names)? {
            r.reload(ex);
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_get_field(&mut self, ex: &mut Exec, proto: &FnProto, k: u32) -> Step {
        let Value::Str(name) = &proto.consts[k as usize] else {
            unreachable!("a field name const")
        };
        let t = pop(ex);
        let r = self.get_field(&t, name)?;
        ex.push(r);
        Ok(())
    }

    #[inline(always)]
    pub(super) fn op_set_field(&mut self, ex: &mut Exec, proto: &FnProto, k: u32) -> Step {
        let Value::Str(name) = &proto.consts[k as usize] else {
            unreachable!("a field name const")
        };
        let v = pop(ex);
        let t = pop(ex);
        self.set_field(&t, name, v)?;
        Ok(())
    }
}
