//! A host doing what the standard library does, through the public API
//! only: the native context (permissions, clock, random generator, data
//! slots, calling script functions now and later, spawning), errors of a
//! chosen kind, raw argument lists with named arguments, omittable
//! `Option` parameters.

mod common;
use common::Buf;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use tasks::{Args, Engine, Module, NativeCtx, NativeResult, Permissions, ScriptError, Value};

fn engine() -> (Engine, Buf, Buf) {
    let (out, err) = (Buf::default(), Buf::default());
    let e = Engine::builder()
        .stdout(out.clone())
        .stderr(err.clone())
        .virtual_time(true)
        .seed(7)
        .build();
    (e, out, err)
}

#[test]
fn a_host_function_draws_from_the_engines_seeded_generator() {
    // `ctx.rng()` is seeded by the engine's seed: two engines with seed 7
    // draw the same numbers there. The script's `random` has a generator
    // of its own (CPython's, from the same seed), which a host draw leaves
    // alone: the script prints what Python prints after `random.seed(7)`.
    let host_draws = || {
        let (mut e, out, _) = engine();
        e.register_fn("host_draw", |ctx: &mut NativeCtx| ctx.rng().f64());
        e.eval(
            "b.tasks",
            "print(host_draw(), host_draw())\nprint(random.random())",
        )
        .unwrap();
        out.text()
    };
    let text = host_draws();
    assert_eq!(text, host_draws());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "0.32383276483316237", "{text}");
}

#[test]
fn a_host_function_reads_the_loops_clock() {
    let (mut e, _, _) = engine();
    e.register_fn("clock", |ctx: &mut NativeCtx| {
        assert!(ctx.virtual_time());
        ctx.now()
    });
    let v = e.eval("t.tasks", "await sleep(2.5)\nclock()").unwrap();
    assert!(matches!(v, Value::Float(f) if f == 2.5), "{v:?}");
}

#[test]
fn a_host_function_checks_the_engines_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let allowed = dir.path().join("ok.txt");
    let (out, _) = (Buf::default(), Buf::default());
    let mut e = Engine::builder()
        .stdout(out.clone())
        .permissions(Permissions::none().allow_read([&allowed]))
        .build();
    e.register_fn("may_read", |ctx: &mut NativeCtx, path: String| {
        ctx.permissions()
            .check_read(std::path::Path::new(&path))
            .map(|_| true)
            .map_err(|d| ScriptError::new("NotCapableError", d.to_string()))
    });
    let script = format!(
        "print(may_read({:?}))\ntry {{ may_read({:?}) }} catch e: NotCapableError {{ print(e.kind()) }}",
        allowed.display().to_string(),
        dir.path().join("../etc/passwd").display().to_string()
    );
    e.eval("t.tasks", &script).unwrap();
    assert_eq!(out.text(), "true\nNotCapableError\n");
}

#[derive(Default)]
struct Counter(i64);

#[test]
fn data_slots_hold_a_modules_state_per_engine() {
    let (out, _) = (Buf::default(), Buf::default());
    let mut e = Engine::builder()
        .stdout(out.clone())
        .data(Counter(10))
        .build();
    e.register_fn("bump", |ctx: &mut NativeCtx| {
        let c = ctx.data_mut::<Counter>().expect("set by the builder");
        c.0 += 1;
        c.0
    });
    e.register_fn("seen", |ctx: &mut NativeCtx| {
        ctx.data_or_default::<Vec<i64>>().push(1);
        ctx.data::<Vec<i64>>().map_or(0, |v| v.len() as i64)
    });
    e.eval("t.tasks", "bump()\nprint(bump(), seen(), seen())")
        .unwrap();
    assert_eq!(out.text(), "12 1 2\n");
    assert_eq!(e.data::<Counter>().map(|c| c.0), Some(12));
    // Another engine has its own.
    let (mut other, _, _) = engine();
    other.register_fn("has", |ctx: &mut NativeCtx| ctx.data::<Counter>().is_some());
    assert!(matches!(
        other.eval("u.tasks", "has()").unwrap(),
        Value::Bool(false)
    ));
}

