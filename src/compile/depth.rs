//! How many operand slots a function needs above its locals, found by
//! walking its code with the stack effect of each instruction. New tasks
//! reserve exactly that much (a blocked task keeps its stack, and there may
//! be a million of them). The figure only sizes an allocation: every push
//! still checks capacity, so an estimate that is too small costs a
//! reallocation, never memory safety.

use super::code::Op;

/// (slots popped, slots pushed) on the fall-through path.
fn effect(op: &Op) -> (i32, i32) {
    use Op::*;
    let n = |x: u32| x as i32;
    match *op {
        Const(_) | Nil | True | False | Int(_) | Dup | LoadLocal(_) | LoadCell(_)
        | LoadUpval(_) | LoadGlobal(_) | Closure(_) | ArithLocalInt(..) => (0, 1),
        Dup2 => (0, 2),
        Unpack2 => (1, 2),
        Pop | StoreLocal(_) | StoreCell(_) | StoreUpval(_) | StoreGlobal(_) => (1, 0),
        Add | Sub | Mul | Div | FloorDiv | Mod | Eq | Ne | Lt | Le | Gt | Ge | In | Index => (2, 1),
        StoreIndex => (3, 0),
        CmpJump(..) => (2, 0),
        JumpIfFalse(_) | JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) => (1, 0),
        IterNext(_) => (0, 1),
        Call(argc) | CallAwait(argc) | SpawnCall(argc) => (n(argc) + 1, 1),
        CallNamed { argc, .. } | Method { argc, .. } | MethodNamed { argc, .. } => (n(argc) + 1, 1),
        // No callee slot below the arguments.
        CallGlobal { argc, .. } | CallAwaitGlobal { argc, .. } => (n(argc), 1),
        MakeList(k) | Concat(k) => (n(k), 1),
        MakeMap(k) => (2 * n(k), 1),
        // The native that waits for the group pushes its result.
        GroupExit { failed, .. } => (i32::from(failed), 1),
        Neg
        | Not
        | Await
        | Spawn
        | SpawnInGroup(_)
        | IterStart
        | Format(_)
        | Repr
        | CatchMatch(_)
        | Nop
        | DefaultArg { .. }
        | BoxLocal(_)
        | NewCell(_)
        | GroupEnter(_)
        | PushHandler(_)
        | PopHandler
        | Jump(_)
        | CmpLocalIntJump { .. } => (0, 0),
        Return | ReturnLocal(_) | Throw | Rethrow => (0, 0),
    }
}

/// Where control goes from `pc` with `after` slots on the fall-through
/// path: (successor, depth there).
fn successors(code: &[Op], pc: usize, before: i32, after: i32, out: &mut Vec<(usize, i32)>) {
    use Op::*;
    let t = |x: u32| x as usize;
    match code[pc] {
        Return | ReturnLocal(_) | Throw | Rethrow => {}
        Jump(x) => out.push((t(x), after)),
        CmpJump(_, x) | JumpIfFalse(x) => out.extend([(pc + 1, after), (t(x), after)]),
        CmpLocalIntJump { target, .. } => out.extend([(pc + 1, after), (t(target), after)]),
        DefaultArg { skip, .. } => out.extend([(pc + 1, after), (t(skip), after)]),
        // The jump keeps the operand; falling through pops it.
        JumpIfFalseOrPop(x) | JumpIfTrueOrPop(x) => out.extend([(pc + 1, after), (t(x), before)]),
        IterNext(x) => out.extend([(pc + 1, after), (t(x), before)]),
        // A caught error lands on the handler with the stack cut back to
        // where it was set up, plus the error.
        PushHandler(x) => out.extend([(pc + 1, after), (t(x), before + 1)]),
        _ => out.push((pc + 1, after)),
    }
}

/// The most operand slots `code` holds at once.
pub fn max_depth(code: &[Op]) -> usize {
    // Valid code has one depth per instruction; the cap only guards the
    // walk against anything unforeseen.
    const CAP: i32 = 1 << 16;
    let mut seen: Vec<Option<i32>> = vec![None; code.len()];
    let mut work = vec![(0usize, 0i32)];
    let mut next = Vec::new();
    let mut max = 0;
    while let Some((pc, depth)) = work.pop() {
        if pc >= code.len() || seen[pc].is_some_and(|d| d >= depth) || depth > CAP {
            continue;
        }
        seen[pc] = Some(depth);
        let (pop, push) = effect(&code[pc]);
        let after = (depth - pop).max(0) + push;
        max = max.max(depth).max(after);
        next.clear();
        successors(code, pc, depth, after, &mut next);
        work.extend(next.iter().copied());
    }
    max as usize
}

#[cfg(test)]
mod tests {
    use super::max_depth;
    use crate::compile::code::Op::*;

    #[test]
    fn counts_the_deepest_point_across_branches() {
        // x = 1 + 2 * 3 needs three slots at the multiplication.
        let code = [Int(1), Int(2), Int(3), Mul, Add, StoreLocal(0), Nil, Return];
        assert_eq!(max_depth(&code), 3);
        // A loop whose body pushes and pops stays at its depth.
        let code = [
            LoadLocal(0),
            IterStart,
            IterNext(7),
            StoreLocal(1),
            LoadLocal(1),
            Pop,
            Jump(2),
            Pop,
            Nil,
            Return,
        ];
        let code: Vec<_> = code.into_iter().collect();
        assert_eq!(max_depth(&code), 2);
    }
}
