//! A small clean-up pass over finished code: a comparison followed by a
//! conditional jump becomes one instruction, so do the commonest short
//! sequences on a local (`n - 1`, `i < n` then jump, `return x`), and the
//! `Nop`s left behind or by declarations that needed no cell are removed
//! (jump targets remapped). A fused instruction keeps the span of the part
//! that can fail, so errors point where they did.

use super::code::{jump_target as target, jump_targets, Arith, Cmp, Op, MAP_BUMP_SKIP};
use crate::syntax::Span;

fn retarget(op: Op, map: &[u32]) -> Op {
    let m = |t: u32| map[t as usize];
    match op {
        Op::Jump(t) => Op::Jump(m(t)),
        Op::JumpIfFalse(t) => Op::JumpIfFalse(m(t)),
        Op::JumpIfFalseOrPop(t) => Op::JumpIfFalseOrPop(m(t)),
        Op::JumpIfTrueOrPop(t) => Op::JumpIfTrueOrPop(m(t)),
        Op::PushHandler(t) => Op::PushHandler(m(t)),
        Op::IterNext(t) => Op::IterNext(m(t)),
        Op::IterNextLocal { slot, exit } => Op::IterNextLocal {
            slot,
            exit: m(exit),
        },
        Op::JumpIfNil(t) => Op::JumpIfNil(m(t)),
        Op::CmpJump(c, t) => Op::CmpJump(c, m(t)),
        Op::CmpLocalIntJump {
            cmp,
            slot,
            k,
            target,
        } => Op::CmpLocalIntJump {
            cmp,
            slot,
            k,
            target: m(target),
        },
        Op::DefaultArg { slot, skip } => Op::DefaultArg {
            slot,
            skip: m(skip),
        },
        other => other,
    }
}

/// `const_stores`: where each `name["key"] = value` loads `name` and
/// stores (see `fuse_const_stores`); `aug_stores`: where each `name <op>=
/// value` loads `name` and stores it (see `fuse_aug_stores`);
/// `local_methods`: where each `name.method(v)` loads `name` and calls (see
/// `fuse_local_method_pops`); `local_calls`: where each `name(args)` loads
/// `name` and calls (see `fuse_local_calls`).
pub(super) fn optimize(
    mut code: Vec<Op>,
    mut spans: Vec<Span>,
    const_stores: &[(usize, usize)],
    aug_stores: &[(usize, usize)],
    local_methods: &[(usize, usize)],
    local_calls: &[(usize, usize)],
) -> (Vec<Op>, Vec<Span>) {
    let mut is_target = vec![false; code.len() + 1];
    let has = Present::scan(&code, &mut is_target);
    fuse_const_stores(&mut code, &is_target, const_stores);
    fuse_aug_stores(&mut code, &mut spans, &is_target, aug_stores);
    fuse_local_method_pops(&mut code, &is_target, local_methods);
    fuse_local_calls(&mut code, &is_target, local_calls, has.local);
    // Each pass below starts from an op that no pass before it makes, so
    // code without that op (a file of top-level `x += 1` lines has no
    // local, no comparison, no call, no jump) skips the pass's walk.
    if has.cmp {
        for i in 0..code.len().saturating_sub(1) {
            let Some(cmp) = cmp_of(code[i]) else {
                continue;
            };
            if let (Op::JumpIfFalse(t), false) = (code[i + 1], is_target[i + 1]) {
                code[i] = Op::CmpJump(cmp, t);
                code[i + 1] = Op::Nop;
            }
        }
    }
    if has.method {
        fuse_map_bump(&mut code, &mut is_target);
    }
    if has.local {
        fuse_local_ops(&mut code, &mut spans, &is_target);
    }
    if has.int {
        fuse_int_ops(&mut code, &mut spans, &is_target);
    }
    if has.method {
        fuse_method_pop(&mut code, &is_target);
    }
    if has.jump {
        fuse_iter_store(&mut code, &is_target);
    }
    if has.local {
        fuse_local_pairs(&mut code, &mut spans, &is_target);
        fuse_arith_local(&mut code, &mut spans, &is_target);
    }
    drop(is_target);
    drop_nops(&mut code, &mut spans, has.jump);
    if has.jump {
        fuse_loop_back(&mut code);
    }
    if has.local {
        fuse_index_arith(&mut code);
    }
    fuse_returns(&mut code);
    // The evaluator fetches instructions without bounds checks: it relies
    // on every function ending in a return and every jump landing inside.
    assert!(matches!(code.last(), Some(Op::Return)));
    assert!(
        !has.jump
            || code
                .iter()
                .flat_map(jump_targets)
                .all(|t| (t as usize) < code.len())
    );
    (code, spans)
}

/// Which kinds of op that start a fusion the code has.
struct Present {
    /// Any op that jumps (`jump_target`).
    jump: bool,
    local: bool,
    int: bool,
    cmp: bool,
    method: bool,
}

impl Present {
    /// The kinds in `code`; marks where its jumps land in `is_target`.
    fn scan(code: &[Op], is_target: &mut [bool]) -> Present {
        let mut has = Present {
            jump: false,
            local: false,
            int: false,
            cmp: false,
            method: false,
        };
        for op in code {
            match op {
                Op::LoadLocal(_) => has.local = true,
                Op::Int(_) => has.int = true,
                Op::Method { .. } => has.method = true,
                _ if cmp_of(*op).is_some() => has.cmp = true,
                _ => {
                    if let Some(t) = target(op) {
                        is_target[t as usize] = true;
                        has.jump = true;
                    }
                }
            }
        }
        has
    }
}