#[test]
fn an_error_of_a_chosen_kind_is_caught_by_that_kind() {
    let (mut e, out, _) = engine();
    e.register_fn("lookup", |id: i64| {
        if id > 0 {
            Ok(format!("row-{id}"))
        } else {
            Err(ScriptError::new("LookupError", format!("no row {id}")).with_help("ids start at 1"))
        }
    });
    e.eval(
        "t.tasks",
        "print(lookup(1))\ntry { lookup(-1) } catch e: LookupError { print(e.kind(), e.message()) }",
    )
    .unwrap();
    assert_eq!(out.text(), "row-1\nLookupError no row -1\n");
    let err = e.eval("u.tasks", "lookup(0)").unwrap_err();
    assert!(err.to_string().contains("LookupError"), "{err}");
    assert_eq!(err.error_kind(), Some("LookupError"));
    assert_eq!(err.help(), Some("ids start at 1"));
    assert!(err.report().contains("ids start at 1"), "{err}");
}

#[test]
fn a_host_error_carries_fields_and_the_builtins_kinds() {
    let (mut e, out, _) = engine();
    e.register_fn("open_row", |path: String| -> Result<i64, ScriptError> {
        let fields = [("path", Value::str(&path)), ("errno", Value::Int(2))];
        Err(
            ScriptError::new("FileNotFoundError", format!("no such file: {path:?}"))
                .with_fields(&fields),
        )
    });
    e.register_fn("check", |n: i64| -> Result<i64, ScriptError> {
        Err(match n {
            0 => ScriptError::type_error("check() wants a positive int"),
            1 => ScriptError::value_error("one is not enough"),
            2 => ScriptError::index_error("past the end"),
            3 => ScriptError::key_error("no such key"),
            4 => ScriptError::overflow(),
            _ => ScriptError::exit(n as i32),
        })
    });
    let script = r#"
try { open_row("a.txt") } catch e: FileNotFoundError { print(e.path(), e.data()["errno"]) }
for n in range(5) {
    try { check(n) } catch e { print(e.kind(), e.message()) }
}
try { check(7) } catch e { print("not caught by a bare catch") } finally { print("unwound") }
"#;
    let err = e.eval("f.tasks", script).unwrap_err();
    assert_eq!(err.kind(), tasks::ErrorKind::Exit(7), "{err}");
    assert_eq!(
        out.text(),
        "a.txt 2\nTypeError check() wants a positive int\nValueError one is not enough\n\
         IndexError past the end\nKeyError no such key\n\
         OverflowError integer overflow: the result does not fit in 64 bits\nunwound\n"
    );
}

#[test]
fn an_option_parameter_may_be_left_out() {
    let (mut e, out, _) = engine();
    e.register_fn("greet", |name: Option<String>| {
        format!("hi {}", name.unwrap_or_else(|| "you".into()))
    });
    e.eval(
        "t.tasks",
        "print(greet())\nprint(greet(\"ann\"))\nprint(greet(nil))",
    )
    .unwrap();
    assert_eq!(out.text(), "hi you\nhi ann\nhi you\n");
}

#[test]
fn a_host_function_calls_a_script_function_back() {
    let (mut e, out, _) = engine();
    e.register_fn("apply_twice", |ctx: &mut NativeCtx, f: Value, x: i64| {
        let once = ctx.call(&f, vec![Value::Int(x)])?;
        ctx.call(&f, vec![once])
    });
    e.eval(
        "t.tasks",
        "fn inc(n) { return n + 1 }\nprint(apply_twice(inc, 5))\ntry { apply_twice(fn(n) { throw error(\"no\", kind: \"Bad\") }, 1) } catch e: Bad { print(\"caught\", e.message()) }",
    )
    .unwrap();
    assert_eq!(out.text(), "7\ncaught no\n");
}

