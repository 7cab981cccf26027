//! `random`: Python's `random` functions, drawing exactly CPython's
//! numbers (`random/mt.rs`: its Mersenne Twister and `random.py`'s
//! methods), so a seeded script prints what its Python twin prints. Each
//! engine has its own generator, in a data slot, started at its first use
//! from the engine's seed ([`NativeCtx::seed`]: `--seed N` /
//! [`crate::EngineBuilder::seed`], under `--virtual-time` without a seed
//! [`crate::engine::DEFAULT_SEED`], so a golden test's numbers are the
//! same on every run) as `random.seed(N)` does, and otherwise from the
//! system.

use crate::{Module, NativeCtx, ScriptError, Value};

mod mt;
pub(crate) use mt::PyRandom;

/// An engine's generator, made at its first use.
#[derive(Default)]
struct EngineRandom(Option<PyRandom>);

/// The engine's generator: started, the first time, from the engine's
/// seed as `random.seed(seed)` does, or from the system.
fn rng<'c>(ctx: &'c mut NativeCtx<'_>) -> &'c mut PyRandom {
    let seed = ctx.seed();
    let slot = ctx.data_or_default::<EngineRandom>();
    slot.0
        .get_or_insert_with(|| PyRandom::seeded_u64(seed.unwrap_or_else(|| fastrand::u64(..))))
}

pub(crate) fn module() -> Module {
    Module::new("random")
        .raw("random", |ctx, args| {
            args.finish()?;
            Ok(Value::Float(rng(ctx).random()))
        })
        .raw("uniform", |ctx, mut args| {
            let a: f64 = args.next("a")?;
            let b: f64 = args.next("b")?;
            args.finish()?;
            // Python's formula: `b` may be below `a`, and is reachable.
            Ok(Value::Float(a + (b - a) * rng(ctx).random()))
        })
        .raw("randint", |ctx, mut args| {
            let a: i64 = args.next("a")?;
            let b: i64 = args.next("b")?;
            args.finish()?;
            let r = rng(ctx).randrange(a.into(), i128::from(b) + 1, 1);
            Ok(Value::Int(r.map_err(ScriptError::value_error)?))
        })
        .raw("randrange", |ctx, mut args| {
            let start: i64 = args.next("start")?;
            let stop: Option<i64> = args.next_opt("stop")?;
            let step: Option<i64> = args.next_opt("step")?;
            args.finish()?;
            let r = match (stop, step) {
                (None, Some(_)) => {
                    return Err(ScriptError::type_error("Missing a non-None stop argument"));
                }
                (None, None) if start > 0 => Ok(rng(ctx).below(start as u128) as i64),
                (None, None) => Err("empty range for randrange()".to_string()),
                (Some(stop), step) => {
                    let step = step.unwrap_or(1).into();
                    rng(ctx).randrange(start.into(), stop.into(), step)
                }
            };
            Ok(Value::Int(r.map_err(ScriptError::value_error)?))
        })
        .raw("choice", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            args.finish()?;
            let items = items(&xs, "random.choice")?;
            if items.is_empty() {
                return Err(ScriptError::index_error(
                    "Cannot choose from an empty sequence",
                ));
            }
            let i = rng(ctx).index(items.len());
            Ok(items[i].clone())
        })
        .raw("shuffle", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            args.finish()?;
            let Value::List(list) = xs else {
                return Err(ScriptError::type_error(format!(
                    "random.shuffle() needs a list (it shuffles in place), not `{}`",
                    xs.type_name()
                )));
            };
            rng(ctx).shuffle(&mut list.borrow_mut());
            Ok(Value::Nil)
        })
        .raw("sample", |ctx, mut args| {
            let xs: Value = args.next("items")?;
            let k: i64 = args.next("k")?;
            args.finish()?;
            let pool = items(&xs, "random.sample")?;
            let k = usize::try_from(k)
                .ok()
                .filter(|&k| k <= pool.len())
                .ok_or_else(|| {
                    ScriptError::value_error("Sample larger than population or is negative")
                })?;
            Ok(Value::list(rng(ctx).sample(&pool, k)))
        })
        .raw("seed", |ctx, mut args| {
            let n: i64 = args.next("n")?;
            args.finish()?;
            *rng(ctx) = PyRandom::seeded(n);
            Ok(Value::Nil)
        })
}

/// The items `choice` and `sample` pick from: a list's, a string's
/// characters, a range's ints, a map's keys.
fn items(xs: &Value, fname: &str) -> Result<Vec<Value>, ScriptError> {
    xs.items().map_err(|_| {
        ScriptError::type_error(format!(
            "{fname}() needs a list (or another iterable), not `{}`",
            xs.type_name()
        ))
    })
}
