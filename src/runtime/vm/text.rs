//! The ops of f-strings: formatting a part, `repr`, and joining the parts.

use super::{pop, Step};
use crate::runtime::exec::Exec;
use crate::runtime::link::FnProto;
use crate::runtime::values::value::Value;

/// Formats the top value, with the spec in `proto.consts[k]` unless `k`
/// is `u32::MAX`.
#[inline(always)]
pub(super) fn format(ex: &mut Exec, proto: &FnProto, k: u32) -> Step {
    // Without a spec a string shows as itself and an int as its digits:
    // no formatter, no `String` copied over.
    if k == u32::MAX {
        match ex.stack.last_mut() {
            Some(Value::Str(_)) => return Ok(()),
            Some(top @ Value::Int(_)) => {
                let Value::Int(n) = *top else { unreachable!() };
                *top = Value::Str(crate::runtime::values::str::Str::from_int(n));
                return Ok(());
            }
            _ => {}
        }
    }
    format_slow(ex, proto, k)
}

#[inline(never)]
fn format_slow(ex: &mut Exec, proto: &FnProto, k: u32) -> Step {
    let v = pop(ex);
    let s = if k == u32::MAX {
        v.try_display()
    } else {
        match &proto.consts[k as usize] {
            Value::Str(spec) => crate::runtime::values::format::format_spec(&v, spec),
            _ => v.try_display(),
        }
    };
    let s = s?;
    ex.push(Value::Str(s.into()));
    Ok(())
}

#[inline(never)]
pub(super) fn repr(ex: &mut Exec) -> Step {
    let v = pop(ex);
    let s = v.try_repr()?;
    ex.push(Value::Str(s.into()));
    Ok(())
}

/// Joins the top `n` strings into one.
#[inline(always)]
pub(super) fn concat(ex: &mut Exec, n: u32) -> Step {
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
        crate::runtime::values::ops::concat(&texts)
    };
    ex.stack.truncate(from);
    let joined = joined?;
    ex.push(joined);
    Ok(())
}