#[test]
fn an_async_host_function_runs_a_script_function_on_the_loop_while_it_waits() {
    let (mut e, out, _) = engine();
    e.register_async_fn("later", |ctx: &mut NativeCtx, f: Value| {
        let caller = ctx.caller();
        async move {
            let a = caller.call(f.clone(), vec![Value::Int(1)]).await?;
            let b = caller.call(f, vec![Value::Int(2)]).await?;
            Ok::<_, ScriptError>(format!("{} {}", a.to_display(), b.to_display()))
        }
    });
    e.eval(
        "t.tasks",
        "async fn slow(n) { await sleep(1); print(\"ran\", n, now()); return n * 10 }\nprint(await later(slow))",
    )
    .unwrap();
    assert_eq!(out.text(), "ran 1 1.0\nran 2 2.0\n10 20\n");
}

#[test]
fn a_host_function_spawns_a_coroutine_as_a_task() {
    let (mut e, out, _) = engine();
    e.register_fn("start", |ctx: &mut NativeCtx, coro: Value| ctx.spawn(coro));
    e.eval(
        "t.tasks",
        "async fn work() { await sleep(1); return 5 }\nlet t = start(work())\nprint(type(t), await t)",
    )
    .unwrap();
    assert_eq!(out.text(), "task 5\n");
}

#[test]
fn a_raw_function_takes_named_arguments_as_the_stdlib_does() {
    let (mut e, out, _) = engine();
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    e.register_module(
        Module::new("db")
            .raw("find", move |_ctx, mut args: Args| {
                seen.set(seen.get() + 1);
                let table: String = args.next("table")?;
                let limit: Option<i64> = args.named("limit")?;
                args.finish()?;
                Ok(Value::str(&format!("{table}:{}", limit.unwrap_or(-1))))
            })
            .raw_async("slow_count", |ctx, mut args: Args| {
                let table: String = args.next("table")?;
                args.finish()?;
                let shown = format!("counting {table}");
                let _ = ctx.now();
                Ok(async move { Ok(Value::str(&shown)) })
            })
            .raw_boxed("boxed_count", |_ctx, mut args: Args| {
                let table: String = args.next("table")?;
                args.finish()?;
                let fut: tasks::NativeFuture = Box::pin(async move { Ok(Value::str(&table)) });
                Ok(fut)
            }),
    );
    e.eval(
        "t.tasks",
        "print(db.find(\"users\", limit: 3), db.find(\"posts\"))\nprint(await db.slow_count(\"users\"), await db.boxed_count(\"logs\"))\ntry { db.find(\"x\", lmit: 1) } catch e: TypeError { print(e.message()) }",
    )
    .unwrap();
    assert_eq!(
        out.text(),
        "users:3 posts:-1\ncounting users logs\ndb.find() has no parameter named `lmit`\n"
    );
    assert_eq!(calls.get(), 3);
}

#[test]
fn a_raw_global_function_takes_any_count_and_named_arguments() {
    // What the standard library's `eprint` and `exit` are registered with.
    let (mut e, out, _) = engine();
    e.register_raw("join_all", |_ctx, mut args: Args| {
        let items: Vec<String> = args.rest().iter().map(Value::to_display).collect();
        let sep = args.keyword("sep").map_or("-".into(), |v| v.to_display());
        args.finish()?;
        Ok(Value::str(&items.join(&sep)))
    });
    e.register_raw_async("later", |ctx, mut args: Args| {
        let f: Value = args.next("f")?;
        args.finish()?;
        let caller = ctx.caller();
        // Boxed already (as the standard library's are): kept as it is.
        let fut: Pin<Box<dyn Future<Output = Result<Value, ScriptError>>>> = Box::pin(async move {
            let now = caller.on_loop(|ctx| ctx.now()).await?;
            caller.call(f, vec![Value::Float(now)]).await
        });
        Ok(fut)
    });
    e.eval(
        "t.tasks",
        "print(join_all(1, 2, 3), join_all(\"a\", \"b\", sep: \"+\"))\nawait sleep(1.5)\nprint(await later(fn(t) { return t * 2 }))\nprint(repr(join_all), repr(later))\ntry { join_all(1, spe: 2) } catch e: TypeError { print(e.message()) }",
    )
    .unwrap();
    assert_eq!(
        out.text(),
        "1-2-3 a+b\n3.0\n<fn join_all> <async fn later>\njoin_all() has no parameter named `spe`\n"
    );
}

/// A host's object type with a sync and an async method.
struct Account {
    balance: Cell<i64>,
}