/// Removes the `Nop`s in place, moving the jumps' targets (`jumps`: the
/// code has some), and gives back the room they took.
fn drop_nops(code: &mut Vec<Op>, spans: &mut Vec<Span>, jumps: bool) {
    // map[old] = index of the first kept instruction at or after `old`.
    let map = if jumps {
        let mut map = vec![0u32; code.len() + 1];
        let mut kept = 0u32;
        for (i, op) in code.iter().enumerate() {
            map[i] = kept;
            if *op != Op::Nop {
                kept += 1;
            }
        }
        map[code.len()] = kept;
        map
    } else {
        Vec::new()
    };
    let mut kept = 0;
    for i in 0..code.len() {
        let op = code[i];
        if op != Op::Nop {
            code[kept] = if jumps { retarget(op, &map) } else { op };
            spans[kept] = spans[i];
            kept += 1;
        }
    }
    code.truncate(kept);
    spans.truncate(kept);
    code.shrink_to_fit();
    spans.shrink_to_fit();
}

/// Fuses a backward `Jump` to a loop's `IterNextLocal` (the end of a `for`
/// body, a `continue`) with it, on the final code (the jump's index and
/// its target stay as they are). The fused instruction keeps the jump's
/// span; the evaluator steps to the loop head before it takes the item,
/// so an error there points where `IterNextLocal`'s did.
fn fuse_loop_back(code: &mut [Op]) {
    for i in 0..code.len() {
        let Op::Jump(top) = code[i] else {
            continue;
        };
        if (top as usize) < i {
            if let Op::IterNextLocal { slot, exit } = code[top as usize] {
                code[i] = Op::IterLoop { slot, exit, top };
            }
        }
    }
}

/// Fuses `IndexLocals` with the arithmetic after it (`x * v[j]`) on the
/// final code, as `MapBump` is fused: the fused op takes `IndexLocals`'
/// place and span and the arithmetic stays behind it with its own, run
/// when the fused op declines (it then does what `IndexLocals` did), so
/// errors from either point where they did. A jump that lands on the
/// arithmetic finds it as it was.
fn fuse_index_arith(code: &mut [Op]) {
    for i in 0..code.len().saturating_sub(1) {
        if let (Op::IndexLocals(a, b), Some(arith)) = (code[i], arith_of(code[i + 1])) {
            code[i] = Op::ArithIndexLocals(arith, a, b);
        }
    }
}

/// Fuses `ArithLocalInt`, `CmpInt`, `ArithLocals` or `Add` with the
/// `Return` after it, on the final code, as `fuse_index_arith` does: the fused op
/// takes the first op's place and span (an error in the arithmetic points
/// where it did), and the `Return` stays for a jump that lands on it.
fn fuse_returns(code: &mut [Op]) {
    for i in 0..code.len().saturating_sub(1) {
        if code[i + 1] != Op::Return {
            continue;
        }
        code[i] = match code[i] {
            Op::ArithLocalInt(a, slot, k) => Op::ReturnArithLocalInt(a, slot, k),
            Op::CmpInt(c, k) => Op::ReturnCmpInt(c, k),
            Op::ArithLocals(a, x, y) => Op::ReturnArithLocals(a, x, y),
            Op::Add => Op::ReturnAdd,
            other => other,
        };
    }
}

/// Fuses `m[k] = m.get(k, 0) + x` (`m` a local or a global, `k` a local,
/// `x` an int or a local) into `MapBump` in place of its first op, which
/// keeps its span (the fused op raises nothing but that op's own error).
/// The other eight ops stay, for when the fused op declines, and it skips
/// a fixed count of them: no jump may land among them, and they are
/// marked as jump targets so that no later fusion (none crosses a target)
/// changes them.
fn fuse_map_bump(code: &mut [Op], is_target: &mut [bool]) {
    let mut i = 0;
    while i + 1 + MAP_BUMP_SKIP <= code.len() {
        let rest = i + 1..i + 1 + MAP_BUMP_SKIP;
        match map_bump(&code[i..rest.end]) {
            Some(op) if !is_target[rest.clone()].contains(&true) => {
                code[i] = op;
                is_target[rest.clone()].fill(true);
                i = rest.end;
            }
            _ => i += 1,
        }
    }
}

/// The `MapBump` that the nine ops `ops` are, if they are one.
fn map_bump(ops: &[Op]) -> Option<Op> {
    let (global, map) = match ops[0] {
        Op::LoadGlobal(g) => (true, g),
        Op::LoadLocal(s) => (false, s),
        _ => return None,
    };
    let Op::LoadLocal(key) = ops[1] else {
        return None;
    };
    let (x_local, x) = match ops[6] {
        Op::Int(k) => (false, k),
        Op::LoadLocal(s) => (true, i32::try_from(s).ok()?),
        _ => return None,
    };
    // Any method of two arguments: the compiler does not know `get`'s
    // number (the runtime does, and checks it before the fused op acts).
    let Op::Method { argc: 2, .. } = ops[5] else {
        return None;
    };
    let tail = [
        ops[0],
        ops[1],
        Op::Int(0),
        ops[5],
        ops[6],
        Op::Add,
        Op::StoreIndex,
    ];
    (ops[2..] == tail).then_some(Op::MapBump {
        global,
        x_local,
        map,
        key,
        x,
    })
}

