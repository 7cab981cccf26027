//! Calls of a builtin function by its name with one argument (`len(x)`,
//! `str(n)`, `int(s)`, `abs(x)`): the compiler knows the builtin, so it is
//! never pushed, cloned and dropped around the call as a callee value is.

use super::{Regs, Step};
use crate::runtime::exec::Exec;
use crate::runtime::interp::Interp;
use crate::runtime::link::FnProto;
use crate::runtime::values::value::Value;

impl Interp {
    /// `CallNative1(k)`: a builtin with a plain one-argument body runs on
    /// the argument where it lies and leaves its result in its place;
    /// any other goes the general way, its callee put below the argument
    /// (what `Call(1)` would have found). The check point and the saved
    /// position are those of `Call`, so error locations do not change
    /// (`--max-ops` counts a loop around it one instruction shorter, as
    /// with every fused instruction).
    #[inline(always)]
    pub(super) fn op_call_native1(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        proto: &FnProto,
        k: u32,
    ) -> Step {
        r.save(ex);
        self.check(ex, r, 1)?;
        let callee = &proto.consts[k as usize];
        if let Value::Native(f) = callee {
            if let Some(body) = f.unary_body() {
                let v = body(ex.stack.last().expect("an argument"))?;
                ex.discard();
                ex.push_result(v);
                return Ok(());
            }
        }
        self.call_native_general(ex, r, callee)
    }

    /// [`Self::op_call_native1`] of a builtin without a plain body
    /// (`print(x)`, `sleep(s)`, `gather(t)`): out of line.
    #[inline(never)]
    fn call_native_general(&mut self, ex: &mut Exec, r: &mut Regs, callee: &Value) -> Step {
        let at = ex.stack.len() - 1;
        ex.stack.insert(at, callee.clone());
        if self.call_value(ex, 1, None, false)? {
            r.reload(ex);
        }
        Ok(())
    }
}