impl tasks::NativeObject for Account {
    fn type_name(&self) -> &'static str {
        "account"
    }
    fn methods() -> &'static [&'static str] {
        &["deposit", "settle"]
    }
    fn method(
        &self,
        ctx: &mut NativeCtx<'_>,
        name: &str,
        mut args: Args,
    ) -> Option<Result<Value, ScriptError>> {
        Some(match name {
            "deposit" => (|| {
                // By position or by name.
                let n: i64 = args.named("amount")?.ok_or_else(|| {
                    ScriptError::new("TypeError", "deposit() missing argument `amount`")
                })?;
                args.finish()?;
                self.balance.set(self.balance.get() + n);
                Ok(Value::Int(self.balance.get()))
            })(),
            "settle" => args.finish().map(|()| {
                let balance = self.balance.get();
                ctx.coroutine("account.settle()", async move {
                    Ok(Value::str(&format!("settled {balance}")))
                })
            }),
            _ => return None,
        })
    }
    fn repr(&self) -> String {
        format!("<account {}>", self.balance.get())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[test]
fn a_host_object_type_has_methods_scripts_call() {
    let (mut e, out, _) = engine();
    // Before its module registers the type, the method is unknown.
    let err = e.eval("t.tasks", "fn f(a) { a.deposit(1) }").unwrap_err();
    assert!(
        err.to_string().contains("unknown method `deposit`"),
        "{err}"
    );
    e.register_module(
        Module::new("bank")
            .object::<Account>()
            .function("open", || {
                Value::object(Account {
                    balance: Cell::new(0),
                })
            }),
    );
    let v = e
        .eval(
            "u.tasks",
            "let a = bank.open()\na.deposit(5)\nprint(a, type(a), a.deposit(amount: 2), await a.settle())\na",
        )
        .unwrap();
    assert_eq!(out.text(), "<account 7> account 7 settled 7\n");
    assert_eq!(v.as_object::<Account>().map(|a| a.balance.get()), Some(7));
    // A misspelt method is found before running, with the right name.
    let err = e
        .eval("v.tasks", "print(\"ran\")\nbank.open().depsit(1)")
        .unwrap_err();
    assert_eq!(err.help(), Some("did you mean `deposit`?"));
    assert_eq!(out.text(), "<account 7> account 7 settled 7\n");
    // A name another type has is an AttributeError when it runs.
    let err = e.eval("w.tasks", "bank.open().push(1)").unwrap_err();
    assert!(
        err.to_string().contains("`account` has no method `push`"),
        "{err}"
    );
}

#[test]
fn a_host_calls_a_script_function_from_rust() {
    let (mut e, out, _) = engine();
    let twice = e
        .eval(
            "t.tasks",
            "async fn twice(x) { await sleep(1); print(\"at\", now()); return x * 2 }\ntwice",
        )
        .unwrap();
    let v = e.call(&twice, vec![Value::Int(21)]).unwrap();
    assert!(matches!(v, Value::Int(42)), "{v:?}");
    let plain = e
        .eval("u.tasks", "fn add(a, b) { return a + b }\nadd")
        .unwrap();
    let v = e.call(&plain, vec![Value::Int(2), Value::Int(3)]).unwrap();
    assert!(matches!(v, Value::Int(5)), "{v:?}");
    // A wrong count, and an error inside, come back as errors.
    let err = e.call(&plain, vec![Value::Int(2)]).unwrap_err();
    assert_eq!(err.error_kind(), Some("TypeError"), "{err}");
    let err = e
        .call(&plain, vec![Value::Int(2), Value::str("x")])
        .unwrap_err();
    assert_eq!(err.error_kind(), Some("TypeError"), "{err}");
    assert_eq!(err.location().map(|l| l.file.as_str()), Some("u.tasks"));
    assert!(e.call(&Value::Int(1), vec![]).is_err());
    assert_eq!(out.text(), "at 1.0\n");
}

/// A host's server, made as `http.serve` is: an operation no task awaits
/// (here reading messages the host sends on a channel) hands each one to
/// a script handler through a `ScriptCaller`; the handler's task is named
/// after its message; `close()` aborts the operation.
struct Inbox {
    op: tasks::Operation,
    caller: tasks::ScriptCaller,
}

impl tasks::NativeObject for Inbox {
    fn type_name(&self) -> &'static str {
        "inbox"
    }
    fn methods() -> &'static [&'static str] {
        &["close"]
    }
    fn method(
        &self,
        ctx: &mut NativeCtx<'_>,
        name: &str,
        args: Args,
    ) -> Option<Result<Value, ScriptError>> {
        (name == "close").then(|| {
            args.finish()?;
            let was_open = ctx.abort(&self.op);
            self.caller.cancel_all(ctx);
            Ok(Value::Bool(was_open))
        })
    }
}

