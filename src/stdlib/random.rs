//! `random`: Python's `random` functions on a generator each engine owns
//! (fastrand's wyrand, not Python's Mersenne Twister: the same seed gives
//! other numbers than CPython, so there are no parity pairs). The engine
//! seeds it from the system, or from `--seed N` / [`crate::EngineBuilder::seed`];
//! under `--virtual-time` without a seed, from [`crate::engine::DEFAULT_SEED`],
//! so a golden test's numbers are the same on every run.

use crate::host::Module;
use crate::runtime::error::{index_error, type_error, value_error, ErrorRef};
use crate::runtime::native_fn::NativeFn;
use crate::runtime::ops::items_of;
use crate::runtime::value::Value;

pub(crate) fn module() -> Module {
    Module::new("random")
        .native(NativeFn::sync("random.random", |ctx, args| {
            args.finish()?;
            Ok(Value::Float(ctx.rng().f64()))
        }))
        .native(NativeFn::sync("random.uniform", |ctx, mut args| {
            let a: f64 = args.next("a")?;
            let b: f64 = args.next("b")?;
            args.finish()?;
            // Python's formula: `b` may be below `a`, and is reachable.
            Ok(Value::Float(a + (b - a) * ctx.rng().f64()))
        }))
        .native(NativeFn::sync("random.randint", |ctx, mut args| {
            let a: i64 = args.next("a")?;
            let b: i64 = args.next("b")?;
            args.finish()?;
            if a > b {
                return Err(value_error(format!("empty range for randint({a}, {b})")));
            }
            Ok(Value::Int(ctx.rng().i64(a..=b)))
        }))
        .native(NativeFn::sync("random.choice", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            args.finish()?;
            let items = items(&xs, "random.choice")?;
            if items.is_empty() {
                return Err(index_error("Cannot choose from an empty sequence"));
            }
            let i = ctx.rng().usize(..items.len());
            Ok(items[i].clone())
        }))
        .native(NativeFn::sync("random.shuffle", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            args.finish()?;
            let Value::List(list) = xs else {
                return Err(type_error(format!(
                    "random.shuffle() needs a list (it shuffles in place), not `{}`",
                    xs.type_name()
                )));
            };
            ctx.rng().shuffle(&mut list.borrow_mut());
            Ok(Value::Nil)
        }))
        .native(NativeFn::sync("random.sample", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            let k: i64 = args.next("k")?;
            args.finish()?;
            let mut pool = items(&xs, "random.sample")?;
            let k = usize::try_from(k)
                .ok()
                .filter(|&k| k <= pool.len())
                .ok_or_else(|| value_error("Sample larger than population or is negative"))?;
            // A partial Fisher-Yates: the first `k` places get distinct items.
            for i in 0..k {
                let j = ctx.rng().usize(i..pool.len());
                pool.swap(i, j);
            }
            pool.truncate(k);
            Ok(Value::list(pool))
        }))
        .native(NativeFn::sync("random.seed", |ctx, mut args| {
            let n: i64 = args.next("n")?;
            args.finish()?;
            ctx.rng().seed(n as u64);
            Ok(Value::Nil)
        }))
}

/// The items `choice` and `sample` pick from: a list's, a string's
/// characters, a range's ints, a map's keys.
fn items(xs: &Value, fname: &str) -> Result<Vec<Value>, ErrorRef> {
    items_of(xs).map_err(|_| {
        type_error(format!(
            "{fname}() needs a list (or another iterable), not `{}`",
            xs.type_name()
        ))
    })
}
