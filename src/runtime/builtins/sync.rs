//! Builtins that make synchronisation primitives: queues, events, locks,
//! semaphores, conditions, barriers and bare futures.

use super::int_arg;
use crate::runtime::asyncio::future::{FutKind, Future};
use crate::runtime::asyncio::sync_state::{self as sync, QueueKind};
use crate::runtime::call::Sig;
use crate::runtime::native::function::NativeFn;
use crate::{ScriptError, Value};

pub(super) fn functions() -> Vec<NativeFn> {
    vec![
        queue("queue", QueueKind::Fifo),
        queue("priority_queue", QueueKind::Priority),
        queue("lifo_queue", QueueKind::Lifo),
        NativeFn::builtin(Sig::new("event", &[]), |_, _| {
            Ok(Value::Event(sync::Event::new()))
        }),
        NativeFn::builtin(Sig::new("lock", &[]), |_, _| {
            Ok(Value::Lock(sync::Lock::new()))
        }),
        semaphore("semaphore", false),
        semaphore("bounded_semaphore", true),
        NativeFn::builtin(
            Sig::new("condition", &["lock"]).required(0),
            |_, mut a| match a.next_opt::<Value>("lock")? {
                None | Some(Value::Nil) => {
                    Ok(Value::Condition(sync::Condition::new(sync::Lock::new())))
                }
                Some(Value::Lock(l)) => Ok(Value::Condition(sync::Condition::new(l))),
                Some(other) => Err(ScriptError::type_error(format!(
                    "condition() needs a lock, not `{}`",
                    other.type_name()
                ))),
            },
        ),
        NativeFn::builtin(Sig::new("barrier", &["parties"]), |_, mut a| {
            let n = int_arg("barrier", &a.next("parties")?)?;
            if n < 1 {
                return Err(ScriptError::value_error("barrier() parties must be > 0"));
            }
            Ok(Value::Barrier(sync::Barrier::new(n)))
        }),
        NativeFn::builtin(Sig::new("future", &[]), |_, _| {
            Ok(Value::Future(Future::new(FutKind::Plain)))
        }),
    ]
}

/// `queue(maxsize)` and its kinds; a size of 0 or less is unbounded.
fn queue(name: &'static str, kind: QueueKind) -> NativeFn {
    NativeFn::builtin(Sig::new(name, &["maxsize"]).required(0), move |_, mut a| {
        let max = match a.next_opt::<Value>("maxsize")? {
            Some(v) => int_arg(name, &v)?,
            None => 0,
        };
        Ok(Value::Queue(sync::Queue::new(max.max(0) as usize, kind)))
    })
}

/// `semaphore(n)` and `bounded_semaphore(n)`, `n` 1 unless given.
fn semaphore(name: &'static str, bounded: bool) -> NativeFn {
    NativeFn::builtin(Sig::new(name, &["n"]).required(0), move |_, mut a| {
        let n = match a.next_opt::<Value>("n")? {
            Some(v) => int_arg(name, &v)?,
            None => 1,
        };
        if n < 0 {
            return Err(ScriptError::value_error(format!(
                "{name}() initial value must be >= 0"
            )));
        }
        Ok(Value::Semaphore(sync::Semaphore::new(n, bounded)))
    })
}