#[test]
fn a_host_server_hands_each_message_to_a_script_handler() {
    let (mut e, out, _) = engine();
    let (tx, rx) = async_channel::unbounded::<String>();
    let replies = Rc::new(std::cell::RefCell::new(Vec::new()));
    let kept = replies.clone();
    e.register_module(Module::new("inbox").object::<Inbox>().function(
        "serve",
        move |ctx: &mut NativeCtx, handler: Value| {
            let (rx, replies, caller) = (rx.clone(), kept.clone(), ctx.caller());
            let calls = caller.clone();
            let op = ctx.start_operation("inbox", async move {
                while let Ok(msg) = rx.recv().await {
                    let name = format!("message {msg}");
                    let args = vec![Value::str(&msg)];
                    let reply = calls
                        .call_then(Some(&name), handler.clone(), args, |ctx, outcome| {
                            outcome.map(|v| v.to_display()).unwrap_or_else(|e| {
                                ctx.eprint(&format!("handler failed: {}\n", e.kind()));
                                "500".to_string()
                            })
                        })
                        .await?;
                    replies.borrow_mut().push(reply);
                }
                Ok(Value::Nil)
            });
            Value::object(Inbox { op, caller })
        },
    ));
    for msg in ["a", "b", "boom"] {
        tx.try_send(msg.to_string()).unwrap();
    }
    e.eval(
        "t.tasks",
        r#"
async fn handler(msg) {
    await sleep(0.01)
    print(current_task().name())
    if msg == "boom" { throw error("no", kind: "Boom") }
    return msg.upper()
}
let s = inbox.serve(handler)
await sleep(0.5)
print(s.close(), s.close())
"#,
    )
    .unwrap();
    assert_eq!(
        out.text(),
        "message a\nmessage b\nmessage boom\ntrue false\n"
    );
    assert_eq!(*replies.borrow(), ["A", "B", "500"]);
}

#[test]
fn dropping_a_calls_future_cancels_the_scripts_task() {
    // The host's coroutine is cancelled by `wait_for`: its future, and
    // the `call` in it, are dropped, and the handler's task is cancelled
    // (as a handler is when its HTTP client hangs up), before `wait_for`
    // has seen the host's coroutine end.
    let (mut e, out, _) = engine();
    e.register_async_fn("run_on_loop", |ctx: &mut NativeCtx, f: Value| {
        let caller = ctx.caller();
        async move { caller.call(f, Vec::new()).await }
    });
    e.eval(
        "t.tasks",
        r#"
async fn slow() {
    try { await sleep(10) } catch e: CancelledError { print("handler cancelled"); throw e }
}
try { await wait_for(run_on_loop(slow), 0.05) } catch e: TimeoutError { print("timed out") }
await sleep(0.05)
print("end")
"#,
    )
    .unwrap();
    // Without the cancel the handler would sleep on, and be cancelled
    // only at the end of the program, after "end".
    assert_eq!(out.text(), "handler cancelled\ntimed out\nend\n");
}

