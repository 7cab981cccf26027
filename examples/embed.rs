//! Embedding `tasks` in a Rust program: a sync and an async host function,
//! ten concurrent calls gathered by a script, a cancellation by
//! `wait_for`, a limit stopping a runaway script; then an object type with
//! methods, host functions taking the native context (the engine's random
//! generator, a call back into the script), a script function called from
//! Rust, and a structured error; last, `eval_async`, the engine as a future
//! beside the host's own on one executor.
//!
//! Run it with `cargo run --release --example embed`.

use std::cell::RefCell;
use std::time::{Duration, Instant};
use tasks::{Args, Engine, Limits, Module, NativeCtx, NativeObject, ScriptError, Value};

/// Stands in for a database: each lookup takes 200 ms of real time.
async fn lookup(id: i64) -> Result<String, String> {
    async_io::Timer::after(Duration::from_millis(200)).await;
    if id < 0 {
        return Err(format!("no user {id}"));
    }
    Ok(format!("user-{id}"))
}

const SCRIPT: &str = r#"
# Ten lookups at once: the whole batch takes about one lookup's time.
let started = now()
let pending = []
for id in range(10) { pending.push(spawn db.lookup(id)) }
let names = await gather(pending)
print(names[0], "...", names[9], f"({len(names)} names)")
print(f"batch took {round(now() - started, 1)} s")

# A lookup that takes too long is cancelled: the host's future is dropped.
try {
    await wait_for(db.lookup(42), 0.05)
} catch e: TimeoutError {
    print("lookup(42) timed out")
}

# Errors from the host are script errors.
try { await db.lookup(-1) } catch e { print(e.kind(), e.message()) }

shout("done")
"#;

fn main() {
    let mut engine = Engine::builder().build();
    engine.register_fn("shout", |s: String| {
        println!("{}!", s.to_uppercase());
    });
    engine.register_module(Module::new("db").async_function("lookup", lookup));
    let started = Instant::now();
    match engine.eval("embed.tasks", SCRIPT) {
        Ok(_) => println!(
            "host: the script ran in {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        Err(e) => eprintln!("{}", e.report()),
    }

    // An untrusted script under a budget ends with a diagnostic, not a hang.
    let mut sandbox = Engine::builder()
        .limits(Limits {
            max_ops: Some(1_000_000),
            ..Limits::default()
        })
        .build();
    let err = sandbox
        .eval("runaway.tasks", "let n = 0\nwhile true { n += 1 }")
        .unwrap_err();
    println!("host: the runaway script stopped: {:?}", err.kind());
    eprintln!("{}", err.report());

    // Values come back to the host.
    let v = Engine::builder()
        .build()
        .eval("sum.tasks", "sum(range(10))")
        .unwrap();
    assert!(matches!(v, Value::Int(45)));
    println!("host: sum(range(10)) = {v:?}");

    shop();
    async_host();
}

/// `eval_async`: the script runs as a future the host drives on its own
/// executor (here async-io's `block_on`), beside the host's other futures:
/// while the script sleeps, the host's timer ticks.
fn async_host() {
    let mut engine = Engine::builder().build();
    let ticks = std::cell::Cell::new(0);
    let host = async {
        for _ in 0..3 {
            async_io::Timer::after(Duration::from_millis(50)).await;
            ticks.set(ticks.get() + 1);
        }
    };
    let script = engine.eval_async("async.tasks", "await sleep(0.3)\n6 * 7");
    let (v, ()) = async_io::block_on(futures_lite::future::zip(script, host));
    println!(
        "host: eval_async gave {:?}; the host's timer ticked {} times meanwhile",
        v.unwrap(),
        ticks.get()
    );
}

/// A host's object type: scripts get one from `shop.cart()` and call its
/// methods (`add`, `total`); `add` with a negative price raises a
/// `PriceError` the script can catch by kind.
#[derive(Default)]
struct Cart(RefCell<Vec<(String, i64)>>);

impl NativeObject for Cart {
    fn type_name(&self) -> &'static str {
        "cart"
    }
    fn methods() -> &'static [&'static str] {
        &["add", "total"]
    }
    fn method(
        &self,
        _ctx: &mut NativeCtx<'_>,
        name: &str,
        mut args: Args,
    ) -> Option<Result<Value, ScriptError>> {
        Some(match name {
            "add" => (|| {
                let item: String = args.next("item")?;
                let price: i64 = args.next("price")?;
                args.finish()?;
                if price < 0 {
                    return Err(
                        ScriptError::new("PriceError", format!("{item} costs {price}"))
                            .with_help("prices are in cents, at least 0"),
                    );
                }
                self.0.borrow_mut().push((item, price));
                Ok(Value::Nil)
            })(),
            "total" => args
                .finish()
                .map(|()| Value::Int(self.0.borrow().iter().map(|(_, p)| p).sum())),
            _ => return None,
        })
    }
}

const SHOP: &str = r#"
let cart = shop.cart()
shop.each(["pen", "ink"], fn(item) { cart.add(item, 250) })
print("cart total:", cart.total(), "discount code:", shop.code())
async fn twice(x) { await sleep(1); return x * 2 }
twice
"#;

/// An object type with methods, host functions that take the context (the
/// engine's random generator, a call back into the script), a script
/// function called from Rust, and a structured error.
fn shop() {
    let mut engine = Engine::builder().seed(7).virtual_time(true).build();
    engine.register_module(
        Module::new("shop")
            .object::<Cart>()
            .function("cart", || Value::object(Cart::default()))
            .function("code", |ctx: &mut NativeCtx| {
                format!("SAVE{}", ctx.rng().u32(10..100))
            })
            .function(
                "each",
                |ctx: &mut NativeCtx, items: Vec<Value>, f: Value| -> Result<(), ScriptError> {
                    for item in items {
                        ctx.call(&f, vec![item])?;
                    }
                    Ok(())
                },
            ),
    );
    // The program's last expression is the function: call it from Rust.
    let twice = engine.eval("shop.tasks", SHOP).unwrap();
    let v = engine.call(&twice, vec![Value::Int(21)]).unwrap();
    println!("host: twice(21) = {v:?}");

    let err = engine
        .eval("bad.tasks", "let c = shop.cart()\nc.add(\"pen\", -1)")
        .unwrap_err();
    let at = err.location().map(ToString::to_string).unwrap_or_default();
    println!("host: {err} at {at}");
    println!("host: help: {}", err.help().unwrap_or(""));
}
