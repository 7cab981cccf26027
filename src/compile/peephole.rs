//! A small clean-up pass over finished code: a comparison followed by a
//! conditional jump becomes one instruction, and the `Nop`s left by
//! declarations that needed no cell are removed (jump targets remapped).

use super::code::{Cmp, Op};
use crate::syntax::Span;

fn target(op: &Op) -> Option<u32> {
    match *op {
        Op::Jump(t) | Op::JumpIfFalse(t) | Op::JumpIfFalseOrPop(t) | Op::JumpIfTrueOrPop(t) => {
            Some(t)
        }
        Op::PushHandler(t) | Op::IterNext(t) | Op::CmpJump(_, t) => Some(t),
        Op::DefaultArg { skip, .. } => Some(skip),
        _ => None,
    }
}

fn retarget(op: Op, map: &[u32]) -> Op {
    let m = |t: u32| map[t as usize];
    match op {
        Op::Jump(t) => Op::Jump(m(t)),
        Op::JumpIfFalse(t) => Op::JumpIfFalse(m(t)),
        Op::JumpIfFalseOrPop(t) => Op::JumpIfFalseOrPop(m(t)),
        Op::JumpIfTrueOrPop(t) => Op::JumpIfTrueOrPop(m(t)),
        Op::PushHandler(t) => Op::PushHandler(m(t)),
        Op::IterNext(t) => Op::IterNext(m(t)),
        Op::CmpJump(c, t) => Op::CmpJump(c, m(t)),
        Op::DefaultArg { slot, skip } => Op::DefaultArg {
            slot,
            skip: m(skip),
        },
        other => other,
    }
}

pub fn optimize(mut code: Vec<Op>, mut spans: Vec<Span>) -> (Vec<Op>, Vec<Span>) {
    let mut is_target = vec![false; code.len() + 1];
    for op in &code {
        if let Some(t) = target(op) {
            is_target[t as usize] = true;
        }
    }
    for i in 0..code.len().saturating_sub(1) {
        let cmp = match code[i] {
            Op::Lt => Cmp::Lt,
            Op::Le => Cmp::Le,
            Op::Gt => Cmp::Gt,
            Op::Ge => Cmp::Ge,
            Op::Eq => Cmp::Eq,
            Op::Ne => Cmp::Ne,
            _ => continue,
        };
        if let (Op::JumpIfFalse(t), false) = (code[i + 1], is_target[i + 1]) {
            code[i] = Op::CmpJump(cmp, t);
            code[i + 1] = Op::Nop;
        }
    }
    // map[old] = index of the first kept instruction at or after `old`.
    let mut map = vec![0u32; code.len() + 1];
    let mut kept = 0u32;
    for (i, op) in code.iter().enumerate() {
        map[i] = kept;
        if *op != Op::Nop {
            kept += 1;
        }
    }
    map[code.len()] = kept;
    let mut out_code = Vec::with_capacity(kept as usize);
    let mut out_spans = Vec::with_capacity(kept as usize);
    for (op, span) in code.drain(..).zip(spans.drain(..)) {
        if op != Op::Nop {
            out_code.push(retarget(op, &map));
            out_spans.push(span);
        }
    }
    (out_code, out_spans)
}