#[test]
fn a_host_function_watches_cancels_and_gathers_tasks() {
    let (mut e, out, _) = engine();
    e.register_fn("watch", |ctx: &mut NativeCtx, t: Value| {
        ctx.on_done(&t, |ctx, outcome| {
            let what = match outcome {
                Ok(v) => format!("returned {}", v.to_display()),
                Err(e) => format!("{}: {}", e.kind(), e.message()),
            };
            ctx.print(&format!("watched: {what}\n"));
        })
    });
    e.register_fn("stop", |ctx: &mut NativeCtx, t: Value| {
        ctx.cancel(&t, Some("the host says stop"))
    });
    e.register_fn("live", |ctx: &mut NativeCtx| ctx.tasks().len() as i64);
    e.register_fn("me", |ctx: &mut NativeCtx| ctx.current_task());
    e.register_fn("both", |ctx: &mut NativeCtx, a: Value, b: Value| {
        ctx.gather(vec![a, b], true)
    });
    e.register_fn("soon", |ctx: &mut NativeCtx, f: Value| {
        ctx.call_soon(f, vec![Value::Int(1)]);
    });
    e.eval(
        "t.tasks",
        r#"
async fn work(n) { await sleep(n); return n }
let t = spawn work(5)
watch(t)
print(live(), me() == current_task())
print(stop(t), stop(t))
try { await t } catch e: CancelledError { print("awaited:", e.message()) }
let u = spawn work(1)
watch(u)
soon(fn(x) { print("soon", x) })
print(await both(u, work(2)))
async fn fail() { throw error("no", kind: "Boom") }
let r = await both(work(1), fail())
print(r[0], r[1].kind())
"#,
    )
    .unwrap();
    assert_eq!(
        out.text(),
        "2 true\ntrue true\nwatched: CancelledError: the host says stop\nawaited: the host says stop\nsoon 1\nwatched: returned 1\n[1, 2]\n1 Boom\n"
    );
}

#[test]
fn eval_async_lets_the_hosts_executor_run_its_other_futures_while_the_script_waits() {
    // On the real clock: the host's future ticks at 50, 100 and 150 ms on
    // the same thread and executor while the script sleeps 1 s (850 ms
    // apart, so a loaded machine cannot reorder them). With
    // the blocking `eval` none could tick before the script ended.
    let log = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let mut e = Engine::builder().stdout(Buf::default()).build();
    let noted = log.clone();
    e.register_fn("note", move |what: String| noted.borrow_mut().push(what));
    let ex = async_executor::LocalExecutor::new();
    let ticks = log.clone();
    let host = ex.spawn(async move {
        for _ in 0..3 {
            async_io::Timer::after(std::time::Duration::from_millis(50)).await;
            ticks.borrow_mut().push("host tick".to_string());
        }
    });
    let v = async_io::block_on(ex.run(async {
        let v = e
            .eval_async("t.tasks", "await sleep(1.0)\nnote(\"script done\")\n6 * 7")
            .await;
        host.await;
        v
    }))
    .unwrap();
    assert!(matches!(v, Value::Int(42)), "{v:?}");
    assert_eq!(
        *log.borrow(),
        ["host tick", "host tick", "host tick", "script done"]
    );
}

#[test]
fn an_async_run_ends_as_a_blocking_one_and_its_errors_are_the_same() {
    let (mut e, out, _) = engine();
    let twice = futures_lite::future::block_on(e.eval_async(
        "t.tasks",
        "async fn twice(x) { await sleep(1); print(\"at\", now()); return x * 2 }\ntwice",
    ))
    .unwrap();
    let v = futures_lite::future::block_on(e.call_async(&twice, vec![Value::Int(21)])).unwrap();
    assert!(matches!(v, Value::Int(42)), "{v:?}");
    let err = futures_lite::future::block_on(e.eval_async(
        "u.tasks",
        "let t = spawn sleep(1)\nfn f() { return 1 / 0 }\nf()",
    ))
    .unwrap_err();
    assert_eq!(err.error_kind(), Some("ZeroDivisionError"), "{err}");
    assert_eq!(err.location().map(|l| l.line), Some(2));
    assert_eq!(out.text(), "at 1.0\n");
}

#[test]
fn a_dropped_async_run_is_ended_before_the_next_program_starts() {
    let (mut e, out, _) = engine();
    e.register_async_fn("forever", std::future::pending::<i64>);
    {
        let run = e.eval_async(
            "t.tasks",
            "print(\"started\")\ntry { await forever() } finally { print(\"cleaned up\") }",
        );
        let first = futures_lite::future::block_on(futures_lite::future::poll_once(run));
        assert!(first.is_none(), "the run waits for ever");
    }
    // Without the clean-up the old program would be cancelled at the end
    // of this one, after "next".
    e.eval("u.tasks", "print(\"next\")").unwrap();
    assert_eq!(out.text(), "started\ncleaned up\nnext\n");
}

