//! Embedding `tasks` in a Rust program: a sync and an async host function,
//! ten concurrent calls gathered by a script, a cancellation by
//! `wait_for`, and a limit stopping a runaway script.
//!
//! Run it with `cargo run --release --example embed`.

use std::time::{Duration, Instant};
use tasks::{Engine, Limits, Module, Value};

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
        Err(e) => eprintln!("{e}"),
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
    eprintln!("{err}");

    // Values come back to the host.
    let v = Engine::builder()
        .build()
        .eval("sum.tasks", "sum(range(10))")
        .unwrap();
    assert!(matches!(v, Value::Int(45)));
    println!("host: sum(range(10)) = {v:?}");
}