/// Fuses a `for` loop's `IterNext` with the `StoreLocal` of its variable
/// (past the `Nop`s of its declaration) when no jump lands in between. The
/// fused instruction keeps `IterNext`'s span: the store cannot fail.
fn fuse_iter_store(code: &mut [Op], is_target: &[bool]) {
    for i in 0..code.len() {
        let Op::IterNext(exit) = code[i] else {
            continue;
        };
        let mut j = i + 1;
        while j < code.len() && code[j] == Op::Nop && !is_target[j] {
            j += 1;
        }
        if let (Some(&Op::StoreLocal(slot)), false) = (code.get(j), is_target[j]) {
            code[i] = Op::IterNextLocal { slot, exit };
            code[j] = Op::Nop;
        }
    }
}

/// The instruction that `LoadLocal(a); LoadLocal(b)` and the op at `at`
/// fuse into, if they do (no jump may land on that op).
fn pair_op(code: &[Op], is_target: &[bool], at: usize, a: u32, b: u32) -> Option<Op> {
    if is_target.get(at).copied().unwrap_or(true) {
        return None;
    }
    match *code.get(at)? {
        Op::Index => Some(Op::IndexLocals(a, b)),
        next => arith_of(next).map(|op| Op::ArithLocals(op, a, b)),
    }
}

/// Fuses a method call with the `Pop` of its result (a statement
/// `xs.push(v)`) when no jump lands on the `Pop`, which cannot fail: the
/// call's span is kept.
fn fuse_method_pop(code: &mut [Op], is_target: &[bool]) {
    for i in 0..code.len().saturating_sub(1) {
        if let (Op::Method { method, argc }, Op::Pop, false) =
            (code[i], code[i + 1], is_target[i + 1])
        {
            code[i] = Op::MethodPop { method, argc };
            code[i + 1] = Op::Nop;
        }
    }
}