#[test]
fn a_modules_end_hook_runs_at_each_programs_end_after_its_tasks() {
    // A host module keeps what it opened for a script outside the engine
    // (here: names in the engine's data slot, a log the host shares). Its
    // `at_end` hook runs once the program is over: after the `finally` of
    // a task the end cancelled, once per program, the module registered
    // last first (as `atexit`), with the engine's context.
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let (mut e, out, _) = engine();
    let (first_log, second_log) = (log.clone(), log.clone());
    let seen = out.clone();
    e.register_module(Module::new("first").at_end(move |ctx| {
        first_log
            .borrow_mut()
            .push(format!("first end, engine {}", ctx.engine_id()));
    }));
    e.register_module(
        Module::new("res")
            .function("open", |ctx: &mut NativeCtx, name: String| {
                ctx.data_or_default::<Vec<String>>().push(name);
            })
            .at_end(move |ctx| {
                let finally_ran = seen.text().contains("task finally");
                let open = std::mem::take(ctx.data_or_default::<Vec<String>>());
                second_log
                    .borrow_mut()
                    .push(format!("close {open:?} after finally: {finally_ran}"));
            }),
    );
    let program = "async fn waits() {\n  try { await sleep(10) } finally { print(\"task finally\") }\n}\nlet t = spawn waits()\nres.open(\"a\")\nres.open(\"b\")\nawait sleep(0)\nprint(\"main done\")";
    e.eval("end.tasks", program).unwrap();
    assert_eq!(out.text(), "main done\ntask finally\n");
    e.eval("again.tasks", "nil").unwrap();
    let log = log.borrow();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[0], r#"close ["a", "b"] after finally: true"#);
    assert!(log[1].starts_with("first end, engine "), "{log:?}");
    // The second program opened nothing; the hooks ran again.
    assert_eq!(log[2], "close [] after finally: true");
    assert_eq!(log[1], log[3]);
    // Another engine's hooks see its own number.
    let other_log: Rc<RefCell<Vec<u64>>> = Rc::default();
    let (mut o, _, _) = engine();
    let ol = other_log.clone();
    o.register_module(Module::new("m").at_end(move |ctx| ol.borrow_mut().push(ctx.engine_id())));
    o.eval("o.tasks", "nil").unwrap();
    assert_ne!(
        format!("first end, engine {}", other_log.borrow()[0]),
        log[1]
    );
}

/// A host's stream, written as the standard library writes its own: an
/// item it holds is handed over by `ready` (no coroutine), the others are
/// waited for, `next()` is a method through `NativeStream::next_method`,
/// and `close` runs when the loop ends. It counts down from `left`; the
/// odd numbers must be waited for.
struct Countdown {
    left: Cell<i64>,
    closed: Rc<Cell<bool>>,
}

impl tasks::NativeObject for Countdown {
    fn type_name(&self) -> &'static str {
        "countdown"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        use tasks::NativeStream;
        self.next_method(ctx, name, args, || "countdown.next".into())
    }
    fn stream(&self) -> Option<&dyn tasks::NativeStream> {
        Some(self)
    }
}

impl tasks::NativeStream for Countdown {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        let n = self.left.get();
        if n <= 0 {
            return Some(Ok(Value::Nil));
        }
        (n % 2 == 0).then(|| {
            self.left.set(n - 1);
            Ok(Value::Int(n))
        })
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<tasks::NativeFuture, ScriptError> {
        let n = self.left.get();
        self.left.set(n - 1);
        Ok(Box::pin(async move {
            async_io::Timer::after(std::time::Duration::from_millis(1)).await;
            Ok(Value::Int(n))
        }))
    }
    fn close(&self, _ctx: &mut NativeCtx<'_>) {
        self.closed.set(true);
    }
}

