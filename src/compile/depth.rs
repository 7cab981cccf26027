//! How many operand slots a function needs above its locals, found by
//! walking its code with the stack effect of each instruction. New tasks
//! reserve exactly that much (a blocked task keeps its stack, and there may
//! be a million of them). The figure only sizes an allocation: every push
//! still checks capacity, so an estimate that is too small costs a
//! reallocation, never memory safety.

use super::code::{Op, MAP_BUMP_SKIP};

/// (slots popped, slots pushed) on the fall-through path.
#[inline(always)]
fn effect(op: &Op) -> (i32, i32) {
    use Op::*;
    let n = |x: u32| x as i32;
    match *op {
        Const(_)
        | Nil
        | True
        | False
        | Int(_)
        | Dup
        | LoadLocal(_)
        | LoadCell(_)
        | LoadUpval(_)
        | LoadGlobal(_)
        | Closure(_)
        | ArithLocalInt(..)
        | ReturnArithLocalInt(..)
        | ReturnArithLocals(..)
        | IndexLocalConst { .. }
        | ArithLocals(..)
        | IndexLocals(..)
        | IndexLocalInt { .. } => (0, 1),
        // Falling through, it has pushed the item (`IndexLocals`' effect).
        ArithIndexLocals(..) => (0, 1),
        Dup2 | LoadLocal2(..) => (0, 2),
        // Falling through, it has pushed the map (its first op's effect).
        MapBump { .. } => (0, 1),
        Unpack(k) => (1, n(k)),
        UnpackStar { before, after } => (1, n(before) + n(after) + 1),
        Pop | StoreLocal(_) | StoreCell(_) | StoreUpval(_) | StoreGlobal(_) => (1, 0),
        Add | ReturnAdd | Sub | Mul | Div | FloorDiv | Mod | Pow | Eq | Ne | Lt | Le | Gt | Ge
        | In | Index => (2, 1),
        StoreIndex => (3, 0),
        StoreIndexLocalConst { .. } | AugLocal(..) | MethodPopLocal { .. } => (1, 0),
        ListAppend(_) => (1, 0),
        MapInsert(_) => (2, 0),
        Slice => (4, 1),
        GetField(_) => (1, 1),
        SetField(_) => (2, 0),
        MakeRecord { n, .. } => (n as i32, 1),
        CmpJump(..) => (2, 0),
        JumpIfFalse(_) | JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) => (1, 0),
        IterNext(_) => (0, 1),
        Call(argc) | CallAwait(argc) | SpawnCall(argc) => (n(argc) + 1, 1),
        CallNamed { argc, .. }
        | Method { argc, .. }
        | MethodNamed { argc, .. }
        | CallAttr { argc, .. } => (n(argc) + 1, 1),
        MethodPop { argc, .. } => (n(argc) + 1, 0),
        // No callee slot below the arguments.
        CallGlobal { argc, .. } | CallAwaitGlobal { argc, .. } | CallLocal { argc, .. } => {
            (n(argc), 1)
        }
        CallNative1(_) | CallArg(_) => (1, 1),
        CallLocalArg { .. } => (0, 1),
        MakeList(k) | Concat(k) => (n(k), 1),
        MakeMap(k) | MakeMapStrs(k) => (2 * n(k), 1),
        // The native that waits for the group pushes its result.
        GroupExit { failed, .. } | WithExit { failed, .. } => (i32::from(failed), 1),
        WithEnter(_) => (0, 1),
        StreamStart(_) => (1, 0),
        StreamNext { .. } | StreamClose { .. } => (0, 1),
        AwaitMaybe | JumpIfNil(_) => (0, 0),
        Neg
        | Not
        | ArithInt(..)
        | CmpInt(..)
        | ReturnCmpInt(..)
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
        | IterNextLocal { .. }
        | IterLoop { .. }
        | CmpLocalIntJump { .. }
        | AugLocalInt(..)
        | ArithLocal(..)
        | ConstDiv(_) => (0, 0),
        Return | ReturnLocal(_) | Throw | Rethrow => (0, 0),
    }
}

/// Where control goes from `pc` with `after` slots on the fall-through
/// path: (successor, depth there).
///
/// It returns at most two: a fixed pair, not a vector, so that the walks
/// over a long function's straight-line code stay cheap.
#[inline(always)]
fn successors(code: &[Op], pc: usize, before: i32, after: i32) -> Next {
    let mut out = Next::default();
    use Op::*;
    let t = |x: u32| x as usize;
    match code[pc] {
        Return | ReturnLocal(_) | Throw | Rethrow => {}
        Jump(x) => out.push((t(x), after)),
        CmpJump(_, x) | JumpIfFalse(x) => out.extend([(pc + 1, after), (t(x), after)]),
        CmpLocalIntJump { target, .. } => out.extend([(pc + 1, after), (t(target), after)]),
        // The jump pops the nil; falling through keeps the item.
        JumpIfNil(x) => out.extend([(pc + 1, after), (t(x), before - 1)]),
        DefaultArg { skip, .. } => out.extend([(pc + 1, after), (t(skip), after)]),
        // Done in place, it skips its eight ops with the stack as it was.
        MapBump { .. } => out.extend([(pc + 1, after), (pc + 1 + MAP_BUMP_SKIP, before)]),
        // Done in place, it skips the arithmetic with the stack as it was.
        ArithIndexLocals(..) => out.extend([(pc + 1, after), (pc + 2, before)]),
        // The jump keeps the operand; falling through pops it.
        JumpIfFalseOrPop(x) | JumpIfTrueOrPop(x) => out.extend([(pc + 1, after), (t(x), before)]),
        IterNext(x) => out.extend([(pc + 1, after), (t(x), before)]),
        IterNextLocal { exit, .. } => out.extend([(pc + 1, after), (t(exit), before)]),
        IterLoop { exit, top, .. } => out.extend([(t(top) + 1, after), (t(exit), before)]),
        // A caught error lands on the handler with the stack cut back to
        // where it was set up, plus the error.
        PushHandler(x) => out.extend([(pc + 1, after), (t(x), before + 1)]),
        _ => out.push((pc + 1, after)),
    }
    out
}

