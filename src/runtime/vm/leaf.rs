//! Leaf calls: a function whose whole body returns one int operation on
//! its parameters, or on a parameter and a captured variable
//! (`fn(x) { return x * 2 }`, `fn(a, b) { return a + b }`,
//! `fn(y) { return y % 3 == 0 }`, `fn(x) { return x + k }` with `k`
//! captured: the small functions a script hands to its own `map`,
//! `filter` or `reduce` loop) is answered at its call without a frame,
//! when its operands are ints and the result is one. Builtins that call
//! back (`sorted`'s key, ...) call through `NativeCtx` and do not come
//! here.
//!
//! Anything else (another type, an overflow, a zero divisor, a capture not
//! yet assigned) makes the ordinary call, whose body computes the same
//! result or raises its error from inside the function: a leaf call only
//! ever shortcuts a call that would have returned this value. The call's
//! other duties stay with the caller, which checks the depth limit and
//! passes the check point before asking (`vm/calls.rs`).
//!
//! Why: a frame's push and pop are about 100 instructions and two
//! dispatches, against a handful for the arithmetic itself; in the
//! closures workload a third of all calls are such bodies.

use super::arith::int_arith;
use crate::compile::code::{Arith, Cmp, Op};
use crate::runtime::link::FnProto;
use crate::runtime::values::value::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// What a function's body is, as far as its calls care (`FnProto::leaf`).
/// Parameters are numbered as their local slots (parameters come first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// Any other body: every call gets a frame.
    No,
    /// `return p <arith> k`
    ArithInt(Arith, u32, i32),
    /// `return p <arith> q`
    ArithParams(Arith, u32, u32),
    /// `return p <arith> k <cmp> c`
    ArithCmp(Arith, u32, i32, Cmp, i32),
    /// `return p + u`, `u` a captured variable.
    AddCaptured(u32, u32),
    /// `return u <arith> p`, `u` a captured variable.
    CapturedArith(Arith, u32, u32),
}

impl Leaf {
    /// The leaf shape of a linked function's code, whose first `params`
    /// local slots are its parameters. The ops are the compiler's fused
    /// ones (`compile/peephole.rs`); whatever follows the first return
    /// never runs, so it does not matter.
    pub(crate) fn of(code: &[Op], params: usize, is_async: bool) -> Leaf {
        let param = |slot: &u32| (*slot as usize) < params;
        if is_async {
            return Leaf::No;
        }
        match code {
            [Op::ReturnArithLocalInt(a, p, k), ..] if param(p) => Leaf::ArithInt(*a, *p, *k),
            [Op::ReturnArithLocals(a, p, q), ..] if param(p) && param(q) => {
                Leaf::ArithParams(*a, *p, *q)
            }
            [Op::ArithLocalInt(a, p, k), Op::ReturnCmpInt(c, n), ..] if param(p) => {
                Leaf::ArithCmp(*a, *p, *k, *c, *n)
            }
            [Op::LoadLocal(p), Op::LoadUpval(u), Op::ReturnAdd, ..] if param(p) => {
                Leaf::AddCaptured(*p, *u)
            }
            [Op::LoadUpval(u), Op::ArithLocal(a, p), Op::Return, ..] if param(p) => {
                Leaf::CapturedArith(*a, *u, *p)
            }
            _ => Leaf::No,
        }
    }

    /// The call's result from its arguments (exactly the parameters) and
    /// the callee's captured cells, or `None`: make the ordinary call.
    /// Callers ask only when `FnProto::is_leaf` says there is a shape, a
    /// separate flag: with the test for [`Leaf::No`] and the `match` on
    /// the shape in one place, LLVM made them one jump table ahead of
    /// every call (plain calls +25 instructions). In line at each call
    /// site, so each site's jump on the shape is predicted for the
    /// functions that site calls (out of line, one shared jump took a
    /// quarter of the samples in `answer`).
    #[inline(always)]
    pub(super) fn eval(self, args: &[Value], captured: &[Rc<RefCell<Value>>]) -> Option<Answer> {
        let int = |p: u32| match args.get(p as usize) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        let captured_int = |u: u32| {
            let cell = captured.get(u as usize)?;
            // SAFETY: nothing writes the cell while its int is read (no
            // script code runs). Like `borrow`, this fails only on a cell
            // borrowed mutably; then the ordinary call is made.
            match unsafe { cell.try_borrow_unguarded() } {
                Ok(Value::Int(k)) => Some(*k),
                _ => None,
            }
        };
        let n = match self {
            Leaf::No => return None,
            Leaf::ArithInt(a, p, k) => int_arith(a, int(p)?, k as i64)?,
            Leaf::ArithParams(a, p, q) => int_arith(a, int(p)?, int(q)?)?,
            Leaf::ArithCmp(a, p, k, c, n) => {
                let x = int_arith(a, int(p)?, k as i64)?;
                return Some(Answer::bool(c.holds(x.cmp(&(n as i64)))));
            }
            Leaf::AddCaptured(p, u) => int(p)?.checked_add(captured_int(u)?)?,
            Leaf::CapturedArith(a, u, p) => int_arith(a, captured_int(u)?, int(p)?)?,
        };
        Some(Answer::int(n))
    }
}

/// A call's answer without a frame, if `proto` has a leaf shape and the
/// operands suit it (see [`Leaf::eval`]).
#[inline(always)]
pub(super) fn ask(
    proto: &FnProto,
    args: &[Value],
    captured: &[Rc<RefCell<Value>>],
) -> Option<Answer> {
    if !proto.is_leaf {
        return None;
    }
    proto.leaf.eval(args, captured)
}

