//! `m[k] = m.get(k, 0) + x`, the counting idiom, in one instruction: the
//! peephole pass puts `MapBump` in place of the first of its nine ops and
//! leaves the other eight behind it. When the map is a map, the key a
//! string already in it, its value and `x` ints and the sum in range, the
//! value is added to where it lies (one lookup instead of two, no map or
//! key pushed and dropped) and the eight ops are jumped over. Anything
//! else (a new key, a float, an error to raise) runs the first op and then
//! the eight, exactly as the unfused code: same results, same errors and
//! spans.

use super::{Regs, Step};
use crate::compile::code::{Op, MAP_BUMP_SKIP};
use crate::runtime::exec::Exec;
use crate::runtime::interp::Interp;
use crate::runtime::methods::MAP_GET;
use crate::runtime::values::value::Value;

impl Interp {
    /// `MapBump`: the map in global `map` (else in local `map`), the key
    /// in local `key`, `x` the int `x` (else in local `x`), locals from
    /// `r.base`; done in place, the eight ops after it are skipped. Out of
    /// line, on a copy of the registers: the evaluator's loop stays as it
    /// was for every other op.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn op_map_bump(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        global: bool,
        map: u32,
        key: u32,
        x_local: bool,
        x: i32,
    ) -> Step {
        let base = r.base;
        // SAFETY: the peephole pass put this op before the eight it stands
        // for, the fifth of which (`r.ip` is past this op) is the method
        // call; the function goes on to its `Return`, so all are in the code.
        let call = unsafe { *r.ip.add(4) };
        // The compiler fused any two-argument method: only `get` is this.
        let is_get = matches!(call, Op::Method { method, argc: 2 } if method == MAP_GET);
        let m = if global {
            &self.globals[map as usize]
        } else {
            &ex.stack[base + map as usize]
        };
        let x = if x_local {
            match ex.stack[base + x as usize] {
                Value::Int(n) => Some(n),
                _ => None,
            }
        } else {
            Some(i64::from(x))
        };
        if let (true, Value::Map(m), Value::Str(k), Some(x)) =
            (is_get, m, &ex.stack[base + key as usize], x)
        {
            // A map borrowed elsewhere (none is, between ops) is left to
            // the unfused code.
            if let Ok(mut table) = m.try_borrow_mut() {
                if let Some(i) = table.index_of_str(k) {
                    if let Value::Int(n) = &mut table[i] {
                        if let Some(sum) = n.checked_add(x) {
                            *n = sum;
                            r.ip = r.ip.wrapping_add(MAP_BUMP_SKIP);
                            return Ok(());
                        }
                    }
                }
            }
        }
        // The unfused code from its first op on.
        if global {
            self.op_load_global(ex, map)
        } else {
            ex.push_local(base + map as usize);
            Ok(())
        }
    }
}