/// The successors of an instruction, in order: `(pc, depth)`.
#[derive(Default)]
struct Next {
    items: [(usize, i32); 2],
    len: usize,
}

impl Next {
    fn push(&mut self, item: (usize, i32)) {
        self.items[self.len] = item;
        self.len += 1;
    }
    fn extend(&mut self, items: [(usize, i32); 2]) {
        self.push(items[0]);
        self.push(items[1]);
    }
    fn as_slice(&self) -> &[(usize, i32)] {
        &self.items[..self.len]
    }
}

/// No depth known yet (a depth may be -1: `JumpIfNil`'s jump from an
/// empty stack, in code that is wrong).
const UNSEEN: i32 = i32::MIN;

/// The most operand slots `code` holds at once.
pub(super) fn max_depth(code: &[Op]) -> usize {
    // Valid code has one depth per instruction; the cap only guards the
    // walk against anything unforeseen.
    const CAP: i32 = 1 << 16;
    let mut seen: Vec<i32> = vec![UNSEEN; code.len()];
    let mut work = vec![(0usize, 0i32)];
    let mut max = 0;
    // The answer is the same in any order (a deeper visit only deepens
    // what follows), so the walk follows the first successor at once and
    // keeps only the others for later: straight-line code (a million
    // statements of it) never touches the work list.
    while let Some((mut pc, mut depth)) = work.pop() {
        while pc < code.len() && seen[pc] < depth && depth <= CAP {
            seen[pc] = depth;
            let (pop, push) = effect(&code[pc]);
            let after = (depth - pop).max(0) + push;
            max = max.max(depth).max(after);
            let next = successors(code, pc, depth, after);
            let Some((&(to, d), rest)) = next.as_slice().split_first() else {
                break;
            };
            work.extend_from_slice(rest);
            (pc, depth) = (to, d);
        }
    }
    max as usize
}

/// The operand depth at each reachable instruction (`UNSEEN` elsewhere)
/// when every path agrees on it, else `None`. Whether they agree does not
/// depend on the order of the walk (when they do, the depths are the only
/// labelling every edge agrees with), so this walk follows the first
/// successor at once, as `max_depth` does; which edge to blame for a
/// disagreement does, and is [`exact_depths`]' to find.
fn agreed_depths(code: &[Op]) -> Option<Vec<i32>> {
    let mut seen: Vec<i32> = vec![UNSEEN; code.len()];
    let mut work = vec![(0usize, 0i32)];
    while let Some((mut pc, mut depth)) = work.pop() {
        while pc < code.len() {
            if seen[pc] != UNSEEN {
                if seen[pc] != depth {
                    return None;
                }
                break;
            }
            seen[pc] = depth;
            let (pop, push) = effect(&code[pc]);
            let next = successors(code, pc, depth, (depth - pop).max(0) + push);
            let Some((&(to, d), rest)) = next.as_slice().split_first() else {
                break;
            };
            work.extend_from_slice(rest);
            (pc, depth) = (to, d);
        }
    }
    Some(seen)
}

/// The operand depth at each reachable instruction (as first reached), and
/// the first edge `(from, to)` that reaches an instruction with a depth
/// different from an earlier path's (a loop that grows the stack on every
/// turn, a join of branches that disagree).
fn exact_depths(code: &[Op]) -> (Vec<Option<i32>>, Option<(usize, usize)>) {
    let mut seen: Vec<Option<i32>> = vec![None; code.len()];
    let mut conflict = None;
    let mut work = vec![(0usize, 0usize, 0i32)];
    while let Some((from, pc, depth)) = work.pop() {
        if pc >= code.len() {
            continue;
        }
        match seen[pc] {
            Some(d) => {
                if d != depth && conflict.is_none() {
                    conflict = Some((from, pc));
                }
                continue;
            }
            None => seen[pc] = Some(depth),
        }
        let (pop, push) = effect(&code[pc]);
        let next = successors(code, pc, depth, (depth - pop).max(0) + push);
        work.extend(next.as_slice().iter().map(|&(to, d)| (pc, to, d)));
    }
    (seen, conflict)
}

