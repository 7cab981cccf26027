//! The ops of blocks: `throw`, `try`/`catch` handlers, `with`, `for await`
//! streams and task groups.

use super::{pop, Flow, Regs, Step, Stop};
use crate::runtime::error::ErrorObj;
use crate::runtime::exec::{Exec, Handler};
use crate::runtime::handle::Input;
use crate::runtime::interp::Interp;
use crate::runtime::link::FnProto;
use crate::runtime::values::value::Value;
use std::rc::Rc;

#[inline(never)]
pub(super) fn throw(ex: &mut Exec, r: Regs) -> Step {
    r.save(ex);
    let v = pop(ex);
    let e = match v {
        Value::Error(e) => e,
        other => ErrorObj::new("Error", other.to_display()),
    };
    Err(Stop::Fail(e))
}

#[inline(never)]
pub(super) fn rethrow(ex: &mut Exec, r: Regs) -> Step {
    r.save(ex);
    let Value::Error(e) = pop(ex) else {
        unreachable!("rethrow of a non-error")
    };
    Err(Stop::Fail(e))
}

#[inline(always)]
pub(super) fn push_handler(ex: &mut Exec, r: &Regs, t: u32) {
    ex.handlers.push(Handler {
        frame: r.fi,
        target: t as usize,
        sp: ex.stack.len(),
    });
}

#[inline(always)]
pub(super) fn pop_handler(ex: &mut Exec) {
    ex.handlers.pop();
}

/// Whether the error on top is one a `catch` of the kinds in
/// `proto.consts[k]` takes (`u32::MAX`: a catch-all).
#[inline(never)]
pub(super) fn catch_match(ex: &mut Exec, proto: &FnProto, k: u32) {
    let v = pop(ex);
    let Value::Error(e) = v else {
        unreachable!("catch without error")
    };
    let hit = if k == u32::MAX {
        !e.escapes_catch_all()
    } else {
        match &proto.consts[k as usize] {
            Value::List(kinds) => kinds.borrow().iter().any(|kind| match kind {
                Value::Str(s) => **s == *e.kind || (&**s == "Error" && !e.escapes_catch_all()),
                _ => false,
            }),
            _ => false,
        }
    };
    ex.push(Value::Bool(hit));
}

#[inline(never)]
pub(super) fn stream_start(ex: &mut Exec, r: Regs, slot: u32) -> Step {
    let v = crate::runtime::asyncio::map_concurrent::as_stream(pop(ex));
    crate::runtime::stream::check(&v)?;
    ex.stack[r.base + slot as usize] = v;
    Ok(())
}

/// The error a block ended with, when it `failed`.
fn block_error(ex: &mut Exec, failed: bool) -> Option<crate::runtime::error::ErrorRef> {
    if !failed {
        return None;
    }
    match pop(ex) {
        Value::Error(e) => Some(e),
        _ => None,
    }
}

impl Interp {
    #[inline(never)]
    pub(super) fn op_with_enter(&mut self, ex: &mut Exec, r: Regs, slot: u32) -> Step {
        r.save(ex);
        let scope = ex.stack[r.base + slot as usize].clone();
        match self.with_enter(&scope)? {
            crate::runtime::asyncio::scopes::Enter::Value(v) => ex.push(v),
            crate::runtime::asyncio::scopes::Enter::Wait(n) => {
                self.push_native(ex, n);
                return Err(Stop::Exit(Flow::Next(Input::Start)));
            }
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_with_exit(&mut self, ex: &mut Exec, r: Regs, slot: u32, failed: bool) -> Step {
        r.save(ex);
        let scope = ex.stack[r.base + slot as usize].clone();
        let error = block_error(ex, failed);
        self.with_exit(&scope, error.as_ref())?;
        match error {
            Some(e) => Err(Stop::Fail(e)),
            None => {
                ex.push(Value::Nil);
                Ok(())
            }
        }
    }

    /// The next item of a `for await` stream: at once when a native stream
    /// has one ready, else awaited (the `Await` after this op is skipped
    /// for native streams, which wait here).
    #[inline(never)]
    pub(super) fn op_stream_next(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        proto: &FnProto,
        slot: u32,
        name: u32,
    ) -> Step {
        r.save(ex);
        let s = ex.stack[r.base + slot as usize].clone();
        if let Some(st) = crate::runtime::stream::native(&s) {
            let mut ctx = crate::runtime::native::function::Ctx { interp: self };
            match st.ready(&mut ctx) {
                Some(item) => {
                    ex.push(item?);
                    r.skip(); // past the `Await`
                }
                None => {
                    let fut = st.wait(&mut ctx)?;
                    r.skip();
                    r.save(ex);
                    let shown: Rc<str> = Rc::from(s.type_name());
                    self.push_native(
                        ex,
                        crate::runtime::asyncio::coro::NativeCoro::op(shown, fut),
                    );
                    return Err(Stop::Exit(Flow::Next(Input::Start)));
                }
            }
            return Ok(());
        }
        ex.push(s);
        if self.call_attr(ex, proto, name, 0, u32::MAX)? {
            r.reload(ex);
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_stream_close(
        &mut self,
        ex: &mut Exec,
        r: &mut Regs,
        proto: &FnProto,
        slot: u32,
        name: u32,
    ) -> Step {
        r.save(ex);
        let s = ex.stack[r.base + slot as usize].clone();
        if let Some(st) = crate::runtime::stream::native(&s) {
            st.close(&mut crate::runtime::native::function::Ctx { interp: self });
            ex.push_nil();
            r.skip(); // past the `AwaitMaybe`
        } else if crate::runtime::stream::has_method(&s, "close") {
            ex.push(s);
            if self.call_attr(ex, proto, name, 0, u32::MAX)? {
                r.reload(ex);
            }
        } else {
            ex.push_nil();
        }
        Ok(())
    }

    #[inline(never)]
    pub(super) fn op_group_enter(&mut self, ex: &mut Exec, r: Regs, slot: u32) {
        ex.stack[r.base + slot as usize] =
            crate::runtime::asyncio::group::new_group(self.current.clone());
    }

    #[inline(never)]
    pub(super) fn op_group_exit(
        &mut self,
        ex: &mut Exec,
        r: Regs,
        slot: u32,
        failed: bool,
    ) -> Step {
        r.save(ex);
        let group = ex.stack[r.base + slot as usize].clone();
        let error = block_error(ex, failed);
        self.push_native(ex, crate::runtime::asyncio::group::exit(group, error));
        Err(Stop::Exit(Flow::Next(Input::Start)))
    }
}