#[test]
fn a_host_writes_streams_maps_and_reads_the_engines_facts_as_the_stdlib_does() {
    use tasks::{Key, MapTable, Str};
    let (out, err) = (common::Buf::default(), common::Buf::default());
    let mut e = Engine::builder()
        .stdout(out.clone())
        .stderr(err)
        .seed(7)
        .add_root_certificate("not really a PEM")
        .build();
    let closed = Rc::new(Cell::new(false));
    let seen = closed.clone();
    let streams = Module::new("streams")
        .object::<Countdown>()
        .function("countdown", move |n: i64| {
            let closed = seen.clone();
            Value::object(Countdown {
                left: Cell::new(n),
                closed,
            })
        })
        // What another native does with any native stream it is given.
        .raw("first_ready", |ctx, mut args| -> NativeResult {
            let s: Value = args.next("stream")?;
            args.finish()?;
            let stream = s.as_stream().ok_or_else(|| {
                ScriptError::type_error(format!("`{}` is not a stream", s.type_name()))
            })?;
            stream.ready(ctx).unwrap_or_else(|| Ok(Value::str("waits")))
        });
    e.register_module(streams);
    // A map made in Rust, keys in the order given, as `json.parse` makes one.
    e.register_fn("tally", |words: Vec<String>| {
        let mut table = MapTable::with_capacity(words.len());
        for w in &words {
            let count = table.entry(Key::Str(Str::new(w))).or_insert(Value::Int(0));
            if let Value::Int(n) = count {
                *n += 1;
            }
        }
        Value::Map(Rc::new(RefCell::new(table)))
    });
    e.register_fn("facts", |ctx: &mut NativeCtx| {
        let roots: Vec<String> = ctx
            .root_certificates()
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        format!("{:?} {:?} {roots:?}", ctx.seed(), ctx.program_name())
    });
    let script = r#"
let got = []
for await x in streams.countdown(4) { got.push(x) }
let d = streams.countdown(3)
print(got, await d.next(), streams.first_ready(d), streams.first_ready(d))
try { streams.first_ready([1]) } catch e: TypeError { print(e.message()) }
let m = tally(["b", "a", "b"])
print(m, m["b"])
print(facts())
"#;
    e.eval("facts.tasks", script).unwrap();
    assert!(closed.get(), "the loop closed its stream");
    assert_eq!(
        out.text(),
        "[4, 3, 2, 1] 3 2 waits\n`list` is not a stream\n{\"b\": 2, \"a\": 1} 2\n\
         Some(7) Some(\"facts.tasks\") [\"root certificate 1\"]\n"
    );
}

#[test]
fn a_function_with_a_signature_is_bound_as_a_builtin_is() {
    let (mut e, out, _) = engine();
    let sig = tasks::Signature::new("clamp", &["x", "lo", "hi"])
        .required(1)
        .named(&["scale"]);
    e.register_with(sig, |_ctx, mut args| {
        let x: f64 = args.next("x")?;
        // By position or by name, in their places; one left out is nil.
        let lo = args.next_opt::<Option<f64>>("lo")?.flatten();
        let hi = args.next_opt::<Option<f64>>("hi")?.flatten();
        let scale = args.keyword("scale").map_or(1.0, |v| match v {
            Value::Int(n) => n as f64,
            _ => 1.0,
        });
        args.finish()?;
        Ok(Value::Float(
            x.max(lo.unwrap_or(0.0)).min(hi.unwrap_or(1.0)) * scale,
        ))
    });
    let script = r#"
print(clamp(5), clamp(5, hi: 3), clamp(-2, lo: -1, hi: 9), clamp(hi: 2, x: 7, scale: 10))
for call in [fn() { clamp() }, fn() { clamp(1, hy: 2) }, fn() { clamp(1, 2, 3, 4) }, fn() { clamp(1, x: 2) }] {
    try { call() } catch e: TypeError { print(e.message()) }
}
"#;
    e.eval("clamp.tasks", script).unwrap();
    assert_eq!(
        out.text(),
        "1.0 3.0 -1.0 20.0\nclamp() takes 1 to 3 arguments but 0 were given\n\
         clamp() has no parameter named `hy`\nclamp() takes 1 to 3 arguments but 4 were given\n\
         clamp() got two values for `x`\n"
    );
}
