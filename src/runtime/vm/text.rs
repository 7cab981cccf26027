//! The ops of f-strings: formatting a part, `repr`, and joining the parts.

use super::{pop, Step};
use crate::runtime::exec::Exec;
use crate::runtime::link::FnProto;
use crate::runtime::values::str::Piece;
use crate::runtime::values::value::Value;

/// Formats the top value, with the spec in `proto.consts[k]` unless `k`
/// is `u32::MAX`.
#[inline(always)]
pub(super) fn format(ex: &mut Exec, proto: &FnProto, k: u32) -> Step {
    // Without a spec a string shows as itself, and an int is left as it
    // is: the f-string's `Concat` (which always follows) writes its digits
    // straight into the result, with no string made and freed for them.
    if k == u32::MAX && matches!(ex.stack.last(), Some(Value::Str(_) | Value::Int(_))) {
        return Ok(());
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

/// Joins the top `n` parts into one string: strings, and ints in decimal
/// (left so by `format`).
#[inline(always)]
pub(super) fn concat(ex: &mut Exec, n: u32) -> Step {
    // The parts are read where they lie on the stack.
    let from = ex.stack.len() - n as usize;
    // One string alone is the result as it is (`f"{s}"`).
    if let [Value::Str(_)] = &ex.stack[from..] {
        return Ok(());
    }
    let pieces = ex.stack[from..].iter().filter_map(|p| match p {
        Value::Str(x) => Some(Piece::Text(x.as_str())),
        Value::Int(n) => Some(Piece::Int(*n)),
        _ => None,
    });
    let joined = crate::runtime::values::ops::concat_pieces(pieces);
    ex.cut(from);
    ex.push(joined?);
    Ok(())
}