/// Checks that every path agrees on the stack depth and that each
/// statement, given as the code range `[start, end)` it compiled to, leaves
/// the stack as it found it. On failure returns the innermost statement at
/// fault (`None` when the fault is outside every statement).
pub(super) fn check_balance(code: &[Op], stmts: &[(u32, u32)]) -> Result<(), Option<usize>> {
    // The common case first, in one walk and one pass over the statements;
    // only a fault needs the statements sorted to find whom to blame.
    if let Some(depths) = agreed_depths(code) {
        let at = |pc: u32| depths.get(pc as usize).copied().filter(|&d| d != UNSEEN);
        let balanced = |&(start, end): &(u32, u32)| match (at(start), at(end)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if stmts.iter().all(balanced) {
            return Ok(());
        }
    }
    let (depths, conflict) = exact_depths(code);
    let at = |pc: u32| depths.get(pc as usize).copied().flatten();
    let within = |i: usize, pc: usize| (stmts[i].0 as usize) <= pc && pc < stmts[i].1 as usize;
    let mut by_size: Vec<usize> = (0..stmts.len()).collect();
    by_size.sort_by_key(|&i| stmts[i].1 - stmts[i].0);
    let unbalanced = by_size.iter().copied().find(|&i| {
        let (start, end) = stmts[i];
        matches!((at(start), at(end)), (Some(a), Some(b)) if a != b)
    });
    match (unbalanced, conflict) {
        (Some(i), _) => Err(Some(i)),
        // Blame the innermost statement the bad edge leaves, else the
        // innermost one it stays in (a loop's back edge).
        (None, Some((from, to))) => Err(by_size
            .iter()
            .copied()
            .find(|&i| within(i, from) && !within(i, to))
            .or_else(|| by_size.iter().copied().find(|&i| within(i, to)))),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{agreed_depths, check_balance, exact_depths, max_depth, UNSEEN};
    use crate::compile::code::Op::{self, *};

    /// The quick walk agrees with the exact one: on the same code, both
    /// find the paths agreeing or not, and the same depths when they do.
    fn walks_agree(code: &[Op]) {
        let (exact, conflict) = exact_depths(code);
        let quick = agreed_depths(code);
        assert_eq!(quick.is_some(), conflict.is_none(), "{code:?}");
        if let Some(quick) = quick {
            let quick: Vec<_> = quick
                .into_iter()
                .map(|d| Some(d).filter(|&d| d != UNSEEN))
                .collect();
            assert_eq!(quick, exact, "{code:?}");
        }
    }

    #[test]
    fn the_quick_walk_finds_what_the_exact_one_does() {
        // Branches that join, a loop, code after a return, a jump that
        // pops the nil it tested, a handler.
        let codes: [&[Op]; 5] = [
            &[
                Nil,
                JumpIfFalse(4),
                Int(1),
                Jump(5),
                Int(2),
                Pop,
                Nil,
                Return,
            ],
            &[
                LoadLocal(0),
                IterStart,
                IterNext(6),
                StoreLocal(1),
                Nil,
                Pop,
                Jump(2),
                Pop,
                Nil,
                Return,
            ],
            &[Nil, Return, Int(1), Int(2)],
            &[Nil, JumpIfNil(3), Pop, Nil, Return],
            &[PushHandler(3), PopHandler, Jump(4), Pop, Nil, Return],
        ];
        for code in codes {
            walks_agree(code);
            assert_eq!(check_balance(code, &[]), Ok(()), "{code:?}");
        }
        // Branches that disagree, a loop that grows the stack.
        let codes: [&[Op]; 2] = [
            &[
                Nil,
                JumpIfFalse(4),
                Int(1),
                Jump(6),
                Int(2),
                Int(3),
                Pop,
                Nil,
                Return,
            ],
            &[
                LoadLocal(0),
                IterStart,
                IterNext(6),
                StoreLocal(1),
                Nil,
                Jump(2),
                Pop,
                Nil,
                Return,
            ],
        ];
        for code in codes {
            walks_agree(code);
            assert!(check_balance(code, &[]).is_err(), "{code:?}");
        }
    }

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

    #[test]
    fn finds_a_statement_that_leaves_a_value_behind() {
        // `f()` as a statement without its `Pop`.
        let code = [LoadLocal(0), Call(0), Nil, Return];
        assert_eq!(check_balance(&code, &[(0, 2)]), Err(Some(0)));
        let code = [LoadLocal(0), Call(0), Pop, Nil, Return];
        assert_eq!(check_balance(&code, &[(0, 3)]), Ok(()));
    }

    #[test]
    fn finds_a_loop_body_that_grows_the_stack() {
        // A `for` whose body leaves one value per turn: the back jump
        // reaches `IterNext` one deeper than the first entry did.
        let code = [
            LoadLocal(0),
            IterStart,
            IterNext(6),
            StoreLocal(1),
            Nil,
            Jump(2),
            Pop,
            Nil,
            Return,
        ];
        assert_eq!(check_balance(&code, &[(0, 7), (4, 5)]), Err(Some(1)));
        // Without statement ranges the join itself is still caught.
        assert_eq!(check_balance(&code, &[]), Err(None));
    }
}