/// A leaf call's result, an int or a bool. Two scalars, so it comes back
/// from [`Leaf::eval`] in two registers (when it was out of line): an `Option<Value>` came back
/// through memory and was read as one 16-byte load just after the
/// narrower stores that wrote it, a store-forwarding stall on every leaf
/// call (`perf` put a sixth of closures' samples there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Answer {
    is_bool: bool,
    n: i64,
}

impl Answer {
    fn int(n: i64) -> Answer {
        Answer { is_bool: false, n }
    }

    fn bool(b: bool) -> Answer {
        Answer {
            is_bool: true,
            n: b as i64,
        }
    }

    #[inline(always)]
    pub(super) fn value(self) -> Value {
        if self.is_bool {
            Value::Bool(self.n != 0)
        } else {
            Value::Int(self.n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Arith::{Add, Mod, Mul, Sub};
    use Op::{ArithLocal, ArithLocalInt, BoxLocal, LoadLocal, LoadUpval, Nil, Return, ReturnAdd};
    use Op::{ReturnArithLocalInt, ReturnArithLocals, ReturnCmpInt};

    #[test]
    fn the_four_bodies_are_leaves_when_they_read_parameters() {
        let body = [ReturnArithLocalInt(Mul, 0, 2), Return];
        assert_eq!(Leaf::of(&body, 1, false), Leaf::ArithInt(Mul, 0, 2));
        let body = [ReturnArithLocals(Add, 1, 0), Return];
        assert_eq!(Leaf::of(&body, 2, false), Leaf::ArithParams(Add, 1, 0));
        let body = [ArithLocalInt(Mod, 0, 3), ReturnCmpInt(Cmp::Eq, 0), Return];
        let shape = Leaf::ArithCmp(Mod, 0, 3, Cmp::Eq, 0);
        assert_eq!(Leaf::of(&body, 1, false), shape);
        let body = [LoadLocal(0), LoadUpval(2), ReturnAdd, Return];
        assert_eq!(Leaf::of(&body, 1, false), Leaf::AddCaptured(0, 2));
        let body = [LoadUpval(2), ArithLocal(Sub, 0), Return];
        assert_eq!(Leaf::of(&body, 1, false), Leaf::CapturedArith(Sub, 2, 0));
    }

    #[test]
    fn other_bodies_are_not() {
        // A local that is not a parameter (slot 1 of a one-parameter
        // function), an async function, a body that does more first.
        assert_eq!(
            Leaf::of(&[ReturnArithLocalInt(Mul, 1, 2), Return], 1, false),
            Leaf::No
        );
        assert_eq!(
            Leaf::of(&[ReturnArithLocals(Add, 0, 1), Return], 1, false),
            Leaf::No
        );
        assert_eq!(
            Leaf::of(&[ReturnArithLocalInt(Mul, 0, 2), Return], 1, true),
            Leaf::No
        );
        assert_eq!(
            Leaf::of(&[BoxLocal(0), ReturnArithLocalInt(Mul, 0, 2)], 1, false),
            Leaf::No
        );
        assert_eq!(
            Leaf::of(&[LoadLocal(0), LoadLocal(0), ReturnAdd], 1, false),
            Leaf::No
        );
        assert_eq!(Leaf::of(&[Nil, Return], 0, false), Leaf::No);
    }

    #[test]
    fn answers_only_int_operands_that_fit() {
        let int = Value::Int;
        let ask = |leaf: Leaf, args: &[Value], cells: &[Rc<RefCell<Value>>]| {
            leaf.eval(args, cells).map(Answer::value)
        };
        let double = Leaf::ArithInt(Mul, 0, 2);
        assert!(matches!(ask(double, &[int(21)], &[]), Some(Value::Int(42))));
        assert!(ask(double, &[Value::Float(1.5)], &[]).is_none());
        assert!(ask(double, &[int(i64::MAX)], &[]).is_none());
        let rem = Leaf::ArithParams(Mod, 0, 1);
        assert!(matches!(
            ask(rem, &[int(-7), int(3)], &[]),
            Some(Value::Int(2))
        ));
        assert!(ask(rem, &[int(7), int(0)], &[]).is_none());
        let third = Leaf::ArithCmp(Mod, 0, 3, Cmp::Eq, 0);
        assert!(matches!(
            ask(third, &[int(9)], &[]),
            Some(Value::Bool(true))
        ));
        assert!(matches!(
            ask(third, &[int(10)], &[]),
            Some(Value::Bool(false))
        ));
        let cells = [
            Rc::new(RefCell::new(int(5))),
            Rc::new(RefCell::new(Value::Uninit)),
        ];
        let add_k = Leaf::AddCaptured(0, 0);
        assert!(matches!(ask(add_k, &[int(1)], &cells), Some(Value::Int(6))));
        // `k - x`: the captured value first.
        let k_minus = Leaf::CapturedArith(Sub, 0, 0);
        assert!(matches!(
            ask(k_minus, &[int(1)], &cells),
            Some(Value::Int(4))
        ));
        assert!(ask(Leaf::AddCaptured(0, 1), &[int(1)], &cells).is_none());
        assert!(ask(Leaf::CapturedArith(Sub, 1, 0), &[int(1)], &cells).is_none());
        let _held = cells[0].borrow_mut();
        assert!(ask(add_k, &[int(1)], &cells).is_none());
    }
}
