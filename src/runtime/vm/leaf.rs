//! Leaf calls: a function whose whole body returns one int operation on
//! its parameters (`fn(x) { return x * 2 }`, `fn(a, b) { return a + b }`,
//! `fn(y) { return y % 3 == 0 }`, `fn(x) { return x + k }` with `k`
//! captured: the small functions handed to `map`, `filter`, `reduce` and
//! `sorted`) is answered at its call without a frame, when its operands
//! are ints and the result is one.
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

use crate::compile::code::{Arith, Cmp, Op};
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
    /// `return p + u` or `return u + p`, `u` a captured variable.
    AddCaptured(u32, u32),
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
            [Op::LoadLocal(p), Op::LoadUpval(u), Op::ReturnAdd, ..]
            | [Op::LoadUpval(u), Op::LoadLocal(p), Op::ReturnAdd, ..]
                if param(p) =>
            {
                Leaf::AddCaptured(*p, *u)
            }
            _ => Leaf::No,
        }
    }

    /// The call's result from its arguments (exactly the parameters) and
    /// the callee's captured cells, or `None`: make the ordinary call.
    /// In line, only the test for [`Leaf::No`] (every other call's whole
    /// cost): the `match` in line became a jump table on every call and
    /// cost plain calls 25 instructions.
    #[inline(always)]
    pub(super) fn eval(self, args: &[Value], captured: &[Rc<RefCell<Value>>]) -> Option<Value> {
        if self == Leaf::No {
            return None;
        }
        self.answer(args, captured)
    }

    #[inline(never)]
    fn answer(self, args: &[Value], captured: &[Rc<RefCell<Value>>]) -> Option<Value> {
        let int = |p: u32| match args.get(p as usize) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        match self {
            Leaf::No => None,
            Leaf::ArithInt(a, p, k) => Some(Value::Int(int_arith(a, int(p)?, k as i64)?)),
            Leaf::ArithParams(a, p, q) => Some(Value::Int(int_arith(a, int(p)?, int(q)?)?)),
            Leaf::ArithCmp(a, p, k, c, n) => {
                let x = int_arith(a, int(p)?, k as i64)?;
                Some(Value::Bool(c.holds(x.cmp(&(n as i64)))))
            }
            Leaf::AddCaptured(p, u) => {
                let cell = captured.get(u as usize)?;
                // SAFETY: nothing writes the cell while its int is read
                // (no script code runs); like `borrow`, this fails only on
                // a cell borrowed mutably, which then takes the ordinary
                // call (as `op_load_upval` reads it).
                let k = match unsafe { cell.try_borrow_unguarded() } {
                    Ok(Value::Int(k)) => *k,
                    _ => return None,
                };
                Some(Value::Int(int(p)?.checked_add(k)?))
            }
        }
    }
}

/// Int arithmetic as the fused ops compute it, `None` where they would
/// not (an overflow, a zero divisor).
#[inline(always)]
fn int_arith(a: Arith, x: i64, y: i64) -> Option<i64> {
    super::arith::int_arith(a, x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Arith::{Add, Mod, Mul};
    use Op::{ArithLocalInt, BoxLocal, LoadLocal, LoadUpval, Nil, Return, ReturnAdd};
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
        let body = [LoadUpval(2), LoadLocal(0), ReturnAdd, Return];
        assert_eq!(Leaf::of(&body, 1, false), Leaf::AddCaptured(0, 2));
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
        let double = Leaf::ArithInt(Mul, 0, 2);
        assert!(matches!(double.eval(&[int(21)], &[]), Some(Value::Int(42))));
        assert!(double.eval(&[Value::Float(1.5)], &[]).is_none());
        assert!(double.eval(&[int(i64::MAX)], &[]).is_none());
        let rem = Leaf::ArithParams(Mod, 0, 1);
        assert!(matches!(
            rem.eval(&[int(-7), int(3)], &[]),
            Some(Value::Int(2))
        ));
        assert!(rem.eval(&[int(7), int(0)], &[]).is_none());
        let third = Leaf::ArithCmp(Mod, 0, 3, Cmp::Eq, 0);
        assert!(matches!(
            third.eval(&[int(9)], &[]),
            Some(Value::Bool(true))
        ));
        let cells = [
            Rc::new(RefCell::new(int(5))),
            Rc::new(RefCell::new(Value::Uninit)),
        ];
        let add_k = Leaf::AddCaptured(0, 0);
        assert!(matches!(add_k.eval(&[int(1)], &cells), Some(Value::Int(6))));
        assert!(Leaf::AddCaptured(0, 1).eval(&[int(1)], &cells).is_none());
        let _held = cells[0].borrow_mut();
        assert!(add_k.eval(&[int(1)], &cells).is_none());
    }
}