/// Fuses two `LoadLocal`s in a row when no jump lands on the second (after
/// the fusions above, which take the `LoadLocal`s they need first): with
/// the arithmetic or `Index` that follows when no jump lands there either
/// (the fused instruction keeps that op's span), else as a pair (neither
/// can fail, so the span kept is the first one's).
fn fuse_local_pairs(code: &mut [Op], spans: &mut [Span], is_target: &[bool]) {
    let mut i = 0;
    while i + 1 < code.len() {
        if let (Op::LoadLocal(a), Op::LoadLocal(b), false) =
            (code[i], code[i + 1], is_target[i + 1])
        {
            if let Some(fused) = pair_op(code, is_target, i + 2, a, b) {
                code[i] = fused;
                spans[i] = spans[i + 2];
                code[i + 1] = Op::Nop;
                code[i + 2] = Op::Nop;
                i += 3;
                continue;
            }
            // `out.push(a + b)`: `b` pairs with `a` and the `+`, not `out`.
            if let (Some(&Op::LoadLocal(c)), Some(false)) =
                (code.get(i + 2), is_target.get(i + 2).copied())
            {
                if pair_op(code, is_target, i + 3, b, c).is_some() {
                    i += 1;
                    continue;
                }
            }
            code[i] = Op::LoadLocal2(a, b);
            code[i + 1] = Op::Nop;
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// The arithmetic `op` is, when it has a fused form with an int operand.
fn arith_of(op: Op) -> Option<Arith> {
    Some(match op {
        Op::Add => Arith::Add,
        Op::Sub => Arith::Sub,
        Op::Mul => Arith::Mul,
        Op::FloorDiv => Arith::FloorDiv,
        Op::Mod => Arith::Mod,
        _ => return None,
    })
}

/// The comparison `op` is, when it pushes its result.
fn cmp_of(op: Op) -> Option<Cmp> {
    Some(match op {
        Op::Lt => Cmp::Lt,
        Op::Le => Cmp::Le,
        Op::Gt => Cmp::Gt,
        Op::Ge => Cmp::Ge,
        Op::Eq => Cmp::Eq,
        Op::Ne => Cmp::Ne,
        _ => return None,
    })
}

/// Fuses `Int; op` (what is left after `fuse_local_ops`: the int applied
/// to a value computed just before, or compared with it) when no jump
/// lands on `op`. The fused instruction keeps `op`'s span.
fn fuse_int_ops(code: &mut [Op], spans: &mut [Span], is_target: &[bool]) {
    for i in 0..code.len().saturating_sub(1) {
        let (Op::Int(k), false) = (code[i], is_target[i + 1]) else {
            continue;
        };
        let fused = match (arith_of(code[i + 1]), cmp_of(code[i + 1])) {
            (Some(a), _) => Op::ArithInt(a, k),
            (None, Some(c)) => Op::CmpInt(c, k),
            (None, None) => continue,
        };
        code[i] = fused;
        spans[i] = spans[i + 1];
        code[i + 1] = Op::Nop;
    }
}

/// Fuses `LoadLocal; Int; op`, `LoadLocal; Const; Index` and
/// `LoadLocal; Return` when no jump lands inside the sequence.
fn fuse_local_ops(code: &mut [Op], spans: &mut [Span], is_target: &[bool]) {
    let mut i = 0;
    while i + 1 < code.len() {
        let Op::LoadLocal(slot) = code[i] else {
            i += 1;
            continue;
        };
        if is_target[i + 1] {
            i += 1;
            continue;
        }
        if code[i + 1] == Op::Return {
            code[i] = Op::ReturnLocal(slot);
            spans[i] = spans[i + 1];
            code[i + 1] = Op::Nop;
            i += 2;
            continue;
        }
        let (Some(&next), false) = (
            code.get(i + 2),
            is_target.get(i + 2).copied().unwrap_or(true),
        ) else {
            i += 1;
            continue;
        };
        let k = match (code[i + 1], next) {
            (Op::Int(k), _) => k,
            (Op::Const(k), Op::Index) => {
                code[i] = Op::IndexLocalConst { slot, k };
                spans[i] = spans[i + 2];
                code[i + 1] = Op::Nop;
                code[i + 2] = Op::Nop;
                i += 3;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let fused = match next {
            Op::Index => Op::IndexLocalInt { slot, k },
            Op::CmpJump(cmp, target) => Op::CmpLocalIntJump {
                cmp,
                slot,
                k,
                target,
            },
            _ => match arith_of(next) {
                Some(a) => Op::ArithLocalInt(a, slot, k),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        code[i] = fused;
        spans[i] = spans[i + 2];
        code[i + 1] = Op::Nop;
        code[i + 2] = Op::Nop;
        i += 3;
    }
}

/// `name <op>= value` of a plain local, compiled as `LoadLocal`, the
/// value, the arithmetic and `StoreLocal`: the load becomes a `Nop` and
/// the arithmetic and the store `AugLocal`, which reads the local after
/// the value. As in `fuse_const_stores`, that changes nothing: only an
/// assignment statement or a closure can rebind a local, and a local a
/// closure captures is a cell (`LoadCell`), left alone. The fused op keeps
/// the arithmetic's span. A jump that landed on the load lands on the
/// value's first op; one that landed on the arithmetic (`s += a or b`)
/// lands on the fused op with the value on top, as before; none may land
/// on the store. An int value (`n += 1`) fuses too (`AugLocalInt`) when no
/// jump lands on the arithmetic.
fn fuse_aug_stores(
    code: &mut [Op],
    spans: &mut [Span],
    is_target: &[bool],
    aug_stores: &[(usize, usize)],
) {
    for &(load, store) in aug_stores {
        let (Op::LoadLocal(slot), Op::StoreLocal(to)) = (code[load], code[store]) else {
            continue;
        };
        let Some(arith) = arith_of(code[store - 1]) else {
            continue;
        };
        if slot != to || is_target[store] {
            continue;
        }
        code[load] = Op::Nop;
        code[store] = Op::Nop;
        let op = store - 1;
        match code[op - 1] {
            Op::Int(k) if op - 1 > load && !is_target[op] => {
                code[op - 1] = Op::AugLocalInt(arith, slot, k);
                spans[op - 1] = spans[op];
                code[op] = Op::Nop;
            }
            _ => code[op] = Op::AugLocal(arith, slot),
        }
    }
}

/// Fuses `LoadLocal; <arith>` (a local as the right operand of a value
/// computed just before: `... + i`) when no jump lands on the arithmetic,
/// after the fusions above have taken the loads they need. The fused op
/// keeps the arithmetic's span.
fn fuse_arith_local(code: &mut [Op], spans: &mut [Span], is_target: &[bool]) {
    for i in 0..code.len().saturating_sub(1) {
        let (Op::LoadLocal(slot), false) = (code[i], is_target[i + 1]) else {
            continue;
        };
        if let Some(arith) = arith_of(code[i + 1]) {
            code[i] = Op::ArithLocal(arith, slot);
            spans[i] = spans[i + 1];
            code[i + 1] = Op::Nop;
        }
    }
}

/// `local["key"] = value`, compiled as `LoadLocal`, `Const`, the value,
/// `StoreIndex`: the load and the key become `Nop`s and the store
/// `StoreIndexLocalConst`, which reads the local itself. Reading it after
/// the value rather than before changes nothing: only an assignment
/// statement or a closure can rebind a local, and a local a closure
/// captures is loaded with `LoadCell`, which is left alone.
fn fuse_const_stores(code: &mut [Op], is_target: &[bool], const_stores: &[(usize, usize)]) {
    for &(load, store) in const_stores {
        if let (Op::LoadLocal(slot), Op::Const(k), Op::StoreIndex, false) =
            (code[load], code[load + 1], code[store], is_target[load + 1])
        {
            code[load] = Op::Nop;
            code[load + 1] = Op::Nop;
            code[store] = Op::StoreIndexLocalConst { slot, k };
        }
    }
}

/// `local.method(v)` as a statement, compiled as `LoadLocal`, `v`,
/// `Method`, `Pop`: the load becomes a `Nop` and the call and pop
/// `MethodPopLocal` (in the call's place, with its span), which reads the
/// local itself, after `v` (see `Op::MethodPopLocal`), when no jump lands
/// on the `Pop`. A local a closure captures is loaded with `LoadCell`,
/// which is left alone, as is a global.
fn fuse_local_method_pops(code: &mut [Op], is_target: &[bool], local_methods: &[(usize, usize)]) {
    for &(load, call) in local_methods {
        if let (Op::LoadLocal(slot), Op::Method { method, argc: 1 }, Some(Op::Pop), false) = (
            code[load],
            code[call],
            code.get(call + 1),
            is_target[call + 1],
        ) {
            code[load] = Op::Nop;
            code[call] = Op::MethodPopLocal { slot, method };
            code[call + 1] = Op::Nop;
        }
    }
}

/// `f(args)` with `f` a plain local, compiled as `LoadLocal`, the
/// arguments, `Call`: the load becomes a `Nop` and the call `CallLocal`
/// (which keeps the call's span and reads the local itself, after the
/// arguments: see `Op::CallLocal`). A local a closure captures is loaded
/// with `LoadCell`, which is left alone, as is a global.
///
/// A call of one argument that is a plain local too (`f(x)`) takes the
/// argument's load as well (`Op::CallLocalArg`), as does a `Call(1)` of
/// any other callee (`Op::CallArg`: looked for only in code that loads a
/// local), unless a jump lands on the call (the argument was then a
/// choice, `f(a or b)`, not the load before it).
fn fuse_local_calls(
    code: &mut [Op],
    is_target: &[bool],
    local_calls: &[(usize, usize)],
    has_local: bool,
) {
    for &(load, call) in local_calls {
        if let (Op::LoadLocal(slot), Op::Call(argc)) = (code[load], code[call]) {
            code[load] = Op::Nop;
            code[call] = Op::CallLocal { slot, argc };
            if let (1, Op::LoadLocal(arg), false) = (argc, code[call - 1], is_target[call]) {
                code[call - 1] = Op::Nop;
                code[call] = Op::CallLocalArg { slot, arg };
            }
        }
    }
    if !has_local {
        return;
    }
    for call in 1..code.len() {
        if let (Op::LoadLocal(arg), Op::Call(1), false) =
            (code[call - 1], code[call], is_target[call])
        {
            code[call - 1] = Op::Nop;
            code[call] = Op::CallArg(arg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::optimize;
    use crate::compile::code::Op::{self, *};
    use crate::compile::code::{Arith, Cmp};
    use crate::syntax::Span;

    fn run(code: Vec<Op>) -> Vec<Op> {
        let spans = vec![Span::default(); code.len()];
        optimize(code, spans, &[], &[], &[], &[]).0
    }

    #[test]
    fn code_without_locals_or_jumps_still_gets_its_int_fusions() {
        // Top-level `x += 1` and `print(x < 2)`: the passes that start from
        // a local, a method or a jump are skipped, the rest still run.
        let code = vec![
            LoadGlobal(0),
            Int(1),
            Add,
            StoreGlobal(0),
            Nop,
            LoadGlobal(0),
            Int(2),
            Lt,
            CallNative1(0),
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(
            run(code),
            vec![
                LoadGlobal(0),
                ArithInt(Arith::Add, 1),
                StoreGlobal(0),
                LoadGlobal(0),
                CmpInt(Cmp::Lt, 2),
                CallNative1(0),
                Pop,
                Nil,
                Return
            ]
        );
    }

    #[test]
    fn a_loop_back_jump_fuses_with_the_step_it_jumps_to() {
        // A `continue` and the end of the body: both jump back to the
        // step, and both fuse (the one a jump lands on too).
        let code = vec![
            LoadLocal(0),
            IterStart,
            IterNext(8),
            StoreLocal(1),
            LoadLocal(1),
            JumpIfFalse(7),
            Jump(2),
            Jump(2),
            Pop,
            Nil,
            Return,
        ];
        let step = IterNextLocal { slot: 1, exit: 7 };
        let back = IterLoop {
            slot: 1,
            exit: 7,
            top: 2,
        };
        let fused = vec![
            LoadLocal(0),
            IterStart,
            step,
            LoadLocal(1),
            JumpIfFalse(6),
            back,
            back,
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(run(code), fused);
    }

    #[test]
    fn an_int_compared_fuses_with_its_comparison_unless_a_jump_lands_between() {
        let code = vec![LoadLocal(0), ArithInt(Arith::Mod, 3), Int(0), Eq, Return];
        assert_eq!(
            run(code),
            vec![
                LoadLocal(0),
                ArithInt(Arith::Mod, 3),
                // The return joins it (`fuse_returns`).
                ReturnCmpInt(Cmp::Eq, 0),
                Return
            ]
        );
        let code = vec![LoadLocal(0), JumpIfFalse(3), Int(1), Int(2), Lt, Return];
        assert_eq!(
            run(code),
            vec![
                LoadLocal(0),
                JumpIfFalse(3),
                Int(1),
                ReturnCmpInt(Cmp::Lt, 2),
                Return
            ]
        );
    }

    #[test]
    fn a_loop_step_and_the_store_of_its_variable_fuse() {
        // The declaration's `Nop` between them goes too; the exit moves
        // (and the jump back fuses with the fused step).
        let code = vec![
            LoadLocal(0),
            IterStart,
            IterNext(7),
            Nop,
            StoreLocal(1),
            Nil,
            Jump(2),
            Pop,
            Nil,
            Return,
        ];
        let fused = vec![
            LoadLocal(0),
            IterStart,
            IterNextLocal { slot: 1, exit: 5 },
            Nil,
            IterLoop {
                slot: 1,
                exit: 5,
                top: 2,
            },
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(run(code), fused);
    }

    #[test]
    fn two_local_loads_fuse_unless_a_jump_lands_between() {
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            LoadLocal(2),
            Call(1),
            Add,
            Return,
        ];
        assert_eq!(run(code)[..2], [LoadLocal2(0, 1), CallArg(2)]);
        let code = vec![Jump(2), LoadLocal(0), LoadLocal(1), Add, Return];
        assert_eq!(run(code)[1..3], [LoadLocal(0), ArithLocal(Arith::Add, 1)]);
        // `local + 1` keeps its own fusion.
        let code = vec![LoadLocal(0), LoadLocal(1), Int(1), Add, Add, Return];
        assert_eq!(
            run(code)[..3],
            [LoadLocal(0), ArithLocalInt(Arith::Add, 1, 1), ReturnAdd]
        );
    }

    #[test]
    fn a_store_into_a_local_by_a_constant_key_fuses_when_the_local_is_plain() {
        // `p["k"] = x + 1`: the load and the key go, the store reads `p`.
        let code = vec![
            LoadLocal(0),
            Const(1),
            LoadLocal(2),
            Int(1),
            Add,
            StoreIndex,
            Nil,
            Return,
        ];
        let spans = vec![Span::default(); code.len()];
        let (code, _) = optimize(code, spans, &[(0, 5)], &[], &[], &[]);
        assert_eq!(
            code[..2],
            [
                ArithLocalInt(Arith::Add, 2, 1),
                StoreIndexLocalConst { slot: 0, k: 1 }
            ]
        );
        // A captured local (a cell) or a global is left as it was.
        let code = vec![LoadCell(0), Const(1), Nil, StoreIndex, Nil, Return];
        let spans = vec![Span::default(); code.len()];
        let (code, _) = optimize(code, spans, &[(0, 3)], &[], &[], &[]);
        assert_eq!(code[..4], [LoadCell(0), Const(1), Nil, StoreIndex]);
        // A jump landing at the statement's start lands on the value.
        let code = vec![
            Nil,
            JumpIfFalse(2),
            LoadLocal(0),
            Const(1),
            True,
            StoreIndex,
            Nil,
            Return,
        ];
        let spans = vec![Span::default(); code.len()];
        let (code, _) = optimize(code, spans, &[(2, 5)], &[], &[], &[]);
        assert_eq!(
            code[..4],
            [
                Nil,
                JumpIfFalse(2),
                True,
                StoreIndexLocalConst { slot: 0, k: 1 }
            ]
        );
    }

    #[test]
    fn a_local_indexed_by_a_constant_fuses_unless_a_jump_lands_inside() {
        let code = vec![
            LoadLocal(0),
            Const(1),
            Index,
            LoadLocal(2),
            Int(-1),
            Index,
            Add,
            Return,
        ];
        assert_eq!(
            run(code)[..3],
            [
                IndexLocalConst { slot: 0, k: 1 },
                IndexLocalInt { slot: 2, k: -1 },
                ReturnAdd
            ]
        );
        let code = vec![Jump(2), LoadLocal(0), Const(1), Index, Return];
        assert_eq!(run(code)[1..4], [LoadLocal(0), Const(1), Index]);
        // A constant key not followed by `Index` stays as it was.
        let code = vec![LoadLocal(0), Const(1), Add, Return];
        assert_eq!(run(code)[..3], [LoadLocal(0), Const(1), ReturnAdd]);
    }

    #[test]
    fn the_counting_idiom_fuses_and_keeps_its_ops_behind() {
        let get = Method { method: 7, argc: 2 };
        let idiom = |m: Op, x: Op| {
            let mut code = vec![m, LoadLocal(1), m, LoadLocal(1), Int(0), get, x, Add];
            code.extend([StoreIndex, Nil, Return]);
            code
        };
        // A global map and an int step: the eight ops stay as they were
        // (`Int(1); Add` not fused, which would change the count skipped).
        let code = idiom(LoadGlobal(5), Int(1));
        let out = run(code.clone());
        let fused = MapBump {
            global: true,
            x_local: false,
            map: 5,
            key: 1,
            x: 1,
        };
        assert_eq!((out[0], &out[1..9]), (fused, &code[1..9]));
        // A local map and a local step: no local pair fuses either.
        let code = idiom(LoadLocal(0), LoadLocal(2));
        let out = run(code.clone());
        let fused = MapBump {
            global: false,
            x_local: true,
            map: 0,
            key: 1,
            x: 2,
        };
        assert_eq!((out[0], &out[1..9]), (fused, &code[1..9]));
        // Not with another default, another count of arguments, nor when a
        // jump lands inside.
        let mut code = idiom(LoadGlobal(5), Int(1));
        code[4] = Int(1);
        assert_eq!(run(code)[0], LoadGlobal(5));
        let mut code = idiom(LoadGlobal(5), Int(1));
        code[5] = Method { method: 7, argc: 1 };
        assert_eq!(run(code)[0], LoadGlobal(5));
        let mut code = vec![Jump(3)];
        code.extend(idiom(LoadGlobal(5), Int(1)));
        assert_eq!(run(code)[1], LoadGlobal(5));
    }

    #[test]
    fn an_int_operand_fuses_with_its_arithmetic() {
        // `(a + b) * 2`, `a % 10`, `(a + b) // 3`.
        let code = vec![LoadLocal(0), LoadLocal(1), Add, Int(2), Mul, Return];
        assert_eq!(
            run(code)[..2],
            [ArithLocals(Arith::Add, 0, 1), ArithInt(Arith::Mul, 2)]
        );
        let code = vec![LoadLocal(0), Int(10), Mod, Pop, Nil, Return];
        assert_eq!(run(code)[0], ArithLocalInt(Arith::Mod, 0, 10));
        // Not when a jump lands on the operator, nor for other operators.
        let code = vec![Jump(2), Int(3), FloorDiv, Return];
        assert_eq!(run(code)[1..3], [Int(3), FloorDiv]);
        let code = vec![LoadLocal(0), Int(3), Pow, Return];
        assert_eq!(run(code)[1..3], [Int(3), Pow]);
    }

    #[test]
    fn two_locals_fuse_with_the_arithmetic_or_index_that_follows() {
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            Sub,
            LoadLocal(2),
            LoadLocal(3),
            Index,
            Add,
            Return,
        ];
        assert_eq!(
            run(code)[..3],
            [
                ArithLocals(Arith::Sub, 0, 1),
                ArithIndexLocals(Arith::Add, 2, 3),
                ReturnAdd
            ]
        );
        // Not when a jump lands on the operator: the pair alone.
        let code = vec![Jump(3), LoadLocal(0), LoadLocal(1), Add, Return];
        assert_eq!(run(code)[1..3], [LoadLocal2(0, 1), ReturnAdd]);
        // The last two of three locals fuse with the operator.
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            LoadLocal(2),
            Add,
            Call(1),
            Return,
        ];
        assert_eq!(
            run(code)[..2],
            [LoadLocal(0), ArithLocals(Arith::Add, 1, 2)]
        );
        // Other operators keep the pair.
        let code = vec![LoadLocal(0), LoadLocal(1), Lt, Return];
        assert_eq!(run(code)[..2], [LoadLocal2(0, 1), Lt]);
    }

    #[test]
    fn a_method_call_fuses_with_the_pop_of_its_result() {
        let code = vec![
            LoadLocal(0),
            Int(1),
            Method {
                method: 24,
                argc: 1,
            },
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(
            run(code)[2],
            MethodPop {
                method: 24,
                argc: 1
            }
        );
        // Not when a jump lands on the `Pop`.
        let code = vec![
            Jump(2),
            Method {
                method: 24,
                argc: 0,
            },
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(
            run(code)[1..3],
            [
                Method {
                    method: 24,
                    argc: 0
                },
                Pop
            ]
        );
    }

    fn run_aug(code: Vec<Op>, aug: (usize, usize)) -> Vec<Op> {
        let spans = vec![Span::default(); code.len()];
        optimize(code, spans, &[], &[aug], &[], &[]).0
    }

    #[test]
    fn an_augmented_store_of_a_plain_local_fuses() {
        // `s += x * y`: the load goes, the store reads `s` itself.
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            LoadLocal(2),
            Mul,
            Add,
            StoreLocal(0),
            Nil,
            Return,
        ];
        assert_eq!(
            run_aug(code, (0, 5))[..2],
            [ArithLocals(Arith::Mul, 1, 2), AugLocal(Arith::Add, 0)]
        );
        // `n += 1`.
        let code = vec![LoadLocal(0), Int(1), Add, StoreLocal(0), Nil, Return];
        assert_eq!(
            run_aug(code, (0, 3)),
            [AugLocalInt(Arith::Add, 0, 1), Nil, Return]
        );
        // `s += c or 1`: the jump lands on the fused op, the int stays.
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            JumpIfTrueOrPop(4),
            Int(1),
            Add,
            StoreLocal(0),
            Nil,
            Return,
        ];
        assert_eq!(
            run_aug(code, (0, 5))[..4],
            [
                LoadLocal(1),
                JumpIfTrueOrPop(3),
                Int(1),
                AugLocal(Arith::Add, 0)
            ]
        );
        // A cell, `/=`, or another local stored: left as they were.
        let code = vec![LoadCell(0), LoadLocal(1), Add, StoreCell(0), Nil, Return];
        assert_eq!(
            run_aug(code, (0, 3))[..3],
            [LoadCell(0), ArithLocal(Arith::Add, 1), StoreCell(0)]
        );
        let code = vec![LoadLocal(0), Int(2), Div, StoreLocal(0), Nil, Return];
        assert_eq!(
            run_aug(code, (0, 3))[..4],
            [LoadLocal(0), Int(2), Div, StoreLocal(0)]
        );
        let code = vec![LoadLocal(0), Int(2), Add, StoreLocal(1), Nil, Return];
        assert_eq!(
            run_aug(code, (0, 3))[..2],
            [ArithLocalInt(Arith::Add, 0, 2), StoreLocal(1)]
        );
    }

    #[test]
    fn an_index_of_two_locals_fuses_with_the_arithmetic_it_leaves_behind() {
        // `x * v[j]`: the `Mul` stays, for when the fused op declines.
        let code = vec![LoadLocal(0), LoadLocal(1), LoadLocal(2), Index, Mul, Return];
        assert_eq!(
            run(code),
            [
                LoadLocal(0),
                ArithIndexLocals(Arith::Mul, 1, 2),
                Mul,
                Return
            ]
        );
        // Not before anything else.
        let code = vec![LoadLocal(1), LoadLocal(2), Index, Return];
        assert_eq!(run(code), [IndexLocals(1, 2), Return]);
    }

    #[test]
    fn a_local_after_a_computed_value_fuses_with_its_arithmetic() {
        // `(a + 1) * b`.
        let code = vec![LoadLocal(0), Int(1), Add, LoadLocal(1), Mul, Return];
        assert_eq!(
            run(code),
            [
                ArithLocalInt(Arith::Add, 0, 1),
                ArithLocal(Arith::Mul, 1),
                Return
            ]
        );
        // Not when a jump lands on the operator, nor for other operators.
        let code = vec![Jump(2), LoadLocal(0), Add, Return];
        // (The return still joins the `Add`: `fuse_returns`.)
        assert_eq!(run(code), [Jump(2), LoadLocal(0), ReturnAdd, Return]);
        let code = vec![Nil, LoadLocal(0), Div, Return];
        assert_eq!(run(code), [Nil, LoadLocal(0), Div, Return]);
    }

    #[test]
    fn a_method_call_on_a_plain_local_fuses_with_its_load_and_pop() {
        let m = |argc| Method { method: 7, argc };
        let run_with = |code: Vec<Op>, at: &[(usize, usize)]| {
            let spans = vec![Span::default(); code.len()];
            optimize(code, spans, &[], &[], at, &[]).0
        };
        // `xs.push(n * 2)`: the load goes, the call and the pop fuse.
        let code = vec![
            LoadLocal(0),
            LoadLocal(1),
            ArithInt(Arith::Mul, 2),
            m(1),
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(
            run_with(code, &[(0, 3)])[..3],
            [
                LoadLocal(1),
                ArithInt(Arith::Mul, 2),
                MethodPopLocal { slot: 0, method: 7 }
            ]
        );
        // Not a cell, nor a result that is kept, nor a jump onto the `Pop`.
        let code = vec![LoadCell(0), Int(1), m(1), Pop, Nil, Return];
        assert_eq!(
            run_with(code, &[(0, 2)])[2],
            MethodPop { method: 7, argc: 1 }
        );
        let code = vec![LoadLocal(0), Int(1), m(1), StoreLocal(1), Nil, Return];
        assert_eq!(run_with(code, &[(0, 2)])[..3], [LoadLocal(0), Int(1), m(1)]);
        let code = vec![Jump(4), LoadLocal(0), Int(1), m(1), Pop, Nil, Return];
        assert_eq!(
            run_with(code, &[(1, 3)])[1..5],
            [LoadLocal(0), Int(1), m(1), Pop]
        );
    }

    #[test]
    fn a_call_of_a_plain_local_fuses_with_its_load() {
        let run_with = |code: Vec<Op>, at: &[(usize, usize)]| {
            let spans = vec![Span::default(); code.len()];
            optimize(code, spans, &[], &[], &[], at).0
        };
        // `f(f(x))`: both loads of `f` go.
        let code = vec![
            LoadLocal(0),
            LoadLocal(0),
            LoadLocal(1),
            Call(1),
            Call(1),
            Return,
        ];
        assert_eq!(
            run_with(code, &[(0, 4), (1, 3)]),
            [
                CallLocalArg { slot: 0, arg: 1 },
                CallLocal { slot: 0, argc: 1 },
                Return
            ]
        );
        // Not a cell.
        let code = vec![LoadCell(0), Call(0), Return];
        assert_eq!(run_with(code, &[(0, 1)]), [LoadCell(0), Call(0), Return]);
    }

    #[test]
    fn a_return_after_a_fused_op_joins_it_and_stays_behind() {
        // `return x * 2`, `return a + b`: the op takes the return, which
        // stays for a jump that lands on it.
        let code = vec![LoadLocal(0), Int(2), Mul, Return];
        assert_eq!(run(code), [ReturnArithLocalInt(Arith::Mul, 0, 2), Return]);
        let code = vec![LoadLocal(0), LoadLocal(1), Add, Return];
        assert_eq!(run(code), [ReturnArithLocals(Arith::Add, 0, 1), Return]);
        let code = vec![LoadLocal(0), LoadUpval(0), Add, Return];
        assert_eq!(run(code), [LoadLocal(0), LoadUpval(0), ReturnAdd, Return]);
        // Not before anything else.
        let code = vec![LoadLocal(0), Int(2), Mul, Pop, Nil, Return];
        assert_eq!(run(code)[0], ArithLocalInt(Arith::Mul, 0, 2));
    }

    #[test]
    fn a_call_of_one_local_argument_takes_its_load() {
        let run_with = |code: Vec<Op>, at: &[(usize, usize)]| {
            let spans = vec![Span::default(); code.len()];
            optimize(code, spans, &[], &[], &[], at).0
        };
        // `g(x)` with `g` a captured variable: the argument's load goes.
        let code = vec![LoadUpval(0), LoadLocal(1), Call(1), Return];
        assert_eq!(run_with(code, &[]), [LoadUpval(0), CallArg(1), Return]);
        // Two arguments, or a cell as the argument: unchanged.
        let code = vec![LoadUpval(0), LoadLocal(1), LoadLocal(2), Call(2), Return];
        assert_eq!(
            run_with(code, &[])[1..],
            [LoadLocal2(1, 2), Call(2), Return]
        );
        let code = vec![LoadLocal(0), LoadCell(1), Call(1), Return];
        assert_eq!(
            run_with(code, &[(0, 2)]),
            [LoadCell(1), CallLocal { slot: 0, argc: 1 }, Return]
        );
        // `f(c ? a : b)`: a jump lands on the call, whose argument is
        // then either load; neither fuses.
        let code = vec![
            LoadLocal(0),
            LoadLocal(3),
            JumpIfFalse(5),
            LoadLocal(1),
            Jump(6),
            LoadLocal(2),
            Call(1),
            Return,
        ];
        let fused = run_with(code, &[(0, 6)]);
        assert!(fused.contains(&LoadLocal(2)), "{fused:?}");
        assert!(fused.contains(&CallLocal { slot: 0, argc: 1 }), "{fused:?}");
    }

    #[test]
    fn no_fusion_when_a_jump_lands_on_the_store_or_it_is_a_cell() {
        let code = vec![IterNext(4), StoreLocal(1), Jump(1), Nop, Nil, Return];
        assert_eq!(run(code)[..2], [IterNext(3), StoreLocal(1)]);
        let code = vec![IterNext(3), NewCell(1), StoreCell(1), Nil, Return];
        assert_eq!(run(code)[0], IterNext(3));
    }
}
